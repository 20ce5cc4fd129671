"""Queries about directives, their per-unit assignments and acknowledgements."""

from __future__ import annotations

import datetime as dt
import unicodedata

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import (
    Acknowledgement,
    Assignment,
    AuditEntry,
    Directive,
    Person,
    Role,
    Unit,
    UnitKind,
)

TARGET_KINDS = {"villages": UnitKind.VILLAGE.value, "schools": UnitKind.SCHOOL.value}
"""Targets that mean 'every unit of one kind'; "all" means every unit."""

_KIND_ORDER = {UnitKind.VILLAGE.value: 0, UnitKind.SCHOOL.value: 1, UnitKind.OFFICE.value: 2}


def _by_kind_and_name(unit: Unit) -> tuple[int, str, str]:
    # Sorted in Python, as Vietnamese read it (Đông next to Dương, before Tây): SQLite and
    # PostgreSQL collate these names differently, and code-point order puts Đ after Z.
    folded = unicodedata.normalize("NFD", unit.name.casefold().replace("đ", "d"))
    bare = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _KIND_ORDER.get(unit.kind, len(_KIND_ORDER)), bare, unit.name


def units_for_target(session: Session, target: str) -> list[Unit]:
    """Return the units in use a target ("villages", "schools" or "all") names, villages first."""
    query = select(Unit).where(col(Unit.archived_at).is_(None))
    if target in TARGET_KINDS:
        query = query.where(Unit.kind == TARGET_KINDS[target])
    elif target != "all":
        raise ValueError(f"unknown target {target!r}")
    return sorted(session.exec(query), key=_by_kind_and_name)


def units_by_id(session: Session, unit_ids: list[int]) -> list[Unit]:
    """Return the units with these ids that still exist, in the order given."""
    if not unit_ids:
        return []
    found = {u.id: u for u in session.exec(select(Unit).where(col(Unit.id).in_(unit_ids)))}
    return [found[uid] for uid in unit_ids if uid in found]


def focal_points(session: Session, unit_id: int) -> list[Person]:
    """Return the focal points of a unit, oldest first; none when the unit is archived.

    Removed people are left out: nothing more is sent to them.
    """
    query = (
        select(Person)
        .join(Unit, col(Unit.id) == col(Person.unit_id))
        .where(
            Person.role == Role.FOCAL.value,
            Person.unit_id == unit_id,
            col(Person.removed_at).is_(None),
            col(Unit.archived_at).is_(None),
        )
        .order_by(col(Person.id))
    )
    return list(session.exec(query))


def create_directive(
    session: Session,
    *,
    number: str,
    issued_on: dt.date,
    subject: str,
    content: str,
    file_ref: str,
    file_name: str,
    deadline: dt.date | None,
    unit_ids: list[int],
    created_by: int | None,
    now: dt.datetime,
) -> tuple[Directive, list[Assignment]]:
    """Store a directive, one assignment per unit and the audit entry, in the caller's session."""
    directive = Directive(
        number=number,
        issued_on=issued_on,
        subject=subject,
        content=content,
        file_ref=file_ref,
        file_name=file_name,
        deadline=deadline,
        created_by=created_by,
        created_at=now,
    )
    session.add(directive)
    session.flush()
    assert directive.id is not None
    # dict.fromkeys keeps the admin's order while making each unit appear once.
    assignments = [
        Assignment(directive_id=directive.id, unit_id=unit_id)
        for unit_id in dict.fromkeys(unit_ids)
    ]
    session.add_all(assignments)
    session.flush()
    session.add(
        AuditEntry(
            at=now,
            person_id=created_by,
            action="directive.create",
            detail={
                "directive_id": directive.id,
                "number": number,
                "unit_ids": [a.unit_id for a in assignments],
                "assignment_ids": [a.id for a in assignments],
            },
        )
    )
    session.flush()
    return directive, assignments


def find_assignment(session: Session, assignment_id: int) -> tuple[Assignment, Directive] | None:
    """Return an assignment with its directive, or None when there is no such assignment."""
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        return None
    directive = session.get(Directive, assignment.directive_id)
    return (assignment, directive) if directive is not None else None


def find_acknowledgement(
    session: Session, assignment_id: int, person_id: int
) -> Acknowledgement | None:
    """Return a person's acknowledgement of an assignment, if they gave one."""
    query = select(Acknowledgement).where(
        Acknowledgement.assignment_id == assignment_id,
        Acknowledgement.person_id == person_id,
    )
    return session.exec(query).first()


def acknowledge(
    session: Session, assignment_id: int, person_id: int, now: dt.datetime
) -> tuple[Acknowledgement, bool]:
    """Record that a person received an assignment; return it and whether it is new."""
    earlier = find_acknowledgement(session, assignment_id, person_id)
    if earlier is not None:
        return earlier, False
    received = Acknowledgement(assignment_id=assignment_id, person_id=person_id, at=now)
    try:
        # A savepoint: a double tap racing this one loses here without spoiling the event.
        with session.begin_nested():
            session.add(received)
    except IntegrityError:
        winner = find_acknowledgement(session, assignment_id, person_id)
        assert winner is not None
        return winner, False
    return received, True
