"""Queries about broadcasts: who an audience names, and how far each broadcast has gone out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Subquery, and_, case, exists, false, func, or_, update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from storage.models import (
    Broadcast,
    Identity,
    OutboxMessage,
    OutboxStatus,
    Person,
    Role,
    Unit,
    UnitKind,
)
from storage.ordering import sorted_names

AUDIENCES = ("everyone", "admins", "leaders", "focal", "villages", "schools", "units")
"""The kinds of audience an admin can choose; "units" also lists the chosen unit ids."""

_ROLE_AUDIENCES = {
    "admins": Role.ADMIN.value,
    "leaders": Role.LEADER.value,
    "focal": Role.FOCAL.value,
}
_KIND_AUDIENCES = {"villages": UnitKind.VILLAGE.value, "schools": UnitKind.SCHOOL.value}


@dataclass(frozen=True)
class Progress:
    """How many recipients (people) a broadcast has reached so far."""

    total: int
    sent: int
    failed: int
    waiting: int


@dataclass(frozen=True)
class Outcome:
    """A finished broadcast per person: how many got it, and who did not, by name."""

    total: int
    sent: int
    failed: list[str]
    unreachable: list[str]


def _audience_query(audience: dict[str, Any], exclude: int | None) -> SelectOfScalar[Person]:
    kind = audience.get("kind")
    # Removed people get nothing more; focal points are reached through units still in use.
    query = select(Person).where(col(Person.removed_at).is_(None))
    in_use = and_(col(Person.unit_id) == col(Unit.id), col(Unit.archived_at).is_(None))
    if kind in _ROLE_AUDIENCES:
        query = query.where(Person.role == _ROLE_AUDIENCES[kind])
        if kind == "focal":
            query = query.join(Unit, in_use)
    elif kind in _KIND_AUDIENCES:
        query = query.join(Unit, in_use).where(
            Person.role == Role.FOCAL.value, Unit.kind == _KIND_AUDIENCES[kind]
        )
    elif kind == "units":
        unit_ids = [int(uid) for uid in audience.get("unit_ids", [])]
        query = query.join(Unit, in_use).where(
            Person.role == Role.FOCAL.value, col(Person.unit_id).in_(unit_ids or [-1])
        )
    elif kind == "everyone":
        # Focal points of an archived unit have no unit in use: they are out of "everyone" too.
        in_use_units = select(Unit.id).where(col(Unit.archived_at).is_(None))
        query = query.where(
            or_(
                Person.role != Role.FOCAL.value,
                col(Person.unit_id).is_(None),
                col(Person.unit_id).in_(in_use_units),
            )
        )
    else:
        raise ValueError(f"unknown audience {kind!r}")
    if exclude is not None:
        query = query.where(col(Person.id) != exclude)
    return query


def audience_people(
    session: Session,
    audience: dict[str, Any],
    *,
    exclude: int | None = None,
    after: int = 0,
    limit: int | None = None,
) -> list[Person]:
    """Return the people an audience names, each once, oldest first, without `exclude`;
    only those with an id above `after`, at most `limit` of them."""
    query = _audience_query(audience, exclude).where(col(Person.id) > after)
    return list(session.exec(query.order_by(col(Person.id)).limit(limit)))


def count_audience(
    session: Session, audience: dict[str, Any], *, exclude: int | None = None
) -> int:
    """Return how many people an audience names, without `exclude`."""
    people = _audience_query(audience, exclude).subquery()
    return session.exec(select(func.count()).select_from(people)).one()


def create_broadcast(
    session: Session,
    *,
    author_id: int,
    text: str,
    photo: str,
    media_channel: str,
    audience: dict[str, Any],
    recipients: int,
    now: dt.datetime,
) -> Broadcast:
    """Store a broadcast in the caller's session and return it with its id."""
    broadcast = Broadcast(
        author_id=author_id,
        text=text,
        photo=photo,
        media_channel=media_channel,
        audience=audience,
        recipients=recipients,
        created_at=now,
    )
    session.add(broadcast)
    session.flush()
    return broadcast


