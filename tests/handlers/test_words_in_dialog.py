"""Inside a dialog its own choices and answers come first; words still reach commands where the
dialog could not take them, and on Zalo no text names a slash command."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, col, select

from handlers.context import Notice
from handlers.directive_push import assignment_notice
from handlers.outbox import deliver_notice
from storage.db import transaction
from storage.models import Directive, OutboxMessage, Person
from tests.support.assignments import seed_directive
from tests.support.chat import Chat
from tests.support.fund import ASK_NOTE, contributions, dialog_data, plain, village_head
from tests.support.words import NOTHING_WAITING, acked, acknowledgements

CHANNELS = [("telegram", "1001"), ("zalo", "z-tam")]
NUMBER, SUBJECT = "12/UBND-VHXH", "V/v họp thôn"
ASK_AMOUNT = "Số tiền đóng góp là bao nhiêu? Ví dụ: 500000, 500k, 1 triệu rưỡi, 2tr."
CHECK = "Anh/chị kiểm tra lại khoản đóng góp:"
CHOOSE = "Vui lòng chọn một trong các mục dưới đây."
UNFINISHED = (
    "Anh/chị đang làm dở: ghi khoản đóng góp 500.000 ₫ của Nguyễn Văn Bình. "
    "Những gì đã nhập chưa được lưu."
)
CANCELLED = {
    "telegram": "Đã hủy. Không lưu gì từ thao tác vừa rồi. Gửi /menu để bắt đầu lại.",
    "zalo": "Đã hủy. Không lưu gì từ thao tác vừa rồi. Gửi “menu” để bắt đầu lại.",
}
SLASH_COMMAND = re.compile(r"(?<![\w/])/[a-z]+")


def push(database, clock) -> int:  # type: ignore[no-untyped-def]
    """The office sends directive 12/UBND-VHXH to Thôn Đông; return its assignment."""
    assignment = seed_directive(database, NUMBER, SUBJECT, ["Thôn Đông"]).assignments["Thôn Đông"]
    with transaction(database) as session:
        directive = session.exec(select(Directive).where(Directive.number == NUMBER)).one()
        for person in session.exec(select(Person).where(col(Person.unit_id).is_not(None))):
            assert person.id is not None
            render = assignment_notice(directive, assignment, "Thôn Đông")
            key = f"assignment:{assignment}:person:{person.id}"
            deliver_notice(
                session, Notice(person.id, render, key=key), "Asia/Ho_Chi_Minh", clock.now
            )
    return assignment


async def at_note(chat: Chat) -> None:
    """Start /quy by its word and give the donor and the amount, up to the note."""
    await chat.send("quỹ")
    await chat.send("Nguyễn Văn Bình")
    assert await chat.send("500k") == [ASK_NOTE[chat.channel]]


@pytest.mark.parametrize(("channel", "external_id"), CHANNELS)
async def test_a_donor_called_ok_is_a_name_and_ok_at_the_summary_is_no_receipt(
    engine, database, clock, channel, external_id
):
    """With a directive waiting, 'Ok' at the name step is the donor, 'đã nhận' at the note
    step is the note, and 'ok' at the summary asks for one of its choices: nothing is
    acknowledged, and the contribution keeps all three."""
    push(database, clock)
    chat = await village_head(engine, channel, external_id)
    chat.inbox()
    await chat.send("đóng góp")
    assert await chat.send("Ok") == [ASK_AMOUNT]
    assert await chat.send("500k") == [ASK_NOTE[channel]]
    [summary] = await chat.send("Đã nhận")
    assert summary.startswith(CHECK)
    assert plain(await chat.send("ok")) == [CHOOSE, plain([summary])[0]]
    await chat.tap("Xác nhận")
    [row] = contributions(database)
    assert (row.donor_name, row.amount, row.note) == ("Ok", 500_000, "Đã nhận")
    assert acknowledgements(database) == []


@pytest.mark.parametrize(("channel", "external_id"), CHANNELS)
async def test_the_push_mid_dialog_names_the_words_and_they_work(
    engine, database, clock, channel, external_id
):
    """At the note step a directive arrives: on Zalo it says 'Trả lời: nhận 12 / báo cáo 12'.
    'nhận 12' acknowledges it and asks the note again; the note's own answer still goes on."""
    chat = await village_head(engine, channel, external_id)
    await at_note(chat)
    assignment = push(database, clock)
    pushed = chat.inbox()
    assert pushed[-1] == ASK_NOTE[channel]
    if channel == "zalo":
        assert pushed[0].endswith(f"\n\nTrả lời: nhận {assignment} / báo cáo {assignment}")
    else:
        assert chat.last[0].choices == [
            [f"/ack {assignment}", "Đã nhận"],
            [f"/baocao {assignment}", "Báo cáo"],
        ]
    replies = await chat.send(f"nhận {assignment}")
    assert replies[0].startswith(acked(NUMBER))
    assert replies[-1] == ASK_NOTE[channel]
    assert acknowledgements(database) == [(assignment, "Trần Văn Tâm")]
    if channel == "zalo":
        assert replies[0] == f"{acked(NUMBER)}\n\nTrả lời: báo cáo {assignment}"
    [summary] = await chat.tap("Bỏ qua")
    assert summary.startswith(CHECK)
    assert dialog_data(database, chat)["note"] == ""


