"""Where a kept photo or file is for the sender (bot.attachments): the `media:ID` lookup.

- A Telegram photo or file goes to Telegram by its file_id at once, downloaded or not.
- Once downloaded, every other app gets the bot's copy (a signed link on Zalo).
- A Zalo photo not yet downloaded goes to Zalo by its own URL; other apps wait for the copy.
- While a download is still being tried, apps that need the copy wait, but only for
  `WAIT_FOR_DOWNLOAD`: after that, and when it failed for good, the message goes without it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from bot.attachments import Found, MediaLookup
from bot.media_fetch import REFUSED
from storage.media import lookup
from storage.models import MediaStatus, utcnow

WAIT_FOR_DOWNLOAD = dt.timedelta(minutes=10)
"""How long a message waits for a photo still downloading; well inside the sender's hour of
retries, so the message itself is never lost for its photo."""


def media_lookup(
    database: Engine, folder: Path, clock: Callable[[], dt.datetime] = utcnow
) -> MediaLookup:
    """The lookup the sender resolves `media:ID` references with."""
    folder = Path(folder)

    def find(media_id: int) -> Found:
        with Session(database) as session:
            row = lookup(session, media_id)
            if row is None:
                return Found()
            session.expunge(row)
        native = row.platform_ref if row.channel == "telegram" else ""
        if row.status == MediaStatus.STORED:
            path = folder / row.stored_path
            return Found(native=native, native_channel=row.channel, path=path)
        if row.status == MediaStatus.FAILED:
            # A file refused for what it is goes nowhere; Telegram may still show its own.
            refused = row.last_error.startswith(REFUSED) and row.kind != "photo"
            return Found(native="" if refused else native, native_channel=row.channel)
        created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=dt.UTC)
        waiting = clock() - created < WAIT_FOR_DOWNLOAD
        if row.channel == "zalo" and row.attempts == 0:
            # Its URL still works on Zalo until the first download try said otherwise.
            return Found(native=row.platform_ref, native_channel="zalo", pending=waiting)
        return Found(native=native, native_channel=row.channel, pending=waiting)

    return find
