"""Changes to who is on the roster: removing people, archiving units, moving focal points.

Nothing is deleted: a removed person and an archived unit keep their rows, so reports,
acknowledgements and contributions stay on record. Every change is an AuditEntry.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from storage.models import (
    AuditEntry,
    Conversation,
    Identity,
    OutboxMessage,
    OutboxStatus,
    Person,
    Role,
    Unit,
)
from storage.ordering import by_unit
from storage.text import unit_sort_key

REMOVED_ERROR = "person removed"
"""The last_error of messages still waiting when their person was removed."""

_ROLE_ORDER = {Role.ADMIN.value: 0, Role.LEADER.value: 1, Role.FOCAL.value: 2}


class RosterError(ValueError):
    """A change the roster does not allow; `reason` says which rule it breaks."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def list_people(session: Session, *, role: str | None = None) -> list[tuple[Person, Unit | None]]:
    """Return the people not removed with their unit: admins, leaders, then focal points."""
    query = (
        select(Person, Unit)
        .join(Unit, col(Unit.id) == col(Person.unit_id), isouter=True)
        .where(col(Person.removed_at).is_(None))
    )
    if role:
        query = query.where(Person.role == role)
    rows = [(person, unit) for person, unit in session.exec(query)]
    return sorted(
        rows,
        key=lambda row: (
            _ROLE_ORDER.get(row[0].role, len(_ROLE_ORDER)),
            by_unit(row[1]) if row[1] else (-1, ""),
            unit_sort_key(row[0].name),
            row[0].id or 0,
        ),
    )


def find_person(session: Session, person_id: int) -> Person | None:
    """Return the person with this id, removed or not."""
    return session.get(Person, person_id)


def active_admins(session: Session) -> int:
    """Count the admins not removed."""
    query = select(func.count(col(Person.id))).where(
        Person.role == Role.ADMIN.value, col(Person.removed_at).is_(None)
    )
    return int(session.exec(query).one())


def removal_problem(session: Session, person: Person, actor_id: int | None) -> str:
    """Say why `person` cannot be removed ('removed', 'self', 'last_admin'), or ''."""
    if person.removed_at is not None:
        return "removed"
    if actor_id is not None and person.id == actor_id:
        return "self"
    if person.role == Role.ADMIN.value and active_admins(session) <= 1:
        return "last_admin"
    return ""


def remove_person(
    session: Session, person: Person, *, actor_id: int | None, now: dt.datetime
) -> list[Identity]:
    """Mark `person` removed, drop what still waits to be sent to them; return their chats.

    Their dialogs end, and their reports, acknowledgements and contributions stay.
    Raises RosterError when the rules forbid it (see removal_problem).
    """
    problem = removal_problem(session, person, actor_id)
    if problem:
        raise RosterError(problem)
    assert person.id is not None
    person.removed_at = now
    session.add(person)
    # Messages queued before (held by quiet hours, or not yet sent) must not reach them now.
    session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.person_id) == person.id,
            col(OutboxMessage.status) == OutboxStatus.PENDING.value,
        )
        .values(status=OutboxStatus.FAILED.value, last_error=REMOVED_ERROR)
    )
    identities = list(session.exec(select(Identity).where(Identity.person_id == person.id)))
    for identity in identities:
        conversation = session.exec(
            select(Conversation).where(
                Conversation.channel == identity.channel,
                Conversation.external_id == identity.external_id,
            )
        ).first()
        if conversation is not None:
            conversation.step, conversation.data = "", {}
            conversation.prompt, conversation.choices = "", []
            session.add(conversation)
    _audit(
        session,
        now,
        actor_id,
        "person.remove",
        person_id=person.id,
        name=person.name,
        role=person.role,
        unit_id=person.unit_id,
        before={"removed_at": None},
        after={"removed_at": now.isoformat()},
    )
    session.flush()
    return identities


def archive_unit(session: Session, unit: Unit, *, actor_id: int | None, now: dt.datetime) -> None:
    """Archive `unit`: hidden from pickers, status and reminders; its records are kept.

    Raises RosterError('archived') when it already is.
    """
    if unit.archived_at is not None:
        raise RosterError("archived")
    unit.archived_at = now
    session.add(unit)
    _audit(
        session,
        now,
        actor_id,
        "unit.archive",
        unit_id=unit.id,
        name=unit.name,
        before={"archived_at": None},
        after={"archived_at": now.isoformat()},
    )
    session.flush()


def move_problem(person: Person, unit: Unit) -> str:
    """Say why `person` cannot move to `unit` ('removed', 'not_focal', 'archived', 'same')."""
    if person.removed_at is not None:
        return "removed"
    if person.role != Role.FOCAL.value:
        return "not_focal"
    if unit.archived_at is not None:
        return "archived"
    if person.unit_id == unit.id:
        return "same"
    return ""


def move_person(
    session: Session, person: Person, unit: Unit, *, actor_id: int | None, now: dt.datetime
) -> Unit | None:
    """Make `person` a focal point of `unit` from now on; return the unit they left.

    Raises RosterError when the move is not allowed (see move_problem).
    """
    problem = move_problem(person, unit)
    if problem:
        raise RosterError(problem)
    old = session.get(Unit, person.unit_id) if person.unit_id is not None else None
    person.unit_id = unit.id
    session.add(person)
    _audit(
        session,
        now,
        actor_id,
        "person.move",
        person_id=person.id,
        name=person.name,
        before={"unit_id": old.id if old else None, "unit": old.name if old else ""},
        after={"unit_id": unit.id, "unit": unit.name},
    )
    session.flush()
    return old


def _audit(
    session: Session, now: dt.datetime, actor_id: int | None, action: str, **detail: object
) -> None:
    session.add(AuditEntry(at=now, person_id=actor_id, action=action, detail=detail))
