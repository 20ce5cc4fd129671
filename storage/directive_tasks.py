"""A directive's tasks per kind of unit (or per named unit) and its milestones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from storage.models import (
    Assignment,
    Directive,
    DirectiveTask,
    Milestone,
    ProgressReport,
    ProgressStatus,
    Unit,
)


@dataclass(frozen=True)
class TaskDraft:
    """A task as the office confirmed it, before it is stored."""

    heading: str
    body: str
    unit_kind: str = ""
    unit_id: int | None = None


@dataclass(frozen=True)
class MilestoneDraft:
    """A deadline as the office confirmed it, before it is stored."""

    due_on: dt.date
    what: str = ""
    unit_kind: str = ""


def add_tasks(
    session: Session,
    directive_id: int,
    tasks: Iterable[TaskDraft],
    milestones: Iterable[MilestoneDraft] = (),
) -> None:
    """Store a new directive's tasks and milestones, in the document's order."""
    for position, task in enumerate(tasks):
        session.add(
            DirectiveTask(
                directive_id=directive_id,
                position=position,
                unit_kind=task.unit_kind,
                unit_id=task.unit_id,
                heading=task.heading[:300],
                body=task.body,
            )
        )
    for milestone in milestones:
        session.add(
            Milestone(
                directive_id=directive_id,
                due_on=milestone.due_on,
                what=milestone.what[:300],
                unit_kind=milestone.unit_kind,
            )
        )
    session.flush()


def tasks_of(session: Session, directive_id: int) -> list[DirectiveTask]:
    """A directive's tasks in the document's order."""
    query = (
        select(DirectiveTask)
        .where(DirectiveTask.directive_id == directive_id)
        .order_by(col(DirectiveTask.position), col(DirectiveTask.id))
    )
    return list(session.exec(query))


def milestones_of(session: Session, directive_id: int) -> list[Milestone]:
    """A directive's milestones, earliest first."""
    query = (
        select(Milestone)
        .where(Milestone.directive_id == directive_id)
        .order_by(col(Milestone.due_on), col(Milestone.id))
    )
    return list(session.exec(query))


def task_for(tasks: Sequence[DirectiveTask], unit: Unit) -> DirectiveTask | None:
    """The task a unit is given: its own (named) one, else its kind's, else None (the whole
    content applies)."""
    named = [task for task in tasks if task.unit_id is not None and task.unit_id == unit.id]
    if named:
        return named[0]
    return next(
        (task for task in tasks if task.unit_id is None and task.unit_kind == unit.kind), None
    )


def milestones_for(milestones: Sequence[Milestone], unit_kind: str) -> list[Milestone]:
    """The milestones that apply to a kind of unit: its own and those for every unit."""
    return [m for m in milestones if m.unit_kind in ("", unit_kind)]


def next_milestone(
    milestones: Sequence[Milestone],
    unit_kind: str,
    today: dt.date,
    done: Collection[int] = frozenset(),
) -> Milestone | None:
    """The first milestone of a kind of unit not yet past and not finished, else its last
    unfinished one (overdue); None when the unit has finished them all."""
    applying = [m for m in milestones_for(milestones, unit_kind) if m.id not in done]
    upcoming = [m for m in applying if m.due_on >= today]
    if upcoming:
        return upcoming[0]
    return applying[-1] if applying else None


def is_last(milestones: Sequence[Milestone], unit_kind: str, milestone_id: int) -> bool:
    """Whether this is the last milestone that applies to a kind of unit: finishing it
    finishes the unit's work."""
    applying = milestones_for(milestones, unit_kind)
    return bool(applying) and applying[-1].id == milestone_id


