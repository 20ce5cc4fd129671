"""The outbox sender when sends fail: 429s, floods, back-off, the retry budget, leases."""

from __future__ import annotations

import datetime as dt
import itertools
import random

from sqlmodel import Session, col, select

from bot.channels.base import Delivery, SendResult
from bot.delivery import OutboxSender, Pace
from bot.pacing import backoff
from handlers.messages import PRIORITY_BROADCAST
from storage.models import OutboxMessage
from tests.support.sending import ScriptedChannel, Sleeper, queue, row, rows

SECOND = dt.timedelta(seconds=1)
TOO_MANY = SendResult(ok=False, limited=True, retry_after=1, error="RetryAfter: retry after 1")
SERVER = SendResult(ok=False, error="NetworkError: Bad Gateway")


def sender(database, channel, clock, rate=25.0, chat_rate=1.0, **options) -> OutboxSender:
    """A sender for one scripted channel on the fake clock."""
    options.setdefault("sleep", Sleeper(clock))
    return OutboxSender(
        database,
        {channel.name: channel},
        paces={channel.name: Pace(rate, chat_rate)},
        clock=clock,
        **options,
    )


def limited(seconds: float) -> SendResult:
    """A 429 asking to wait `seconds`."""
    return SendResult(ok=False, limited=True, retry_after=seconds, error="Too Many Requests")


async def test_a_429_holds_that_chat_and_its_other_messages_until_retry_after(database, clock):
    """An's first message gets 429 retry after 5: both of An's messages wait 5 s, others go on."""
    first = queue(database, "an", "một", clock.now)
    second = queue(database, "an", "hai", clock.now)
    queue(database, "binh", "ba", clock.now)
    channel = ScriptedChannel(clock, results={"an": [limited(5)]})
    outbox = sender(database, channel, clock)
    start = clock.now

    await outbox.drain("telegram")

    assert row(database, first).not_before == start + 5 * SECOND
    assert row(database, second).not_before == start + 5 * SECOND
    assert row(database, first).last_error == "Too Many Requests"
    assert [attempt.chat_id for attempt in channel.attempts] == ["an", "binh"]
    clock.now = start + 4.9 * SECOND
    assert await outbox.drain("telegram") == 0
    clock.now = start + 5 * SECOND
    assert await outbox.drain("telegram") == 2
    to_an = [(attempt.text, attempt.at - start) for attempt in channel.sent_to("an")]
    assert to_an == [("một", 0 * SECOND), ("một", 5 * SECOND), ("hai", 6 * SECOND)]
    assert outbox.stats["telegram"].limited == 1
    assert outbox.stats["telegram"].pauses == 0


async def test_scattered_429s_neither_pause_the_channel_nor_lose_anyone(database, clock):
    """100 recipients, every 50th refused once: each gets the message once, no global pause."""
    chats = [f"c{i}" for i in range(100)]
    for chat in chats:
        queue(database, chat, "thông báo", clock.now, PRIORITY_BROADCAST)
    channel = ScriptedChannel(clock, results={chat: [TOO_MANY] for chat in chats[::50]})
    outbox = sender(database, channel, clock)
    start = clock.now

    assert await outbox.drain("telegram") == 102

    assert outbox.stats["telegram"].pauses == 0
    assert outbox.stats["telegram"].limited == 2
    assert {r.status for r in rows(database)} == {"sent"}
    assert sorted({attempt.chat_id for attempt in channel.attempts}) == sorted(chats)
    assert clock.now - start < 4.2 * SECOND  # 102 sends at 25/s, no stall


async def test_when_everything_is_refused_the_whole_channel_pauses(database, clock):
    """Every first send answers 429 retry after 10: after five the channel stops for 10 s."""
    chats = [f"c{i}" for i in range(30)]
    for chat in chats:
        queue(database, chat, "thông báo", clock.now, PRIORITY_BROADCAST)
    channel = ScriptedChannel(clock, results={chat: [limited(10)] for chat in chats})
    leased_in_pauses: list[int] = []

    def during_pause(seconds: float) -> None:
        if seconds >= 5:
            with Session(database) as session:
                held = select(OutboxMessage).where(col(OutboxMessage.leased_until).is_not(None))
                leased_in_pauses.append(len(session.exec(held).all()))

    outbox = sender(database, channel, clock, sleep=Sleeper(clock, during_pause), concurrency=2)
    start = clock.now

    for _ in range(10):
        await outbox.drain("telegram")
        clock.advance(seconds=10)

    times = [attempt.at - start for attempt in channel.attempts]
    pause = next(i for i, (a, b) in enumerate(itertools.pairwise(times)) if b - a >= 10 * SECOND)
    assert times[4] <= 0.2 * SECOND
    assert 4 <= pause <= 6  # the fifth refusal stops it; two more may be on their way
    assert outbox.stats["telegram"].pauses >= 1
    assert leased_in_pauses and set(leased_in_pauses) == {0}  # held rows were given back
    assert {r.status for r in rows(database)} == {"sent"}
    assert len(channel.attempts) == 60


