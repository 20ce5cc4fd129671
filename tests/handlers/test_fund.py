"""/quy: recording a contribution to the study-promotion fund, on Telegram and Zalo."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

from storage.models import Person, Role, Unit
from tests.support.chat import Chat, joined
from tests.support.fund import (
    ASK_DATE,
    ASK_NOTE,
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

ASK_NAME = "Tên người đóng góp (cá nhân, gia đình hoặc tổ chức)?"
NAME_PROBLEM = "Vui lòng gửi tên người đóng góp bằng chữ, từ 2 đến 120 ký tự."
ASK_KIND = "Người đóng góp là:"
ASK_AMOUNT = "Số tiền đóng góp là bao nhiêu? Ví dụ: 500000, 500k, 1 triệu rưỡi, 2tr."
NOTE_PROBLEM = {
    "telegram": "Vui lòng gõ ghi chú bằng chữ, tối đa 300 ký tự, hoặc chọn Bỏ qua.",
    "zalo": "Vui lòng gõ ghi chú bằng chữ, tối đa 300 ký tự, hoặc trả lời 1 để bỏ qua.",
}
MENU = "Anh/chị muốn làm gì?"
DATE_FORMAT = "Vui lòng gõ ngày theo dạng ngày/tháng, ví dụ 15/03 hoặc 15/03/2026."
DATE_RANGE = "Ngày đóng góp phải từ 20/03/2025 đến hôm nay (20/03/2026)."
SUMMARY = (
    "Anh/chị kiểm tra lại khoản đóng góp:\n"
    "Người đóng góp: Nguyễn Văn Bình (Cá nhân)\n"
    "Số tiền: 1.500.000 ₫\n"
    "Bằng chữ: một triệu năm trăm nghìn đồng\n"
    "Ngày: 20/03/2026\n"
    "Đơn vị: Thôn Đông"
)
SUMMARY_CHOICES = [
    "Xác nhận",
    "Sửa tên",
    "Sửa số tiền",
    "Sửa ngày",
    "Sửa loại",
    "Sửa ghi chú",
    "Không công khai tên",
    "Hủy",
]
RECEIPT_1 = (
    "Đã ghi khoản đóng góp của Nguyễn Văn Bình: 1.500.000 ₫ "
    "(một triệu năm trăm nghìn đồng). Số biên lai: KH2026-00001."
)


async def test_village_head_records_one_and_a_half_million(engine, database):
    """The head of Thôn Đông records 1 triệu rưỡi from Nguyễn Văn Bình in five inputs: kind and
    date take the usual answers (an individual, today); the receipt is 00001."""
    chat = await village_head(engine)
    assert await say(chat, "/quy") == [ASK_NAME]
    assert await say(chat, "  Nguyễn   Văn Bình ") == [ASK_AMOUNT]
    assert await say(chat, "1 triệu rưỡi") == [ASK_NOTE["telegram"]]
    assert chat.labels() == ["Bỏ qua"]
    assert await tap(chat, "Bỏ qua") == [SUMMARY]
    assert chat.labels() == SUMMARY_CHOICES
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


async def test_zalo_numbered_replies_change_the_kind_and_the_date(engine, database):
    """On Zalo the head types a note, then at the summary answers by number: 5 changes the
    kind to Dòng họ, 4 the date to 18/3, 1 confirms; the row carries all of it."""
    chat = await village_head(engine, "zalo", "z-head")
    await chat.send("/quy")
    await chat.send("Dòng họ Nguyễn Đình")
    assert await say(chat, "2tr") == [ASK_NOTE["zalo"]]
    [summary] = await say(chat, "Ủng hộ học sinh nghèo vượt khó")
    assert summary.splitlines()[1:5:3] == [
        "Người đóng góp: Dòng họ Nguyễn Đình (Cá nhân)",
        "Ngày: 20/03/2026",
    ]
    assert await say(chat, "5") == [ASK_KIND]
    assert chat.labels() == ["Cá nhân", "Gia đình", "Dòng họ", "Tổ chức"]
    await say(chat, "3")
    assert await say(chat, "4") == [ASK_DATE["zalo"]]
    [summary] = await say(chat, "18/3")
    assert summary.splitlines()[1:] == [
        "Người đóng góp: Dòng họ Nguyễn Đình (Dòng họ)",
        "Số tiền: 2.000.000 ₫",
        "Bằng chữ: hai triệu đồng",
        "Ngày: 18/03/2026",
        "Đơn vị: Thôn Đông",
        "Ghi chú: Ủng hộ học sinh nghèo vượt khó",
    ]
    [receipt] = await say(chat, "1")
    assert receipt.startswith("Đã ghi khoản đóng góp của")
    assert receipt.endswith(": 2.000.000 ₫ (hai triệu đồng). Số biên lai: KH2026-00001.")
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
        ("chưa rõ", "Không thấy con số nào. Vui lòng nhập số tiền, ví dụ 500000 hoặc 500k."),
        (
            "hai trăm năm",
            "Số tiền bằng chữ này có thể hiểu nhiều cách. Vui lòng ghi rõ, ví dụ 1.500.000, "
            "1,5 triệu hoặc một triệu rưỡi.",
        ),
        ("0đ", "Số tiền phải lớn hơn 0."),
        (
            "-500000",
            "Số tiền không được âm. Muốn hủy khoản đã ghi, đề nghị Phòng Văn hóa – Xã hội "
            "hủy biên lai của khoản đó.",
        ),
        (
            "11 tỷ",
            "Số tiền vượt quá 10.000.000.000 ₫, mức tối đa cho một lần ghi. "
            "Vui lòng kiểm tra lại số chữ số 0.",
        ),
        (
            "1,5",
            "Số tiền chưa rõ: 1,5 là 1,5 triệu hay 1.500 đồng? Vui lòng ghi rõ, ví dụ "
            "1,5 triệu hoặc 1.500.000.",
        ),
        ("1,5đ", "Số tiền phải tròn đồng, không có số lẻ."),
    ],
)
async def test_each_amount_refusal_explains_and_keeps_donor(engine, database, typed, explanation):
    """Every reason an amount is refused has its own explanation; the donor is kept."""
    chat = await village_head(engine)
    await up_to_amount(chat)
    assert await say(chat, typed) == [explanation, ASK_AMOUNT]
    data = dialog_data(database, chat)
    assert (data["donor_name"], data["donor_kind"]) == ("Nguyễn Văn Bình", "person")
    assert await say(chat, "1.500.000đ") == [ASK_NOTE[chat.channel]]
    assert await tap(chat, "Bỏ qua") == [SUMMARY]
    assert contributions(database) == []


async def test_empty_amount_from_a_photo(engine, database):
    """A photo instead of an amount carries no text: the bot asks for the number."""
    chat = await village_head(engine)
    await up_to_amount(chat)
    replies = await say(chat, photo="photo-ref-1")
    assert replies == ["Anh/chị chưa nhập số tiền. Vui lòng nhập số tiền bằng số.", ASK_AMOUNT]


@pytest.mark.parametrize("channel", ["telegram", "zalo"])
async def test_every_field_can_be_changed_from_the_summary(engine, database, channel):
    """'Sửa …' asks that one thing again and goes straight back to the summary, the rest kept;
    a refused answer is explained on the way."""
    chat = await village_head(engine, channel, f"{channel}-head")
    await up_to_amount(chat)
    await chat.send("1,5 triệu")
    await chat.send("Chuyển khoản")
    assert await tap(chat, "Sửa số tiền") == [ASK_AMOUNT]
    assert await say(chat, "abc") == [
        "Không thấy con số nào. Vui lòng nhập số tiền, ví dụ 500000 hoặc 500k.",
        ASK_AMOUNT,
    ]
    await chat.send("2tr500")
    assert await tap(chat, "Sửa tên") == [ASK_NAME]
    await chat.send("Gia đình ông Lê Văn Hùng")
    assert await tap(chat, "Sửa loại") == [ASK_KIND]
    await chat.tap("Gia đình")
    assert await tap(chat, "Sửa ngày") == [ASK_DATE[chat.channel]]
    await chat.send("17/03/2026")
    assert await tap(chat, "Sửa ghi chú") == [ASK_NOTE[chat.channel]]
    [summary] = await say(chat, "Chuyển khoản Agribank")
    assert summary.splitlines()[1:] == [
        "Người đóng góp: Gia đình ông Lê Văn Hùng (Gia đình)",
        "Số tiền: 2.500.000 ₫",
        "Bằng chữ: hai triệu năm trăm nghìn đồng",
        "Ngày: 17/03/2026",
        "Đơn vị: Thôn Đông",
        "Ghi chú: Chuyển khoản Agribank",
    ]
    assert chat.labels() == SUMMARY_CHOICES
    await chat.tap("Xác nhận")
    [row] = contributions(database)
    assert (row.donor_name, row.donor_kind, row.amount) == (
        "Gia đình ông Lê Văn Hùng",
        "family",
        2_500_000,
    )
    assert (row.contributed_on, row.note) == (dt.date(2026, 3, 17), "Chuyển khoản Agribank")


async def test_receipts_increment_and_restart_each_year(engine, database, clock):
    """Receipts count up within a year and start again at 00001 in the next one."""
    chat = await village_head(engine)
    for expected, amount in [("KH2026-00001", "1,5 triệu"), ("KH2026-00002", "2tr")]:
        await up_to_summary(chat, amount)
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
    assert [r.contributed_on for r in rows] == [
        dt.date(2026, 3, 20),
        dt.date(2026, 3, 20),
        dt.date(2027, 1, 1),
        dt.date(2027, 2, 1),
    ]


async def test_dates_in_the_future_or_over_a_year_back_are_refused(engine, database):
    """'Sửa ngày': the date cannot be after today nor more than a year back; 'hôm qua' works."""
    chat = await village_head(engine)
    await up_to_summary(chat, "500k")
    assert await tap(chat, "Sửa ngày") == [ASK_DATE[chat.channel]]
    assert await say(chat, "21/03/2026") == [DATE_RANGE, ASK_DATE[chat.channel]]
    assert await say(chat, "19/03/2025") == [DATE_RANGE, ASK_DATE[chat.channel]]
    assert await say(chat, "30/02") == [
        "Không có ngày này trong lịch. Vui lòng kiểm tra lại ngày và tháng.",
        ASK_DATE["telegram"],
    ]
    [summary] = await say(chat, "20/03/2025")
    assert "Ngày: 20/03/2025" in summary.splitlines()
    assert dialog_data(database, chat)["contributed_on"] == "2025-03-20"
    await chat.tap("Sửa ngày")
    await chat.send("hôm qua")
    assert dialog_data(database, chat)["contributed_on"] == "2026-03-19"
    await chat.tap("Xác nhận")
    [row] = contributions(database)
    assert (row.amount, row.contributed_on) == (500_000, dt.date(2026, 3, 19))


async def test_cancel_midway_stores_nothing(engine, database):
    """/huy at the amount or at the summary ends the dialog and records nothing."""
    chat = await village_head(engine)
    await up_to_amount(chat)
    assert await say(chat, "/huy") == [
        "Đã hủy. Không lưu gì từ thao tác vừa rồi. Gửi /menu để bắt đầu lại."
    ]
    # Outside a dialog, what cannot be placed gets the menu itself.
    assert await say(chat, "500k") == [MENU]
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
    assert await say(chat, choice=confirm) == [STALE, MENU]
    # The second head of Thôn Đông, on Zalo, records another amount (the same would be asked).
    zalo = await village_head(engine, "zalo", "z-head")
    await up_to_summary(zalo, "2tr")
    [receipt] = await zalo.send("1")
    assert "KH2026-00002" in receipt
    assert await zalo.send("1") == [MENU]
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
    [summary] = await tap(chat, "Skip")
    assert summary.splitlines() == [
        "Please check the contribution:",
        "Donor: Nguyen Van Binh (Individual)",
        "Amount: ₫1,500,000",
        "In words: một triệu năm trăm nghìn đồng",
        "Date: Mar 20, 2026",
        "Unit: Thôn Đông",
    ]
    assert chat.labels() == [
        "Confirm",
        "Change the name",
        "Change the amount",
        "Change the date",
        "Change the donor kind",
        "Change the note",
        "Do not make the name public",
        "Cancel",
    ]


async def test_leader_cannot_record(engine, database):
    """A commune leader may read totals but not record: /quy typed or pressed is refused."""
    chat = await joined(engine, Role.LEADER, "Phạm Văn Chủ", external_id="3001")
    assert await say(chat, "/quy") == [NOT_ALLOWED]
    assert await say(chat, choice="/quy") == [NOT_ALLOWED]
    assert await say(chat, "Nguyễn Văn Bình") == [MENU]
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


SMALL = "Số tiền 500 ₫ nhỏ bất thường, có đúng không?"
TWIN = (
    "Biên lai KH2026-00001 đã ghi khoản giống hệt (Nguyễn Văn Bình, 1.500.000 ₫, "
    "ngày 20/03/2026). Vẫn ghi thêm khoản này?"
)


async def _at_name(chat: Chat) -> None:
    await chat.send("/quy")


async def _at_amount_check(chat: Chat) -> None:
    await up_to_amount(chat)
    await chat.send("5 trăm")


async def _at_note(chat: Chat) -> None:
    await up_to_amount(chat)
    await chat.send("1,5 triệu")


async def _at_summary(chat: Chat) -> None:
    await _at_note(chat)
    await chat.tap("Bỏ qua")


async def _at_kind(chat: Chat) -> None:
    await _at_summary(chat)
    await chat.tap("Sửa loại")


async def _at_date(chat: Chat) -> None:
    await _at_summary(chat)
    await chat.tap("Sửa ngày")


async def _at_twin(chat: Chat) -> None:
    await _at_summary(chat)
    await chat.tap("Xác nhận")
    await _at_summary(chat)
    await chat.tap("Xác nhận")


LONG = "x" * 5000
STEPS = {
    # The name step takes any words, so random letters are a valid name there.
    "donor name": (
        _at_name,
        ASK_NAME,
        NAME_PROBLEM,
        ["😀", LONG, "12345", "a"],
        "Bình An",
        [ASK_AMOUNT],
    ),
    "amount": (
        up_to_amount,
        ASK_AMOUNT,
        "Không thấy con số nào. Vui lòng nhập số tiền, ví dụ 500000 hoặc 500k.",
        ["qwerty asdf", "😀", LONG],
        "500k",
        [ASK_NOTE],
    ),
    "amount check": (
        _at_amount_check,
        SMALL,
        CHOOSE,
        ["qwerty asdf", "😀", LONG, "9", "500k"],
        "1",
        [ASK_NOTE],
    ),
    # A note may be any words; empty, symbol-only and over-long text is refused, and so is a
    # bare number, which on Zalo is more likely a mistyped choice than a note.
    "note": (_at_note, ASK_NOTE, NOTE_PROBLEM, ["😀", LONG, "!!!", "2"], "Bỏ qua", [SUMMARY]),
    "summary": (_at_summary, SUMMARY, CHOOSE, ["qwerty asdf", "😀", LONG, "9"], "1", [RECEIPT_1]),
    "donor kind": (_at_kind, ASK_KIND, CHOOSE, ["qwerty asdf", "😀", LONG, "7"], "1", [SUMMARY]),
    "date": (
        _at_date,
        ASK_DATE,
        DATE_FORMAT,
        ["qwerty asdf", "😀", LONG, "12345"],
        "1",
        [SUMMARY],
    ),
    "repeated receipt": (
        _at_twin,
        TWIN,
        CHOOSE,
        ["qwerty asdf", "😀", LONG, "3"],
        "1",
        [RECEIPT_1.replace("KH2026-00001", "KH2026-00002")],
    ),
}
RECORDED = {"summary": 1, "repeated receipt": 2}


def on(channel: str, text: str | dict[str, str]) -> str:
    """A text as the chat app shows it: some are worded per app."""
    return text[channel] if isinstance(text, dict) else text

"""Ledger rows once the good answer is given; none elsewhere."""


@pytest.mark.parametrize("where", list(STEPS))
@pytest.mark.parametrize("channel", ["telegram", "zalo"])
async def test_bad_input_at_every_step_keeps_the_dialog(engine, database, where, channel):
    """Junk, emoji, 5,000 characters, wrong kinds of answer and stale buttons are explained."""
    setup, question, problem, junk, good, after = STEPS[where]
    # Zalo's hints name the number to reply where Telegram's name the button.
    question, problem = on(channel, question), on(channel, problem)
    after = [on(channel, text) for text in after]
    chat = await village_head(engine, channel, f"{channel}-head")
    await setup(chat)
    before = dialog_data(database, chat)
    rows = len(contributions(database))
    for typed in junk:
        assert await say(chat, typed) == [problem, question], typed
    if channel == "telegram":
        assert await say(chat, choice="0.someid") == [STALE, question]
        if where in {"summary", "donor kind", "date", "repeated receipt"}:
            # The "Bỏ qua" button of the earlier note question, tapped again.
            assert await say(chat, choice=old_button(database, chat, "Bỏ qua")) == [
                STALE,
                question,
            ]
    assert dialog_data(database, chat) == before
    assert len(contributions(database)) == rows
    assert await say(chat, good) == after
    assert len(contributions(database)) == RECORDED.get(where, 0)
