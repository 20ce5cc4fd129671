"""What a directive's status export adds to its matrix: names, first receipts, photo counts,
and the difficulties with the office's answers.

One grouped query each per directive, never one per unit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.difficulties import thread_states
from storage.models import (
    Acknowledgement,
    Assignment,
    DifficultyMessage,
    Person,
    ProgressReport,
    ThreadSide,
    Unit,
)
from storage.ordering import sorted_names, sorted_units
from storage.progress import DirectiveStatus, current_focal_points, directive_status


@dataclass(frozen=True)
class DirectiveFacts:
    """Everything the status exports say of one directive, read once, so that the workbook and
    the report to sign cannot say different things."""

    status: DirectiveStatus
    names: dict[int, list[str]]
    """Current focal points by unit id."""
    received: dict[int, dt.datetime]
    """First acknowledgement by assignment id."""
    photos: dict[int, int]
    """Photos sent by assignment id."""

    @property
    def acknowledged(self) -> int:
        """How many units have received the directive."""
        return sum(unit.assignment_id in self.received for unit in self.status.units)


def directive_facts(session: Session, directive_id: int, today: dt.date) -> DirectiveFacts:
    """Read the status matrix of a directive and what the exports add to it."""
    return DirectiveFacts(
        directive_status(session, directive_id, today),
        focal_names(session, directive_id),
        first_acknowledgements(session, directive_id),
        photo_counts(session, directive_id),
    )


def assigned_units(session: Session, directive_id: int) -> list[Unit]:
    """The units a directive is assigned to, in list order."""
    query = (
        select(Unit)
        .join(Assignment, col(Assignment.unit_id) == col(Unit.id))
        .where(Assignment.directive_id == directive_id)
    )
    return sorted_units(session.exec(query))


def focal_names(session: Session, directive_id: int) -> dict[int, list[str]]:
    """Name the current focal points of each unit of the directive, in alphabetical order."""
    query = (
        select(Person.unit_id, Person.name)
        .join(Assignment, col(Assignment.unit_id) == Person.unit_id)
        .where(Assignment.directive_id == directive_id, current_focal_points())
    )
    found: dict[int, list[str]] = {}
    for unit_id, name in session.connection().execute(query):
        found.setdefault(unit_id, []).append(name or "—")
    return {unit_id: sorted_names(names) for unit_id, names in found.items()}


def first_acknowledgements(session: Session, directive_id: int) -> dict[int, dt.datetime]:
    """Map each assignment of the directive to its earliest receipt by a current focal point
    of its unit."""
    query = (
        select(Acknowledgement.assignment_id, func.min(Acknowledgement.at))
        .join(Assignment, col(Assignment.id) == Acknowledgement.assignment_id)
        .join(Person, col(Person.id) == Acknowledgement.person_id)
        .where(
            Assignment.directive_id == directive_id,
            col(Person.unit_id) == col(Assignment.unit_id),
            current_focal_points(),
        )
        .group_by(col(Acknowledgement.assignment_id))
    )
    return {assignment_id: at for assignment_id, at in session.connection().execute(query)}


def photo_counts(session: Session, directive_id: int) -> dict[int, int]:
    """Count the photos sent with every report on each assignment of the directive."""
    query = (
        select(ProgressReport.assignment_id, ProgressReport.attachments)
        .join(Assignment, col(Assignment.id) == ProgressReport.assignment_id)
        .where(Assignment.directive_id == directive_id)
    )
    counts: dict[int, int] = {}
    # Counted in Python: the attachments are a JSON list, queried differently by each backend.
    for assignment_id, attachments in session.connection().execute(query):
        photos = sum(1 for kind, *_rest in attachments or [] if kind == "photo")
        counts[assignment_id] = counts.get(assignment_id, 0) + photos
    return counts


@dataclass(frozen=True)
class OfficeAnswer:
    """One answer of the office in a difficulty's thread."""

    text: str
    author: str
    at: dt.datetime


@dataclass(frozen=True)
class Difficulty:
    """A unit's latest difficulty on an assignment, the office's answers and its resolution."""

    note: str
    at: dt.datetime
    answers: list[OfficeAnswer]
    resolved_at: dt.datetime | None
    resolved_by: str


def difficulties(session: Session, assignment_ids: list[int]) -> dict[int, Difficulty]:
    """Map each of these assignments with a difficulty to its latest one, as the status says."""
    states = thread_states(session, assignment_ids)
    report_ids = [state.report_id for state in states.values()]
    if not report_ids:
        return {}
    reports = {
        report.id: report
        for report in session.exec(
            select(ProgressReport).where(col(ProgressReport.id).in_(report_ids))
        )
    }
    answers: dict[int, list[OfficeAnswer]] = {}
    query = (
        select(DifficultyMessage, Person.name)
        .join(Person, col(Person.id) == DifficultyMessage.person_id)
        .where(
            col(DifficultyMessage.report_id).in_(report_ids),
            DifficultyMessage.side == ThreadSide.OFFICE.value,
        )
        .order_by(col(DifficultyMessage.at), col(DifficultyMessage.id))
    )
    for message, author in session.exec(query):
        answers.setdefault(message.report_id, []).append(
            OfficeAnswer(message.text, author or "", message.at)
        )
    return {
        assignment_id: Difficulty(
            note=reports[state.report_id].note,
            at=reports[state.report_id].at,
            answers=answers.get(state.report_id, []),
            resolved_at=state.resolved_at,
            resolved_by=state.resolved_by,
        )
        for assignment_id, state in states.items()
    }