async def test_a_zalo_429_without_a_delay_backs_off_with_jitter(database, clock):
    """Zalo's 429 names no delay: the row waits 1-2 s, the amount drawn from the sender's rng."""
    channel = ScriptedChannel(clock, name="zalo")
    channel.results = {"z1": [SendResult(ok=False, limited=True, error="Zalo error 429")]}
    row_id = queue(database, "z1", "nhắc hạn", clock.now, channel="zalo")
    outbox = sender(database, channel, clock, rng=random.Random(42))

    await outbox.drain("zalo")

    wait = backoff(1, random.Random(42))
    assert 1 <= wait <= 2
    stored = row(database, row_id)
    assert stored.status == "pending"
    assert abs((stored.not_before - clock.now).total_seconds() - wait) < 1e-5


async def test_server_errors_back_off_doubling_until_the_message_goes(database, clock):
    """Four 502s in a row, then ok: the waits grow 1-2 s, 2-4 s, 4-8 s, 8-16 s."""
    channel = ScriptedChannel(clock, results={"an": [SERVER] * 4})
    row_id = queue(database, "an", "công văn", clock.now)
    outbox = sender(database, channel, clock, rng=random.Random(7))

    while row(database, row_id).status == "pending":
        await outbox.drain("telegram")
        clock.now = max(clock.now, row(database, row_id).not_before)

    times = [attempt.at for attempt in channel.attempts]
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(times)]
    assert len(gaps) == 4
    for gap, (low, high) in zip(gaps, [(1, 2), (2, 4), (4, 8), (8, 16)], strict=True):
        assert low <= gap <= high
    stored = row(database, row_id)
    assert (stored.status, stored.attempts, stored.first_attempt_at) == ("sent", 5, times[0])


async def test_a_message_still_failing_after_the_retry_budget_fails_with_its_last_error(
    database, clock
):
    """With a 10-minute budget and a server that keeps failing, the row fails at 10 minutes."""
    channel = ScriptedChannel(clock, results={"an": [SERVER] * 100})
    row_id = queue(database, "an", "công văn", clock.now)
    outbox = sender(database, channel, clock, retry_minutes=10, rng=random.Random(3))
    start = clock.now

    while row(database, row_id).status == "pending":
        await outbox.drain("telegram")
        assert row(database, row_id).not_before <= start + 10 * 60 * SECOND
        clock.now = max(clock.now, row(database, row_id).not_before)

    stored = row(database, row_id)
    assert (stored.status, stored.last_error) == ("failed", "NetworkError: Bad Gateway")
    assert channel.attempts[-1].at == start + 10 * 60 * SECOND
    assert 6 <= stored.attempts <= 12


async def test_a_message_split_in_parts_resumes_after_the_parts_that_arrived(database, clock):
    """Parts 1 and 2 of 3 arrive, part 3 times out: the retry sends part 3 only."""

    def two_of_three(delivery: Delivery) -> SendResult:
        return SendResult(ok=False, error="TimedOut", parts_sent=2)

    channel = ScriptedChannel(clock, results={"an": [two_of_three]}, parts=3)
    row_id = queue(database, "an", "rất dài " * 2000, clock.now)
    outbox = sender(database, channel, clock)

    await outbox.drain("telegram")
    assert row(database, row_id).parts_sent == 2
    clock.now = row(database, row_id).not_before
    await outbox.drain("telegram")

    assert [attempt.skip_parts for attempt in channel.attempts] == [0, 2]
    stored = row(database, row_id)
    assert (stored.status, stored.parts_sent) == ("sent", 3)


async def test_an_adapter_that_raises_is_retried_like_a_network_error(database, clock):
    """A bug in the adapter does not stop the queue: the row is tried again later."""

    def broken(delivery: Delivery) -> SendResult:
        raise KeyError("message_id")

    channel = ScriptedChannel(clock, results={"an": [broken]})
    row_id = queue(database, "an", "xin chào", clock.now)
    queue(database, "binh", "xin chào", clock.now)
    outbox = sender(database, channel, clock)

    await outbox.drain("telegram")

    assert (row(database, row_id).status, row(database, row_id).last_error) == (
        "pending",
        "KeyError",
    )
    assert [r.status for r in rows(database)] == ["pending", "sent"]


async def test_rows_held_longer_than_half_a_lease_are_given_back_before_it_runs_out(
    database, clock
):
    """A chat paced at one message per 100 s: its next row is never held on an expired lease."""
    queue(database, "an", "một", clock.now)
    queue(database, "an", "hai", clock.now)
    expired: list[dt.datetime] = []

    def check_leases(seconds: float) -> None:
        with Session(database) as session:
            for held in session.exec(select(OutboxMessage)):
                if held.leased_until is not None and held.leased_until <= clock.now:
                    expired.append(clock.now)

    channel = ScriptedChannel(clock)
    outbox = sender(database, channel, clock, chat_rate=0.01, sleep=Sleeper(clock, check_leases))
    start = clock.now

    await outbox.drain("telegram")

    assert [attempt.at - start for attempt in channel.attempts] == [0 * SECOND, 100 * SECOND]
    assert expired == []
