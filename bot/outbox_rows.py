"""The outbox sender's database work: leasing rows, and storing how each send went."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, Integer, bindparam, func, or_, update
from sqlmodel import Session, col, select

from bot.channels.base import Delivery, SendResult
from bot.pacing import backoff
from storage.db import transaction
from storage.models import Identity, OutboxMessage, OutboxStatus

LEASE = dt.timedelta(seconds=60)
"""How long a claimed row is left to its sender; after that another sender may take it."""


@dataclass(frozen=True)
class Outcome:
    """One finished send of a row, timed on the sender's clock."""

    row_id: int
    result: SendResult
    started: dt.datetime
    finished: dt.datetime


@dataclass(frozen=True)
class Verdict:
    """What became of a row: its status, and when it is due again if still pending."""

    status: str
    not_before: dt.datetime | None = None


@dataclass(frozen=True)
class RetryPolicy:
    """How long and how often a row is tried again after a passing failure."""

    budget: dt.timedelta = dt.timedelta(minutes=60)
    first: float = 2.0
    cap: float = 600.0


def claim(
    database: Engine,
    channel: str,
    now: dt.datetime,
    limit: int,
    *,
    exclude: Collection[str] = (),
    max_priority: int | None = None,
    lease: dt.timedelta = LEASE,
) -> list[OutboxMessage]:
    """Lease up to `limit` due rows of a channel, lowest priority number first, one per chat.

    Chats in `exclude` (already held by this sender) are skipped, and of several due rows for
    one chat only the oldest is leased, so every leased row can go out well within its lease.
    `skip_locked` lets two senders claim side by side without waiting for each other.
    """
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.not_before <= now,
            or_(
                col(OutboxMessage.leased_until).is_(None),
                col(OutboxMessage.leased_until) <= now,
            ),
        )
        .order_by(col(OutboxMessage.priority), col(OutboxMessage.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if exclude:
        query = query.where(col(OutboxMessage.chat_id).not_in(list(exclude)))
    if max_priority is not None:
        query = query.where(OutboxMessage.priority <= max_priority)
    until = now + lease
    with transaction(database) as session:
        taken: list[OutboxMessage] = []
        chats: set[str] = set()
        for row in session.exec(query):
            if row.chat_id not in chats:
                chats.add(row.chat_id)
                taken.append(row)
        if taken:
            # One statement for the batch: row by row, a claim stalls the sends around it.
            session.execute(
                update(OutboxMessage)
                .where(_in([row.id or 0 for row in taken]))
                .values(leased_until=until)
                .execution_options(synchronize_session=False)
            )
        session.expunge_all()
    for row in taken:
        row.leased_until = until
    return taken


def release(
    database: Engine, rows: Iterable[OutboxMessage], not_before: dt.datetime | None = None
) -> None:
    """Give back leased rows unsent (due at `not_before` if given), unless the lease moved on."""
    with transaction(database) as session:
        for row in rows:
            values: dict[str, object] = {"leased_until": None}
            if not_before is not None:
                values["not_before"] = not_before
            session.execute(
                update(OutboxMessage)
                .where(
                    col(OutboxMessage.id) == row.id,
                    col(OutboxMessage.leased_until) == row.leased_until,
                    col(OutboxMessage.status) == OutboxStatus.PENDING,
                )
                .values(**values)
            )


def next_due(database: Engine, channels: Iterable[str], now: dt.datetime) -> dt.datetime | None:
    """When a pending row of these channels may next be claimed: due, and its lease run out."""
    pending = (
        col(OutboxMessage.channel).in_(list(channels)),
        OutboxMessage.status == OutboxStatus.PENDING,
    )
    free = or_(col(OutboxMessage.leased_until).is_(None), col(OutboxMessage.leased_until) <= now)
    with Session(database) as session:
        due = session.exec(select(func.min(OutboxMessage.not_before)).where(*pending, free)).one()
        lease_ends = session.exec(
            select(func.min(OutboxMessage.leased_until)).where(
                *pending, col(OutboxMessage.leased_until) > now
            )
        ).one()
    found = [_aware(moment) for moment in (due, lease_ends) if moment is not None]
    return min(found) if found else None


def delivery_of(row: OutboxMessage) -> Delivery:
    """The delivery a row asks for, without the parts an earlier try already delivered."""
    return Delivery(
        chat_id=row.chat_id,
        text=row.text,
        choices=[(cid, label) for cid, label in row.choices],
        photo=row.photo,
        document=row.document,
        locale=row.locale,
        skip_parts=row.parts_sent,
        edit_message_id=row.edit_message_id,
    )


def record(
    database: Engine, outcomes: list[Outcome], policy: RetryPolicy, rng: random.Random
) -> dict[int, Verdict]:
    """Store the outcomes of finished sends in one transaction; return each row's verdict."""
    verdicts: dict[int, Verdict] = {}
    if not outcomes:
        return verdicts
    with transaction(database) as session:
        # Most sends succeed: one UPDATE each, no row loaded (this runs for every message).
        for outcome in outcomes:
            if outcome.result.ok:
                session.execute(_SENT, _sent_values(outcome))
                verdicts[outcome.row_id] = Verdict(OutboxStatus.SENT)
        ids = [outcome.row_id for outcome in outcomes if not outcome.result.ok]
        if ids:
            rows = {row.id: row for row in session.exec(select(OutboxMessage).where(_in(ids)))}
            for outcome in outcomes:
                row = rows.get(outcome.row_id)
                if row is not None and not outcome.result.ok:
                    verdicts[outcome.row_id] = _store(session, row, outcome, policy, rng)
    return verdicts


_TABLE = OutboxMessage.__table__  # type: ignore[attr-defined]
_SENT = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("row_id"))
    .values(
        status=OutboxStatus.SENT.value,
        sent_at=bindparam("finished", type_=_TABLE.c.sent_at.type),
        attempts=_TABLE.c.attempts + 1,
        parts_sent=_TABLE.c.parts_sent + bindparam("parts", type_=Integer),
        leased_until=None,
        last_error="",
        first_attempt_at=func.coalesce(
            _TABLE.c.first_attempt_at,
            bindparam("started", type_=_TABLE.c.first_attempt_at.type),
        ),
    )
)


