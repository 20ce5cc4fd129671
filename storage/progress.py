"""Queries about assignments' progress: open work, reports, and a directive's status matrix."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from storage.directive_tasks import is_last, milestones_done, milestones_of, unit_overdue
from storage.models import (
    Acknowledgement,
    Assignment,
    Directive,
    Identity,
    Person,
    ProgressReport,
    ProgressStatus,
    Role,
    Unit,
)
from storage.ordering import sorted_names, unit_order

_NEWEST_FIRST = (col(Directive.issued_on).desc(), col(Directive.id).desc())


@dataclass
class UnitProgress:
    """One unit's row in a directive's status: its latest status and who is reachable."""

    unit_id: int
    unit_name: str
    assignment_id: int
    status: str
    reported_at: dt.datetime | None
    reported: bool
    acknowledged: int
    focal_points: int
    overdue: bool
    latest_note: str = ""
    unreachable: list[str] = field(default_factory=list)


@dataclass
class DirectiveStatus:
    """Counts over a directive's units and focal points, with one row per unit."""

    directive: Directive
    acknowledged: int
    focal_points: int
    reported: int
    done: int
    units: list[UnitProgress]

    @property
    def unit_count(self) -> int:
        """How many units the directive was assigned to."""
        return len(self.units)

    @property
    def overdue(self) -> list[str]:
        """Names of the units past the deadline without having reported done."""
        return [row.unit_name for row in self.units if row.overdue]


@dataclass(frozen=True)
class Page:
    """The assignments and units of one page of a status matrix; None for all of them."""

    assignment_ids: list[int] | None
    unit_ids: list[int] | None


def open_assignments(session: Session, unit_id: int) -> list[tuple[Assignment, Directive]]:
    """Return a unit's assignments not yet done, with their directives, newest directive first."""
    query = (
        select(Assignment, Directive)
        .join(Directive, col(Directive.id) == Assignment.directive_id)
        .where(Assignment.unit_id == unit_id, Assignment.status != ProgressStatus.DONE.value)
        .order_by(*_NEWEST_FIRST)
    )
    return [(assignment, directive) for assignment, directive in session.exec(query)]


def record_report(
    session: Session,
    *,
    assignment_id: int,
    person_id: int,
    status: str,
    note: str,
    photo_ref: str,
    now: dt.datetime,
    attachments: list[list[str]] | None = None,
    milestone_id: int | None = None,
) -> ProgressReport:
    """Store a progress report and make it the assignment's latest status.

    Done on a milestone before the unit's last one leaves the assignment in progress: only
    the last milestone's Done closes it.
    """
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        raise LookupError(f"assignment {assignment_id} does not exist")
    report = ProgressReport(
        assignment_id=assignment_id,
        person_id=person_id,
        status=ProgressStatus(status).value,
        note=note,
        photo_ref=photo_ref,
        attachments=attachments or [],
        at=now,
        milestone_id=milestone_id,
    )
    assignment.status, assignment.reported_at = report.status, now
    if milestone_id is not None and report.status == ProgressStatus.DONE.value:
        unit = session.get(Unit, assignment.unit_id)
        milestones = milestones_of(session, assignment.directive_id)
        if not is_last(milestones, unit.kind if unit else "", milestone_id):
            assignment.status = ProgressStatus.IN_PROGRESS.value
    session.add_all([report, assignment])
    session.flush()
    return report


def open_directives(session: Session) -> list[Directive]:
    """Return the directives with an assignment not done of a unit in use, newest first."""
    unfinished = (
        select(Assignment.directive_id)
        .join(Unit, col(Unit.id) == Assignment.unit_id)
        .where(Assignment.status != ProgressStatus.DONE.value, col(Unit.archived_at).is_(None))
    )
    query = select(Directive).where(col(Directive.id).in_(unfinished)).order_by(*_NEWEST_FIRST)
    return list(session.exec(query))