@pytest.mark.parametrize(("channel", "external_id"), CHANNELS)
async def test_command_words_mid_dialog_ask_before_dropping_it(
    engine, database, channel, external_id
):
    """'báo cáo' at the note step is no note: it asks first, and Continue asks the note again.
    'ok' alone stays an answer; 'hủy' cancels; 'menu' shows the menu and the note again."""
    chat = await village_head(engine, channel, external_id)
    await at_note(chat)
    assert plain(await chat.send("Báo cáo")) == [UNFINISHED]
    assert await chat.tap("Tiếp tục việc đang dở") == [ASK_NOTE[channel]]
    replies = await chat.send("menu")
    assert replies[-1] == ASK_NOTE[channel]
    if channel == "zalo":
        # Numbers still answer the note: the menu names its words.
        assert replies[0] == (
            "Anh/chị muốn làm gì?\n\nTrả lời: báo cáo / quỹ / biên lai / liên kết / ngôn ngữ"
        )
    assert dialog_data(database, chat)["amount"] == 500_000
    assert await chat.send("huỷ") == [CANCELLED[channel]]
    assert contributions(database) == []


@pytest.mark.parametrize(("channel", "external_id"), CHANNELS)
async def test_ok_mid_dialog_with_nothing_waiting_is_the_answer(engine, channel, external_id):
    """Outside a dialog 'ok' with nothing waiting says so; at the note step it is the note."""
    chat = await village_head(engine, channel, external_id)
    assert await chat.send("ok") == [NOTHING_WAITING]
    await at_note(chat)
    [summary] = await chat.send("ok")
    assert summary.startswith(CHECK) and "Ghi chú: ok" in summary


async def _every_text(engine, database, clock, channel: str, external_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    """A village head's day on one app, with every kind of hint, refusal and push; and a
    stranger's first message. Return every text queued to both chats."""
    for day in range(1, 12):
        seed_directive(database, f"{day}/UBND", f"V/v việc số {day}", ["Thôn Đông"])
    chat = await village_head(engine, channel, external_id)
    for typed in ["menu", "trợ giúp", "hủy", "xin chào", "/xyz", "/congvan", "/ack abc", "ok"]:
        await chat.send(typed)
    await at_note(chat)
    assignment = push(database, clock)
    for typed in [f"nhận {assignment}", "menu", "giúp", "!!!", "/huy", "đã nhận", "nhận"]:
        await chat.send(typed)
    await Chat(engine, channel, f"{external_id}-stranger").send("xin chào")
    with Session(database) as session:
        return [row.text for row in session.exec(select(OutboxMessage))]


async def test_on_zalo_no_text_names_a_slash_command(engine, database, clock):
    """Every text of that day on Zalo names words to type; on Telegram the same day names
    slash commands, so the check is not empty."""
    texts = await _every_text(engine, database, clock, "zalo", "z-tam")
    assert [text for text in texts if SLASH_COMMAND.search(text)] == []
    assert any("Gửi “menu”" in text for text in texts)
    assert any("gửi “báo cáo” để xem hết" in text for text in texts)
    assert any("trả lời 1 để bỏ qua" in text for text in texts)


async def test_on_telegram_the_same_texts_name_slash_commands(engine, database, clock):
    """The Telegram counterpart of the Zalo day: /menu, /baocao and the button's name."""
    texts = await _every_text(engine, database, clock, "telegram", "1001")
    assert any("Gửi /menu" in text for text in texts)
    assert any("gửi /baocao để xem hết" in text for text in texts)
    assert any("chọn Bỏ qua" in text for text in texts)
    assert any("/start MÃ" in text for text in texts)
