"""A large broadcast: the tap queues the first recipients, the fan-out job the rest in batches."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import Engine, insert, update
from sqlmodel import Session, col, func, select

import handlers.broadcast_fanout
from handlers.broadcast_fanout import FANOUT_BATCH, fan_out_pending
from handlers.engine import Engine as DialogEngine
from handlers.quiet import QuietHours
from storage.broadcasts import finished_unreported, running_broadcast
from storage.db import transaction
from storage.models import Broadcast, Identity, OutboxMessage, OutboxStatus, Person, Role
from tests.support.broadcasts import announcement, broadcast, up_to_preview
from tests.support.chat import joined

CROWD = 1_234
"""Focal points on Telegram: two full batches and a bit after the author's own."""
FIRST_ID = 50_000
ZONE = "Asia/Ho_Chi_Minh"


def seed_crowd(database: Engine, count: int = CROWD) -> None:
    """People with a Telegram chat each, written in bulk."""
    now = dt.datetime.now(dt.UTC)
    ids = range(FIRST_ID, FIRST_ID + count)
    with transaction(database) as session:
        session.execute(
            insert(Person),
            [{"id": n, "name": f"Người {n}", "role": "leader", "locale": "vi",
              "created_at": now, "preferred_channel": ""} for n in ids],
        )
        session.execute(
            insert(Identity),
            [{"person_id": n, "channel": "telegram", "external_id": str(n), "chat_id": str(n),
              "reachable": True, "unreachable_reason": "", "created_at": now} for n in ids],
        )


def latest_broadcast(database: Engine) -> int:
    """The id of the newest broadcast."""
    with Session(database) as session:
        found = session.exec(select(func.max(Broadcast.id))).one()
        assert found is not None
        return int(found)


def queued_for(database: Engine, broadcast_id: int) -> int:
    """How many outbox rows the broadcast has."""
    with Session(database) as session:
        query = select(func.count()).where(OutboxMessage.broadcast_id == broadcast_id)
        return session.exec(query).one()


def the_broadcast(database: Engine, broadcast_id: int) -> Broadcast:
    """The broadcast's row as stored."""
    with Session(database) as session:
        found = session.get(Broadcast, broadcast_id)
        assert found is not None
        return found


def run_job(database: Engine, engine: DialogEngine, limit: int | None = None) -> int:
    """One run of the scheduler's fan-out job."""
    return fan_out_pending(
        database, timezone=ZONE, quiet=QuietHours.parse("21:00-07:00"), clock=engine.clock,
        limit=limit,
    )


async def test_the_tap_queues_the_first_batch_and_the_job_the_rest(engine, database):
    """Mai sends to everyone (1,234 people and more): she is told the full count at once,
    the first 500 are queued in her turn, one run of the job queues the rest, and everyone
    gets the same announcement once."""
    mai = await joined(engine, Role.ADMIN, "Trần Thị Mai", external_id="1")
    seed_crowd(database)
    await up_to_preview(mai, "Tất cả mọi người")
    [sending] = await mai.tap("Gửi")
    broadcast_id = latest_broadcast(database)

    # Everyone is counted at once, though most of them are queued later.
    assert sending.startswith(f"Đang gửi thông báo tới {CROWD:,} người".replace(",", "."))
    assert queued_for(database, broadcast_id) == FANOUT_BATCH
    with Session(database) as session:
        assert running_broadcast(session) is not None
        assert finished_unreported(session) == []  # nothing waiting yet, but not all queued

    assert run_job(database, engine) == 2
    assert queued_for(database, broadcast_id) == CROWD
    stored = the_broadcast(database, broadcast_id)
    assert stored.fanned_out_at is not None and stored.fanned_out_to == FIRST_ID + CROWD - 1
    with Session(database) as session:
        texts = set(session.exec(
            select(OutboxMessage.text).where(OutboxMessage.broadcast_id == broadcast_id)
        ))
    assert texts == {announcement()}
    assert sorted(per_chat(database, broadcast_id).values()) == [1] * CROWD
    assert run_job(database, engine) == 0


async def test_a_fan_out_that_broke_off_resumes_after_the_last_batch_it_wrote(
    engine, database, monkeypatch
):
    """The job fails in its third batch of 100, after two went in: even with every queued
    message sent, Mai gets no delivery report yet; the next run queues the others, each
    person once, and only once those are sent is the broadcast ready for its report."""
    mai = await joined(engine, Role.ADMIN, "Trần Thị Mai", external_id="1")
    seed_crowd(database)
    broadcast_id = await broadcast(mai)
    real = handlers.broadcast_fanout.fan_out
    calls: list[int] = []

    def breaking(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(handlers.broadcast_fanout, "fan_out", breaking)
    assert run_job(database, engine, limit=100) == 2
    assert queued_for(database, broadcast_id) == FANOUT_BATCH + 200
    mark_sent(database, broadcast_id)
    with Session(database) as session:
        assert finished_unreported(session) == []
        assert running_broadcast(session) is not None

    monkeypatch.setattr(handlers.broadcast_fanout, "fan_out", real)
    run_job(database, engine, limit=100)
    assert sorted(per_chat(database, broadcast_id).values()) == [1] * CROWD
    with Session(database) as session:
        assert finished_unreported(session) == []
    mark_sent(database, broadcast_id)
    with Session(database) as session:
        assert [b.id for b in finished_unreported(session)] == [broadcast_id]


def mark_sent(database: Engine, broadcast_id: int) -> None:
    """The sender sent every queued message of the broadcast."""
    with transaction(database) as session:
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.broadcast_id) == broadcast_id)
            .values(status=OutboxStatus.SENT.value)
        )


def per_chat(database: Engine, broadcast_id: int) -> dict[str, int]:
    """How many messages of the broadcast each chat has."""
    with Session(database) as session:
        rows = session.exec(
            select(OutboxMessage.chat_id, func.count())
            .where(OutboxMessage.broadcast_id == broadcast_id)
            .group_by(col(OutboxMessage.chat_id))
        ).all()
    return {chat: int(count) for chat, count in rows}


async def test_two_jobs_at_once_queue_each_recipient_once(engine, database):
    """Two runs of the job side by side (two processes): every person is queued once."""
    mai = await joined(engine, Role.ADMIN, "Trần Thị Mai", external_id="1")
    seed_crowd(database)
    broadcast_id = await broadcast(mai)
    runs = [threading.Thread(target=run_job, args=(database, engine, 100)) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()

    assert sorted(per_chat(database, broadcast_id).values()) == [1] * CROWD
    assert the_broadcast(database, broadcast_id).fanned_out_at is not None
