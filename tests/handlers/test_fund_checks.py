"""/quy asks back what is likely a slip: amounts said in words, very small or very large sums,
and a contribution that repeats a receipt already in the ledger."""

from __future__ import annotations

import datetime as dt

import pytest

from storage.db import transaction
from storage.ledger import find_receipt, reverse_contribution
from storage.models import Person, Role
from tests.support.chat import joined
from tests.support.fund import (
    ASK_NOTE,
    contributions,
    dialog_data,
    say,
    tap,
    up_to_amount,
    up_to_summary,
    village_head,
)

ASK_AMOUNT = "Số tiền đóng góp là bao nhiêu? Ví dụ: 500000, 500k, 1 triệu rưỡi, 2tr."
TWIN = (
    "Biên lai KH2026-00001 đã ghi khoản giống hệt (Nguyễn Văn Bình, 1.500.000 ₫, "
    "ngày 20/03/2026). Vẫn ghi thêm khoản này?"
)


@pytest.mark.parametrize(
    ("typed", "shown", "words"),
    [
        ("1 triệu rưỡi", "1.500.000 ₫", "một triệu năm trăm nghìn đồng"),
        ("1 triệu 2", "1.200.000 ₫", "một triệu hai trăm nghìn đồng"),
        ("1tr500", "1.500.000 ₫", "một triệu năm trăm nghìn đồng"),
        ("năm trăm nghìn", "500.000 ₫", "năm trăm nghìn đồng"),
        ("một triệu", "1.000.000 ₫", "một triệu đồng"),
        ("hai trăm năm mươi nghìn", "250.000 ₫", "hai trăm năm mươi nghìn đồng"),
        ("300 ngàn", "300.000 ₫", "ba trăm nghìn đồng"),
        ("nam tram nghin", "500.000 ₫", "năm trăm nghìn đồng"),
    ],
)
async def test_the_amount_is_typed_the_way_it_is_said(engine, database, typed, shown, words):
    """The village head types the amount as people say it; the summary shows it in figures and
    words, and the receipt records exactly that."""
    chat = await village_head(engine, "zalo", "z-head")
    await up_to_amount(chat)
    assert await say(chat, typed) == [ASK_NOTE[chat.channel]]
    [summary] = await tap(chat, "Bỏ qua")
    assert f"Số tiền: {shown}" in summary.splitlines()
    assert f"Bằng chữ: {words}" in summary.splitlines()
    await chat.tap("Xác nhận")
    [row] = contributions(database)
    assert row.amount == int(shown.removesuffix(" ₫").replace(".", ""))


@pytest.mark.parametrize("channel", ["telegram", "zalo"])
async def test_a_very_small_amount_is_asked_back(engine, database, channel):
    """'5 trăm' is 500 ₫: the bot asks whether that is right; 'Nhập lại' asks the amount
    again, 'Đúng' keeps it and goes on."""
    chat = await village_head(engine, channel, f"{channel}-head")
    await up_to_amount(chat)
    assert await say(chat, "5 trăm") == ["Số tiền 500 ₫ nhỏ bất thường, có đúng không?"]
    assert chat.labels() == ["Đúng", "Nhập lại"]
    assert "unchecked_amount" in dialog_data(database, chat)
    assert await tap(chat, "Nhập lại") == [ASK_AMOUNT]
    assert "amount" not in dialog_data(database, chat)
    assert await say(chat, "9.999") == ["Số tiền 9.999 ₫ nhỏ bất thường, có đúng không?"]
    assert await tap(chat, "Đúng") == [ASK_NOTE[chat.channel]]
    [summary] = await tap(chat, "Bỏ qua")
    assert "Số tiền: 9.999 ₫" in summary.splitlines()
    await chat.tap("Xác nhận")
    [row] = contributions(database)
    assert row.amount == 9_999


