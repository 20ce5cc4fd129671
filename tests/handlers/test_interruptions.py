"""A dialog in progress survives taps, pushes and other commands unless the person drops it."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from handlers.context import Notice
from handlers.directive_push import assignment_notice
from handlers.outbox import deliver_notice
from storage.db import transaction
from storage.models import Conversation, Directive, Person
from tests.support.assignments import seed_directive
from tests.support.fund import (
    ASK_NOTE,
    contributions,
    dialog_data,
    plain,
    up_to_amount,
    village_head,
)

ASK_NAME = "Tên người đóng góp (cá nhân, gia đình hoặc tổ chức)?"
CHECK = "Anh/chị kiểm tra lại khoản đóng góp:"
ACKED = "Đã xác nhận anh/chị nhận công văn số 12/UBND-VHXH lúc 08:00 ngày 20/03/2026."
NOTHING = "Không có việc gì đang làm dở. Gửi /menu để xem các việc anh/chị có thể làm."
DISCARD, CONTINUE = "Bỏ và làm việc mới", "Tiếp tục việc đang dở"
CHANNELS = [("telegram", "1001"), ("zalo", "z-tam")]


def _push(database, clock) -> int:
    """The office sends directive 12/UBND-VHXH to Thôn Đông; return its assignment id."""
    seeded = seed_directive(database, "12/UBND-VHXH", "V/v họp thôn", ["Thôn Đông"])
    assignment = seeded.assignments["Thôn Đông"]
    with transaction(database) as session:
        directive = session.get(Directive, seeded.id)
        person = session.exec(select(Person)).one()
        assert directive is not None and person.id is not None
        render = assignment_notice(directive, assignment, "Thôn Đông")
        notice = Notice(person.id, render, key=f"assignment:{assignment}:person:{person.id}")
        deliver_notice(session, notice, "Asia/Ho_Chi_Minh", clock.now)
    return assignment


async def _at_note_step(engine, channel: str, external_id: str):  # type: ignore[no-untyped-def]
    chat = await village_head(engine, channel, external_id)
    await up_to_amount(chat, "Nguyễn Văn Bình")
    assert await chat.send("500k") == [ASK_NOTE[channel]]
    return chat


@pytest.mark.parametrize(("channel", "external_id"), CHANNELS)
async def test_a_directive_pushed_mid_contribution_then_acknowledged_keeps_the_note_question(
    engine, database, clock, channel, external_id
):
    """At the note step a directive arrives and the head acknowledges it: the note question
    comes back with Bỏ qua, and 'Bỏ qua' (1 on Zalo) goes on with the contribution."""
    chat = await _at_note_step(engine, channel, external_id)
    assignment = _push(database, clock)
    pushed = chat.inbox()
    assert pushed[0].startswith("🔔 Công văn số 12/UBND-VHXH")
    # The push is followed by the dialog's own question, so the newest choices are its.
    assert pushed[-1] == ASK_NOTE[channel]
    assert chat.labels() == ["Bỏ qua"]

    replies = await chat.send(f"/ack {assignment}")
    assert replies[0].startswith(ACKED)
    assert replies[-1] == ASK_NOTE[channel]
    assert chat.labels() == ["Bỏ qua"]
    if channel == "zalo":
        # Its Báo cáo is spelled out as words, so a number still answers the contribution.
        assert replies[0] == f"{ACKED}\n\nTrả lời: báo cáo {assignment}"
        [summary] = await chat.send("1")
    else:
        [summary] = await chat.tap("Bỏ qua")
    assert summary.startswith(CHECK)
    await chat.tap("Xác nhận")
    [stored] = contributions(database)
    assert (stored.donor_name, stored.amount) == ("Nguyễn Văn Bình", 500_000)


@pytest.mark.parametrize(("channel", "external_id"), CHANNELS)
async def test_help_and_menu_mid_dialog_offer_its_question_again(
    engine, database, channel, external_id
):
    """/help and /menu answer, then ask the note again; the next answer goes to the dialog."""
    chat = await _at_note_step(engine, channel, external_id)
    for typed in ["/help", "/menu"]:
        replies = await chat.send(typed)
        assert replies[-1] == ASK_NOTE[channel]
        assert chat.labels() == ["Bỏ qua"]
    [summary] = await chat.tap("Bỏ qua")
    assert summary.startswith(CHECK)
    assert dialog_data(database, chat)["amount"] == 500_000


@pytest.mark.parametrize(("channel", "external_id"), CHANNELS)
async def test_another_command_asks_before_dropping_the_contribution(
    engine, database, channel, external_id
):
    """/baocao in the middle of /quy says what is unfinished; Continue asks the note again."""
    chat = await _at_note_step(engine, channel, external_id)
    replies = plain(await chat.send("/baocao"))
    assert replies == [
        "Anh/chị đang làm dở: ghi khoản đóng góp 500.000 ₫ của Nguyễn Văn Bình. "
        "Những gì đã nhập chưa được lưu."
    ]
    assert chat.labels() == [DISCARD, CONTINUE]
    assert await chat.tap(CONTINUE) == [ASK_NOTE[channel]]
    assert chat.labels() == ["Bỏ qua"]
    [summary] = await chat.tap("Bỏ qua")
    assert summary.startswith(CHECK)
    assert dialog_data(database, chat)["donor_name"] == "Nguyễn Văn Bình"


async def test_discard_starts_the_new_command_and_forgets_the_old(engine, database):
    """At the first question nothing would be lost, so /quy just starts again; later, choosing
    to discard runs /quy afresh and nothing of the first contribution is kept."""
    chat = await village_head(engine, "zalo", "z-tam")
    await chat.send("/quy")
    assert await chat.send("/quy") == [ASK_NAME]
    await up_to_amount(chat, "Nguyễn Văn Bình")
    await chat.send("500k")
    await chat.send("/quy")
    assert await chat.tap(DISCARD) == [ASK_NAME]
    assert dialog_data(database, chat) == {"command": "quy"}


async def test_cancel_with_nothing_in_progress_says_so(engine, database):
    """/huy when idle says there is nothing to cancel; mid-dialog it cancels."""
    chat = await village_head(engine)
    assert await chat.send("/huy") == [NOTHING]
    await up_to_amount(chat)
    assert await chat.send("/huy") == [
        "Đã hủy. Không lưu gì từ thao tác vừa rồi. Gửi /menu để bắt đầu lại."
    ]
    assert await chat.send("/huy") == [NOTHING]
    with Session(database) as session:
        assert session.exec(select(Conversation)).one().step == ""
