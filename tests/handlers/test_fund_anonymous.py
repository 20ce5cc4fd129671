"""/quy for a donor who is not to be named in public: 'Ẩn danh' at the name, or a named donor
kept out of public lists with 'Không công khai tên' at the summary."""

from __future__ import annotations

import pytest

from tests.support.fund import contributions, say, tap, village_head

ASK_NAME = "Tên người đóng góp (cá nhân, gia đình hoặc tổ chức)?"
ASK_AMOUNT = "Số tiền đóng góp là bao nhiêu? Ví dụ: 500000, 500k, 1 triệu rưỡi, 2tr."
ANONYMOUS_SUMMARY = [
    "Anh/chị kiểm tra lại khoản đóng góp:",
    "Người đóng góp: Ẩn danh (Cá nhân)",
    "Số tiền: 500.000 ₫",
    "Bằng chữ: năm trăm nghìn đồng",
    "Ngày: 20/03/2026",
    "Đơn vị: Thôn Đông",
]
ANONYMOUS_CHOICES = [
    "Xác nhận",
    "Sửa tên",
    "Sửa số tiền",
    "Sửa ngày",
    "Sửa loại",
    "Sửa ghi chú",
    "Hủy",
]
"""A donor with no name has no name to keep out of public lists: no such choice."""


def anonymous_receipt(number: int) -> str:
    """The receipt for 500.000 ₫ from a donor who gave no name."""
    return (
        "Đã ghi khoản đóng góp của Ẩn danh: 500.000 ₫ (năm trăm nghìn đồng). "
        f"Số biên lai: KH2026-{number:05d}."
    )


async def test_telegram_head_taps_anonymous_at_the_name(engine, database):
    """The name question offers Ẩn danh; a tap takes it as the donor, the summary and the
    receipt say Ẩn danh, and the row is anonymous under that name."""
    chat = await village_head(engine)
    assert await say(chat, "/quy") == [ASK_NAME]
    assert chat.labels() == ["Ẩn danh"]
    assert await tap(chat, "Ẩn danh") == [ASK_AMOUNT]
    await chat.send("500k")
    [summary] = await tap(chat, "Bỏ qua")
    assert summary.splitlines() == ANONYMOUS_SUMMARY
    assert chat.labels() == ANONYMOUS_CHOICES
    assert await tap(chat, "Xác nhận") == [anonymous_receipt(1)]
    [row] = contributions(database)
    assert (row.donor_name, row.anonymous, row.amount) == ("Ẩn danh", True, 500_000)


@pytest.mark.parametrize("typed", ["1", "an danh", "Ẩn danh", "  ẨN   DANH "])
async def test_zalo_head_replies_1_or_types_an_danh(engine, database, typed):
    """On Zalo Ẩn danh is choice 1 of the name question; typing it, with or without accents
    and in any case, is the same answer."""
    chat = await village_head(engine, "zalo", "z-head")
    assert await say(chat, "/quy") == [ASK_NAME]
    assert chat.labels() == ["Ẩn danh"]
    assert await say(chat, typed) == [ASK_AMOUNT]
    await chat.send("500 nghìn")
    [summary] = await say(chat, "1")
    assert summary.splitlines()[1] == "Người đóng góp: Ẩn danh (Cá nhân)"
    assert await say(chat, "1") == [anonymous_receipt(1)]
    [row] = contributions(database)
    assert (row.donor_name, row.anonymous) == ("Ẩn danh", True)


async def test_two_anonymous_donors_alike_are_not_asked_about(engine, database):
    """Two Ẩn danh gifts of 500.000 ₫ on the same day are two donors: both are recorded at
    once, while the same named donor twice is still asked about."""
    chat = await village_head(engine)
    for number in (1, 2):
        await chat.send("/quy")
        await chat.tap("Ẩn danh")
        await chat.send("500k")
        await chat.tap("Bỏ qua")
        assert await tap(chat, "Xác nhận") == [anonymous_receipt(number)]
    for _twice in range(2):
        await chat.send("/quy")
        await chat.send("Nguyễn Văn Bình")
        await chat.send("500k")
        await chat.tap("Bỏ qua")
        [answer] = await tap(chat, "Xác nhận")
    assert answer.startswith("Biên lai KH2026-00003 đã ghi khoản giống hệt (Nguyễn Văn Bình")
    assert [(row.donor_name, row.anonymous) for row in contributions(database)] == [
        ("Ẩn danh", True),
        ("Ẩn danh", True),
        ("Nguyễn Văn Bình", False),
    ]


