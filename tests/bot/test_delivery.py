"""The outbox sender: order, outcomes, leases, quiet hours and the pass hook."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.channels.base import SendResult
from bot.config import Settings
from bot.delivery import OutboxSender, Pace
from handlers.messages import PRIORITY_BROADCAST, PRIORITY_FANOUT, PRIORITY_REPLY, Outbound
from handlers.messages import Recipient as To
from handlers.outbox import enqueue
from handlers.quiet import QuietHours
from storage.db import transaction
from tests.support.sending import (
    ScriptedChannel,
    Sleeper,
    identity,
    person_with_chat,
    queue,
    row,
    rows,
)

NEXT_MORNING = dt.datetime(2026, 3, 21, 0, 0, tzinfo=dt.UTC)  # 07:00 on 21/03 in the commune


def sender(database, channel: ScriptedChannel, clock, **options) -> OutboxSender:
    """A sender for one scripted channel on the fake clock."""
    options.setdefault("paces", {channel.name: Pace(rate=25, chat_rate=1)})
    return OutboxSender(
        database, {channel.name: channel}, clock=clock, sleep=Sleeper(clock), **options
    )


async def test_replies_go_before_broadcasts(database, clock):
    """A dialog reply queued after a broadcast is still sent first."""
    channel = ScriptedChannel(clock)
    queue(database, "1", "thông báo", clock.now, PRIORITY_BROADCAST)
    queue(database, "2", "nhắc hạn", clock.now, PRIORITY_FANOUT)
    queue(database, "3", "trả lời", clock.now, PRIORITY_REPLY)

    assert await sender(database, channel, clock).drain("telegram") == 3

    assert [attempt.text for attempt in channel.attempts] == ["trả lời", "nhắc hạn", "thông báo"]


async def test_the_choices_of_a_row_reach_the_channel(database, clock):
    """The buttons stored with a row are handed to the channel as (id, label) pairs."""
    seen = []
    channel = ScriptedChannel(clock)
    channel.on_send = seen.append
    with transaction(database) as session:
        enqueue(
            session,
            Outbound(To("telegram", "1"), "Công văn", [("/ack 1", "Đã nhận")]),
            "vi",
            clock(),
        )

    await sender(database, channel, clock).drain("telegram")

    assert seen[0].choices == [("/ack 1", "Đã nhận")]


async def test_sent_rows_are_marked_and_not_sent_again(database, clock):
    """A sent row is stored as sent with its time and first try, and never picked up again."""
    channel = ScriptedChannel(clock)
    row_id = queue(database, "1", "xin chào", clock.now)
    outbox = sender(database, channel, clock)

    await outbox.drain("telegram")
    await outbox.drain("telegram")

    stored = row(database, row_id)
    assert (stored.status, stored.attempts, stored.leased_until) == ("sent", 1, None)
    assert stored.sent_at == stored.first_attempt_at == channel.attempts[0].at
    assert len(channel.attempts) == 1


async def test_idempotency_key_queues_once(database, clock):
    """Queueing the same fan-out twice leaves a single row."""
    message = Outbound(To("telegram", "1"), "công văn", idempotency_key="assignment:1:person:1")
    with transaction(database) as session:
        assert enqueue(session, message, "vi", clock.now) is not None
    with transaction(database) as session:
        assert enqueue(session, message, "vi", clock.now) is None
    assert len(rows(database)) == 1


async def test_a_blocked_person_fails_at_once_and_becomes_unreachable(database, clock):
    """A final 'blocked' failure fails the row at the first try and flags the person."""
    person_with_chat(database, "1")
    blocked = SendResult(ok=False, final=True, unreachable=True, error="Forbidden: bot was blocked")
    channel = ScriptedChannel(clock, results={"1": [blocked]})
    row_id = queue(database, "1", "xin chào", clock.now)

    await sender(database, channel, clock).drain("telegram")

    stored = row(database, row_id)
    assert (stored.status, stored.attempts, stored.last_error) == (
        "failed",
        1,
        "Forbidden: bot was blocked",
    )
    found = identity(database, "1")
    assert (found.reachable, found.unreachable_reason) == (False, "Forbidden: bot was blocked")


async def test_a_final_error_about_the_message_leaves_the_person_reachable(database, clock):
    """A message Telegram cannot parse fails for good, but its person is still reachable."""
    person_with_chat(database, "1")
    bad = SendResult(ok=False, final=True, error="BadRequest: can't parse entities")
    channel = ScriptedChannel(clock, results={"1": [bad]})
    row_id = queue(database, "1", "xin chào", clock.now)

    await sender(database, channel, clock).drain("telegram")

    assert row(database, row_id).status == "failed"
    assert identity(database, "1").reachable


async def test_a_leased_row_is_not_taken_twice(database, clock):
    """A row claimed by one sender is invisible to another until its lease runs out."""
    queue(database, "1", "xin chào", clock.now)
    first = OutboxSender(database, {}, clock=clock)
    second = OutboxSender(database, {}, clock=clock)

    assert len(first.claim("telegram")) == 1
    assert second.claim("telegram") == []
    clock.advance(seconds=61)
    assert len(second.claim("telegram")) == 1


async def test_after_a_crash_the_rows_it_held_go_out_once_their_lease_ran_out(database, clock):
    """A sender that died holding rows leaves them leased; a restart sends them a minute later."""
    for chat in ("1", "2"):
        queue(database, chat, "công văn", clock.now, PRIORITY_BROADCAST)
    crashed = OutboxSender(database, {}, clock=clock)
    assert len(crashed.claim("telegram")) == 2
    channel = ScriptedChannel(clock)
    restarted = sender(database, channel, clock)

    assert await restarted.drain("telegram") == 0
    clock.advance(seconds=61)
    assert await restarted.drain("telegram") == 2

    assert {r.status for r in rows(database)} == {"sent"}


async def test_only_one_row_per_chat_is_claimed_at_a_time(database, clock):
    """Three rows for one chat and one for another: a claim takes one row of each chat."""
    for text in ("một", "hai", "ba"):
        queue(database, "1", text, clock.now)
    queue(database, "2", "bốn", clock.now)
    outbox = sender(database, ScriptedChannel(clock), clock)

    claimed = outbox.claim("telegram")

    assert [(r.chat_id, r.text) for r in claimed] == [("1", "một"), ("2", "bốn")]
    assert [r.leased_until is not None for r in rows(database)] == [True, False, False, True]


async def test_every_message_to_one_chat_goes_out_in_order(database, clock):
    """Rows for one chat that could not be claimed together still all go, oldest first."""
    for text in ("một", "hai", "ba"):
        queue(database, "1", text, clock.now)
    channel = ScriptedChannel(clock)

    assert await sender(database, channel, clock).drain("telegram") == 3

    assert [attempt.text for attempt in channel.attempts] == ["một", "hai", "ba"]


async def test_during_quiet_hours_only_replies_go_out(database, clock):
    """At 22:00 a reply goes at once; a reminder waits until 07:00, then goes."""
    clock.now = dt.datetime(2026, 3, 20, 15, 0, tzinfo=dt.UTC)  # 22:00 in the commune
    quiet = QuietHours.parse("21:00-07:00")
    channel = ScriptedChannel(clock)
    reminder = queue(database, "1", "nhắc hạn", clock.now, PRIORITY_FANOUT)
    reply = queue(database, "2", "trả lời", clock.now, PRIORITY_REPLY)
    outbox = sender(database, channel, clock, quiet=quiet)

    assert await outbox.drain("telegram") == 1

    assert (row(database, reply).status, row(database, reminder).status) == ("sent", "pending")
    clock.now = NEXT_MORNING
    assert await outbox.drain("telegram") == 1
    assert row(database, reminder).status == "sent"


async def test_a_broadcast_held_when_quiet_hours_begin_waits_for_the_morning(database, clock):
    """Rows claimed at 20:59:59 but not yet sent at 21:00 go back unleased, due at 07:00."""
    clock.now = dt.datetime(2026, 3, 20, 13, 59, 59, tzinfo=dt.UTC)  # 20:59:59
    evening, nine, morning = clock.now, clock.now + dt.timedelta(seconds=1), NEXT_MORNING
    for chat in range(1, 61):
        queue(database, str(chat), "thông báo", clock.now, PRIORITY_BROADCAST)
    channel = ScriptedChannel(clock)
    outbox = sender(database, channel, clock, quiet=QuietHours.parse("21:00-07:00"))

    sent = await outbox.drain("telegram")

    assert 24 <= sent <= 26  # one second at 25 a second
    assert all(attempt.at < nine for attempt in channel.attempts)
    waiting = [r for r in rows(database) if r.status == "pending"]
    assert len(waiting) == 60 - sent
    assert all(r.leased_until is None for r in waiting)
    assert {r.not_before for r in waiting} == {evening, morning}


async def test_the_pass_hook_runs_after_each_round_over_all_channels(database, clock):
    """on_pass is called once both channels have sent what was due."""
    telegram, zalo = ScriptedChannel(clock), ScriptedChannel(clock, name="zalo")
    queue(database, "1", "xin chào", clock.now)
    queue(database, "z1", "xin chào", clock.now, channel="zalo")
    seen: list[int] = []

    def report() -> None:
        seen.append(len(telegram.attempts) + len(zalo.attempts))

    outbox = OutboxSender(
        database,
        {"telegram": telegram, "zalo": zalo},
        clock=clock,
        sleep=Sleeper(clock),
        on_pass=report,
    )
    assert await outbox.pass_once() == 2
    assert await outbox.pass_once() == 0
    assert seen == [2, 2]


async def test_run_sends_what_falls_due_later_and_calls_the_hook_between_passes(database, clock):
    """A retry due in 3 s is sent by the running loop on its own; the hook sees every pass."""
    later = SendResult(ok=False, retry_after=3, limited=True, error="429")
    channel = ScriptedChannel(clock, results={"1": [later]})
    row_id = queue(database, "1", "xin chào", clock.now)
    start = clock.now
    passes: list[dt.datetime] = []

    def hook() -> None:
        passes.append(clock.now)
        if row(database, row_id).status == "sent":
            raise asyncio.CancelledError

    outbox = sender(database, channel, clock, on_pass=hook)
    with pytest.raises(asyncio.CancelledError):
        await outbox.run(asyncio.Event(), idle_seconds=1.0)

    assert [attempt.at - start for attempt in channel.attempts] == [
        dt.timedelta(0),
        dt.timedelta(seconds=3),
    ]
    assert len(passes) >= 2


async def test_the_sender_takes_its_pace_and_quiet_hours_from_the_settings(database, clock):
    """from_settings reads the rates per channel, the retry budget and the quiet hours."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_rate=30,
        telegram_chat_rate=2,
        zalo_rate=5,
        retry_minutes=15,
        quiet_hours="22:00-06:00",
    )
    telegram, zalo = ScriptedChannel(clock), ScriptedChannel(clock, name="zalo")

    outbox = OutboxSender.from_settings(database, {"telegram": telegram, "zalo": zalo}, settings)

    assert outbox.pace("telegram") == Pace(30, 2)
    assert outbox.pace("zalo") == Pace(5, 1)
    assert outbox.policy.budget == dt.timedelta(minutes=15)
    assert outbox.quiet == QuietHours.parse("22:00-06:00")


