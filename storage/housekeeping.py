"""Housekeeping: prune the rows that would otherwise grow forever, a bounded batch at a time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Engine, delete, exists, or_
from sqlmodel import SQLModel, col, select

from storage.db import transaction
from storage.models import Broadcast, InboundKey, OutboxMessage, OutboxStatus

BATCH = 500
"""Rows deleted per transaction: small enough that the bot's own writes never wait long."""


@dataclass(frozen=True)
class Retention:
    """How long each kind of finished row is kept."""

    inbound_keys: dt.timedelta = dt.timedelta(days=14)
    """Processed-message keys: the platforms replay an update within hours, not weeks."""
    sent: dt.timedelta = dt.timedelta(days=30)
    failed: dt.timedelta = dt.timedelta(days=90)
    """Failed messages stay longer: someone may still be looking into why."""

    @classmethod
    def days(cls, inbound_keys: int, sent: int, failed: int) -> Retention:
        """Build a retention from whole days; ValueError when one is under a day."""
        for name, value in (
            ("INBOUND_KEY_DAYS", inbound_keys),
            ("OUTBOX_KEEP_DAYS", sent),
            ("OUTBOX_FAILED_KEEP_DAYS", failed),
        ):
            if value < 1:
                raise ValueError(f"{name} must be at least 1 day, not {value}")
        day = dt.timedelta(days=1)
        return cls(inbound_keys * day, sent * day, failed * day)


@dataclass
class Pruned:
    """How many rows one housekeeping pass deleted."""

    inbound_keys: int = 0
    sent: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        """All rows deleted."""
        return self.inbound_keys + self.sent + self.failed


def _no_report_waiting() -> ColumnElement[bool]:
    # A broadcast's report counts its rows: keep them until the report has been queued.
    waiting = exists().where(
        col(Broadcast.id) == OutboxMessage.broadcast_id, col(Broadcast.reported_at).is_(None)
    )
    return or_(col(OutboxMessage.broadcast_id).is_(None), ~waiting)


def _delete_in_batches(
    database: Engine, table: type[SQLModel], key: Any, where: list[Any], batch: int
) -> int:
    """Delete the rows matching `where`, `batch` rows per transaction; return how many."""
    total = 0
    while True:
        with transaction(database) as session:
            keys = list(session.exec(select(key).where(*where).limit(batch)))
            if keys:
                # The conditions again: a row that changed since the select is left alone.
                statement = delete(table).where(col(key).in_(keys), *where)
                result = session.execute(statement.execution_options(synchronize_session=False))
                total += result.rowcount  # type: ignore[attr-defined]
        if len(keys) < batch:
            return total


def prune(
    database: Engine, now: dt.datetime, retention: Retention = Retention(), batch: int = BATCH
) -> Pruned:
    """Delete old processed-message keys and old sent or failed outbox rows.

    Pending rows are never touched, nor the rows of a broadcast whose report is still to come.
    Safe to run twice or in two processes at once: each batch re-checks its conditions.
    """
    now = now.astimezone(dt.UTC)
    pruned = Pruned()
    pruned.inbound_keys = _delete_in_batches(
        database,
        InboundKey,
        InboundKey.key,
        [col(InboundKey.at) < now - retention.inbound_keys],
        batch,
    )
    pruned.sent = _delete_in_batches(
        database,
        OutboxMessage,
        OutboxMessage.id,
        [
            col(OutboxMessage.status) == OutboxStatus.SENT.value,
            col(OutboxMessage.sent_at) < now - retention.sent,
            _no_report_waiting(),
        ],
        batch,
    )
    pruned.failed = _delete_in_batches(
        database,
        OutboxMessage,
        OutboxMessage.id,
        [
            col(OutboxMessage.status) == OutboxStatus.FAILED.value,
            col(OutboxMessage.created_at) < now - retention.failed,
            _no_report_waiting(),
        ],
        batch,
    )
    return pruned
