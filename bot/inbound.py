"""Storing inbound events: off the event loop, and held through a database outage until stored."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from bot.held_inbound import HeldInbound
from handlers.messages import Inbound
from storage.db import StorageUnavailable, is_outage

log = logging.getLogger(__name__)

FIRST_DELAY = 0.25
LAST_DELAY = 5.0
REPEAT_WINDOW = 60.0
T = TypeVar("T")

Handle = Callable[[Inbound], Awaitable[Any]]
Sleep = Callable[[float], Awaitable[Any]]


class Worker:
    """One thread with its own event loop, where database work may block without harm.

    A locked SQLite file (busy timeout 30 s) or a slow PostgreSQL would otherwise freeze the
    main loop: the other channel's polling, the outbox sender and the scheduler with it.
    """

    def __init__(self, name: str = "inbound-store") -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=name, daemon=True)
        self._thread.start()

    async def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run `coroutine` on the worker's loop and wait for it without blocking this loop."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coroutine, self._loop))

    def close(self, timeout: float = 5.0) -> None:
        """Stop the worker's loop once its current work is done (waiting at most `timeout`)."""
        if self._loop.is_closed():
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self._loop.close()


class InboundStore:
    """Hands each inbound event to the engine until it is stored, however long that takes.

    Both channels go through one store, so a database outage is reported once, not per
    channel or per try: one line when it starts and one when the database is back. While it
    lasts the channel's `handle` call does not return, so the channel neither confirms the
    event nor fetches the next: the events wait on the platform (or in memory) in order.
    """

    def __init__(
        self,
        handle: Handle,
        *,
        worker: Worker | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        first_delay: float = FIRST_DELAY,
        last_delay: float = LAST_DELAY,
        held: HeldInbound | None = None,
    ) -> None:
        self._handle = handle
        self._held = held
        self._worker = worker
        self._sleep = sleep
        self._clock = clock
        self._first, self._last = first_delay, last_delay
        self._down_since: float | None = None

    @property
    def outage(self) -> bool:
        """True while the database is known to be unavailable."""
        return self._down_since is not None

    async def store(self, inbound: Inbound) -> Any:
        """Hand `inbound` to the engine, retrying with back-off until the database takes it.

        A message that has to wait is written to disk first (when a file is kept), so a
        stop during the outage does not lose it.
        """
        delay = self._first
        waiting = False
        while True:
            try:
                result = await self._attempt(inbound)
            except StorageUnavailable as error:
                self._went_down(error)
                if not waiting and self._held is not None:
                    await asyncio.to_thread(self._held.hold, inbound)
                waiting = True
                await self._sleep(delay)
                delay = min(delay * 2, self._last)
                continue
            self._came_back()
            if waiting and self._held is not None:
                await asyncio.to_thread(self._held.release, inbound)
            return result

    async def store_held(self) -> list[Any]:
        """Store the messages a stop left waiting on disk; return what handling them gave."""
        if self._held is None:
            return []
        waiting = await asyncio.to_thread(self._held.waiting)
        if waiting:
            log.warning("storing %d message(s) held when the bot last stopped", len(waiting))
        results = []
        for inbound in waiting:
            results.append(await self.store(inbound))
            await asyncio.to_thread(self._held.release, inbound)
        await asyncio.to_thread(self._held.clear_if_done)
        return results

    async def _attempt(self, inbound: Inbound) -> Any:
        if self._worker is None:
            return await self._handle(inbound)
        return await self._worker.run(_awaited(self._handle(inbound)))

    def _went_down(self, error: StorageUnavailable) -> None:
        if self._down_since is None:
            self._down_since = self._clock()
            log.warning("database unavailable (%s), holding inbound messages", error)

    def _came_back(self) -> None:
        if self._down_since is not None:
            seconds = self._clock() - self._down_since
            self._down_since = None
            log.warning("database back after %.0f s; handling the held messages", seconds)


async def _awaited(awaitable: Awaitable[T]) -> T:
    return await awaitable


class OutageLogFilter(logging.Filter):
    """Turns database-outage tracebacks into one short line per message and minute.

    Loops that touch the database every second (the outbox sender, the scheduler) would
    otherwise log a full traceback per pass for as long as the database is away.
    """

    def __init__(
        self, window: float = REPEAT_WINDOW, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self._window, self._clock = window, clock
        self._last: dict[tuple[str, str], float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep the record, shortened, or drop it when the same outage line was just logged."""
        error = record.exc_info[1] if record.exc_info else None
        if error is None or not (isinstance(error, StorageUnavailable) or is_outage(error)):
            return True
        key = (record.name, str(record.msg))
        now = self._clock()
        if now - self._last.get(key, -self._window) < self._window:
            return False
        self._last[key] = now
        record.msg = f"{record.getMessage()}: database unavailable ({type(error).__name__})"
        record.args, record.exc_info, record.exc_text = None, None, None
        return True
