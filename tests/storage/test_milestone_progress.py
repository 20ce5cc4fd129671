"""Reports that answer a milestone: which milestones a unit has finished, when its work
closes, and the migration that adds the column."""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import Engine, inspect, text
from sqlmodel import Session, select

from storage.db import alembic_config, transaction
from storage.difficulties import add_answer
from storage.directive_tasks import (
    MilestoneDraft,
    add_tasks,
    milestones_done,
    milestones_of,
    next_milestone,
)
from storage.models import Assignment, ProgressReport, ProgressStatus, ThreadSide
from storage.progress import record_report
from tests.support.assignments import seed_directive, seed_person

AT = dt.datetime(2026, 3, 20, 1, 0, tzinfo=dt.UTC)


def seeded(database: Engine) -> tuple[int, int, list[int]]:
    """Thôn Đông's assignment of a plan with a list due 31/03 and a report due 20/12 for
    villages, and a schools' plan due 28/03: (assignment, head, milestone ids by date)."""
    ids = seed_directive(database, "12/KH-UBND", "Xây dựng xã hội học tập", ["Thôn Đông"])
    head = seed_person(database, "Nguyễn Văn An", unit="Thôn Đông")
    with transaction(database) as session:
        add_tasks(
            session,
            ids.id,
            [],
            [
                MilestoneDraft(dt.date(2026, 3, 28), "gửi kế hoạch", "school"),
                MilestoneDraft(dt.date(2026, 3, 31), "nộp danh sách hộ", "village"),
                MilestoneDraft(dt.date(2026, 12, 20), "báo cáo kết quả", ""),
            ],
        )
        milestones = [m.id or 0 for m in milestones_of(session, ids.id)]
    return ids.assignments["Thôn Đông"], head, milestones


def report(database: Engine, assignment: int, head: int, status: str, milestone: int) -> None:
    """The head reports on one milestone."""
    with transaction(database) as session:
        record_report(
            session,
            assignment_id=assignment,
            person_id=head,
            status=status,
            note="",
            photo_ref="",
            now=AT,
            milestone_id=milestone,
        )


def status_of(database: Engine, assignment: int) -> str:
    """The assignment's status as stored."""
    with Session(database) as session:
        found = session.get(Assignment, assignment)
        assert found is not None
        return found.status


def test_done_on_an_earlier_milestone_keeps_the_work_open_and_the_last_closes_it(database):
    """Done on the list leaves the village in progress with the report next; a later
    'in progress' on the list takes its Done back; Done on the report closes the work."""
    assignment, head, (_plan, households, results) = seeded(database)
    report(database, assignment, head, ProgressStatus.DONE.value, households)
    assert status_of(database, assignment) == ProgressStatus.IN_PROGRESS.value
    with Session(database) as session:
        assert milestones_done(session, [assignment]) == {assignment: {households}}
        directive = session.get(Assignment, assignment).directive_id
        milestones = milestones_of(session, directive)
        found = next_milestone(milestones, "village", dt.date(2026, 3, 20), {households})
        assert found is not None and found.id == results

    report(database, assignment, head, ProgressStatus.IN_PROGRESS.value, households)
    with Session(database) as session:
        assert milestones_done(session, [assignment]) == {}

    report(database, assignment, head, ProgressStatus.DONE.value, results)
    assert status_of(database, assignment) == ProgressStatus.DONE.value


def test_migration_0013_goes_down_and_up_under_a_difficulty_thread(database: Engine) -> None:
    """Downgrading drops the milestone of each report and keeps the reports and their
    threads; upgrading again gives the reports no milestone."""
    assignment, head, (_plan, households, _results) = seeded(database)
    report(database, assignment, head, ProgressStatus.DIFFICULTY.value, households)
    with transaction(database) as session:
        [stored] = session.exec(select(ProgressReport))
        add_answer(session, stored, head, ThreadSide.UNIT, "Thiếu kinh phí in danh sách", AT)
        report_id = stored.id
    config = alembic_config(database.url.render_as_string(hide_password=False))
    database.dispose()
    command.downgrade(config, "0012")
    try:
        columns = {c["name"] for c in inspect(database).get_columns("progressreport")}
        with database.begin() as connection:
            answers = connection.execute(
                text("SELECT count(*) FROM difficultymessage WHERE report_id = :r"),
                {"r": report_id},
            ).scalar_one()
        database.dispose()
    finally:
        command.upgrade(config, "head")
    assert "milestone_id" not in columns
    assert answers == 1
    with Session(database) as session:
        [kept] = session.exec(select(ProgressReport))
        assert (kept.id, kept.status, kept.milestone_id) == (report_id, "difficulty", None)
