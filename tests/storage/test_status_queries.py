"""Directive status and the open-directive page: the grouped queries give what the loop gave.

A commune with villages, schools, an archived village, focal points who were removed, moved
to another unit or have several chats, acknowledgements of the wrong people, several reports
per unit: the status matrix and the /tinhhinh summaries are compared with the per-person
logic they replace, which is kept here as the reference.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import Engine, event, inspect
from sqlmodel import Session, col, select

from storage.db import transaction
from storage.directives import directive_summaries, open_directive_page
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
from storage.ordering import by_unit, sorted_names
from storage.progress import directive_status

TODAY = dt.date(2026, 3, 20)
STATUSES = [status.value for status in ProgressStatus]


def reference_status(session: Session, directive_id: int) -> dict:
    """The status matrix as the loop over people built it before the grouped queries."""
    directive = session.get(Directive, directive_id)
    assert directive is not None
    pairs = session.exec(
        select(Assignment, Unit)
        .join(Unit, col(Unit.id) == Assignment.unit_id)
        .where(Assignment.directive_id == directive_id, col(Unit.archived_at).is_(None))
    ).all()
    # The order every list shows (villages first, Vietnamese alphabetical) is tested on its own.
    pairs = sorted(pairs, key=lambda pair: by_unit(pair[1]))
    people = session.exec(
        select(Person)
        .where(Person.role == Role.FOCAL.value, col(Person.removed_at).is_(None))
        .order_by(col(Person.id))
    ).all()
    acks = {(a.assignment_id, a.person_id) for a in session.exec(select(Acknowledgement))}
    reports = session.exec(
        select(ProgressReport).order_by(col(ProgressReport.at), col(ProgressReport.id))
    ).all()
    notes = {report.assignment_id: report.note for report in reports}
    reachable = {i.person_id for i in session.exec(select(Identity)) if i.reachable}
    late = directive.deadline is not None and directive.deadline < TODAY
    units = []
    for assignment, unit in pairs:
        members = [p for p in people if p.unit_id == unit.id]
        units.append(
            {
                "unit_id": unit.id,
                "unit_name": unit.name,
                "assignment_id": assignment.id,
                "status": assignment.status,
                "reported_at": assignment.reported_at,
                "reported": assignment.id in notes,
                "acknowledged": sum((assignment.id, p.id) in acks for p in members),
                "focal_points": len(members),
                "overdue": late and assignment.status != ProgressStatus.DONE.value,
                "latest_note": notes.get(assignment.id, ""),
                "unreachable": sorted_names(
                    p.name or "—" for p in members if p.id not in reachable
                ),
            }
        )
    return {
        "acknowledged": sum(u["acknowledged"] for u in units),
        "focal_points": sum(u["focal_points"] for u in units),
        "reported": sum(u["reported"] for u in units),
        "done": sum(u["status"] == ProgressStatus.DONE.value for u in units),
        "unit_count": len(units),
        "overdue": [u["unit_name"] for u in units if u["overdue"]],
        "units": units,
    }


def seed_commune(database: Engine, seed: int) -> list[int]:
    """Seed a varied commune at random (but repeatably); return the directive ids."""
    rng = random.Random(seed)
    moment = dt.datetime(2026, 3, 1, 1, 0, tzinfo=dt.UTC)
    names = ["Thôn Đông", "Thôn Tây", "Thôn Dương", "Thôn Bắc", "Thôn Ấp", "Trường Đa", "Văn phòng"]
    kinds = ["village"] * 5 + ["school", "office"]
    with transaction(database) as session:
        units = [
            Unit(name=f"{name} {seed}", kind=kind) for name, kind in zip(names, kinds, strict=True)
        ]
        units[3].archived_at = moment
        session.add_all(units)
        session.flush()
        unit_ids = [u.id for u in units]
        people = []
        for n in range(18):
            role = Role.FOCAL.value if n % 6 else rng.choice([Role.ADMIN.value, Role.LEADER.value])
            unit_id = rng.choice([*unit_ids, None]) if role == Role.FOCAL.value else None
            name = rng.choice(["An", "Bình", "", "Cường"])
            person = Person(name=name, role=role, unit_id=unit_id)
            if rng.random() < 0.2:
                person.removed_at = moment
            people.append(person)
        session.add_all(people)
        session.flush()
        for person in people:
            for channel in rng.sample(["telegram", "zalo"], rng.randint(0, 2)):
                session.add(
                    Identity(
                        person_id=person.id,
                        channel=channel,
                        external_id=f"{channel}-{person.id}",
                        chat_id=f"{channel}-{person.id}",
                        reachable=rng.random() < 0.6,
                    )
                )
        directive_ids = []
        for n in range(5):
            deadline = rng.choice([None, dt.date(2026, 3, 10), dt.date(2026, 3, 30)])
            issued_on = dt.date(2026, 3, 1 + n % 3)
            directive = Directive(
                number=f"{n}/UBND", issued_on=issued_on, subject="V/v", deadline=deadline
            )
            session.add(directive)
            session.flush()
            directive_ids.append(directive.id)
            for unit_id in rng.sample(unit_ids, rng.randint(0, len(unit_ids))):
                assignment = Assignment(directive_id=directive.id, unit_id=unit_id)
                session.add(assignment)
                session.flush()
                # Anyone may have acknowledged: moved, removed, or of another unit altogether.
                for person in rng.sample(people, rng.randint(0, 6)):
                    session.add(Acknowledgement(assignment_id=assignment.id, person_id=person.id))
                for r in range(rng.randint(0, 3)):
                    status = rng.choice(STATUSES)
                    at = moment + dt.timedelta(hours=rng.choice([1, 2, 2, 3]))
                    session.add(
                        ProgressReport(
                            assignment_id=assignment.id,
                            person_id=people[0].id,
                            status=status,
                            note=f"ghi chú {r}",
                            at=at,
                        )
                    )
                    assignment.status, assignment.reported_at = status, at
                    session.add(assignment)
                session.flush()
        return directive_ids


def as_dict(status) -> dict:  # type: ignore[no-untyped-def]
    """The status matrix in the reference's shape."""
    return {
        "acknowledged": status.acknowledged,
        "focal_points": status.focal_points,
        "reported": status.reported,
        "done": status.done,
        "unit_count": status.unit_count,
        "overdue": status.overdue,
        "units": [dict(vars(row)) for row in status.units],
    }


