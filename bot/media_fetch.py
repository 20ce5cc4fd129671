"""The media fetcher: downloads the photos and files people sent into MEDIA_DIR.

Rows come from storage.media (written in the turn the photo arrived). The fetcher wakes
right after an event carrying a photo or file, since Zalo's image URLs expire, and every few
seconds besides for retries. Each download goes through the channel adapter the photo came
from, is checked for size (MEDIA_MAX_BYTES) and type (bot.file_types, by its bytes), then
written as MEDIA_DIR/YYYY/MM/<id>.<ext> through a temporary file and a rename, so a reader
never sees half a file. Database work runs in worker threads; two fetchers (or a restart)
never fetch one row together, as each claims rows with a conditional update.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import tempfile
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Protocol, cast

from sqlalchemy import Engine

from bot.channels.base import FetchedFile, FetchFailed
from bot.file_types import sniff
from handlers.messages import Inbound
from storage.db import transaction
from storage.media import claim_due, mark_failed, mark_stored
from storage.models import Media, utcnow

log = logging.getLogger(__name__)
LOOK_EVERY = 5.0
"""Seconds between looks for retries that came due, when nothing wakes the fetcher."""
BATCH = 8
REFUSED = "refused: "
"""How the last error of a file refused for its content begins."""


class Fetches(Protocol):
    """A channel adapter that can download what its people sent."""

    async def fetch_file(self, ref: str, limit: int) -> FetchedFile:
        """The file's bytes; FetchFailed when it cannot be had."""


class MediaFetcher:
    """Downloads due media rows through their channels and stores them in `folder`."""

    def __init__(
        self,
        database: Engine,
        channels: Mapping[str, object],
        folder: Path,
        max_bytes: int,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.database, self.folder, self.max_bytes = database, Path(folder), max_bytes
        self.channels: dict[str, Fetches] = {
            name: cast(Fetches, channel)
            for name, channel in channels.items()
            if hasattr(channel, "fetch_file")
        }
        self.clock, self._sleep = clock, sleep
        self.wake = asyncio.Event()

    def noticed(self, inbound: Inbound) -> None:
        """Called after each inbound event is handled: one with a photo or file may have been
        kept for download, and Zalo's image URLs expire, so it is fetched at once."""
        if inbound.photo or inbound.document:
            self.wake.set()

    async def run(self) -> None:
        """Fetch what is due, then wait for a wake-up or LOOK_EVERY seconds; forever."""
        wake = self.wake
        while True:
            wake.clear()
            try:
                await self.fetch_due()
            except Exception:
                # A database outage or a bug in one pass must not end the fetching.
                log.exception("media fetch pass failed")
            waiters = {
                asyncio.ensure_future(wake.wait()),
                asyncio.ensure_future(self._sleep(LOOK_EVERY)),
            }
            try:
                await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waiters:
                    waiter.cancel()

    async def fetch_due(self) -> int:
        """Fetch every row due now, a batch at a time; return how many were tried."""
        tried = 0
        while rows := await asyncio.to_thread(self._claim):
            await asyncio.gather(*(self.fetch(row) for row in rows))
            tried += len(rows)
        return tried

    def _claim(self) -> list[Media]:
        with transaction(self.database) as session:
            return claim_due(session, self.clock(), BATCH)

    async def fetch(self, row: Media) -> None:
        """Download one claimed row and store it, or note why not."""
        channel = self.channels.get(row.channel)
        if channel is None:
            await self._failed(row, f"no {row.channel} channel running")
            return
        try:
            fetched = await channel.fetch_file(row.platform_ref, self.max_bytes)
        except FetchFailed as failure:
            await self._failed(row, failure.reason, final=failure.final)
            return
        except Exception as error:  # an adapter bug: try again later, never stop the others
            log.exception("fetching media %s failed", row.id)
            await self._failed(row, type(error).__name__)
            return
        data = fetched.data
        if len(data) > self.max_bytes:
            await self._failed(row, f"{REFUSED}larger than {self.max_bytes} bytes", final=True)
            return
        found = sniff(data, row.file_name)
        if found is None or (row.kind == "photo" and not found.photo):
            await self._failed(row, f"{REFUSED}not a kind of file that is kept", final=True)
            return
        at = _aware(row.created_at)
        relative = f"{at:%Y}/{at:%m}/{row.id}.{found.extension}"
        try:
            await asyncio.to_thread(_write, self.folder / relative, data)
        except OSError as error:
            await self._failed(row, f"could not write the file: {error.strerror or error}")
            return
        await asyncio.to_thread(self._stored, row, relative, found.content_type, len(data))

    def _stored(self, row: Media, relative: str, content_type: str, size: int) -> None:
        with transaction(self.database) as session:
            mark_stored(session, row.id or 0, path=relative, content_type=content_type, size=size)
        log.info("media %s kept (%s bytes)", row.id, size)

    async def _failed(self, row: Media, reason: str, *, final: bool = False) -> None:
        def note() -> str:
            with transaction(self.database) as session:
                return mark_failed(session, row.id or 0, reason, self.clock(), final=final)

        status = await asyncio.to_thread(note)
        log.warning("media %s not fetched (%s): %s", row.id, status, reason)


def _write(path: Path, data: bytes) -> None:
    """Write `data` to `path` whole or not at all: a temporary file renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
