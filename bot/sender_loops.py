"""When the outbox sender drains: one loop per channel, woken by new rows or handed replies.

A mixin of OutboxSender (bot.delivery), which supplies the draining and the sending; kept
apart so each module stays small.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import Engine

from bot.outbox_rows import next_due
from bot.sender_lane import Lane
from handlers.quiet import QuietHours
from storage.models import OutboxMessage

log = logging.getLogger("bot.delivery")


class SenderLoops:
    """The channel loops, the hand-over of replies and the pass hook of an outbox sender."""

    database: Engine
    quiet: QuietHours | None
    on_pass: Callable[[], object] | None
    clock: Callable[[], dt.datetime]
    _sleep: Callable[[float], Awaitable[object]]
    _lanes: dict[str, Lane]
    _tasks: set[asyncio.Future[None]]

    async def _drain_logged(self, name: str, *, claim: bool = True) -> int:
        raise NotImplementedError

    async def _give_back(
        self, rows: list[OutboxMessage], not_before: dt.datetime | None = None
    ) -> None:
        raise NotImplementedError

    async def run(self, wake: asyncio.Event, idle_seconds: float = 1.0) -> None:
        """Send whatever is due, each channel in its own loop; between passes a channel sleeps
        until woken or its next row is due.

        Separate loops, so a reply on one app never waits for a long announcement on another.
        """
        woken = {name: asyncio.Event() for name in self._lanes}

        async def relay() -> None:
            while True:
                await wake.wait()
                wake.clear()
                for event in woken.values():
                    event.set()

        loops = [self._channel_loop(name, woken[name], idle_seconds) for name in self._lanes]
        await asyncio.gather(relay(), *loops)

    async def _channel_loop(self, name: str, woken: asyncio.Event, idle_seconds: float) -> None:
        lane = self._lanes[name]
        while True:
            woken.clear()
            await self._drain_logged(name)
            await self._after_pass()
            idle = await asyncio.to_thread(self._idle, idle_seconds, [name])
            napping = asyncio.ensure_future(self._sleep(idle))
            try:
                # Replies handed over meanwhile are sent without a full pass: no claim, no hook.
                while not woken.is_set() and not napping.done():
                    if lane.queue:
                        await self._drain_logged(name, claim=False)
                        continue
                    lane.handed.clear()
                    waiting = asyncio.ensure_future(woken.wait())
                    handed = asyncio.ensure_future(lane.handed.wait())
                    try:
                        await asyncio.wait(
                            {waiting, handed, napping}, return_when=asyncio.FIRST_COMPLETED
                        )
                    finally:
                        waiting.cancel()
                        handed.cancel()
            finally:
                napping.cancel()

    def hand_over(self, rows: list[OutboxMessage]) -> None:
        """Take replies leased when their event was stored, to send without claiming them."""
        now = self.clock().timestamp()
        for name, lane in self._lanes.items():
            lane.hand([row for row in rows if row.channel == name], now)
        strays = [row for row in rows if row.channel not in self._lanes]
        if strays:
            # No lane sends these here: their lease is lifted so a claim anywhere finds them.
            task = asyncio.ensure_future(self._give_back(strays))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def pass_once(self) -> int:
        """Drain every channel side by side, then call `on_pass`; return the sends attempted."""
        counts = await asyncio.gather(
            *(self._drain_logged(name) for name in self._lanes), return_exceptions=False
        )
        await self._after_pass()
        return sum(counts)

    async def _after_pass(self) -> None:
        """Call the `on_pass` hook (database work: in a worker thread unless it is async)."""
        if self.on_pass is None:
            return
        try:
            if inspect.iscoroutinefunction(self.on_pass):
                await self.on_pass()
            else:
                await asyncio.to_thread(self.on_pass)
        except Exception:
            log.exception("the outbox on_pass hook failed")


    def _idle(self, idle_seconds: float, channels: list[str] | None = None) -> float:
        """Seconds until the next row falls due (or quiet hours end), at most `idle_seconds`."""
        now = self.clock()
        try:
            due = next_due(self.database, channels or list(self._lanes), now)
        except Exception:
            # The database may be back by the next pass; the loop must outlive it.
            log.exception("could not read when the outbox is next due")
            return idle_seconds
        if due is None:
            return idle_seconds
        if self.quiet is not None and self.quiet.contains(now):
            due = max(due, self.quiet.next_allowed(now))
        return min(idle_seconds, max(0.1, (due - now).total_seconds()))