def test_the_status_matrix_matches_the_loop_over_people(database: Engine) -> None:
    """Removed and moved people, archived units and extra chats: every field as before."""
    for seed in range(4):
        directive_ids = seed_commune(database, seed)
        with Session(database) as session:
            for directive_id in directive_ids:
                got = as_dict(directive_status(session, directive_id, TODAY))
                assert got == reference_status(session, directive_id), (seed, directive_id)


def test_the_open_page_and_its_summaries_match_the_status_matrix(database: Engine) -> None:
    """The list shows the newest open directives with the counts of their unit lists."""
    directive_ids: list[int] = []
    for seed in range(4):
        directive_ids += seed_commune(database, seed)
        with Session(database) as session:
            expected_open = []
            for directive_id in directive_ids:
                reference = reference_status(session, directive_id)
                if any(u["status"] != ProgressStatus.DONE.value for u in reference["units"]):
                    expected_open.append(session.get(Directive, directive_id))
            expected_open.sort(key=lambda d: (d.issued_on, d.id), reverse=True)
            everything = open_directive_page(session, 100)
            assert [d.id for d in everything[0]] == [d.id for d in expected_open]
            page, count = open_directive_page(session, 2)
            assert [d.id for d in page] == [d.id for d in expected_open[:2]]
            assert count == len(expected_open)
            for summary in directive_summaries(session, everything[0], TODAY):
                reference = reference_status(session, summary.directive.id)
                got = {key: getattr(summary, key) for key in reference if key != "units"}
                assert got == {key: v for key, v in reference.items() if key != "units"}


def test_the_status_list_costs_the_same_few_statements_for_one_or_ten_directives(
    database: Engine,
) -> None:
    """Twelve open directives to three units: the shown ten are counted in a handful of queries."""
    for seed in range(7, 10):
        seed_commune(database, seed)
    statements: list[str] = []

    def remember(_conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    with Session(database) as session:
        event.listen(database, "before_cursor_execute", remember)
        try:
            page, _count = open_directive_page(session, 10)
            directive_summaries(session, page, TODAY)
        finally:
            event.remove(database, "before_cursor_execute", remember)
    assert len(page) >= 5
    # One of them reads the directives' milestones, for units late on one.
    assert len(statements) <= 8


def test_migrations_leave_the_status_and_totals_indexes(database: Engine) -> None:
    """Open work per directive, chats by id and the fund totals each have their index."""
    found = inspect(database)
    indexes = {
        table: {index["name"]: index["column_names"] for index in found.get_indexes(table)}
        for table in ("identity", "assignment", "contribution")
    }
    assert indexes["identity"]["ix_identity_channel_chat"] == ["channel", "chat_id"]
    assert indexes["assignment"]["ix_assignment_directive_status"] == ["directive_id", "status"]
    assert indexes["contribution"]["ix_contribution_totals"] == [
        "unit_id",
        "contributed_on",
        "amount",
        "reverses_id",
    ]