def _sent_values(outcome: Outcome) -> dict[str, object]:
    return {
        "row_id": outcome.row_id,
        "finished": outcome.finished,
        "parts": outcome.result.parts_sent,
        "started": outcome.started,
    }


def _store(
    session: Session, row: OutboxMessage, outcome: Outcome, policy: RetryPolicy, rng: random.Random
) -> Verdict:
    """Store a failed send: failed for good, or pending until a later time."""
    result, now = outcome.result, outcome.finished
    row.attempts += 1
    row.parts_sent += result.parts_sent
    row.leased_until = None
    row.last_error = result.error[:500]
    if row.first_attempt_at is None:
        row.first_attempt_at = outcome.started
    session.add(row)
    deadline = _aware(row.first_attempt_at) + policy.budget
    if result.final or now >= deadline:
        row.status = OutboxStatus.FAILED
        if result.unreachable:
            mark_unreachable(session, row.channel, row.chat_id, result.error)
        return Verdict(row.status)
    if result.retry_after is not None:
        # The platform said when; it is honoured even past the retry budget.
        due = now + dt.timedelta(seconds=result.retry_after)
    else:
        wait = backoff(row.attempts, rng, policy.first, policy.cap)
        due = min(now + dt.timedelta(seconds=wait), deadline)
    row.not_before = due
    # The chat gets nothing before then: its other rows wait too, and stay in order.
    session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.channel) == row.channel,
            col(OutboxMessage.chat_id) == row.chat_id,
            col(OutboxMessage.status) == OutboxStatus.PENDING,
            col(OutboxMessage.not_before) < due,
            col(OutboxMessage.id) != row.id,
        )
        .values(not_before=due)
    )
    return Verdict(row.status, due)


class GroupWriter:
    """Stores outcomes in small groups: those that finished while the last group was written."""

    def __init__(self, write: Callable[[list[Outcome]], dict[int, Verdict]]) -> None:
        self._store = write
        self._pending: list[tuple[Outcome, asyncio.Future[Verdict | None]]] = []
        self._task: asyncio.Task[None] | None = None

    async def write(self, outcome: Outcome) -> Verdict | None:
        """Queue one outcome and wait until it is committed; return the row's verdict."""
        future: asyncio.Future[Verdict | None] = asyncio.get_running_loop().create_future()
        self._pending.append((outcome, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._flush())
        # Shielded: a cancelled send still gets its outcome stored.
        return await asyncio.shield(future)

    async def _flush(self) -> None:
        while self._pending:
            # Let the other sends that finished in this same turn of the loop join the group.
            await asyncio.sleep(0)
            group, self._pending = self._pending, []
            try:
                # In a worker thread, so polling goes on while the outcomes are committed.
                verdicts = await asyncio.to_thread(
                    self._store, [outcome for outcome, _future in group]
                )
            except Exception as error:
                for _outcome, future in group:
                    if not future.done():
                        future.set_exception(error)
                continue
            for outcome, future in group:
                if not future.done():
                    future.set_result(verdicts.get(outcome.row_id))


def mark_unreachable(session: Session, channel: str, chat_id: str, reason: str) -> None:
    """Flag the chat accounts behind a chat as unreachable, for the admins to see."""
    query = select(Identity).where(Identity.channel == channel, Identity.chat_id == chat_id)
    for identity in session.exec(query):
        identity.reachable = False
        identity.unreachable_reason = reason[:200]
        session.add(identity)


def _in(ids: list[int]):  # type: ignore[no-untyped-def]
    return col(OutboxMessage.id).in_(ids)


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes for what was stored as aware UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
