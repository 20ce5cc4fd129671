"""A directive's tasks per kind of unit (or per named unit) and its milestones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from storage.models import Directive, DirectiveTask, Milestone, Unit


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
    milestones: Sequence[Milestone], unit_kind: str, today: dt.date
) -> Milestone | None:
    """The first milestone of a kind of unit not yet past, else its last one (overdue)."""
    applying = milestones_for(milestones, unit_kind)
    upcoming = [m for m in applying if m.due_on >= today]
    if upcoming:
        return upcoming[0]
    return applying[-1] if applying else None


def unit_deadline(
    directive: Directive, milestones: Sequence[Milestone], unit_kind: str, today: dt.date
) -> tuple[dt.date | None, str]:
    """The deadline that applies to a kind of unit now, and what is due then ('' if unsaid)."""
    found = next_milestone(milestones, unit_kind, today)
    if found is None:
        return directive.deadline, ""
    return found.due_on, found.what


def unit_kinds(session: Session, unit_ids: Iterable[int]) -> dict[int, str]:
    """The kind of each unit, in one query."""
    query = select(Unit.id, Unit.kind).where(col(Unit.id).in_(list(unit_ids)))
    return {unit_id: kind for unit_id, kind in session.exec(query) if unit_id is not None}