def directive_status(
    session: Session,
    directive_id: int,
    today: dt.date,
    *,
    offset: int = 0,
    limit: int | None = None,
) -> DirectiveStatus:
    """Count acknowledgements, reports and completions of a directive, unit by unit.

    Archived units and removed people are left out; their records stay in the database.
    A handful of grouped queries, so the work grows with the units, not units × people.
    With `offset` and `limit` only that page of the sorted units is filled in and counted.
    """
    directive = session.get(Directive, directive_id)
    if directive is None:
        raise LookupError(f"directive {directive_id} does not exist")
    connection = session.connection()
    # Plain rows through the connection: ORM row handling would cost more than the queries.
    rows = connection.execute(
        select(
            Assignment.id,
            Unit.id,
            Unit.name,
            Unit.kind,
            Assignment.status,
            Assignment.reported_at,
        )
        .join(Unit, col(Unit.id) == Assignment.unit_id)
        .where(Assignment.directive_id == directive_id, col(Unit.archived_at).is_(None))
    ).all()
    rows.sort(key=lambda row: unit_order(row[3], row[2]))
    paged = limit is not None or offset > 0
    if paged:
        rows = rows[offset : None if limit is None else offset + limit]
    # A page asks only about its own units; the whole list asks about the directive's.
    page = Page([row[0] for row in rows], [row[1] for row in rows]) if paged else Page(None, None)
    staffed = _focal_counts(session, directive_id, page.unit_ids)
    unreachable = _unreachable(session, directive_id, page.unit_ids)
    acknowledged = _acknowledged(session, directive_id, page.assignment_ids)
    notes = _latest_notes(session, directive_id, page.assignment_ids)
    milestones = milestones_of(session, directive_id)
    finished = milestones_done(session, [row[0] for row in rows]) if milestones else {}
    done = ProgressStatus.DONE.value
    units = [
        UnitProgress(
            unit_id,
            unit_name,
            assignment_id,
            status,
            reported_at,
            assignment_id in notes,
            acknowledged.get(assignment_id, 0),
            staffed.get(unit_id, 0),
            status != done
            and unit_overdue(
                directive.deadline, milestones, kind, finished.get(assignment_id, ()), today
            ),
            notes.get(assignment_id, ""),
            unreachable.get(unit_id, []),
        )
        for assignment_id, unit_id, unit_name, kind, status, reported_at in rows
    ]
    return DirectiveStatus(
        directive=directive,
        acknowledged=sum(row.acknowledged for row in units),
        focal_points=sum(row.focal_points for row in units),
        reported=sum(row.reported for row in units),
        done=sum(row.status == done for row in units),
        units=units,
    )


def current_focal_points() -> ColumnElement[bool]:
    """Say that a person is one of the focal points now (not removed)."""
    return (Person.role == Role.FOCAL.value) & col(Person.removed_at).is_(None)


def _focal_counts(
    session: Session, directive_id: int, unit_ids: list[int] | None
) -> dict[int, int]:
    """Count the focal points of each unit of the directive (or of these of its units)."""
    query = (
        select(Person.unit_id, func.count())
        .join(Assignment, col(Assignment.unit_id) == Person.unit_id)
        .where(Assignment.directive_id == directive_id, current_focal_points())
        .group_by(col(Person.unit_id))
    )
    if unit_ids is not None:
        query = query.where(col(Person.unit_id).in_(unit_ids))
    return {unit_id: int(count) for unit_id, count in session.connection().execute(query)}


def _unreachable(
    session: Session, directive_id: int, unit_ids: list[int] | None
) -> dict[int, list[str]]:
    """Name, per unit of the directive (or these of its units), its focal points no chat
    reaches, in alphabetical order."""
    reachable = (
        select(Identity.id)
        .where(Identity.person_id == Person.id, col(Identity.reachable).is_(True))
        .exists()
    )
    query = (
        select(Person.unit_id, Person.name)
        .join(Assignment, col(Assignment.unit_id) == Person.unit_id)
        .where(Assignment.directive_id == directive_id, current_focal_points(), ~reachable)
        .order_by(col(Person.id))
    )
    if unit_ids is not None:
        query = query.where(col(Person.unit_id).in_(unit_ids))
    found: dict[int, list[str]] = {}
    for unit_id, name in session.connection().execute(query):
        found.setdefault(unit_id, []).append(name or "—")
    return {unit_id: sorted_names(names) for unit_id, names in found.items()}


def _acknowledged(
    session: Session, directive_id: int, assignment_ids: list[int] | None
) -> dict[int, int]:
    """Count, per assignment (of the directive, or these), the acknowledgements of the
    unit's current focal points."""
    query = (
        select(Acknowledgement.assignment_id, func.count())
        .join(Assignment, col(Assignment.id) == Acknowledgement.assignment_id)
        .join(Person, col(Person.id) == Acknowledgement.person_id)
        .where(
            Assignment.directive_id == directive_id,
            col(Person.unit_id) == col(Assignment.unit_id),
            current_focal_points(),
        )
        .group_by(col(Acknowledgement.assignment_id))
    )
    if assignment_ids is not None:
        query = query.where(col(Acknowledgement.assignment_id).in_(assignment_ids))
    counted = session.connection().execute(query)
    return {assignment_id: int(count) for assignment_id, count in counted}


def _latest_notes(
    session: Session, directive_id: int, assignment_ids: list[int] | None
) -> dict[int, str]:
    """Map each reported assignment (of the directive, or these) to the note of its latest
    report ('' when none)."""
    query = (
        select(ProgressReport.assignment_id, ProgressReport.note)
        .join(Assignment, col(Assignment.id) == ProgressReport.assignment_id)
        .where(Assignment.directive_id == directive_id)
        .order_by(col(ProgressReport.at), col(ProgressReport.id))
    )
    if assignment_ids is not None:
        query = query.where(col(ProgressReport.assignment_id).in_(assignment_ids))
    return {assignment_id: note for assignment_id, note in session.connection().execute(query)}
