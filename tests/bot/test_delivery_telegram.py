"""The outbox sender through the real Telegram adapter, against a fake Bot API on 127.0.0.1.

The fake's rate limit reads the same fake clock as the sender, so pace and retry_after are
checked on that clock while the HTTP calls are real.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest

from bot.channels.base import Delivery, SendResult
from bot.channels.telegram import TelegramChannel
from bot.delivery import OutboxSender, Pace
from handlers.messages import PRIORITY_BROADCAST, Outbound, Recipient
from handlers.outbox import enqueue
from storage.db import transaction
from tests.support.fake_telegram import FakeTelegram
from tests.support.sending import Sleeper, identity, person_with_chat, queue, row, rows

SECOND = dt.timedelta(seconds=1)


@dataclass(frozen=True)
class Call:
    """One send as the sender made it, timed on the fake clock."""

    chat_id: str
    started: dt.datetime
    finished: dt.datetime
    result: SendResult


class Watched:
    """The real adapter, with every send and its result noted."""

    def __init__(self, channel: TelegramChannel, clock) -> None:
        self.inner, self.clock = channel, clock
        self.name, self.text_limit = channel.name, channel.text_limit
        self.calls: list[Call] = []
        self.skips: list[int] = []

    async def send(self, delivery: Delivery) -> SendResult:
        """Send through the adapter and note how it went."""
        started = self.clock.now
        self.skips.append(delivery.skip_parts)
        result = await self.inner.send(delivery)
        self.calls.append(Call(delivery.chat_id, started, self.clock.now, result))
        return result


@pytest.fixture
def fake(clock) -> Iterator[FakeTelegram]:
    """A fake Bot API whose rate limit follows the test's fake clock."""
    server = FakeTelegram(clock=lambda: clock.now.timestamp()).start()
    yield server
    server.stop()


@pytest.fixture
async def telegram(fake: FakeTelegram, clock) -> AsyncIterator[Watched]:
    """The real adapter pointed at the fake, answers awaited at most 1 s."""
    adapter = TelegramChannel(fake.token, fake.url, poll_timeout=1, send_timeout=1)
    yield Watched(adapter, clock)
    await adapter.close()


def sender(database, telegram: Watched, clock, rate=25.0, **options) -> OutboxSender:
    """A sender for the watched adapter on the fake clock."""
    return OutboxSender(
        database,
        {"telegram": telegram},  # type: ignore[dict-item]
        paces={"telegram": Pace(rate, 1)},
        clock=clock,
        sleep=Sleeper(clock),
        **options,
    )


async def send_everything(outbox: OutboxSender, database, clock, rounds: int = 50) -> None:
    """Drain, move the clock to the next due row, and again, until nothing is pending."""
    for _ in range(rounds):
        await outbox.drain("telegram")
        waiting = [r.not_before for r in rows(database) if r.status == "pending"]
        if not waiting:
            return
        clock.now = max(clock.now, min(waiting))
    raise AssertionError("rows still pending")


def broadcast(database, clock, chats: list[int]) -> None:
    """Queue one broadcast row to each chat, each to a registered person."""
    for chat in chats:
        person_with_chat(database, str(chat))
        queue(database, str(chat), f"Thông báo họp thôn gửi {chat}", clock.now, PRIORITY_BROADCAST)


def refusals_honoured(calls: list[Call]) -> bool:
    """Whether every chat refused with retry_after r got nothing for r seconds after."""
    for i, call in enumerate(calls):
        if call.result.retry_after is None:
            continue
        until = call.finished + dt.timedelta(seconds=call.result.retry_after)
        later = [c for c in calls[i + 1 :] if c.chat_id == call.chat_id]
        if later and later[0].started < until:
            return False
    return True


async def test_a_sender_slower_than_the_api_limit_is_never_refused(database, clock, fake, telegram):
    """The API allows 10/s; one send at a time at 8/s: 24 people, no 429, all in 3 s."""
    chats = list(range(7001, 7025))
    broadcast(database, clock, chats)
    fake.limit(10)
    start = clock.now

    await sender(database, telegram, clock, rate=8, concurrency=1).drain("telegram")

    assert fake.too_many == 0
    assert fake.sent_counts() == {chat: 1 for chat in chats}
    assert clock.now - start < 3 * SECOND


async def test_a_sender_faster_than_the_api_is_refused_yet_everyone_gets_it_once(
    database, clock, fake, telegram
):
    """The API allows 10/s, the sender tries 30/s: 429s, retry_after kept, nobody lost or twice."""
    chats = list(range(7001, 7061))
    broadcast(database, clock, chats)
    fake.limit(10, retry_after=2)
    outbox = sender(database, telegram, clock, rate=30)

    await send_everything(outbox, database, clock)

    assert fake.too_many > 0
    assert outbox.stats["telegram"].limited == fake.too_many
    assert fake.sent_counts() == {chat: 1 for chat in chats}
    assert {r.status for r in rows(database)} == {"sent"}
    assert refusals_honoured(telegram.calls)


