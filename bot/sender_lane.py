"""One channel's side of the outbox sender: rows held, sends in flight, pace and pauses."""

from __future__ import annotations

import asyncio
import bisect
import logging
import random
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from bot.channels.base import Channel, SendResult
from bot.outbox_rows import Verdict
from bot.pacing import ChatGate, FloodWatch, Pace, TokenBucket, backoff
from storage.models import OutboxMessage, OutboxStatus

log = logging.getLogger("bot.delivery")

LOOK_EVERY = 0.5
"""Seconds between claims while rows are held, so newly due rows (a reply) join soon."""


@dataclass
class ChannelStats:
    """What one channel's sender did since it started."""

    attempted: int = 0
    sent: int = 0
    failed: int = 0
    retried: int = 0
    limited: int = 0
    """Sends refused with 429 (too many requests)."""
    pauses: int = 0
    """Times the whole channel paused because most sends were refused."""
    peak_in_flight: int = 0


def _order(row: OutboxMessage) -> tuple[int, int]:
    return row.priority, row.id or 0


class Lane:
    """The rows one channel holds and the sends it has in flight, with its pace."""

    def __init__(self, name: str, channel: Channel, pace: Pace) -> None:
        self.name = name
        self.channel = channel
        self.pace = pace
        self.bucket = TokenBucket(pace.rate)
        self.gate = ChatGate(pace.chat_rate)
        # At a high rate "the last few sends" are a tenth of a second of them, not five.
        self.flood = FloodWatch(streak=max(5, round(pace.rate / 10)))
        self.queue: list[OutboxMessage] = []
        self.in_flight: dict[str, asyncio.Task[None]] = {}
        self.progress = asyncio.Event()
        self.handed = asyncio.Event()
        """Set when replies were handed over straight from their event (no claim needed)."""
        self.paused_until = 0.0
        self.pause_streak = 0
        self.look_again = True
        self.stats = ChannelStats()
        self._claimed: dict[int, float] = {}
        self._handed: set[int] = set()
        self._next_look = 0.0
        self._next_stale_check = 0.0

    @property
    def room(self) -> int:
        """How many more rows to claim now."""
        return max(1, self.pace.batch - len(self.queue))

    @property
    def held(self) -> set[str]:
        """Chats with a row held or a send in flight: no other row of theirs is claimed."""
        return {row.chat_id for row in self.queue} | set(self.in_flight)

    def wants_rows(self, now: float) -> bool:
        """Whether to claim now: few rows held, and something changed or a while passed."""
        if len(self.queue) > self.pace.batch // 2:
            return False
        if not self.look_again and now < self._next_look:
            return False
        self.look_again = False
        self._next_look = now + LOOK_EVERY
        return True

    def add(self, rows: list[OutboxMessage], now: float) -> None:
        """Hold freshly claimed rows, in priority order."""
        for row in rows:
            bisect.insort(self.queue, row, key=_order)
            self._claimed[row.id or 0] = now
        if rows:
            # There may be more where these came from.
            self.look_again = True

    def hand(self, rows: list[OutboxMessage], now: float) -> None:
        """Hold replies leased when their event was stored; sending them needs no claim."""
        for row in rows:
            bisect.insort(self.queue, row, key=_order)
            self._claimed[row.id or 0] = now
            self._handed.add(row.id or 0)
        if rows:
            self.progress.set()
            self.handed.set()

    def pick(self, now: float) -> tuple[OutboxMessage | None, float | None]:
        """The first held row whose chat may get it now; else when the next one may."""
        earliest: float | None = None
        for row in self.queue:
            ready = self.gate.ready_at(row.chat_id)
            if ready is None:
                continue
            if ready <= now:
                return row, None
            earliest = ready if earliest is None else min(earliest, ready)
        return None, earliest

    def launch(
        self, row: OutboxMessage, now: float, send: Coroutine[Any, Any, None]
    ) -> asyncio.Task[None]:
        """Start sending a held row."""
        self.queue.remove(row)
        self._claimed.pop(row.id or 0, None)
        self.gate.start(row.chat_id, now)
        self.bucket.take(now)
        task = asyncio.create_task(send)
        self.in_flight[row.chat_id] = task
        self.stats.attempted += 1
        self.stats.peak_in_flight = max(self.stats.peak_in_flight, len(self.in_flight))
        return task

    def finish(
        self,
        row: OutboxMessage,
        result: SendResult,
        verdict: Verdict | None,
        started: float,
        now: float,
        hold: float | None,
    ) -> bool:
        """A send is over and stored; True when refusals say the whole channel should pause."""
        self.in_flight.pop(row.chat_id, None)
        handed = row.id in self._handed
        self._handed.discard(row.id or 0)
        self.gate.finish(row.chat_id, result.parts_sent, hold)
        if result.parts_sent > 1:
            # The token paid for one message; the other parts are paid for by waiting.
            self.bucket.take(now, result.parts_sent - 1)
        if result.limited and not result.parts_sent:
            self.bucket.refund(started)
        self.gate.forget_past(now)
        status = verdict.status if verdict else None
        self.stats.sent += status == OutboxStatus.SENT
        self.stats.failed += status == OutboxStatus.FAILED
        self.stats.retried += status == OutboxStatus.PENDING
        self.stats.limited += result.limited
        if result.ok:
            self.pause_streak = 0
        if not handed or not result.ok:
            # The chat's next row was left out of every claim while this one was held. After
            # a handed reply there is none older: its event checked, and newer ones wake us.
            self.look_again = True
        self.progress.set()
        refused = result.limited or (not result.ok and not result.final and not result.deferred)
        return self.flood.observe(started, now, refused)

    def pause(self, now: float, result: SendResult, rng: random.Random) -> None:
        """Send nothing on this channel for the refusal's retry_after, else a growing back-off."""
        if result.retry_after is not None:
            seconds = result.retry_after
        else:
            seconds = backoff(self.pause_streak + 1, rng, first=1.0, cap=60.0)
        self.paused_until = max(self.paused_until, now + seconds)
        self.pause_streak += 1
        self.stats.pauses += 1
        self.flood.paused(now)
        log.warning(
            "%s refuses most sends (%s): pausing the channel %.1f s",
            self.name,
            result.error,
            seconds,
        )

    def take_queue(self) -> list[OutboxMessage]:
        """Let go of every held row (to give back to the outbox)."""
        rows, self.queue = self.queue, []
        self._claimed.clear()
        self._handed.difference_update(row.id or 0 for row in rows)
        return rows

    def stale(self, now: float, age: float) -> list[OutboxMessage]:
        """Let go of rows held longer than `age` seconds, before their lease runs out."""
        if now < self._next_stale_check:
            return []
        self._next_stale_check = now + 1.0
        old = [row for row in self.queue if now - self._claimed.get(row.id or 0, now) > age]
        for row in old:
            self.queue.remove(row)
            self._claimed.pop(row.id or 0, None)
            self._handed.discard(row.id or 0)
        return old
