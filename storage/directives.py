"""Queries about directives, their per-unit assignments and acknowledgements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, case, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.directive_tasks import milestones_by_directive, milestones_done, unit_overdue
from storage.models import (
    Acknowledgement,
    Assignment,
    AuditEntry,
    Directive,
    Person,
    ProgressReport,
    ProgressStatus,
    Role,
    Unit,
    UnitKind,
)
from storage.ordering import sorted_units, unit_order

TARGET_KINDS = {"villages": UnitKind.VILLAGE.value, "schools": UnitKind.SCHOOL.value}
"""Targets that mean 'every unit of one kind'; "all" means every unit."""


def units_for_target(session: Session, target: str) -> list[Unit]:
    """Return the units in use a target ("villages", "schools" or "all") names, villages first."""
    query = select(Unit).where(col(Unit.archived_at).is_(None))
    if target in TARGET_KINDS:
        query = query.where(Unit.kind == TARGET_KINDS[target])
    elif target != "all":
        raise ValueError(f"unknown target {target!r}")
    return sorted_units(session.exec(query))


def units_by_id(session: Session, unit_ids: list[int]) -> list[Unit]:
    """Return the units with these ids that still exist, in list order (not as picked)."""
    if not unit_ids:
        return []
    return sorted_units(session.exec(select(Unit).where(col(Unit.id).in_(unit_ids))))


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


def latest_unacknowledged(session: Session, unit_id: int, person_id: int) -> int | None:
    """Return the newest assignment of a unit that this person has not acknowledged, if any."""
    acknowledged = select(Acknowledgement.id).where(
        Acknowledgement.assignment_id == Assignment.id,
        Acknowledgement.person_id == person_id,
    )
    query = (
        select(Assignment.id)
        .where(Assignment.unit_id == unit_id, ~acknowledged.exists())
        .order_by(col(Assignment.id).desc())
        .limit(1)
    )
    return session.exec(query).first()


@dataclass(frozen=True)
class DirectiveSummary:
    """One open directive's counts over its units in use and their current focal points."""

    directive: Directive
    unit_count: int
    acknowledged: int
    focal_points: int
    reported: int
    done: int
    overdue: list[str]


def _is_open() -> ColumnElement[bool]:
    """A directive with an assignment not done of a unit in use."""
    return (
        select(Assignment.id)
        .join(Unit, col(Unit.id) == Assignment.unit_id)
        .where(
            Assignment.directive_id == Directive.id,
            Assignment.status != ProgressStatus.DONE.value,
            col(Unit.archived_at).is_(None),
        )
        .exists()
    )


def open_directive_page(session: Session, limit: int) -> tuple[list[Directive], int]:
    """Return the `limit` newest open directives and how many are open in all."""
    newest = (col(Directive.issued_on).desc(), col(Directive.id).desc())
    page = session.exec(select(Directive).where(_is_open()).order_by(*newest).limit(limit))
    count = session.exec(select(func.count()).select_from(Directive).where(_is_open())).one()
    return list(page), int(count)


def directive_summaries(
    session: Session, directives: list[Directive], today: dt.date
) -> list[DirectiveSummary]:
    """Summarise each directive as its status matrix would, with grouped queries only."""
    ids = [d.id for d in directives]
    in_use = (col(Assignment.directive_id).in_(ids), col(Unit.archived_at).is_(None))
    units = session.exec(
        select(
            Assignment.directive_id,
            func.count(),
            func.sum(case((Assignment.status == ProgressStatus.DONE.value, 1), else_=0)),
        )
        .join(Unit, col(Unit.id) == Assignment.unit_id)
        .where(*in_use)
        .group_by(col(Assignment.directive_id))
    )
    counts = {did: (int(n), int(done)) for did, n, done in units}
    # A join, not EXISTS per assignment: PostgreSQL would hash every report ever sent.
    reports = session.exec(
        select(Assignment.directive_id, func.count(func.distinct(ProgressReport.assignment_id)))
        .join(Unit, col(Unit.id) == Assignment.unit_id)
        .join(ProgressReport, col(ProgressReport.assignment_id) == Assignment.id)
        .where(*in_use)
        .group_by(col(Assignment.directive_id))
    )
    reported = {did: int(n) for did, n in reports}
    current = (
        Person.role == Role.FOCAL.value,
        col(Person.removed_at).is_(None),
        col(Person.unit_id) == col(Assignment.unit_id),
    )
    people = session.exec(
        select(Assignment.directive_id, func.count())
        .join(Unit, col(Unit.id) == Assignment.unit_id)
        .join(Person, col(Person.unit_id) == col(Assignment.unit_id))
        .where(*in_use, *current)
        .group_by(col(Assignment.directive_id))
    )
    focal = {did: int(n) for did, n in people}
    acks = session.exec(
        select(Assignment.directive_id, func.count())
        .select_from(Acknowledgement)
        .join(Assignment, col(Assignment.id) == Acknowledgement.assignment_id)
        .join(Unit, col(Unit.id) == Assignment.unit_id)
        .join(Person, col(Person.id) == Acknowledgement.person_id)
        .where(*in_use, *current)
        .group_by(col(Assignment.directive_id))
    )
    acknowledged = {did: int(n) for did, n in acks}
    overdue = _overdue_units(session, directives, today)
    summaries = []
    for directive in directives:
        n, done = counts.get(directive.id, (0, 0))
        summaries.append(
            DirectiveSummary(
                directive=directive,
                unit_count=n,
                acknowledged=acknowledged.get(directive.id, 0),
                focal_points=focal.get(directive.id, 0),
                reported=reported.get(directive.id, 0),
                done=done,
                overdue=overdue.get(directive.id, []),
            )
        )
    return summaries


def _past(directive: Directive, today: dt.date) -> bool:
    return directive.deadline is not None and directive.deadline < today


def _overdue_units(
    session: Session, directives: list[Directive], today: dt.date
) -> dict[int, list[str]]:
    """Map each directive to its late units in use, in the status matrix's order: not done
    past the deadline, or past a milestone of theirs they have not finished."""
    milestones = milestones_by_directive(session, [d.id for d in directives if d.id])
    wanted = {d.id: d for d in directives if d.id in milestones or _past(d, today)}
    if not wanted:
        return {}
    query = (
        select(Assignment.directive_id, Assignment.id, Unit.name, Unit.kind)
        .join(Unit, col(Unit.id) == Assignment.unit_id)
        .where(
            col(Assignment.directive_id).in_(list(wanted)),
            col(Unit.archived_at).is_(None),
            Assignment.status != ProgressStatus.DONE.value,
        )
    )
    rows = list(session.exec(query))
    finished = milestones_done(session, [row[1] for row in rows if row[0] in milestones])
    found: dict[int, list[tuple[str, str]]] = {}
    for directive_id, assignment_id, name, kind in rows:
        deadline = wanted[directive_id].deadline
        done = finished.get(assignment_id, set())
        if unit_overdue(deadline, milestones.get(directive_id, []), kind, done, today):
            found.setdefault(directive_id, []).append((kind, name))
    return {
        directive_id: [name for _kind, name in sorted(late, key=lambda unit: unit_order(*unit))]
        for directive_id, late in found.items()
    }