async def test_random_429s_cost_a_retry_each_and_lose_nobody(database, clock, fake, telegram):
    """One send in ten is refused at random: each of 50 people still gets the notice once."""
    chats = list(range(7001, 7051))
    broadcast(database, clock, chats)
    fake.refuse_randomly(0.1, seed=11)
    outbox = sender(database, telegram, clock)

    await send_everything(outbox, database, clock)

    assert fake.too_many > 0
    assert fake.sent_counts() == {chat: 1 for chat in chats}
    assert refusals_honoured(telegram.calls)


async def test_retry_after_in_the_429_is_honoured_on_the_clock(database, clock, fake, telegram):
    """Telegram says 'retry after 7': the row waits exactly 7 s, then goes once."""
    person_with_chat(database, "7001")
    row_id = queue(database, "7001", "Nhắc hạn báo cáo", clock.now)
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    outbox = sender(database, telegram, clock)
    start = clock.now

    await outbox.drain("telegram")

    stored = row(database, row_id)
    assert (stored.status, stored.not_before) == ("pending", start + 7 * SECOND)
    assert stored.last_error.startswith("RetryAfter")
    clock.now = start + 6.9 * SECOND
    assert await outbox.drain("telegram") == 0
    clock.now = start + 7 * SECOND
    assert await outbox.drain("telegram") == 1
    assert row(database, row_id).status == "sent"
    assert [m["text"] for m in fake.messages_to(7001)] == ["Nhắc hạn báo cáo"]


async def test_blocked_and_vanished_people_end_unreachable_and_the_rest_get_it(
    database, clock, fake, telegram
):
    """Of five people one blocked the bot and one's chat is gone: both marked, three served."""
    chats = [7001, 7002, 7003, 7004, 7005]
    broadcast(database, clock, chats)
    fake.block(7002)
    fake.forget(7004)
    outbox = sender(database, telegram, clock)

    await outbox.drain("telegram")

    assert fake.sent_counts() == {7001: 1, 7003: 1, 7005: 1}
    assert [r.status for r in rows(database)] == ["sent", "failed", "sent", "failed", "sent"]
    blocked, gone = identity(database, "7002"), identity(database, "7004")
    assert (blocked.reachable, blocked.unreachable_reason) == (
        False,
        "Forbidden: bot was blocked by the user",
    )
    assert not gone.reachable and "chat not found" in gone.unreachable_reason.lower()
    assert identity(database, "7001").reachable
    assert outbox.stats["telegram"].failed == 2


async def test_a_server_error_is_retried_after_a_back_off(database, clock, fake, telegram):
    """A 500 leaves the row pending 1-2 s; the retry delivers it once."""
    person_with_chat(database, "7001")
    row_id = queue(database, "7001", "Công văn mới", clock.now)
    fake.fail_next("sendMessage", 500, "Internal Server Error")
    outbox = sender(database, telegram, clock)

    await outbox.drain("telegram")
    stored = row(database, row_id)
    assert stored.status == "pending"
    assert SECOND <= stored.not_before - clock.now <= 2 * SECOND
    clock.now = stored.not_before
    await outbox.drain("telegram")

    assert (row(database, row_id).status, row(database, row_id).attempts) == ("sent", 2)
    assert len(fake.messages_to(7001)) == 1


async def test_a_timed_out_send_is_retried_and_may_arrive_twice(database, clock, fake, telegram):
    """No answer within 1 s: the row is tried again. The first did arrive late, so the
    person sees it twice: the bot prefers a duplicate to a lost message."""
    person_with_chat(database, "7001")
    row_id = queue(database, "7001", "Lịch họp", clock.now)
    fake.slow_next("sendMessage", 2)
    outbox = sender(database, telegram, clock)

    await outbox.drain("telegram")
    stored = row(database, row_id)
    assert stored.status == "pending"
    assert "Timed out" in stored.last_error or "TimedOut" in stored.last_error
    clock.now = stored.not_before
    await outbox.drain("telegram")

    assert row(database, row_id).status == "sent"
    assert await fake.until(lambda: len(fake.messages_to(7001)) == 2)


async def test_a_long_message_cut_short_sends_only_its_missing_part_on_retry(
    database, clock, fake, telegram
):
    """A 9,000-character directive goes as 3 messages; the 3rd gets a 502, then only it is
    sent again, with its buttons."""
    person_with_chat(database, "7001")
    text = "\n\n".join(f"Điều {n}. " + "nội dung " * 40 for n in range(1, 28))
    with transaction(database) as session:
        message = Outbound(Recipient("telegram", "7001"), text, [("/ack 12", "Đã nhận")])
        created = enqueue(session, message, "vi", clock.now)
        assert created is not None
        session.flush()
        row_id = created.id
    fake.fail_next("sendMessage", 502, "Bad Gateway", skip=2)
    outbox = sender(database, telegram, clock)

    await outbox.drain("telegram")
    assert row(database, row_id).parts_sent == 2
    clock.now = row(database, row_id).not_before
    await outbox.drain("telegram")

    sent = fake.messages_to(7001)
    assert len(sent) == 3
    assert " ".join(m["text"] for m in sent).split() == text.split()
    assert "reply_markup" in sent[2] and "reply_markup" not in sent[0]
    assert telegram.skips == [0, 2]
    assert (row(database, row_id).status, row(database, row_id).parts_sent) == ("sent", 3)
