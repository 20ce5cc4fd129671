"""/quy: recording a contribution to the study-promotion fund, on Telegram and Zalo."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

from storage.models import Person, Role, Unit
from tests.support.chat import Chat, joined
from tests.support.fund import (
    CHOOSE,
    NOT_ALLOWED,
    STALE,
    contributions,
    dialog_data,
    old_button,
    say,
    tap,
    up_to_amount,
    up_to_summary,
    village_head,
)

ASK_NAME = "Tên nhà hảo tâm (người, gia đình hoặc tổ chức đóng góp) là gì?"
NAME_PROBLEM = "Vui lòng gửi tên nhà hảo tâm bằng chữ, từ 2 đến 120 ký tự."
ASK_KIND = "Nhà hảo tâm là:"
ASK_AMOUNT = "Số tiền đóng góp là bao nhiêu? Ví dụ: 500000, 500k, 1,5 triệu, 2tr."
ASK_DATE = "Ngày đóng góp? Chọn Hôm nay hoặc gõ ngày, ví dụ 15/03."
ASK_NOTE = "Ghi chú (ví dụ mục đích, chuyển khoản)? Gõ ghi chú hoặc chọn Bỏ qua."
NOTE_PROBLEM = "Vui lòng gõ ghi chú bằng chữ, tối đa 300 ký tự, hoặc chọn Bỏ qua."
DATE_FORMAT = "Vui lòng gõ ngày theo dạng ngày/tháng, ví dụ 15/03 hoặc 15/03/2026."
DATE_RANGE = "Ngày đóng góp phải từ 20/03/2025 đến hôm nay (20/03/2026)."
SUMMARY = (
    "Vui lòng kiểm tra khoản đóng góp:\n"
    "Nhà hảo tâm: Nguyễn Văn Bình (Cá nhân)\n"
    "Số tiền: 1.500.000 ₫\n"
    "Bằng chữ: một triệu năm trăm nghìn đồng\n"
    "Ngày: 20/03/2026\n"
    "Đơn vị: Thôn Đông"
)
RECEIPT_1 = (
    "Đã ghi nhận. Số biên lai: KH2026-00001. Số tiền: 1.500.000 ₫ "
    "(một triệu năm trăm nghìn đồng) của Nguyễn Văn Bình."
)


async def test_village_head_records_one_and_a_half_million(engine, database):
    """The head of Thôn Đông records 1,5 triệu from Nguyễn Văn Bình and gets receipt 00001."""
    chat = await village_head(engine)
    assert await say(chat, "/quy") == [ASK_NAME]
    assert await say(chat, "  Nguyễn   Văn Bình ") == [ASK_KIND]
    assert chat.labels() == ["Cá nhân", "Gia đình", "Dòng họ", "Tổ chức"]
    assert await tap(chat, "Cá nhân") == [ASK_AMOUNT]
    assert await say(chat, "1,5 triệu") == [ASK_DATE]
    assert chat.labels() == ["Hôm nay"]
    assert await tap(chat, "Hôm nay") == [ASK_NOTE]
    assert chat.labels() == ["Bỏ qua"]
    assert await tap(chat, "Bỏ qua") == [SUMMARY]
    assert chat.labels() == ["Xác nhận", "Sửa số tiền", "Hủy"]
    assert contributions(database) == []
    assert await tap(chat, "Xác nhận") == [RECEIPT_1]
    [row] = contributions(database)
    with Session(database) as session:
        unit = session.exec(select(Unit).where(Unit.name == "Thôn Đông")).one()
        head = session.exec(select(Person).where(Person.name == "Trần Văn Tâm")).one()
    assert (row.receipt_no, row.year, row.seq) == ("KH2026-00001", 2026, 1)
    assert (row.donor_name, row.donor_kind, row.amount) == ("Nguyễn Văn Bình", "person", 1_500_000)
    assert (row.unit_id, row.recorded_by) == (unit.id, head.id)
    assert (row.contributed_on, row.note, row.reverses_id) == (dt.date(2026, 3, 20), "", None)


async def test_zalo_numbered_replies_with_typed_date_and_note(engine, database):
    """On Zalo the head answers by number, types the date and a note; the row carries them."""
    chat = await village_head(engine, "zalo", "z-head")
    await chat.send("/quy")
    await chat.send("Dòng họ Nguyễn Đình")
    assert await say(chat, "3") == [ASK_AMOUNT]
    assert await say(chat, "2tr") == [ASK_DATE]
    assert await say(chat, "18/3") == [ASK_NOTE]
    [summary] = await say(chat, "Ủng hộ học sinh nghèo vượt khó")
    assert summary.splitlines()[1:] == [
        "Nhà hảo tâm: Dòng họ Nguyễn Đình (Dòng họ)",
        "Số tiền: 2.000.000 ₫",
        "Bằng chữ: hai triệu đồng",
        "Ngày: 18/03/2026",
        "Đơn vị: Thôn Đông",
        "Ghi chú: Ủng hộ học sinh nghèo vượt khó",
    ]
    [receipt] = await say(chat, "1")
    assert receipt.startswith("Đã ghi nhận. Số biên lai: KH2026-00001. Số tiền: 2.000.000 ₫")
    [row] = contributions(database)
    assert (row.donor_kind, row.amount, row.contributed_on) == (
        "clan",
        2_000_000,
        dt.date(2026, 3, 18),
    )
    assert row.note == "Ủng hộ học sinh nghèo vượt khó"


@pytest.mark.parametrize(
    ("typed", "explanation"),
    [
        ("   ", "Anh/chị chưa nhập số tiền. Vui lòng nhập số tiền bằng số."),
        ("năm trăm", "Không thấy con số nào. Vui lòng nhập số tiền, ví dụ 500000 hoặc 500k."),
        ("0đ", "Số tiền phải lớn hơn 0."),
        (
            "-500000",
            "Số tiền không được âm. Muốn hủy một khoản đã ghi, anh/chị báo văn phòng "
            "xã hủy biên lai đó.",
        ),
        (
            "11 tỷ",
            "Số tiền vượt quá 10.000.000.000 ₫, mức tối đa cho một lần ghi. "
            "Vui lòng kiểm tra lại số chữ số 0.",
        ),
        (
            "1,5",
            "Số tiền chưa rõ: 1,5 là 1,5 triệu hay 1.500 đồng? Hãy ghi rõ, ví dụ "
            "1,5 triệu hoặc 1.500.000.",
        ),
        ("1,5đ", "Số tiền phải là số đồng chẵn, không có phần lẻ dưới 1 đồng."),
    ],
)
async def test_each_amount_refusal_explains_and_keeps_donor(engine, database, typed, explanation):
    """Every reason an amount is refused has its own explanation; donor and kind are kept."""
    chat = await village_head(engine)
    await up_to_amount(chat)
    assert await say(chat, typed) == [explanation, ASK_AMOUNT]
    data = dialog_data(database, chat)
    assert (data["donor_name"], data["donor_kind"]) == ("Nguyễn Văn Bình", "person")
    assert await say(chat, "1.500.000đ") == [ASK_DATE]
    await chat.tap("Hôm nay")
    assert await tap(chat, "Bỏ qua") == [SUMMARY]
    assert contributions(database) == []


async def test_empty_amount_from_a_photo(engine, database):
    """A photo instead of an amount carries no text: the bot asks for the number."""
    chat = await village_head(engine)
    await up_to_amount(chat)
    replies = await say(chat, photo="photo-ref-1")
    assert replies == ["Anh/chị chưa nhập số tiền. Vui lòng nhập số tiền bằng số.", ASK_AMOUNT]


async def test_correct_the_amount_keeps_the_rest(engine, database):
    """'Sửa số tiền' asks the amount again and goes straight back to the summary."""
    chat = await village_head(engine)
    await up_to_amount(chat)
    await chat.send("1,5 triệu")
    await chat.send("17/03/2026")
    await chat.send("Chuyển khoản")
    assert await tap(chat, "Sửa số tiền") == [ASK_AMOUNT]
    assert await say(chat, "abc") == [
        "Không thấy con số nào. Vui lòng nhập số tiền, ví dụ 500000 hoặc 500k.",
        ASK_AMOUNT,
    ]
    [summary] = await say(chat, "2tr500")
    assert summary.splitlines()[1:] == [
        "Nhà hảo tâm: Nguyễn Văn Bình (Cá nhân)",
        "Số tiền: 2.500.000 ₫",
        "Bằng chữ: hai triệu năm trăm nghìn đồng",
        "Ngày: 17/03/2026",
        "Đơn vị: Thôn Đông",
        "Ghi chú: Chuyển khoản",
    ]
    await chat.tap("Xác nhận")
    [row] = contributions(database)
    assert (row.amount, row.contributed_on, row.note) == (
        2_500_000,
        dt.date(2026, 3, 17),
        "Chuyển khoản",
    )


async def test_receipts_increment_and_restart_each_year(engine, database, clock):
    """Receipts count up within a year and start again at 00001 in the next one."""
    chat = await village_head(engine)
    for expected in ["KH2026-00001", "KH2026-00002"]:
        await up_to_summary(chat)
        [receipt] = await chat.tap("Xác nhận")
        assert f"Số biên lai: {expected}." in receipt
    # 00:30 on 1 January in the commune is still 31 December in UTC.
    clock.now = dt.datetime(2026, 12, 31, 17, 30, tzinfo=dt.UTC)
    await up_to_summary(chat)
    [receipt] = await chat.tap("Xác nhận")
    assert "Số biên lai: KH2027-00001." in receipt
    clock.now = dt.datetime(2027, 2, 1, 1, 0, tzinfo=dt.UTC)
    await up_to_summary(chat)
    [receipt] = await chat.tap("Xác nhận")
    assert "Số biên lai: KH2027-00002." in receipt
    rows = contributions(database)
    assert [(r.year, r.seq) for r in rows] == [(2026, 1), (2026, 2), (2027, 1), (2027, 2)]


async def test_dates_in_the_future_or_over_a_year_back_are_refused(engine, database):
    """The date cannot be after today nor more than a year back; 'hôm qua' works."""
    chat = await village_head(engine)
    await up_to_amount(chat)
    await chat.send("500k")
    assert await say(chat, "21/03/2026") == [DATE_RANGE, ASK_DATE]
    assert await say(chat, "19/03/2025") == [DATE_RANGE, ASK_DATE]
    assert await say(chat, "30/02") == [
        "Ngày này không có thật. Vui lòng kiểm tra lại ngày và tháng.",
        ASK_DATE,
    ]
    assert await say(chat, "20/03/2025") == [ASK_NOTE]
    assert dialog_data(database, chat)["contributed_on"] == "2025-03-20"
    await chat.send("/huy")
    await up_to_amount(chat)
    await chat.send("500k")
    await chat.send("hôm qua")
    assert dialog_data(database, chat)["contributed_on"] == "2026-03-19"


async def test_cancel_midway_stores_nothing(engine, database):
    """/huy at the amount or at the summary ends the dialog and records nothing."""
    chat = await village_head(engine)
    await up_to_amount(chat)
    assert await say(chat, "/huy") == [
        "Đã hủy. Không lưu gì từ thao tác vừa rồi. Gửi /menu để bắt đầu lại."
    ]
    assert await say(chat, "500k") == ["Gửi /menu để xem các việc anh/chị có thể làm."]
    await up_to_summary(chat)
    assert await say(chat, "/huy") == [
        "Đã hủy. Không lưu gì từ thao tác vừa rồi. Gửi /menu để bắt đầu lại."
    ]
    await up_to_summary(chat)
    assert await tap(chat, "Hủy") == ["Đã hủy. Không ghi nhận gì."]
    assert contributions(database) == []
    assert dialog_data(database, chat) == {}


async def test_second_confirm_records_nothing(engine, database):
    """Tapping 'Xác nhận' again (Telegram button, or '1' on Zalo) records nothing more."""
    chat = await village_head(engine)
    await up_to_summary(chat)
    confirm = next(cid for cid, label in chat.choices if label == "Xác nhận")
    assert await say(chat, choice=confirm) == [RECEIPT_1]
    assert await say(chat, choice=confirm) == [
        STALE,
        "Gửi /menu để xem các việc anh/chị có thể làm.",
    ]
    zalo = await village_head(engine, "zalo", "z-head")
    await up_to_summary(zalo)
    [receipt] = await zalo.send("1")
    assert "KH2026-00002" in receipt
    assert await zalo.send("1") == ["Gửi /menu để xem các việc anh/chị có thể làm."]
    assert [r.receipt_no for r in contributions(database)] == ["KH2026-00001", "KH2026-00002"]


async def test_admin_records_for_the_commune_office(engine, database):
    """An admin's entry belongs to no unit: the summary says the commune office."""
    chat = await joined(engine, Role.ADMIN, "Lê Thị Hoa", external_id="2001")
    [summary] = await up_to_summary(chat, "500.000")
    assert summary.splitlines()[-1] == "Đơn vị: Văn phòng UBND xã"
    await chat.tap("Xác nhận")
    [row] = contributions(database)
    assert (row.unit_id, row.amount) == (None, 500_000)


