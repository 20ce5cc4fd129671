"""Housekeeping: old message keys and finished outbox rows go; pending work and reports stay."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session, col, select

from storage.db import transaction
from storage.housekeeping import Pruned, Retention, prune
from storage.models import Broadcast, InboundKey, OutboxMessage, OutboxStatus, Role
from tests.support.assignments import seed_person

NOW = dt.datetime(2026, 3, 20, 1, 0, tzinfo=dt.UTC)
SENT, FAILED, PENDING = OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.PENDING


def days_ago(days: int) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def seen(database: Engine, key: str, days: int) -> None:
    """A message the engine processed `days` ago."""
    with transaction(database) as session:
        session.add(InboundKey(key=key, at=days_ago(days)))


def queued(
    database: Engine, text: str, status: OutboxStatus, days: int, broadcast: int | None = None
) -> None:
    """An outbox row created `days` ago and, when sent, sent then too."""
    with transaction(database) as session:
        session.add(
            OutboxMessage(
                channel="telegram",
                chat_id="100",
                text=text,
                status=status.value,
                broadcast_id=broadcast,
                created_at=days_ago(days),
                not_before=days_ago(days),
                sent_at=days_ago(days) if status == SENT else None,
            )
        )


def announced(database: Engine, author: int, *, reported: bool) -> int:
    """A broadcast made 40 days ago, its report queued or still to come."""
    with transaction(database) as session:
        row = Broadcast(
            author_id=author,
            text="Họp thôn",
            created_at=days_ago(40),
            reported_at=days_ago(39) if reported else None,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def keys_left(database: Engine) -> list[str]:
    with Session(database) as session:
        return list(session.exec(select(InboundKey.key).order_by(col(InboundKey.key))))


def texts_left(database: Engine) -> list[str]:
    with Session(database) as session:
        return list(session.exec(select(OutboxMessage.text).order_by(col(OutboxMessage.id))))


def test_keys_of_messages_processed_over_two_weeks_ago_are_forgotten(database):
    """A replay within 14 days is still recognised; older keys only fill the disk."""
    seen(database, "telegram:update:1", 15)
    seen(database, "zalo:msg:a", 14)
    seen(database, "telegram:update:2", 13)
    assert prune(database, NOW) == Pruned(inbound_keys=1)
    assert keys_left(database) == ["telegram:update:2", "zalo:msg:a"]


def test_sent_and_failed_messages_go_after_their_retention_pending_ones_never(database):
    """Sent: 30 days. Failed: 90 days, as someone may still ask why. Pending: kept, however old."""
    queued(database, "sent 31 days ago", SENT, 31)
    queued(database, "sent 29 days ago", SENT, 29)
    queued(database, "failed 91 days ago", FAILED, 91)
    queued(database, "failed 60 days ago", FAILED, 60)
    queued(database, "pending since 100 days", PENDING, 100)
    assert prune(database, NOW) == Pruned(sent=1, failed=1)
    assert texts_left(database) == [
        "sent 29 days ago",
        "failed 60 days ago",
        "pending since 100 days",
    ]


def test_a_broadcast_keeps_its_rows_until_its_report_is_queued(database):
    """The report counts who got an announcement: its rows stay until the report went out."""
    hoa = seed_person(database, "Trần Thị Hoa", Role.ADMIN)
    waiting = announced(database, hoa, reported=False)
    reported = announced(database, hoa, reported=True)
    queued(database, "waiting: sent", SENT, 40, waiting)
    queued(database, "waiting: failed", FAILED, 100, waiting)
    queued(database, "reported: sent", SENT, 40, reported)
    queued(database, "reported: failed", FAILED, 100, reported)
    assert prune(database, NOW) == Pruned(sent=1, failed=1)
    assert texts_left(database) == ["waiting: sent", "waiting: failed"]


def test_a_big_backlog_is_deleted_in_small_batches_and_a_second_pass_finds_nothing(database):
    """Five old keys in batches of two: three short DELETEs, not one long lock; then nothing."""
    for number in range(5):
        seen(database, f"telegram:update:{number}", 20)
    seen(database, "telegram:update:new", 1)
    deleted: list[int] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("DELETE"):
            deleted.append(cursor.rowcount)

    event.listen(database, "after_cursor_execute", count)
    try:
        assert prune(database, NOW, batch=2).inbound_keys == 5
    finally:
        event.remove(database, "after_cursor_execute", count)
    assert deleted == [2, 2, 1]
    assert keys_left(database) == ["telegram:update:new"]
    assert prune(database, NOW, batch=2) == Pruned()


def test_retention_is_read_in_days_and_at_least_one():
    """The settings give days; zero or less would forget messages still being replayed."""
    assert Retention.days(14, 30, 90) == Retention()
    assert Retention.days(7, 10, 20).sent == dt.timedelta(days=10)
    with pytest.raises(ValueError, match="INBOUND_KEY_DAYS must be at least 1 day, not 0"):
        Retention.days(0, 30, 90)
