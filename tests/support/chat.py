"""Drives the engine as one person's chat would, turn by turn."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import Engine
from sqlmodel import Session, select

from handlers.engine import Engine as DialogEngine
from handlers.messages import INERT, Inbound
from storage.db import transaction
from storage.models import InviteCode, OutboxMessage, Role, Unit
from storage.people import add_unit, create_invite

_keys = itertools.count(1)


class Chat:
    """One chat account talking to the bot; remembers what it has been sent.

    `choices` are those of the newest message that offered any, read by `send`/`inbox`.
    """

    def __init__(
        self, engine: DialogEngine, channel: str = "telegram", external_id: str = "1001"
    ) -> None:
        self.engine = engine
        self.channel = channel
        self.external_id = external_id
        self.seen = 0
        self.last: list[OutboxMessage] = []
        self.choices: list[list[str]] = []

    @property
    def database(self) -> Engine:
        """The engine's database."""
        return self.engine.database

    async def send(self, text: str = "", **extra: str) -> list[str]:
        """Send a text (or photo/document via keywords); return the texts the chat receives."""
        inbound = Inbound(
            channel=self.channel,
            external_id=self.external_id,
            chat_id=self.external_id,
            message_key=f"{self.channel}:test:{next(_keys)}",
            at=dt.datetime.now(dt.UTC),
            text=text,
            **extra,
        )
        await self.engine.handle(inbound)
        return self.inbox()

    async def press(self, data: str) -> list[str]:
        """Tap a button by its raw callback data, as Telegram would deliver it."""
        return await self.send(choice=data)

    async def tap_on(self, message_id: str, label: str) -> list[str]:
        """Tap the offered button with this label on Telegram message `message_id`, reported
        as Telegram does: with the message tapped and the button's label."""
        for cid, shown in self.choices:
            if shown == label:
                return await self.send(choice=cid, tapped_message_id=message_id, tapped_label=shown)
        raise AssertionError(f"no choice {label!r} among {[c[1] for c in self.choices]}")

    async def tap(self, label: str) -> list[str]:
        """Tap the offered choice with this label: a button on Telegram, its number on Zalo."""
        for index, (cid, shown) in enumerate(self.choices):
            if shown == label:
                if self.channel == "telegram":
                    return await self.press(cid)
                return await self.send(str(index + 1))
        raise AssertionError(f"no choice {label!r} among {[c[1] for c in self.choices]}")

    def inbox(self) -> list[str]:
        """Return the texts queued for this chat since the last look."""
        with Session(self.database) as session:
            query = (
                select(OutboxMessage)
                .where(
                    OutboxMessage.channel == self.channel,
                    OutboxMessage.chat_id == self.external_id,
                    OutboxMessage.id > self.seen,  # type: ignore[operator]
                )
                .order_by(OutboxMessage.id)  # type: ignore[arg-type]
            )
            self.last = list(session.exec(query))
        if self.last:
            self.seen = self.last[-1].id or self.seen
            # A line showing what was chosen is no choice to make.
            offered = [row.choices for row in self.last if row.choices and not _inert(row)]
            if offered:
                self.choices = offered[-1]
        return [row.text for row in self.last]

    def last_rows(self) -> list[OutboxMessage]:
        """Return the outbox rows queued for this chat since the last look."""
        self.inbox()
        return self.last

    def labels(self) -> list[str]:
        """Return the labels of the choices offered last."""
        return [label for _cid, label in self.choices]


def _inert(row: OutboxMessage) -> bool:
    return all(cid == INERT for cid, _label in row.choices)


def invite(
    database: Engine, role: Role, unit: str | None = None, now: dt.datetime | None = None
) -> str:
    """Create a unit if needed and an invite code for it, as the CLI does."""
    now = now or dt.datetime.now(dt.UTC)
    with transaction(database) as session:
        unit_id = None
        if unit:
            found = session.exec(select(Unit).where(Unit.name == unit)).first()
            unit_id = (found or add_unit(session, unit, "village")).id
        code: InviteCode = create_invite(session, role.value, now, unit_id=unit_id)
        return code.code


async def joined(
    engine: DialogEngine,
    role: Role,
    name: str,
    *,
    unit: str | None = None,
    channel: str = "telegram",
    external_id: str = "1001",
) -> Chat:
    """Return a chat that has redeemed an invite and given its name."""
    chat = Chat(engine, channel, external_id)
    code = invite(engine.database, role, unit, engine.clock())
    await chat.send(f"/start {code}" if channel == "telegram" else code)
    await chat.send(name)
    return chat