@pytest.mark.parametrize("channel", ["telegram", "zalo"])
async def test_a_very_large_amount_is_asked_back_the_same_way(engine, database, channel):
    """'1,2 tỷ' gets the same question; confirmed from 'Sửa số tiền' it goes back to the
    summary. 10.000 ₫ and 1 tỷ exactly are usual amounts and are not asked."""
    chat = await village_head(engine, channel, f"{channel}-head")
    await up_to_amount(chat)
    assert await say(chat, "10.000") == [ASK_NOTE[chat.channel]]
    await chat.tap("Bỏ qua")
    await chat.tap("Sửa số tiền")
    [summary] = await say(chat, "1 tỷ")
    assert "Số tiền: 1.000.000.000 ₫" in summary.splitlines()
    await chat.tap("Sửa số tiền")
    assert await say(chat, "1,2 tỷ") == ["Số tiền 1.200.000.000 ₫ lớn bất thường, có đúng không?"]
    assert chat.labels() == ["Đúng", "Nhập lại"]
    [summary] = await tap(chat, "Đúng")
    assert summary.splitlines()[2:4] == [
        "Số tiền: 1.200.000.000 ₫",
        "Bằng chữ: một tỷ hai trăm triệu đồng",
    ]
    await chat.tap("Xác nhận")
    [row] = contributions(database)
    assert row.amount == 1_200_000_000


@pytest.mark.parametrize("channel", ["telegram", "zalo"])
async def test_the_same_donor_amount_and_day_asks_before_a_second_receipt(
    engine, database, channel
):
    """Nguyễn Văn Bình's 1,5 triệu today is recorded; typed again as 'nguyen van binh', the
    bot names receipt 00001 and asks: 'Không' records nothing, 'Ghi' records 00002."""
    chat = await village_head(engine, channel, f"{channel}-head")
    await up_to_summary(chat)
    await chat.tap("Xác nhận")
    for answer, head, tail in [
        ("Không ghi", "Chưa ghi: khoản này đã có trong biên lai KH2026-00001.", ""),
        ("Ghi", "Đã ghi khoản đóng góp của ", "Số biên lai: KH2026-00002."),
    ]:
        await up_to_amount(chat, "nguyen van  BINH")
        await chat.send("1 triệu rưỡi")
        await chat.tap("Bỏ qua")
        assert await tap(chat, "Xác nhận") == [TWIN]
        assert chat.labels() == ["Ghi", "Không ghi"]
        [said] = await tap(chat, answer)
        assert said.startswith(head) and said.endswith(tail)
    rows = contributions(database)
    assert [(r.receipt_no, r.donor_name, r.amount) for r in rows] == [
        ("KH2026-00001", "Nguyễn Văn Bình", 1_500_000),
        ("KH2026-00002", "nguyen van BINH", 1_500_000),
    ]
    assert dialog_data(database, chat) == {}


async def test_only_a_standing_receipt_of_the_same_unit_and_day_is_a_repeat(engine, database):
    """No question for another day, another unit, or a receipt the office has reversed."""
    head = await village_head(engine)
    await up_to_summary(head)
    await head.tap("Xác nhận")
    # The same gift dated yesterday.
    await up_to_summary(head)
    await head.tap("Sửa ngày")
    await head.send("hôm qua")
    [receipt] = await head.tap("Xác nhận")
    assert "KH2026-00002" in receipt
    # The same gift in another village.
    west = await joined(
        engine, Role.FOCAL, "Lê Văn Tây", unit="Thôn Tây", channel="zalo", external_id="z-west"
    )
    await up_to_summary(west)
    [receipt] = await west.tap("Xác nhận")
    assert "KH2026-00003" in receipt
    # Receipt 00001 is reversed: recorded again, it no longer stands in the way.
    with transaction(database) as session:
        admin = Person(name="Lê Thị Hoa", role=Role.ADMIN.value)
        session.add(admin)
        session.flush()
        original = find_receipt(session, "KH2026-00001")
        assert original is not None and admin.id is not None
        now = dt.datetime(2026, 3, 20, 2, 0, tzinfo=dt.UTC)
        reverse_contribution(session, original, by=admin.id, reason="Ghi nhầm", now=now)
    await up_to_summary(head)
    [receipt] = await head.tap("Xác nhận")
    assert "KH2026-00005" in receipt
    assert [r.amount for r in contributions(database)] == [
        1_500_000,
        1_500_000,
        1_500_000,
        -1_500_000,
        1_500_000,
    ]