async def test_amount_in_words_stays_vietnamese_in_english(engine, database):
    """An English speaker sees English labels, but the amount in words stays Vietnamese."""
    chat = await village_head(engine)
    await chat.send("/ngonngu")
    await chat.tap("English")
    await up_to_amount(chat, "Nguyen Van Binh")
    await chat.send("1,5 triệu")
    await chat.tap("Today")
    [summary] = await tap(chat, "Skip")
    assert summary.splitlines() == [
        "Please check the contribution:",
        "Donor: Nguyen Van Binh (Individual)",
        "Amount: ₫1,500,000",
        "In words: một triệu năm trăm nghìn đồng",
        "Date: Mar 20, 2026",
        "Unit: Thôn Đông",
    ]


async def test_leader_cannot_record(engine, database):
    """A commune leader may read totals but not record: /quy typed or pressed is refused."""
    chat = await joined(engine, Role.LEADER, "Phạm Văn Chủ", external_id="3001")
    assert await say(chat, "/quy") == [NOT_ALLOWED]
    assert await say(chat, choice="/quy") == [NOT_ALLOWED]
    assert await say(chat, "Nguyễn Văn Bình") == ["Gửi /menu để xem các việc anh/chị có thể làm."]
    assert contributions(database) == []


async def test_unregistered_chat_only_learns_how_to_join(engine, database):
    """A stranger's /quy gets the join explanation and stores nothing."""
    chat = Chat(engine, "telegram", "9999")
    [explanation] = await chat.send("/quy")
    assert "mã mời" in explanation
    assert await chat.press("/quy") == []
    assert await chat.send("1,5 triệu") == []
    assert contributions(database) == []
    with Session(database) as session:
        assert session.exec(select(Person)).all() == []


