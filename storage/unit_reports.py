"""Queries about one unit's reports: an assignment's latest report, and recently finished work."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from storage.models import Assignment, Directive, Person, ProgressReport, ProgressStatus


def latest_report(session: Session, assignment_id: int) -> tuple[ProgressReport, Person] | None:
    """Return an assignment's newest report and who sent it, or None before any report."""
    query = (
        select(ProgressReport, Person)
        .join(Person, col(Person.id) == ProgressReport.person_id)
        .where(ProgressReport.assignment_id == assignment_id)
        .order_by(col(ProgressReport.at).desc(), col(ProgressReport.id).desc())
        .limit(1)
    )
    found = session.exec(query).first()
    return (found[0], found[1]) if found is not None else None


def recently_done(
    session: Session, unit_id: int, since: dt.datetime
) -> list[tuple[Assignment, Directive]]:
    """Return a unit's assignments reported done since `since`, newest directive first."""
    query = (
        select(Assignment, Directive)
        .join(Directive, col(Directive.id) == Assignment.directive_id)
        .where(
            Assignment.unit_id == unit_id,
            Assignment.status == ProgressStatus.DONE.value,
            col(Assignment.reported_at) >= since,
        )
        .order_by(col(Directive.issued_on).desc(), col(Directive.id).desc())
    )
    return [(assignment, directive) for assignment, directive in session.exec(query)]


def unit_history(
    session: Session, directive_id: int, unit_id: int
) -> tuple[Assignment, list[tuple[ProgressReport, Person]]] | None:
    """Return a unit's assignment under a directive and every report on it with who sent it,
    newest first; None when the directive was not assigned to the unit."""
    assignment = session.exec(
        select(Assignment).where(
            Assignment.directive_id == directive_id, Assignment.unit_id == unit_id
        )
    ).first()
    if assignment is None:
        return None
    query = (
        select(ProgressReport, Person)
        .join(Person, col(Person.id) == ProgressReport.person_id)
        .where(ProgressReport.assignment_id == assignment.id)
        .order_by(col(ProgressReport.at).desc(), col(ProgressReport.id).desc())
    )
    return assignment, [(report, person) for report, person in session.exec(query)]
