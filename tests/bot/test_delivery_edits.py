"""Edit rows through the outbox sender and the real Telegram adapter, against the fake Bot API.

A row that changes a message's buttons is claimed, sent and recorded like any other: done when
the buttons changed or were already so, its text sent anew when the message is gone, and kept
in its place among the chat's other rows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import update

from bot.channels.telegram import TelegramChannel
from bot.delivery import OutboxSender, Pace
from handlers.messages import INERT, Outbound, Recipient
from handlers.outbox import enqueue
from storage.db import transaction
from storage.models import OutboxMessage, OutboxStatus
from tests.support.fake_telegram import FakeTelegram
from tests.support.sending import Sleeper, person_with_chat, row

CHAT = 7001
HERE = Recipient("telegram", str(CHAT))
ASK = "Chọn các đơn vị nhận công văn (chọn lại để bỏ), rồi chọn Xong."
UNITS = [("4.u1", "Thôn Đông"), ("4.u2", "Thôn Tây"), ("4.done", "Xong")]
TICKED = [("5.u1", "Thôn Đông"), ("5.u2", "✓ Thôn Tây"), ("5.done", "Xong")]


@pytest.fixture
async def outbox(fake: FakeTelegram, database, clock) -> AsyncIterator[OutboxSender]:  # type: ignore[no-untyped-def]
    """The sender with the real adapter pointed at the fake, on the fake clock."""
    channel = TelegramChannel(fake.token, fake.url, poll_timeout=1, send_timeout=2)
    yield OutboxSender(
        database,
        {"telegram": channel},  # type: ignore[dict-item]
        paces={"telegram": Pace(25, 1)},
        clock=clock,
        sleep=Sleeper(clock),
    )
    await channel.close()


def queued(database, clock, *messages: Outbound) -> list[int]:  # type: ignore[no-untyped-def]
    """Queue replies to the chat as the engine does; return their row ids."""
    with transaction(database) as session:
        rows = [enqueue(session, message, "vi", clock.now) for message in messages]
        session.flush()
        return [created.id or 0 for created in rows if created is not None]


async def the_list(database, clock, fake: FakeTelegram, outbox: OutboxSender) -> int:  # type: ignore[no-untyped-def]
    """Send the unit list to the chat; return its message id."""
    person_with_chat(database, str(CHAT))
    queued(database, clock, Outbound(HERE, ASK, UNITS))
    await outbox.drain("telegram")
    return int(fake.messages_to(CHAT)[-1]["message_id"])


async def test_an_edit_row_changes_the_list_and_is_recorded_sent(database, clock, fake, outbox):
    listed = await the_list(database, clock, fake, outbox)
    [tick] = queued(database, clock, Outbound(HERE, ASK, TICKED, edit_message_id=str(listed)))

    await outbox.drain("telegram")

    stored = row(database, tick)
    assert (stored.status, stored.attempts, stored.last_error) == (OutboxStatus.SENT, 1, "")
    assert len(fake.messages_to(CHAT)) == 1
    assert fake.buttons_of(CHAT, listed) == TICKED


async def test_an_edit_sent_again_after_its_outcome_was_lost_is_done_once(
    database, clock, fake, outbox
):
    """The edit went through but the sender stopped before storing it: the row is pending
    again, is sent again, Telegram says not modified, and the row is sent, the list edited once."""
    listed = await the_list(database, clock, fake, outbox)
    [tick] = queued(database, clock, Outbound(HERE, ASK, TICKED, edit_message_id=str(listed)))
    await outbox.drain("telegram")
    with transaction(database) as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == tick)  # type: ignore[arg-type]
            .values(status=OutboxStatus.PENDING, sent_at=None)
        )

    await outbox.drain("telegram")

    assert (row(database, tick).status, row(database, tick).attempts) == (OutboxStatus.SENT, 2)
    assert len(fake.calls_to("editMessageReplyMarkup")) == 2
    assert fake.edits_of(CHAT, listed) == 1
    assert len(fake.messages_to(CHAT)) == 1


async def test_the_list_gone_its_text_goes_anew_and_a_bare_label_goes_nowhere(
    database, clock, fake, outbox
):
    """The person deleted the list: the ticked list comes as a new message; the label that
    was to replace its buttons has nothing left to change, and is done without a message."""
    listed = await the_list(database, clock, fake, outbox)
    fake.delete(CHAT, listed)
    tick, label = queued(
        database,
        clock,
        Outbound(HERE, ASK, TICKED, edit_message_id=str(listed)),
        Outbound(HERE, "", [(INERT, "✓ Xong")], edit_message_id=str(listed)),
    )

    await outbox.drain("telegram")

    assert [row(database, r).status for r in (tick, label)] == [OutboxStatus.SENT] * 2
    assert row(database, tick).parts_sent == 1
    [again] = fake.messages_to(CHAT)
    assert (again["text"], fake.buttons_of(CHAT, again["message_id"])) == (ASK, TICKED)


async def test_an_edit_keeps_its_place_among_the_chats_rows(database, clock, fake, outbox):
    """The next question, then the label in place of the answered one's buttons: in order."""
    listed = await the_list(database, clock, fake, outbox)
    queued(
        database,
        clock,
        Outbound(HERE, "Hạn thực hiện là ngày nào?", [("6.none", "Không có hạn")]),
        Outbound(HERE, "", [(INERT, "✓ Xong")], edit_message_id=str(listed)),
        Outbound(HERE, "Đã lưu."),
    )

    await outbox.drain("telegram")

    shown = {"sendMessage", "editMessageReplyMarkup"}
    methods = [name for name, _params in fake.calls if name in shown]
    assert methods == ["sendMessage", "sendMessage", "editMessageReplyMarkup", "sendMessage"]
    assert fake.buttons_of(CHAT, listed) == [(INERT, "✓ Xong")]


async def test_an_edit_for_a_chat_that_blocked_the_bot_fails_and_marks_it(
    database, clock, fake, outbox
):
    listed = await the_list(database, clock, fake, outbox)
    fake.block(CHAT)
    [tick] = queued(database, clock, Outbound(HERE, ASK, TICKED, edit_message_id=str(listed)))

    await outbox.drain("telegram")

    stored = row(database, tick)
    assert (stored.status, stored.last_error) == (
        OutboxStatus.FAILED,
        "Forbidden: bot was blocked by the user",
    )