async def test_a_named_donor_kept_out_of_public_lists(engine, database):
    """The head types the donor's name, then at the summary taps Không công khai tên: the
    summary says so and offers Công khai tên instead; the row keeps the real name for the
    office's ledger, marked anonymous. Tapping it twice undoes it."""
    chat = await village_head(engine)
    await chat.send("/quy")
    await chat.send("Nguyễn Văn Bình")
    await chat.send("1,5 triệu")
    [summary] = await tap(chat, "Bỏ qua")
    assert summary.splitlines()[1] == "Người đóng góp: Nguyễn Văn Bình (Cá nhân)"
    [summary] = await tap(chat, "Không công khai tên")
    assert summary.splitlines()[1] == (
        "Người đóng góp: Nguyễn Văn Bình (không công khai tên) (Cá nhân)"
    )
    assert chat.labels()[-2:] == ["Công khai tên", "Hủy"]
    [summary] = await tap(chat, "Công khai tên")
    assert summary.splitlines()[1] == "Người đóng góp: Nguyễn Văn Bình (Cá nhân)"
    await chat.tap("Không công khai tên")
    assert await tap(chat, "Xác nhận") == [
        "Đã ghi khoản đóng góp của Nguyễn Văn Bình (không công khai tên): 1.500.000 ₫ "
        "(một triệu năm trăm nghìn đồng). Số biên lai: KH2026-00001."
    ]
    [row] = contributions(database)
    assert (row.donor_name, row.anonymous) == ("Nguyễn Văn Bình", True)


async def test_changing_the_name_of_an_anonymous_donor(engine, database):
    """Sửa tên after Ẩn danh: a typed name makes a named donor again; Ẩn danh after a named
    donor kept out of lists leaves just Ẩn danh."""
    chat = await village_head(engine, "zalo", "z-head")
    await chat.send("/quy")
    await chat.send("an danh")
    await chat.send("500k")
    await chat.send("1")
    await chat.tap("Sửa tên")
    [summary] = await say(chat, "Lê Thị Hoa")
    assert summary.splitlines()[1] == "Người đóng góp: Lê Thị Hoa (Cá nhân)"
    await chat.tap("Không công khai tên")
    await chat.tap("Sửa tên")
    [summary] = await say(chat, "ẩn danh")
    assert summary.splitlines()[1] == "Người đóng góp: Ẩn danh (Cá nhân)"
    assert "Công khai tên" not in chat.labels()
    await chat.tap("Xác nhận")
    [row] = contributions(database)
    assert (row.donor_name, row.anonymous) == ("Ẩn danh", True)


async def test_an_english_reader_sees_anonymous(engine, database):
    """In English the choice reads Anonymous; the ledger still records the Vietnamese name."""
    chat = await village_head(engine)
    await chat.send("/ngonngu")
    await chat.tap("English")
    await chat.send("/quy")
    assert chat.labels() == ["Anonymous"]
    await chat.tap("Anonymous")
    await chat.send("500k")
    [summary] = await tap(chat, "Skip")
    assert summary.splitlines()[1] == "Donor: Anonymous (Individual)"
    [receipt] = await tap(chat, "Confirm")
    assert receipt.endswith("from Anonymous.")
    [row] = contributions(database)
    assert (row.donor_name, row.anonymous) == ("Ẩn danh", True)


async def test_an_unfinished_anonymous_contribution_is_named_so(engine, database):
    """/baocao in the middle: what is unfinished names the donor as the summary does, in
    English too ('Anonymous', not the Vietnamese name recorded)."""
    chat = await village_head(engine)
    await chat.send("/quy")
    await chat.tap("Ẩn danh")
    await chat.send("500k")
    assert await say(chat, "/baocao") == [
        "Anh/chị đang làm dở: ghi khoản đóng góp 500.000 ₫ của Ẩn danh. "
        "Những gì đã nhập chưa được lưu."
    ]
    english = await village_head(engine, external_id="1002")
    await english.send("/ngonngu")
    await english.tap("English")
    await english.send("/quy")
    await english.tap("Anonymous")
    await english.send("500k")
    [unfinished] = await say(english, "/baocao")
    assert unfinished == (
        "You have not finished: a contribution of ₫500,000 from Anonymous. "
        "Its answers are not saved yet."
    )
