"""The few reads and writes every inbound event makes, each in one statement."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from storage.models import Identity, InboundKey, OutboxMessage, OutboxStatus, Person
from storage.outbox_bulk import dialect_insert


def remember_event(session: Session, key: str, at: dt.datetime) -> bool:
    """Record an inbound event's key; False when it was recorded before (a redelivery).

    On PostgreSQL a second worker inserting the same key waits for the first to commit and
    then inserts nothing, so exactly one of them handles the event.
    """
    table = InboundKey.__table__
    statement = (
        dialect_insert(session, table)  # type: ignore[arg-type]
        .values(key=key, at=at)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(table.c.key)  # type: ignore[attr-defined]
    )
    # RETURNING, not rowcount: through the ORM session an upsert reports no row count.
    return session.connection().execute(statement).first() is not None


def account_of(session: Session, channel: str, external_id: str) -> tuple[Identity, Person] | None:
    """Load the chat account and its person together, or None for a stranger."""
    query = (
        select(Identity, Person)
        .join(Person, Person.id == Identity.person_id)  # type: ignore[arg-type]
        .where(Identity.channel == channel, Identity.external_id == external_id)
    )
    found = session.exec(query).first()
    return None if found is None else (found[0], found[1])


def replies_waiting(session: Session, channel: str, chat_id: str, priority: int) -> bool:
    """Whether the chat has replies (rows of at most `priority`) not yet sent.

    Read on the outbox's claim index: only a handful of replies are pending at any time,
    however many announcements wait behind them.
    """
    query = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.priority <= priority,
            OutboxMessage.chat_id == chat_id,
        )
        .limit(1)
    )
    # Through the connection: the ORM's result handling costs more than this query.
    return session.connection().execute(query).first() is not None
