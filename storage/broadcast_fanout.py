"""Bulk reads and writes for a broadcast's fan-out beside those in storage.outbox_bulk."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Row
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from storage.models import Conversation, OutboxMessage

BATCH = 1000
"""Ids per IN list and rows per INSERT: well under SQLite's and PostgreSQL's parameter limits."""


def _batches(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


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
