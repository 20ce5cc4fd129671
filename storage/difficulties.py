"""Threads answering a unit's difficulty: the office and the unit write back and forth, and
the office marks the difficulty resolved, once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.models import (
    DifficultyMessage,
    Person,
    ProgressReport,
    ProgressStatus,
    ThreadSide,
)


@dataclass(frozen=True)
class ThreadState:
    """Where a difficulty stands: its latest answer, or who resolved it and when."""

    report_id: int
    latest_text: str = ""
    latest_side: str = ""
    latest_by: str = ""
    resolved_at: dt.datetime | None = None
    resolved_by: str = ""


def latest_difficulty(session: Session, assignment_id: int) -> ProgressReport | None:
    """Return the assignment's newest report of a difficulty, the one its thread answers."""
    query = (
        select(ProgressReport)
        .where(
            ProgressReport.assignment_id == assignment_id,
            ProgressReport.status == ProgressStatus.DIFFICULTY.value,
        )
        .order_by(col(ProgressReport.at).desc(), col(ProgressReport.id).desc())
    )
    return session.exec(query).first()


def add_answer(
    session: Session,
    report: ProgressReport,
    person_id: int,
    side: ThreadSide,
    text: str,
    now: dt.datetime,
) -> DifficultyMessage:
    """Store one answer in the thread of a difficulty report."""
    message = DifficultyMessage(
        assignment_id=report.assignment_id,
        report_id=report.id or 0,
        person_id=person_id,
        side=side.value,
        text=text,
        at=now,
    )
    session.add(message)
    session.flush()
    return message


def resolve(session: Session, report_id: int, person_id: int, now: dt.datetime) -> bool:
    """Mark a difficulty resolved by this person; False when someone already had."""
    # One conditional UPDATE: of two admins tapping at once, exactly one wins.
    result = session.connection().execute(
        update(ProgressReport)
        .where(col(ProgressReport.id) == report_id, col(ProgressReport.resolved_at).is_(None))
        .values(resolved_at=now, resolved_by=person_id)
    )
    report = session.get(ProgressReport, report_id)
    if report is not None:
        session.refresh(report)
    return bool(result.rowcount)


def resolver(session: Session, report: ProgressReport) -> Person | None:
    """Return who marked the difficulty resolved, if anyone did."""
    return session.get(Person, report.resolved_by) if report.resolved_by else None


def thread(session: Session, report_id: int) -> list[tuple[DifficultyMessage, Person]]:
    """Return the answers to a difficulty with their authors, oldest first."""
    query = (
        select(DifficultyMessage, Person)
        .join(Person, col(Person.id) == DifficultyMessage.person_id)
        .where(DifficultyMessage.report_id == report_id)
        .order_by(col(DifficultyMessage.at), col(DifficultyMessage.id))
    )
    return [(message, person) for message, person in session.exec(query)]


def thread_states(session: Session, assignment_ids: list[int]) -> dict[int, ThreadState]:
    """Map each of these assignments with a difficulty to where its latest one stands."""
    if not assignment_ids:
        return {}
    reports = session.exec(
        select(ProgressReport)
        .where(
            col(ProgressReport.assignment_id).in_(assignment_ids),
            ProgressReport.status == ProgressStatus.DIFFICULTY.value,
        )
        .order_by(col(ProgressReport.at), col(ProgressReport.id))
    )
    # Later rows overwrite earlier ones: the newest difficulty of each assignment stays.
    latest = {report.assignment_id: report for report in reports}
    report_ids = [report.id for report in latest.values()]
    answers = session.exec(
        select(DifficultyMessage, Person)
        .join(Person, col(Person.id) == DifficultyMessage.person_id)
        .where(col(DifficultyMessage.report_id).in_(report_ids))
        .order_by(col(DifficultyMessage.at), col(DifficultyMessage.id))
    )
    last = {message.report_id: (message, person) for message, person in answers}
    resolvers = {
        person.id: person.name
        for person in session.exec(
            select(Person).where(
                col(Person.id).in_([r.resolved_by for r in latest.values() if r.resolved_by])
            )
        )
    }
    states = {}
    for assignment_id, report in latest.items():
        message, author = last.get(report.id or 0, (None, None))
        states[assignment_id] = ThreadState(
            report_id=report.id or 0,
            latest_text=message.text if message else "",
            latest_side=message.side if message else "",
            latest_by=author.name if author else "",
            resolved_at=report.resolved_at,
            resolved_by=resolvers.get(report.resolved_by, "") if report.resolved_by else "",
        )
    return states
