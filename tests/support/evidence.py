"""The bot wired with its media fetcher and file resolution, for tests of photos in reports."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.attachments import Attachments
from bot.channels.telegram import TelegramChannel
from bot.channels.zalo import ZaloChannel
from bot.links import LinkSigner
from bot.media_fetch import MediaFetcher
from bot.media_lookup import media_lookup
from handlers.engine import Engine as DialogEngine
from handlers.file_refs import use_public_links
from handlers.messages import Inbound
from storage.db import transaction
from storage.models import Identity, Media, Person, Role, Unit
from tests.support.clock import FakeClock
from tests.support.wired import WAIT, Wired

SECRET = b"link secret of the tests"
PLAN = ("669/KH-SGDĐT", "V/v tiếp tục triển khai Đề án Xây dựng xã hội học tập 2021 - 2030")
PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00 photo of the leaking roof of the culture house \xff\xd9"
"""What the village head's photo holds: a JPEG by its first bytes."""


def register(
    database: Engine, name: str, role: Role, channel: str, external_id: str, unit: str = ""
) -> int:
    """A person with one chat account, as joining leaves them; return the person's id."""
    with transaction(database) as session:
        unit_id = None
        if unit:
            found = session.exec(select(Unit).where(Unit.name == unit)).first()
            assert found is not None, f"no unit {unit}"
            unit_id = found.id
        person = Person(name=name, role=role.value, unit_id=unit_id)
        session.add(person)
        session.flush()
        identity = Identity(
            person_id=person.id or 0, channel=channel, external_id=external_id, chat_id=external_id
        )
        session.add(identity)
        return person.id or 0


def kept_media(database: Engine) -> list[Media]:
    """Every photo and file kept for download, oldest first."""
    with Session(database) as session:
        return list(session.exec(select(Media).order_by(Media.id)))  # type: ignore[arg-type]


@contextlib.contextmanager
def public_links(enabled: bool) -> Iterator[None]:
    """Run with the bot having a public address (PUBLIC_URL) or not, as its texts see it."""
    use_public_links(enabled)
    try:
        yield
    finally:
        use_public_links(False)


def attachments_for(
    database: Engine, folders: dict[str, Path], clock: FakeClock, public_url: str = ""
) -> Attachments:
    """What bot.app.serve_files builds: the sender's file resolution with the media lookup."""
    signer = LinkSigner(SECRET, public_url)
    return Attachments(signer, folders, media=media_lookup(database, folders["media"], clock))


class Bot(Wired):
    """One app wired as bot.app wires it: polling, sending with files resolved, and the
    media fetcher woken after every event with a photo or file."""

    def __init__(
        self,
        channel: TelegramChannel | ZaloChannel,
        engine: DialogEngine,
        clock: FakeClock,
        attachments: Attachments,
        fetcher: MediaFetcher,
    ) -> None:
        super().__init__(channel, engine, clock)
        self.sender.attachments = attachments
        self.fetcher = fetcher

    async def __aenter__(self) -> Bot:
        await super().__aenter__()
        return self

    async def _handle(self, inbound: Inbound) -> None:
        await super()._handle(inbound)
        self.fetcher.noticed(inbound)


async def until_kept(database: Engine, count: int = 1) -> list[Media]:
    """Wait until `count` kept files are no longer pending; return every kept file."""

    async def settled() -> list[Media]:
        while True:
            rows = kept_media(database)
            if len(rows) >= count and all(row.status != "pending" for row in rows[:count]):
                return rows
            await asyncio.sleep(0.01)

    return await asyncio.wait_for(settled(), WAIT)
