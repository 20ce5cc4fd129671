"""Bulk reads and writes for a broadcast's fan-out: a few statements per thousand people."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Row
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.models import Conversation, Identity, OutboxMessage

BATCH = 1000
"""Ids per IN list and rows per INSERT: well under SQLite's and PostgreSQL's parameter limits."""


def _batches(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def identities_by_person(session: Session, person_ids: Sequence[int]) -> dict[int, list[Row[Any]]]:
    """Return each person's chat accounts (id, channel, external_id, chat_id, reachable, seen)."""
    found: dict[int, list[Row[Any]]] = {}
    for batch in _batches(person_ids):
        rows = session.exec(
            select(
                Identity.id,
                Identity.person_id,
                Identity.channel,
                Identity.external_id,
                Identity.chat_id,
                Identity.reachable,
                Identity.last_seen_at,
            )
            .where(col(Identity.person_id).in_(batch))
            .order_by(col(Identity.id))
        ).all()
        for row in rows:
            found.setdefault(row.person_id, []).append(row)
    return found


def existing_keys(session: Session, keys: Sequence[str]) -> set[str]:
    """Return which of these idempotency keys are in the outbox already."""
    found: set[str] = set()
    for batch in _batches(keys):
        found.update(
            key
            for key in session.exec(
                select(OutboxMessage.idempotency_key).where(
                    col(OutboxMessage.idempotency_key).in_(batch)
                )
            )
            if key is not None
        )
    return found


def waiting_questions(session: Session) -> dict[tuple[str, str], Row[Any]]:
    """Return the chats in the middle of a dialog with a question, by (channel, external_id)."""
    rows = session.exec(
        select(
            Conversation.channel,
            Conversation.external_id,
            Conversation.prompt,
            Conversation.choices,
            Conversation.offer,
        ).where(Conversation.step != "", Conversation.prompt != "")
    ).all()
    return {(row.channel, row.external_id): row for row in rows}


def insert_outbox(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert outbox rows in order, in batches; a row whose key is taken is left out."""
    if not rows:
        return
    session.flush()
    bind = session.get_bind()
    dialect = postgresql if bind.dialect.name == "postgresql" else sqlite
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    statement = dialect.insert(table).on_conflict_do_nothing(index_elements=["idempotency_key"])
    for batch in _batches(rows):
        session.execute(statement, list(batch))