def _pending(broadcast_id: Any) -> Any:
    return exists().where(
        OutboxMessage.broadcast_id == broadcast_id,
        OutboxMessage.status == OutboxStatus.PENDING.value,
    )


def running_broadcast(session: Session) -> Broadcast | None:
    """Return the newest broadcast not yet reported that still has messages waiting or
    recipients not yet queued."""
    query = (
        select(Broadcast)
        .where(
            col(Broadcast.reported_at).is_(None),
            or_(_pending(Broadcast.id), col(Broadcast.fanned_out_at).is_(None)),
        )
        .order_by(col(Broadcast.id).desc())
        .limit(1)
    )
    return session.exec(query).first()


def finished_unreported(session: Session) -> list[Broadcast]:
    """Return the broadcasts with nothing left to send whose author has no report yet.

    An author removed since gets no report: nothing more is sent to them.
    """
    query = (
        select(Broadcast)
        .join(Person, col(Person.id) == Broadcast.author_id)
        .where(
            col(Broadcast.reported_at).is_(None),
            col(Broadcast.fanned_out_at).is_not(None),
            ~_pending(Broadcast.id),
            col(Person.removed_at).is_(None),
        )
        .order_by(col(Broadcast.id))
    )
    return list(session.exec(query))


def claim_report(session: Session, broadcast_id: int, now: dt.datetime) -> bool:
    """Mark a broadcast reported; False when someone else already did, so they report it."""
    # A conditional UPDATE: of two processes racing, the database lets exactly one win.
    result = session.execute(
        update(Broadcast)
        .where(col(Broadcast.id) == broadcast_id, col(Broadcast.reported_at).is_(None))
        .values(reported_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _per_person(broadcast_id: int) -> Subquery:
    """One row per recipient: whether any of their chats got it, and whether one still waits."""
    status = col(OutboxMessage.status)
    sent = func.max(case((status == OutboxStatus.SENT.value, 1), else_=0))
    waiting = func.max(case((status == OutboxStatus.PENDING.value, 1), else_=0))
    return (
        select(
            col(OutboxMessage.person_id).label("person_id"),
            sent.label("sent"),
            waiting.label("waiting"),
        )
        .where(OutboxMessage.broadcast_id == broadcast_id)
        .group_by(col(OutboxMessage.person_id))
        .subquery()
    )


def progress(session: Session, broadcast: Broadcast) -> Progress:
    """Count the recipients reached, failed and still waiting (a person counts once)."""
    assert broadcast.id is not None
    people = _per_person(broadcast.id)
    still = case((and_(people.c.sent == 0, people.c.waiting == 1), 1), else_=0)
    counted, sent, waiting = session.exec(
        select(
            func.count(),
            func.coalesce(func.sum(people.c.sent), 0),
            func.coalesce(func.sum(still), 0),
        ).select_from(people)
    ).one()
    sent, waiting = int(sent), int(waiting)
    return Progress(broadcast.recipients, sent, int(counted) - sent - waiting, waiting)


def outcome(session: Session, broadcast: Broadcast) -> Outcome:
    """Say how many recipients got a finished broadcast, and name those who did not."""
    assert broadcast.id is not None
    reached = progress(session, broadcast).sent
    people = _per_person(broadcast.id)
    blocked = exists().where(Identity.person_id == Person.id, col(Identity.reachable).is_(false()))
    query = (
        select(Person.name, blocked.label("blocked"))
        .join(people, people.c.person_id == Person.id)
        .where(people.c.sent == 0, people.c.waiting == 0)
    )
    failed: list[str] = []
    unreachable: list[str] = []
    for name, is_blocked in session.exec(query):
        (unreachable if is_blocked else failed).append(name)
    return Outcome(broadcast.recipients, reached, sorted_names(failed), sorted_names(unreachable))


def unfinished_fanouts(session: Session) -> list[int]:
    """Return the ids of the broadcasts whose recipients are not all queued yet, oldest first."""
    query = (
        select(Broadcast.id)
        .where(col(Broadcast.fanned_out_at).is_(None))
        .order_by(col(Broadcast.id))
    )
    return [broadcast_id for broadcast_id in session.exec(query) if broadcast_id is not None]