def milestones_done(session: Session, assignment_ids: Iterable[int]) -> dict[int, set[int]]:
    """The milestones each assignment's unit has finished: those whose latest report is done."""
    wanted = sorted(set(assignment_ids))
    if not wanted:
        return {}
    query = (
        select(ProgressReport.assignment_id, ProgressReport.milestone_id, ProgressReport.status)
        .where(
            col(ProgressReport.assignment_id).in_(wanted),
            col(ProgressReport.milestone_id).is_not(None),
        )
        .order_by(col(ProgressReport.id))
    )
    latest: dict[tuple[int, int], str] = {}
    for assignment_id, milestone_id, status in session.exec(query):
        latest[(assignment_id, milestone_id or 0)] = status
    done: dict[int, set[int]] = {}
    for (assignment_id, milestone_id), status in latest.items():
        if status == ProgressStatus.DONE.value:
            done.setdefault(assignment_id, set()).add(milestone_id)
    return done


def unit_deadline(
    directive: Directive,
    milestones: Sequence[Milestone],
    unit_kind: str,
    today: dt.date,
    done: Collection[int] = frozenset(),
) -> tuple[dt.date | None, str]:
    """The deadline that applies to a kind of unit now, and what is due then ('' if unsaid)."""
    found = next_milestone(milestones, unit_kind, today, done)
    if found is None:
        return directive.deadline, ""
    return found.due_on, found.what


def unit_kinds(session: Session, unit_ids: Iterable[int]) -> dict[int, str]:
    """The kind of each unit, in one query."""
    query = select(Unit.id, Unit.kind).where(col(Unit.id).in_(list(unit_ids)))
    return {unit_id: kind for unit_id, kind in session.exec(query) if unit_id is not None}


def milestones_due_by(session: Session, due_by: dt.date) -> dict[int, list[Milestone]]:
    """Every milestone, earliest first, of the directives with a milestone due on or before
    `due_by`, by directive id."""
    due = select(Milestone.directive_id).where(col(Milestone.due_on) <= due_by)
    return _grouped(session, col(Milestone.directive_id).in_(due))


def _grouped(session: Session, which: Any) -> dict[int, list[Milestone]]:
    """The milestones matching `which`, earliest first, grouped by directive id."""
    query = select(Milestone).where(which).order_by(col(Milestone.due_on), col(Milestone.id))
    found: dict[int, list[Milestone]] = {}
    for milestone in session.exec(query):
        found.setdefault(milestone.directive_id, []).append(milestone)
    return found


def open_unit_kinds(session: Session, directive_ids: list[int]) -> dict[int, set[str]]:
    """The kinds of the units in use with work still open on each directive."""
    if not directive_ids:
        return {}
    query = (
        select(Assignment.directive_id, Unit.kind)
        .join(Unit, col(Unit.id) == Assignment.unit_id)
        .where(
            col(Assignment.directive_id).in_(directive_ids),
            Assignment.status != ProgressStatus.DONE.value,
            col(Unit.archived_at).is_(None),
        )
        .distinct()
    )
    found: dict[int, set[str]] = {}
    for directive_id, kind in session.exec(query):
        found.setdefault(directive_id, set()).add(kind)
    return found


def done_by_unit(session: Session, directive_id: int) -> dict[int, set[int]]:
    """The milestones of a directive each unit has finished, by unit id."""
    query = select(Assignment.id, Assignment.unit_id).where(Assignment.directive_id == directive_id)
    units = {assignment_id: unit_id for assignment_id, unit_id in session.exec(query)}
    done = milestones_done(session, units)
    return {units[assignment_id]: found for assignment_id, found in done.items()}


def milestones_by_directive(
    session: Session, directive_ids: Iterable[int]
) -> dict[int, list[Milestone]]:
    """The milestones of each of these directives that has any, earliest first."""
    wanted = sorted(set(directive_ids))
    if not wanted:
        return {}
    return _grouped(session, col(Milestone.directive_id).in_(wanted))


def unit_overdue(
    deadline: dt.date | None,
    milestones: Sequence[Milestone],
    unit_kind: str,
    done: Collection[int],
    today: dt.date,
) -> bool:
    """Whether a unit not finished is late: on a milestone of its kind past and not done,
    or, when no milestone applies to it, on the directive's deadline."""
    applying = milestones_for(milestones, unit_kind)
    if applying:
        return any(m.due_on < today and m.id not in done for m in applying)
    return deadline is not None and deadline < today