async def test_a_running_sender_sleeps_until_a_dead_senders_lease_runs_out(database, clock):
    """Rows leased by a crashed sender: the loop naps until the lease ends, then sends them."""
    queue(database, "1", "công văn", clock.now, PRIORITY_BROADCAST)
    OutboxSender(database, {}, clock=clock).claim("telegram")
    channel = ScriptedChannel(clock)
    sleeper = Sleeper(clock)
    passes: list[dt.datetime] = []

    def hook() -> None:
        passes.append(clock.now)
        if channel.attempts:
            raise asyncio.CancelledError

    outbox = OutboxSender(database, {"telegram": channel}, clock=clock, sleep=sleeper, on_pass=hook)
    start = clock.now
    with pytest.raises(asyncio.CancelledError):
        await outbox.run(asyncio.Event(), idle_seconds=300)

    assert [attempt.at - start for attempt in channel.attempts] == [dt.timedelta(seconds=60)]
    assert len(passes) == 2


async def test_a_shorter_lease_lets_a_restart_resume_sooner(database, clock):
    """With 5-second leases, the rows a crashed sender held go out 5 s later, not a minute."""
    queue(database, "1", "công văn", clock.now, PRIORITY_BROADCAST)
    OutboxSender(database, {}, clock=clock, lease_seconds=5).claim("telegram")
    channel = ScriptedChannel(clock)
    restarted = sender(database, channel, clock, lease_seconds=5)

    clock.advance(seconds=4.9)
    assert await restarted.drain("telegram") == 0
    clock.advance(seconds=0.1)
    assert await restarted.drain("telegram") == 1


async def test_the_wiring_may_set_concurrency_and_lease_through_settings(database, clock):
    """Settings carrying send_concurrency and outbox_lease_seconds reach the sender."""

    class Wired(Settings):
        send_concurrency: int = 3
        outbox_lease_seconds: float = 7

    settings = Wired(_env_file=None)  # type: ignore[call-arg]
    outbox = OutboxSender.from_settings(database, {"telegram": ScriptedChannel(clock)}, settings)

    assert (outbox.concurrency, outbox.lease) == (3, dt.timedelta(seconds=7))
