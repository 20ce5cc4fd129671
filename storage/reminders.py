"""Queries for reminders, escalations and the digest, and the record of what was queued."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import (
    Acknowledgement,
    Assignment,
    Contribution,
    Directive,
    ProgressStatus,
    Reminder,
    Unit,
)
from storage.outbox_bulk import among, chunks

_NOT_DONE = col(Assignment.status) != ProgressStatus.DONE.value
_IN_USE = col(Unit.archived_at).is_(None)
"""An archived unit's assignments stay on record but are neither reminded nor escalated."""


@dataclass(frozen=True)
class Due:
    """One reminder, escalation or digest that is due, to be recorded under its unique key."""

    category: str
    """'reminder', 'escalation', 'digest' or 'manual': what the item is, for the summary."""
    key: str
    kind: str
    due_at: dt.datetime
    directive_id: int | None = None
    assignment_id: int | None = None
    milestone_id: int | None = None
    """The milestone an escalation is about; None for the directive's deadline."""


def claim(session: Session, item: Due, now: dt.datetime) -> bool:
    """Record that `item` is being queued; False when someone recorded its key first."""
    row = Reminder(
        key=item.key,
        kind=item.kind,
        directive_id=item.directive_id,
        assignment_id=item.assignment_id,
        due_at=item.due_at,
        at=now,
    )
    try:
        # The unique key decides between two passes (or processes); the savepoint keeps the
        # loser's transaction usable. On PostgreSQL the loser waits here for the winner's commit.
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


def find_reminder(session: Session, key: str) -> Reminder | None:
    """Return the record of the item queued under `key`, if any."""
    return session.exec(select(Reminder).where(Reminder.key == key)).first()


def sent_keys(session: Session, keys: list[str]) -> set[str]:
    """Return those of `keys` already recorded as queued."""
    found: set[str] = set()
    for chunk in chunks(keys):
        query = select(Reminder.key).where(among(session, col(Reminder.key), chunk))
        found.update(session.exec(query))
    return found


def directives_due_by(session: Session, due_by: dt.date) -> dict[int, Directive]:
    """Return the directives with a deadline on or before `due_by`, by id."""
    query = select(Directive).where(
        col(Directive.deadline).is_not(None), col(Directive.deadline) <= due_by
    )
    return {directive.id: directive for directive in session.exec(query) if directive.id}


def directives_by_id(session: Session, directive_ids: set[int]) -> dict[int, Directive]:
    """Return the directives with these ids, by id."""
    query = select(Directive).where(col(Directive.id).in_(sorted(directive_ids)))
    return {directive.id: directive for directive in session.exec(query) if directive.id}


def acknowledgements_of(session: Session, assignment_ids: list[int]) -> set[tuple[int, int]]:
    """Return (assignment id, person id) of every acknowledgement of the assignments."""
    found: set[tuple[int, int]] = set()
    for chunk in chunks(assignment_ids):
        query = select(Acknowledgement.assignment_id, Acknowledgement.person_id).where(
            among(session, col(Acknowledgement.assignment_id), chunk)
        )
        found.update((row[0], row[1]) for row in session.exec(query))
    return found


def open_with_deadline(session: Session, due_by: dt.date) -> list[tuple[Assignment, Directive]]:
    """Return assignments of units in use, not done, with a deadline on or before `due_by`."""
    query = (
        select(Assignment, Directive)
        .join(Directive, col(Directive.id) == Assignment.directive_id)
        .join(Unit, col(Unit.id) == Assignment.unit_id)
        .where(
            _NOT_DONE,
            _IN_USE,
            col(Directive.deadline).is_not(None),
            col(Directive.deadline) <= due_by,
        )
        .order_by(col(Assignment.id))
    )
    return [(assignment, directive) for assignment, directive in session.exec(query)]


def overdue_directives(session: Session, deadline_by: dt.date) -> list[Directive]:
    """Return directives due on or before `deadline_by` with a unit in use not done, by id."""
    unfinished = (
        select(Assignment.directive_id)
        .join(Unit, col(Unit.id) == Assignment.unit_id)
        .where(_NOT_DONE, _IN_USE)
    )
    query = (
        select(Directive)
        .where(
            col(Directive.id).in_(unfinished),
            col(Directive.deadline).is_not(None),
            col(Directive.deadline) <= deadline_by,
        )
        .order_by(col(Directive.id))
    )
    return list(session.exec(query))


def acknowledged_by(session: Session, assignment_id: int) -> set[int]:
    """Return the ids of the people who acknowledged an assignment."""
    query = select(Acknowledgement.person_id).where(Acknowledgement.assignment_id == assignment_id)
    return set(session.exec(query))


def directives_created(session: Session, since: dt.datetime, until: dt.datetime) -> list[Directive]:
    """Return directives entered in (since, until], oldest first."""
    query = (
        select(Directive)
        .where(col(Directive.created_at) > since, col(Directive.created_at) <= until)
        .order_by(col(Directive.created_at), col(Directive.id))
    )
    return list(session.exec(query))


def fund_total(session: Session, since: dt.datetime, until: dt.datetime) -> int:
    """Sum the ledger entries recorded in (since, until], reversals included, in đồng."""
    query = select(func.coalesce(func.sum(Contribution.amount), 0)).where(
        col(Contribution.created_at) > since, col(Contribution.created_at) <= until
    )
    return int(session.exec(query).one())
