"""Seed units, people, directives and their assignments straight into the database."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session, select

from storage.db import transaction
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

_external_ids = itertools.count(700001)


@dataclass(frozen=True)
class SeededDirective:
    """A directive written by `seed_directive`, with its assignment id per unit name."""

    id: int
    assignments: dict[str, int]


def seed_unit(database: Engine, name: str, kind: str = "village") -> int:
    """Return the id of the unit called `name`, creating it when missing."""
    with transaction(database) as session:
        return _unit(session, name, kind)


def _unit(session: Session, name: str, kind: str = "village") -> int:
    found = session.exec(select(Unit).where(Unit.name == name)).first()
    if found is None:
        found = Unit(name=name, kind=kind)
        session.add(found)
        session.flush()
    assert found.id is not None
    return found.id


def seed_person(
    database: Engine,
    name: str,
    role: Role = Role.FOCAL,
    unit: str | None = None,
    *,
    locale: str = "vi",
    channels: tuple[str, ...] = ("telegram",),
    reachable: bool = True,
) -> int:
    """Create a person with one chat account per channel (all reachable or none); return the id."""
    with transaction(database) as session:
        unit_id = _unit(session, unit) if unit else None
        person = Person(name=name, role=role.value, unit_id=unit_id, locale=locale)
        session.add(person)
        session.flush()
        assert person.id is not None
        for channel in channels:
            external_id = str(next(_external_ids))
            session.add(
                Identity(
                    person_id=person.id,
                    channel=channel,
                    external_id=external_id,
                    chat_id=external_id,
                    reachable=reachable,
                    unreachable_reason="" if reachable else "blocked by the user",
                )
            )
        return person.id


def mark_unreachable(database: Engine, person_id: int, channel: str) -> None:
    """Mark a person's chat account on `channel` unreachable, as delivery does on a block."""
    with transaction(database) as session:
        identity = session.exec(
            select(Identity).where(Identity.person_id == person_id, Identity.channel == channel)
        ).one()
        identity.reachable, identity.unreachable_reason = False, "blocked by the user"
        session.add(identity)


def seed_directive(
    database: Engine,
    number: str,
    subject: str,
    units: list[str],
    *,
    issued_on: dt.date = dt.date(2026, 3, 10),
    deadline: dt.date | None = dt.date(2026, 3, 31),
    kind: str = "village",
) -> SeededDirective:
    """Create a directive and one assignment per unit (units created as needed)."""
    with transaction(database) as session:
        directive = Directive(
            number=number, issued_on=issued_on, subject=subject, deadline=deadline
        )
        session.add(directive)
        session.flush()
        assert directive.id is not None
        assignments: dict[str, int] = {}
        for name in units:
            assignment = Assignment(directive_id=directive.id, unit_id=_unit(session, name, kind))
            session.add(assignment)
            session.flush()
            assert assignment.id is not None
            assignments[name] = assignment.id
        return SeededDirective(directive.id, assignments)


def seed_acknowledgement(
    database: Engine, assignment_id: int, person_id: int, at: dt.datetime
) -> None:
    """Record that a person pressed Received on an assignment, as /ack does."""
    with transaction(database) as session:
        session.add(Acknowledgement(assignment_id=assignment_id, person_id=person_id, at=at))


def seed_report(
    database: Engine,
    assignment_id: int,
    person_id: int,
    status: ProgressStatus,
    at: dt.datetime,
    note: str = "",
) -> None:
    """Store a progress report and the assignment's new status, as /baocao does."""
    with transaction(database) as session:
        session.add(
            ProgressReport(
                assignment_id=assignment_id,
                person_id=person_id,
                status=status.value,
                note=note,
                at=at,
            )
        )
        assignment = session.get(Assignment, assignment_id)
        assert assignment is not None
        assignment.status, assignment.reported_at = status.value, at
        session.add(assignment)


def person_id(database: Engine, name: str) -> int:
    """Return the id of the person called `name`."""
    with Session(database) as session:
        found = session.exec(select(Person).where(Person.name == name)).one()
        assert found.id is not None
        return found.id


COMMUNE_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def local(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
    """An instant given in the commune's time, in 2026, as the UTC the bot stores."""
    return dt.datetime(2026, month, day, hour, minute, tzinfo=COMMUNE_ZONE).astimezone(dt.UTC)


def entered_at(database: Engine, directive_id: int, moment: dt.datetime) -> None:
    """Set when the admin entered the directive (seeding stamps the real clock)."""
    with transaction(database) as session:
        directive = session.get(Directive, directive_id)
        assert directive is not None
        directive.created_at = moment
        session.add(directive)
