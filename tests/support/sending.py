"""Helpers for outbox sender tests: a sleep that moves the fake clock, a scripted channel."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.channels.base import Delivery, SendResult
from handlers.messages import PRIORITY_REPLY, Outbound, Recipient
from handlers.outbox import enqueue
from storage.db import transaction
from storage.models import Identity, OutboxMessage, Person
from tests.support.clock import FakeClock


class Sleeper:
    """Stands in for asyncio.sleep: moves the fake clock instead of waiting."""

    def __init__(self, clock: FakeClock, on_sleep: Callable[[float], None] | None = None) -> None:
        self.clock = clock
        self.slept: list[float] = []
        self.on_sleep = on_sleep

    async def __call__(self, seconds: float) -> None:
        if self.on_sleep is not None:
            self.on_sleep(seconds)
        self.slept.append(seconds)
        self.clock.advance(seconds=seconds)
        await asyncio.sleep(0)


@dataclass(frozen=True)
class Attempt:
    """One send the channel was asked for, and when (on the fake clock)."""

    chat_id: str
    text: str
    skip_parts: int
    at: dt.datetime


class ScriptedChannel:
    """A channel that records sends and answers scripted results per chat, else ok.

    A script entry may be a SendResult or a callable taking the delivery. `gate`, when set,
    holds every send until the test opens it, to watch how many are in flight at once.
    """

    text_limit = 4096

    def __init__(
        self,
        clock: FakeClock,
        name: str = "telegram",
        results: dict[str, list[SendResult | Callable[[Delivery], SendResult]]] | None = None,
        parts: int = 1,
    ) -> None:
        self.name = name
        self.clock = clock
        self.results = results or {}
        self.parts = parts
        self.attempts: list[Attempt] = []
        self.gate: asyncio.Event | None = None
        self.on_send: Callable[[Delivery], None] | None = None
        self.in_flight: dict[str, int] = {}
        self.most_in_flight = 0
        self.most_to_one_chat = 0

    async def send(self, delivery: Delivery) -> SendResult:
        """Record the delivery; answer its chat's next scripted result, else ok."""
        chat = delivery.chat_id
        self.attempts.append(Attempt(chat, delivery.text, delivery.skip_parts, self.clock.now))
        self.in_flight[chat] = self.in_flight.get(chat, 0) + 1
        self.most_to_one_chat = max(self.most_to_one_chat, self.in_flight[chat])
        self.most_in_flight = max(self.most_in_flight, sum(self.in_flight.values()))
        try:
            if self.on_send is not None:
                self.on_send(delivery)
            if self.gate is not None:
                await self.gate.wait()
            scripted = self.results.get(chat)
            if scripted:
                answer = scripted.pop(0)
                return answer if isinstance(answer, SendResult) else answer(delivery)
            return SendResult(ok=True, parts_sent=self.parts - delivery.skip_parts)
        finally:
            self.in_flight[chat] -= 1

    def sent_to(self, chat_id: str) -> list[Attempt]:
        """Every attempt to one chat, in order."""
        return [attempt for attempt in self.attempts if attempt.chat_id == chat_id]


def queue(
    database: Engine,
    chat_id: str,
    text: str,
    now: dt.datetime,
    priority: int = PRIORITY_REPLY,
    channel: str = "telegram",
) -> int:
    """Queue one message to a chat in the outbox; return its row id."""
    with transaction(database) as session:
        row = enqueue(
            session, Outbound(Recipient(channel, chat_id), text, priority=priority), "vi", now
        )
        assert row is not None
        session.flush()
        return row.id or 0


def person_with_chat(database: Engine, chat_id: str, channel: str = "telegram") -> int:
    """Register a focal point reachable in one chat; return the person's id."""
    with transaction(database) as session:
        person = Person(name=f"Người nhận {chat_id}", role="focal")
        session.add(person)
        session.flush()
        session.add(
            Identity(
                person_id=person.id or 0, channel=channel, external_id=chat_id, chat_id=chat_id
            )
        )
        return person.id or 0


def row(database: Engine, row_id: int) -> OutboxMessage:
    """One outbox row as stored now."""
    with Session(database) as session:
        found = session.get(OutboxMessage, row_id)
        assert found is not None
        return found


def rows(database: Engine) -> list[OutboxMessage]:
    """Every outbox row as stored now, oldest first."""
    with Session(database) as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))))


def identity(database: Engine, chat_id: str) -> Identity:
    """The identity behind a chat as stored now."""
    with Session(database) as session:
        return session.exec(select(Identity).where(Identity.chat_id == chat_id)).one()
