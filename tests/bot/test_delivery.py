"""The outbox sender: order, outcomes, retries and unreachable people."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from bot.channels.base import Delivery, SendResult
from bot.delivery import OutboxSender
from handlers.messages import PRIORITY_BROADCAST, PRIORITY_REPLY, Outbound, Recipient
from handlers.outbox import enqueue
from storage.db import transaction
from storage.models import Identity, OutboxMessage, Person


class RecordingChannel:
    """A channel that records deliveries and answers with scripted results."""

    name = "telegram"
    text_limit = 4096

    def __init__(self, results: dict[str, list[SendResult]] | None = None) -> None:
        self.sent: list[Delivery] = []
        self.results = results or {}

    async def send(self, delivery: Delivery) -> SendResult:
        """Record the delivery; answer the next scripted result for its chat, else ok."""
        self.sent.append(delivery)
        scripted = self.results.get(delivery.chat_id)
        return scripted.pop(0) if scripted else SendResult(ok=True)


NOW = dt.datetime(2026, 3, 20, 1, 0, tzinfo=dt.UTC)


def _queue(database, chat_id: str, text: str, priority: int = PRIORITY_REPLY, key=None) -> int:
    with transaction(database) as session:
        row = enqueue(
            session,
            Outbound(
                Recipient("telegram", chat_id),
                text,
                [("/ack 1", "Đã nhận")],
                priority=priority,
                idempotency_key=key,
            ),
            "vi",
            NOW,
        )
        session.flush()
        return row.id if row else 0


def _row(database, row_id: int) -> OutboxMessage:
    with Session(database) as session:
        row = session.get(OutboxMessage, row_id)
        assert row is not None
        return row


async def test_replies_go_before_broadcasts(database, clock):
    """A dialog reply queued after a broadcast is still sent first."""
    channel = RecordingChannel()
    _queue(database, "1", "thông báo", PRIORITY_BROADCAST)
    _queue(database, "2", "trả lời", PRIORITY_REPLY)
    sender = OutboxSender(database, {"telegram": channel}, clock=clock)
    assert await sender.drain("telegram") == 2
    assert [d.text for d in channel.sent] == ["trả lời", "thông báo"]
    assert channel.sent[0].choices == [("/ack 1", "Đã nhận")]


async def test_sent_rows_are_marked_and_not_sent_again(database, clock):
    """A sent row is stored as sent with its time and never picked up again."""
    channel = RecordingChannel()
    row_id = _queue(database, "1", "xin chào")
    sender = OutboxSender(database, {"telegram": channel}, clock=clock)
    await sender.drain("telegram")
    await sender.drain("telegram")
    row = _row(database, row_id)
    assert (row.status, row.attempts, row.sent_at) == ("sent", 1, clock.now)
    assert len(channel.sent) == 1


async def test_idempotency_key_queues_once(database):
    """Queueing the same fan-out twice leaves a single row."""
    assert _queue(database, "1", "công văn", key="assignment:1:person:1:telegram")
    assert _queue(database, "1", "công văn", key="assignment:1:person:1:telegram") == 0
    with Session(database) as session:
        assert len(session.exec(select(OutboxMessage)).all()) == 1


async def test_retryable_failure_waits_then_succeeds(database, clock):
    """A 429 with retry_after keeps the row pending until that time has passed."""
    channel = RecordingChannel({"1": [SendResult(ok=False, retry_after=3, error="429")]})
    row_id = _queue(database, "1", "xin chào")
    sender = OutboxSender(database, {"telegram": channel}, clock=clock)
    await sender.drain("telegram")
    row = _row(database, row_id)
    assert (row.status, row.not_before) == ("pending", clock.now + dt.timedelta(seconds=3))
    await sender.drain("telegram")
    assert len(channel.sent) == 1
    clock.advance(seconds=3)
    await sender.drain("telegram")
    assert _row(database, row_id).status == "sent"


async def test_blocked_person_becomes_unreachable(database, clock):
    """A final 'blocked' failure fails the row and flags the person's identity."""
    with transaction(database) as session:
        person = Person(name="An", role="focal")
        session.add(person)
        session.flush()
        session.add(
            Identity(person_id=person.id or 0, channel="telegram", external_id="1", chat_id="1")
        )
    channel = RecordingChannel(
        {"1": [SendResult(ok=False, final=True, unreachable=True, error="blocked by the user")]}
    )
    row_id = _queue(database, "1", "xin chào")
    await OutboxSender(database, {"telegram": channel}, clock=clock).drain("telegram")
    assert _row(database, row_id).status == "failed"
    with Session(database) as session:
        identity = session.exec(select(Identity)).one()
        assert (identity.reachable, identity.unreachable_reason) == (False, "blocked by the user")


async def test_a_leased_row_is_not_taken_twice(database, clock):
    """A row claimed by one sender is invisible to another until its lease runs out."""
    _queue(database, "1", "xin chào")
    first = OutboxSender(database, {}, clock=clock)
    assert len(first.claim("telegram")) == 1
    assert first.claim("telegram") == []
    clock.advance(minutes=2)
    assert len(first.claim("telegram")) == 1