async def _at_name(chat: Chat) -> None:
    await chat.send("/quy")


async def _at_kind(chat: Chat) -> None:
    await chat.send("/quy")
    await chat.send("Nguyễn Văn Bình")


async def _at_date(chat: Chat) -> None:
    await up_to_amount(chat)
    await chat.send("1,5 triệu")


async def _at_note(chat: Chat) -> None:
    await _at_date(chat)
    await chat.tap("Hôm nay")


async def _at_summary(chat: Chat) -> None:
    await _at_note(chat)
    await chat.tap("Bỏ qua")


LONG = "x" * 5000
STEPS = {
    # The name step takes any words, so random letters are a valid name there.
    "donor name": (
        _at_name,
        ASK_NAME,
        NAME_PROBLEM,
        ["😀", LONG, "12345", "a"],
        "Bình An",
        [ASK_KIND],
    ),
    "donor kind": (_at_kind, ASK_KIND, CHOOSE, ["qwerty asdf", "😀", LONG, "7"], "4", [ASK_AMOUNT]),
    "amount": (
        up_to_amount,
        ASK_AMOUNT,
        "Không thấy con số nào. Vui lòng nhập số tiền, ví dụ 500000 hoặc 500k.",
        ["qwerty asdf", "😀", LONG],
        "500k",
        [ASK_DATE],
    ),
    "date": (
        _at_date,
        ASK_DATE,
        DATE_FORMAT,
        ["qwerty asdf", "😀", LONG, "12345"],
        "1",
        [ASK_NOTE],
    ),
    # A note may be any words; empty, symbol-only and over-long text is refused, and so is a
    # bare number, which on Zalo is more likely a mistyped choice than a note.
    "note": (_at_note, ASK_NOTE, NOTE_PROBLEM, ["😀", LONG, "!!!", "2"], "Bỏ qua", [SUMMARY]),
    "summary": (_at_summary, SUMMARY, CHOOSE, ["qwerty asdf", "😀", LONG, "9"], "1", [RECEIPT_1]),
}


@pytest.mark.parametrize("where", list(STEPS))
@pytest.mark.parametrize("channel", ["telegram", "zalo"])
async def test_bad_input_at_every_step_keeps_the_dialog(engine, database, where, channel):
    """Junk, emoji, 5,000 characters, wrong kinds of answer and stale buttons are explained."""
    setup, question, problem, junk, good, after = STEPS[where]
    chat = await village_head(engine, channel, f"{channel}-head")
    await setup(chat)
    before = dialog_data(database, chat)
    for typed in junk:
        assert await say(chat, typed) == [problem, question], typed
    if channel == "telegram":
        assert await say(chat, choice="0.someid") == [STALE, question]
        if where not in {"donor name", "donor kind"}:
            # The "Cá nhân" button of the earlier kind question, tapped again.
            assert await say(chat, choice=old_button(database, chat, "Cá nhân")) == [
                STALE,
                question,
            ]
    assert dialog_data(database, chat) == before
    assert await say(chat, good) == after
    if where == "summary":
        assert len(contributions(database)) == 1
    else:
        assert contributions(database) == []
