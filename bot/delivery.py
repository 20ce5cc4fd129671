"""The outbox sender: claims queued rows per channel, sends them at a safe pace, records each.

Pace. Per channel, at most `rate` messages/s overall (a token bucket) and `chat_rate` per chat
(successive sends to one chat at least 1/chat_rate s apart; a message split in k parts counts k).
Up to `concurrency` sends are in flight at once, each to a different chat, never two to one chat:
a crash between "the API said yes" and "the row is marked sent" can so duplicate at most one
message per chat that had a send in flight. Each outcome is stored right after its send (sends
that finish together share one transaction), and the chat takes its next row only after that.

Priority. Rows go lowest `priority` first (replies 0, fan-out and reminders 10, broadcasts 20).
The sender holds about one second of sending claimed (one row per chat) and claims again as it
empties, so a reply queued during a long broadcast goes out within about a second. A row whose
chat must wait never holds up rows for other chats.

429 policy. A 429 with `retry_after` r: that row is not tried before now + r, and neither is
anything else for that chat (its other pending rows are moved back too, keeping their order).
A 429 without a delay (Zalo) backs off like a server error. A refused send did not count
against the API's limit, so its place in the pace is given back. When refusals show the whole
bot is over its limit rather than one chat — at least 20% of the last second's finished sends
(of 10 or more), or the last few in a row (5, or a tenth of a second's worth at high rates) —
the whole channel pauses for r (or, without r, for a back-off doubling from 1 s to 60 s)
before its next call; held rows are given back meanwhile. A few random 429s (say 2%) pause
nothing. Server errors and timeouts count as refusals too.

Failures. 5xx, timeouts and connection errors are retried with exponential back-off (2 s
doubling to 10 min, half of it random jitter) until `retry_minutes` after the first try, then the
row is failed with its last error. A timed-out send may have arrived: retrying risks a
duplicate rather than a loss. Final errors (blocked, deactivated, chat not found; Zalo's other
4xx) fail the row at once and, when about the person, mark their identity unreachable. A split
message that failed part-way resumes after the parts that arrived (`parts_sent`).

Quiet hours. While they last, only replies (priority 0) are claimed; other rows wait.

Leases. A claimed row is leased (60 s by default); rows are sent within about a second of
their claim, held rows are given back before a pause, and any held for half a lease are given
back, so another sender (or a restart after a crash) takes a row only once its lease has run
out. A crash can so delay the rows it held by one lease.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from bot.attachments import Attachments
from bot.channels.base import Channel, SendResult
from bot.outbox_rows import (
    LEASE,
    GroupWriter,
    Outcome,
    RetryPolicy,
    Verdict,
    claim,
    delivery_of,
    mark_unreachable,
    record,
    release,
)
from bot.pacing import Pace
from bot.sender_lane import LOOK_EVERY, ChannelStats, Lane
from bot.sender_loops import SenderLoops
from handlers.messages import PRIORITY_REPLY
from handlers.quiet import QuietHours
from storage.models import OutboxMessage, utcnow

if TYPE_CHECKING:
    from bot.config import Settings

__all__ = ["LEASE", "ChannelStats", "OutboxSender", "Pace", "mark_unreachable"]

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[object]]
DEFAULT_PACE = Pace(rate=10.0, chat_rate=1.0)
SHUTDOWN_GRACE = 5.0
"""Seconds a stopping sender waits for sends in flight, so their outcome is stored."""


class OutboxSender(SenderLoops):
    """Drains the outbox of each channel at its pace, lowest priority number first."""

    def __init__(
        self,
        database: Engine,
        channels: Mapping[str, Channel],
        *,
        paces: Mapping[str, Pace] | None = None,
        quiet: QuietHours | None = None,
        retry_minutes: float = 60.0,
        concurrency: int = 12,
        lease_seconds: float = LEASE.total_seconds(),
        on_pass: Callable[[], object] | None = None,
        attachments: Attachments | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.database = database
        self.channels = channels
        self.quiet = quiet
        self.concurrency = concurrency
        self.on_pass = on_pass
        self.attachments = attachments
        self.clock = clock
        self.policy = RetryPolicy(budget=dt.timedelta(minutes=retry_minutes))
        self.lease = dt.timedelta(seconds=lease_seconds)
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._tasks: set[asyncio.Future[None]] = set()
        paces = paces or {}
        self._lanes = {
            name: Lane(name, channel, paces.get(name, DEFAULT_PACE))
            for name, channel in channels.items()
        }
        self._writer = GroupWriter(self._write)

    @classmethod
    def from_settings(
        cls,
        database: Engine,
        channels: Mapping[str, Channel],
        settings: Settings,
        **options: object,
    ) -> OutboxSender:
        """A sender paced, timed and quieted as the settings say; `options` as for __init__."""
        paces = {
            "telegram": Pace(settings.telegram_rate, settings.telegram_chat_rate),
            "zalo": Pace(settings.zalo_rate, settings.zalo_chat_rate),
        }
        quiet = QuietHours.parse(settings.quiet_hours, settings.timezone)
        options.setdefault("concurrency", settings.send_concurrency)
        options.setdefault("lease_seconds", settings.outbox_lease_seconds)
        return cls(
            database,
            channels,
            paces=paces,
            quiet=quiet,
            retry_minutes=settings.retry_minutes,
            **options,  # type: ignore[arg-type]
        )

    # -- what tests and the wiring see ---------------------------------------------------------

    @property
    def stats(self) -> dict[str, ChannelStats]:
        """Counters per channel: sends attempted, sent, failed, retried, 429s, pauses."""
        return {name: lane.stats for name, lane in self._lanes.items()}

    def pace(self, channel: str) -> Pace:
        """The pace a channel is sent at."""
        return self._lanes[channel].pace

    def in_flight(self, channel: str) -> int:
        """How many sends of a channel are on their way right now."""
        return len(self._lanes[channel].in_flight)

    def claim(self, channel: str, limit: int | None = None) -> list[OutboxMessage]:
        """Lease the next due rows of a channel (one per chat), so no other sender takes them."""
        lane = self._lanes.get(channel)
        now = self.clock()
        quiet = self.quiet is not None and self.quiet.contains(now)
        return claim(
            self.database,
            channel,
            now,
            limit or (lane.room if lane else DEFAULT_PACE.batch),
            exclude=lane.held if lane else (),
            max_priority=PRIORITY_REPLY if quiet else None,
            lease=self.lease,
        )

    async def drain(self, channel: str, *, claim: bool = True) -> int:
        """Send every row of one channel that is due, at its pace; return the sends attempted.

        `claim=False` sends what is held (replies handed over) and claims only on the usual
        look-again schedule.
        """
        lane = self._lanes[channel]
        attempted = 0
        lane.look_again = lane.look_again or claim
        try:
            while True:
                now = self.clock()
                at = now.timestamp()
                if lane.paused_until > at:
                    await self._give_back(lane.take_queue())
                    if lane.in_flight:
                        # The sends on their way finish and are recorded before the pause.
                        await asyncio.wait(list(lane.in_flight.values()))
                        continue
                    await self._wait(lane, lane.paused_until - at)
                    continue
                await self._refill(lane, now)
                if not lane.queue and not lane.in_flight:
                    if lane.look_again:
                        # A send finished while the claim ran: its chat's next row may be due.
                        continue
                    return attempted
                row, ready_at = lane.pick(at)
                if row is None:
                    if ready_at is None and not lane.in_flight:
                        ready_at = at + LOOK_EVERY  # cannot happen; never wait forever
                    await self._wait(lane, None if ready_at is None else ready_at - at)
                    continue
                if self._quiet_for(row, now):
                    lane.queue.remove(row)
                    await self._give_back([row], self.quiet.next_allowed(now))  # type: ignore[union-attr]
                    continue
                wait = lane.bucket.wait(at)
                if wait > 0 or len(lane.in_flight) >= self.concurrency:
                    await self._wait(lane, wait if wait > 0 else None)
                    continue
                lane.launch(row, at, self._send(lane, row, now))
                attempted += 1
        finally:
            await self._settle(lane)

    # -- one send --------------------------------------------------------------------------------

    async def _send(self, lane: Lane, row: OutboxMessage, started: dt.datetime) -> None:
        result = SendResult(ok=False, error="not sent")
        verdict: Verdict | None = None
        try:
            try:
                result = await self._deliver(lane, row)
            except Exception as error:  # an adapter bug must not stop the queue
                log.exception("send failed for outbox row %s", row.id)
                result = SendResult(ok=False, error=type(error).__name__)
            outcome = Outcome(row.id or 0, result, started, self.clock())
            try:
                verdict = await self._writer.write(outcome)
            except Exception:
                # The row stays leased and goes again once the lease runs out.
                log.exception("could not store how outbox row %s went", row.id)
        finally:
            self._finished(lane, row, result, verdict, started)

    async def _deliver(self, lane: Lane, row: OutboxMessage) -> SendResult:
        delivery = delivery_of(row)
        if self.attachments is not None and self.attachments.needed(delivery):
            # Files are looked up (and charts drawn) off the loop that serves the chats.
            resolved = await asyncio.to_thread(self.attachments.resolve, lane.name, delivery)
            if isinstance(resolved, SendResult):
                return resolved
            delivery = resolved
        return await lane.channel.send(delivery)

    def _finished(
        self,
        lane: Lane,
        row: OutboxMessage,
        result: SendResult,
        verdict: Verdict | None,
        started: dt.datetime,
    ) -> None:
        now = self.clock().timestamp()
        hold = verdict.not_before.timestamp() if verdict and verdict.not_before else None
        if lane.finish(row, result, verdict, started.timestamp(), now, hold):
            lane.pause(now, result, self._rng)

    def _write(self, outcomes: list[Outcome]) -> dict[int, Verdict]:
        return record(self.database, outcomes, self.policy, self._rng)

    # -- helpers ---------------------------------------------------------------------------------

    async def _drain_logged(self, name: str, *, claim: bool = True) -> int:
        try:
            return await self.drain(name, claim=claim)
        except Exception:
            log.exception("outbox drain failed for %s", name)
            return 0

    async def _refill(self, lane: Lane, now: dt.datetime) -> None:
        at = now.timestamp()
        stale = lane.stale(at, self.lease.total_seconds() / 2)
        if stale:
            await self._give_back(stale)
        if not lane.wants_rows(at):
            return
        # In a worker thread: a slow or locked database must not stop polling and sending.
        rows = await asyncio.to_thread(self.claim, lane.name)
        lane.add(rows, at)

    async def _give_back(
        self, rows: list[OutboxMessage], not_before: dt.datetime | None = None
    ) -> None:
        if rows:
            await asyncio.to_thread(release, self.database, rows, not_before)

    async def _wait(self, lane: Lane, seconds: float | None) -> None:
        """Sleep `seconds` (None: no limit), or less if a send finishes meanwhile."""
        lane.progress.clear()
        waiters = {asyncio.ensure_future(lane.progress.wait())}
        if seconds is not None:
            # Clocks tick in microseconds; a shorter sleep would come back to the same moment.
            waiters.add(asyncio.ensure_future(self._sleep(max(seconds, 1e-6))))
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def _settle(self, lane: Lane) -> None:
        """On the way out: let sends in flight finish and be stored, give back held rows."""
        tasks = list(lane.in_flight.values())
        if tasks:
            await asyncio.wait(tasks, timeout=SHUTDOWN_GRACE)
        try:
            # Shielded: a sender being cancelled must still hand its held rows back.
            await asyncio.shield(self._give_back(lane.take_queue()))
        except Exception:
            log.exception("could not give back held outbox rows of %s", lane.name)

    def _quiet_for(self, row: OutboxMessage, now: dt.datetime) -> bool:
        """Whether the row must wait out quiet hours (only replies go out then)."""
        quiet = self.quiet
        return quiet is not None and row.priority > PRIORITY_REPLY and quiet.contains(now)
