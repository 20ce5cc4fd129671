"""A commune with an open directive and a fund ledger, for the tests of /xuat and its job."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from handlers.engine import Engine as DialogEngine
from storage.db import transaction
from storage.directives import create_directive
from storage.ledger import record_contribution, reverse_contribution
from storage.models import Assignment, Contribution, ExportRequest, Person, Role, Unit
from storage.people import add_unit
from storage.progress import record_report
from tests.support.chat import Chat, joined

EAST, WEST, SCHOOL = "Thôn Đông", "Thôn Tây", "Trường THCS An Hưng"
NUMBER = "12/UBND-VHXH"
SUBJECT = "V/v xây dựng xã hội học tập năm 2026"
OLDER_NUMBER = "8/KH-UBND"
NOTE = "Đang lập danh sách học sinh vượt khó"
AT = dt.datetime(2026, 3, 12, 2, 30, tzinfo=dt.UTC)


@dataclass
class Office:
    """The officer asking for files, the head of Thôn Đông and the ids of the directives."""

    admin: Chat
    head: Chat
    directive_id: int
    older_id: int


async def office(
    engine: DialogEngine, *, channel: str = "telegram", external_id: str = "9001"
) -> Office:
    """Lê Thị Hoa (admin) on `channel`; the head of Thôn Đông; Thôn Tây and the school.

    12/UBND-VHXH (deadline 18/03/2026) went to all three: Đông reported done, the school is
    in progress with a note, Tây has not reported. 8/KH-UBND went to Tây alone, still open.
    """
    admin = await joined(engine, Role.ADMIN, "Lê Thị Hoa", channel=channel, external_id=external_id)
    head = await joined(engine, Role.FOCAL, "Trần Văn Tâm", unit=EAST, external_id="5001")
    with transaction(engine.database) as session:
        east = unit_named(session, EAST)
        west = add_unit(session, WEST, "village")
        school = add_unit(session, SCHOOL, "school")
        ids = [unit.id or 0 for unit in (east, west, school)]
        directive, assignments = create_directive(
            session,
            number=NUMBER,
            issued_on=dt.date(2026, 3, 10),
            subject=SUBJECT,
            content="",
            file_ref="",
            file_name="",
            deadline=dt.date(2026, 3, 18),
            unit_ids=ids,
            created_by=None,
            now=AT,
        )
        older, _ = create_directive(
            session,
            number=OLDER_NUMBER,
            issued_on=dt.date(2026, 2, 1),
            subject="V/v rà soát quỹ khuyến học",
            content="",
            file_ref="",
            file_name="",
            deadline=None,
            unit_ids=[west.id or 0],
            created_by=None,
            now=AT,
        )
        by_unit = {assignment.unit_id: assignment for assignment in assignments}
        reporter = session.exec(select(Person).where(Person.name == "Trần Văn Tâm")).one()
        for unit, status, note in ((east, "done", ""), (school, "in_progress", NOTE)):
            record_report(
                session,
                assignment_id=by_unit[unit.id or 0].id or 0,
                person_id=reporter.id or 0,
                status=status,
                note=note,
                photo_ref="",
                now=AT,
            )
        return Office(admin, head, directive.id or 0, older.id or 0)


def unit_named(session: Session, name: str) -> Unit:
    """The unit with this name."""
    return session.exec(select(Unit).where(Unit.name == name)).one()


def seed_ledger(database: Engine) -> None:
    """2026: Thôn Đông 1,5 triệu (reversed the next day) and 2 triệu, the school 5 triệu, the
    office 300 nghìn; 2025: Thôn Tây 700 nghìn. Tây gave nothing in 2026."""
    with transaction(database) as session:
        recorder = session.exec(select(Person).where(Person.name == "Lê Thị Hoa")).one()
        east = unit_named(session, EAST).id
        west = unit_named(session, WEST).id
        school = unit_named(session, SCHOOL).id

        def give(unit: int | None, donor: str, amount: int, on: dt.date) -> Contribution:
            return record_contribution(
                session,
                recorded_by=recorder.id or 0,
                unit_id=unit,
                donor_name=donor,
                donor_kind="person",
                amount=amount,
                contributed_on=on,
                note="",
                now=dt.datetime.combine(on, dt.time(3), tzinfo=dt.UTC),
            )

        give(west, "Hoàng Thị Én", 700_000, dt.date(2025, 12, 30))
        mistaken = give(east, "Nguyễn Văn Bình", 1_500_000, dt.date(2026, 3, 2))
        give(east, "Dòng họ Lê", 2_000_000, dt.date(2026, 3, 5))
        give(school, "Công ty TNHH Hưng Thịnh", 5_000_000, dt.date(2026, 3, 10))
        give(None, "Phạm Văn Đức", 300_000, dt.date(2026, 3, 12))
        reverse_contribution(
            session, mistaken, by=recorder.id or 0, reason="Ghi nhầm", now=AT + dt.timedelta(1)
        )


def requests(database: Engine) -> list[ExportRequest]:
    """Every export request, in order."""
    with Session(database) as session:
        return list(session.exec(select(ExportRequest).order_by(col(ExportRequest.id))))


def ledger_rows(database: Engine, first: dt.date, last: dt.date) -> list[Contribution]:
    """The ledger rows dated in a period, by date then as recorded."""
    with Session(database) as session:
        query = (
            select(Contribution)
            .where(col(Contribution.contributed_on).between(first, last))
            .order_by(col(Contribution.contributed_on), col(Contribution.id))
        )
        return list(session.exec(query))


def assignments_of(database: Engine, directive_id: int) -> dict[str, Assignment]:
    """A directive's assignments by unit name."""
    with Session(database) as session:
        rows = session.exec(
            select(Assignment, Unit.name)
            .join(Unit, col(Unit.id) == Assignment.unit_id)
            .where(Assignment.directive_id == directive_id)
        )
        return {name: assignment for assignment, name in rows}


def export_folders(root: Path) -> dict[str, Path]:
    """An export and a media folder under `root`, as bot.app.serve_files makes them."""
    folders = {"export": root / "exports", "media": root / "media"}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    return folders
