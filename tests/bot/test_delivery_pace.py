"""The outbox sender's pace: rate per channel, spacing per chat, sends in flight, priority."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.channels.base import Delivery
from bot.delivery import OutboxSender, Pace
from handlers.messages import PRIORITY_BROADCAST, PRIORITY_REPLY
from tests.support.sending import ScriptedChannel, Sleeper, queue, row

SECOND = dt.timedelta(seconds=1)


def sender(database, channel, clock, rate=25.0, chat_rate=1.0, **options) -> OutboxSender:
    """A sender for one scripted channel on the fake clock."""
    return OutboxSender(
        database,
        {channel.name: channel},
        paces={channel.name: Pace(rate, chat_rate)},
        clock=clock,
        sleep=Sleeper(clock),
        **options,
    )


async def until(predicate, seconds: float = 10) -> None:
    """Let the event loop run until `predicate()` holds (database work runs in threads)."""
    for _ in range(int(seconds * 1000)):
        if predicate():
            return
        await asyncio.sleep(0.001)
    raise AssertionError("the condition never held")


async def test_a_broadcast_to_100_people_goes_at_25_a_second(database, clock):
    """100 messages to 100 chats at 25/s take 4 seconds and never more than 25 in one second
    (nor in 1.01 s: 10 ms are kept for the network's jitter)."""
    for chat in range(100):
        queue(database, str(chat), "thông báo", clock.now, PRIORITY_BROADCAST)
    channel = ScriptedChannel(clock)
    start = clock.now

    assert await sender(database, channel, clock).drain("telegram") == 100

    times = [attempt.at for attempt in channel.attempts]
    assert times[0] == start
    assert times[-1] - start == dt.timedelta(seconds=3.99)
    pairs = zip(times, times[25:], strict=False)
    assert all(later - earlier >= 1.01 * SECOND for earlier, later in pairs)


async def test_one_chat_gets_at_most_one_message_a_second_while_others_go_on(database, clock):
    """Three replies to An go 1 s apart; Bình's three go in between, also 1 s apart."""
    for text in ("một", "hai", "ba"):
        queue(database, "an", text, clock.now)
        queue(database, "binh", text, clock.now)
    channel = ScriptedChannel(clock)
    start = clock.now

    await sender(database, channel, clock).drain("telegram")

    to_an = [attempt.at - start for attempt in channel.sent_to("an")]
    to_binh = [attempt.at - start for attempt in channel.sent_to("binh")]
    assert to_an == [0 * SECOND, 1 * SECOND, 2 * SECOND]
    assert to_binh == [dt.timedelta(seconds=s) for s in (0.04, 1.04, 2.04)]
    assert [attempt.text for attempt in channel.sent_to("an")] == ["một", "hai", "ba"]


async def test_a_chat_that_must_wait_does_not_hold_up_the_others(database, clock):
    """An's second reply waits a second; the broadcast to others fills that second."""
    queue(database, "an", "trả lời 1", clock.now, PRIORITY_REPLY)
    queue(database, "an", "trả lời 2", clock.now, PRIORITY_REPLY)
    for chat in range(40):
        queue(database, str(chat), "thông báo", clock.now, PRIORITY_BROADCAST)
    channel = ScriptedChannel(clock)

    await sender(database, channel, clock).drain("telegram")

    chats = [attempt.chat_id for attempt in channel.attempts]
    first, second = (i for i, chat in enumerate(chats) if chat == "an")
    assert first == 0
    assert 20 <= second - first <= 26  # about a second of broadcast went in between
    gap = channel.attempts[second].at - channel.attempts[first].at
    assert SECOND <= gap < 1.1 * SECOND


async def test_a_long_message_in_three_parts_counts_three_against_its_chat(database, clock):
    """After a message sent as 3 parts, the same chat's next message waits 3 seconds."""
    queue(database, "an", "dài " * 3000, clock.now)
    queue(database, "an", "ngắn", clock.now)
    channel = ScriptedChannel(clock, parts=3)
    start = clock.now

    await sender(database, channel, clock).drain("telegram")

    assert [attempt.at - start for attempt in channel.attempts] == [0 * SECOND, 3 * SECOND]


async def test_a_reply_queued_during_a_big_broadcast_goes_out_within_a_second(database, clock):
    """150 broadcast rows at 25/s; a reply queued after the 50th send waits under a second."""
    for chat in range(150):
        queue(database, f"b{chat}", "thông báo", clock.now, PRIORITY_BROADCAST)
    channel = ScriptedChannel(clock)
    queued_at: list[dt.datetime] = []

    def reply_after_50(delivery: Delivery) -> None:
        if len(channel.attempts) == 50:
            queue(database, "admin", "Đã nhận báo cáo", clock.now, PRIORITY_REPLY)
            queued_at.append(clock.now)

    channel.on_send = reply_after_50

    await sender(database, channel, clock).drain("telegram")

    reply = channel.sent_to("admin")
    assert len(reply) == 1
    assert reply[0].at - queued_at[0] < SECOND
    assert len(channel.attempts) == 151


async def test_sends_to_different_chats_overlap_up_to_the_bound(database, clock):
    """With sends slow to answer, at most `concurrency` are in flight, each to its own chat."""
    for chat in range(30):
        queue(database, str(chat), "thông báo", clock.now, PRIORITY_BROADCAST)
    channel = ScriptedChannel(clock)
    channel.gate = asyncio.Event()
    outbox = sender(database, channel, clock, rate=1000, concurrency=5)

    draining = asyncio.create_task(outbox.drain("telegram"))
    await until(lambda: outbox.in_flight("telegram") == 5)
    for _ in range(50):
        await asyncio.sleep(0)
    assert outbox.in_flight("telegram") == 5
    assert len(channel.attempts) == 5
    channel.gate.set()
    assert await draining == 30

    assert channel.most_in_flight == 5
    assert outbox.stats["telegram"].peak_in_flight == 5
    assert outbox.in_flight("telegram") == 0


async def test_never_two_sends_to_one_chat_at_once(database, clock):
    """Five rows for An among others, with no per-chat spacing: still one send to An at a time."""
    for text in ("1", "2", "3", "4", "5"):
        queue(database, "an", text, clock.now)
    for chat in range(10):
        queue(database, str(chat), "thông báo", clock.now, PRIORITY_BROADCAST)
    channel = ScriptedChannel(clock)
    channel.gate = asyncio.Event()
    outbox = sender(database, channel, clock, rate=1000, chat_rate=1000, concurrency=8)

    draining = asyncio.create_task(outbox.drain("telegram"))
    await until(lambda: outbox.in_flight("telegram") == 8)
    assert channel.in_flight["an"] == 1
    channel.gate.set()
    await draining

    assert channel.most_to_one_chat == 1
    assert [attempt.text for attempt in channel.sent_to("an")] == ["1", "2", "3", "4", "5"]


async def test_a_sent_row_is_stored_before_its_chat_gets_the_next(database, clock):
    """When An's second message starts, the first is already stored as sent."""
    first = queue(database, "an", "một", clock.now)
    queue(database, "an", "hai", clock.now)
    channel = ScriptedChannel(clock)
    seen: list[str] = []
    channel.on_send = lambda delivery: seen.append(row(database, first).status)

    await sender(database, channel, clock).drain("telegram")

    assert seen == ["pending", "sent"]
