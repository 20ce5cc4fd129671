"""The units late on directives, for many directives at once: what escalations list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from storage.models import Assignment, Person, ProgressStatus, Unit
from storage.ordering import unit_order
from storage.outbox_bulk import among
from storage.progress import current_focal_points


@dataclass(frozen=True)
class LateUnit:
    """A unit that has not finished a directive: its latest status and whether anyone answers."""

    unit_name: str
    status: str
    reported_at: dt.datetime | None
    staffed: bool
    """Whether the unit has a focal point at all."""
    unit_kind: str = ""
    assignment_id: int = 0


def late_units(session: Session, directive_ids: list[int]) -> dict[int, list[LateUnit]]:
    """Map each directive to its units not done, in list order; archived units are left out.

    One query for every directive: a pass escalating hundreds of directives reads them at once.
    """
    if not directive_ids:
        return {}
    staffed = select(Person.id).where(Person.unit_id == Unit.id, current_focal_points()).exists()
    query = (
        select(
            Assignment.directive_id,
            Unit.kind,
            Unit.name,
            Assignment.status,
            Assignment.reported_at,
            staffed,
            Assignment.id,
        )
        .join(Unit, col(Unit.id) == Assignment.unit_id)
        .where(
            among(session, col(Assignment.directive_id), directive_ids),
            Assignment.status != ProgressStatus.DONE.value,
            col(Unit.archived_at).is_(None),
        )
    )
    rows = session.connection().execute(query).all()
    rows.sort(key=lambda row: unit_order(row[1], row[2]))
    late: dict[int, list[LateUnit]] = {}
    for directive_id, kind, name, status, reported_at, has_focal, assignment_id in rows:
        late.setdefault(directive_id, []).append(
            LateUnit(name, status, reported_at, bool(has_focal), kind, assignment_id)
        )
    return late
