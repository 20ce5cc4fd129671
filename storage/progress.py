"""Queries about assignments' progress: open work, reports, and a directive's status matrix."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

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
) -> ProgressReport:
    """Store a progress report and make it the assignment's latest status."""
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        raise LookupError(f"assignment {assignment_id} does not exist")
    report = ProgressReport(
        assignment_id=assignment_id,
        person_id=person_id,
        status=ProgressStatus(status).value,
        note=note,
        photo_ref=photo_ref,
        at=now,
    )
    assignment.status, assignment.reported_at = report.status, now
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


def directive_status(session: Session, directive_id: int, today: dt.date) -> DirectiveStatus:
    """Count acknowledgements, reports and completions of a directive, unit by unit.

    Archived units and removed people are left out; their records stay in the database.
    """
    directive = session.get(Directive, directive_id)
    if directive is None:
        raise LookupError(f"directive {directive_id} does not exist")
    rows = list(
        session.exec(
            select(Assignment, Unit)
            .join(Unit, col(Unit.id) == Assignment.unit_id)
            .where(Assignment.directive_id == directive_id, col(Unit.archived_at).is_(None))
        )
    )
    rows.sort(key=lambda pair: (pair[1].kind, _sort_key(pair[1].name)))
    assignment_ids = [assignment.id for assignment, _unit in rows]
    people = _focal_points(session, [unit.id for _assignment, unit in rows])
    acknowledged = set(
        session.exec(
            select(Acknowledgement.assignment_id, Acknowledgement.person_id).where(
                col(Acknowledgement.assignment_id).in_(assignment_ids)
            )
        )
    )
    notes = _latest_notes(session, assignment_ids)
    unreachable = _unreachable(session, [person.id for person in people])
    past_deadline = directive.deadline is not None and directive.deadline < today
    units: list[UnitProgress] = []
    for assignment, unit in rows:
        assert assignment.id is not None and unit.id is not None
        members = [person for person in people if person.unit_id == unit.id]
        units.append(
            UnitProgress(
                unit_id=unit.id,
                unit_name=unit.name,
                assignment_id=assignment.id,
                status=assignment.status,
                reported_at=assignment.reported_at,
                reported=assignment.id in notes,
                acknowledged=sum((assignment.id, p.id) in acknowledged for p in members),
                focal_points=len(members),
                overdue=past_deadline and assignment.status != ProgressStatus.DONE.value,
                latest_note=notes.get(assignment.id, ""),
                unreachable=[p.name or "—" for p in members if p.id in unreachable],
            )
        )
    return DirectiveStatus(
        directive=directive,
        acknowledged=sum(row.acknowledged for row in units),
        focal_points=sum(row.focal_points for row in units),
        reported=sum(row.reported for row in units),
        done=sum(row.status == ProgressStatus.DONE.value for row in units),
        units=units,
    )


def _sort_key(name: str) -> str:
    # Code-point order would put "Thôn Đông" after "Thôn Tây"; fold the marks away first.
    folded = unicodedata.normalize("NFD", name.casefold().replace("đ", "d"))
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def _focal_points(session: Session, unit_ids: list[int | None]) -> list[Person]:
    query = (
        select(Person)
        .where(
            Person.role == Role.FOCAL.value,
            col(Person.unit_id).in_(unit_ids),
            col(Person.removed_at).is_(None),
        )
        .order_by(col(Person.id))
    )
    return list(session.exec(query))


def _latest_notes(session: Session, assignment_ids: list[int | None]) -> dict[int, str]:
    """Map each reported assignment to the note of its latest report ('' when none)."""
    query = (
        select(ProgressReport)
        .where(col(ProgressReport.assignment_id).in_(assignment_ids))
        .order_by(col(ProgressReport.at), col(ProgressReport.id))
    )
    return {report.assignment_id: report.note for report in session.exec(query)}


def _unreachable(session: Session, person_ids: list[int | None]) -> set[int]:
    """Return the people none of whose chat accounts can be reached."""
    reachable = set(
        session.exec(
            select(Identity.person_id).where(
                col(Identity.person_id).in_(person_ids), col(Identity.reachable).is_(True)
            )
        )
    )
    return {pid for pid in person_ids if pid is not None and pid not in reachable}
