"""A difficulty's thread of answers and its resolution: stored, resolved once, migrated."""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import Engine, inspect, text
from sqlmodel import Session, select

from storage.db import alembic_config, transaction
from storage.difficulties import add_answer, latest_difficulty, resolve, thread, thread_states
from storage.models import DifficultyMessage, ProgressReport, ProgressStatus, ThreadSide
from storage.progress import record_report
from tests.support.assignments import seed_directive, seed_person

AT = dt.datetime(2026, 3, 20, 1, 0, tzinfo=dt.UTC)


def difficulty(database: Engine) -> tuple[int, int, int, int]:
    """Thôn Đông reports a difficulty: (assignment, report, head, admin)."""
    ids = seed_directive(database, "669/KH-SGDĐT", "V/v xã hội học tập", ["Thôn Đông"])
    assignment = ids.assignments["Thôn Đông"]
    head = seed_person(database, "Nguyễn Văn An", unit="Thôn Đông")
    admin = seed_person(database, "Nguyễn Thị Hoa")
    with transaction(database) as session:
        report = record_report(
            session,
            assignment_id=assignment,
            person_id=head,
            status=ProgressStatus.DIFFICULTY.value,
            note="Thiếu kinh phí",
            photo_ref="",
            now=AT,
        )
        return assignment, report.id or 0, head, admin


def test_answers_come_back_in_order_and_a_difficulty_is_resolved_once(database: Engine) -> None:
    """Two answers are kept in order; of two resolutions only the first counts."""
    assignment, report_id, head, admin = difficulty(database)
    later = AT + dt.timedelta(hours=2)
    with transaction(database) as session:
        report = latest_difficulty(session, assignment)
        assert report is not None and report.id == report_id
        add_answer(session, report, admin, ThreadSide.OFFICE, "Xã hỗ trợ 2 triệu", AT)
        add_answer(session, report, head, ThreadSide.UNIT, "Cảm ơn", later)
        assert resolve(session, report_id, admin, later) is True
        assert resolve(session, report_id, head, later + dt.timedelta(hours=1)) is False
    with Session(database) as session:
        found = [(m.side, m.text, p.name) for m, p in thread(session, report_id)]
        assert found == [
            ("office", "Xã hỗ trợ 2 triệu", "Nguyễn Thị Hoa"),
            ("unit", "Cảm ơn", "Nguyễn Văn An"),
        ]
        stored = session.get(ProgressReport, report_id)
        assert stored is not None
        assert (stored.resolved_by, stored.resolved_at) == (admin, later)
        state = thread_states(session, [assignment])[assignment]
        assert (state.latest_text, state.latest_by, state.resolved_by) == (
            "Cảm ơn",
            "Nguyễn Văn An",
            "Nguyễn Thị Hoa",
        )


def test_migration_0008_goes_down_and_up(database: Engine) -> None:
    """Downgrading drops the answers and the resolution, keeping the reports; upgrading
    again gives every report an open, unanswered difficulty."""
    _assignment, report_id, head, admin = difficulty(database)
    with transaction(database) as session:
        report = session.get(ProgressReport, report_id)
        assert report is not None
        add_answer(session, report, admin, ThreadSide.OFFICE, "Xã hỗ trợ", AT)
        resolve(session, report_id, admin, AT)
    config = alembic_config(database.url.render_as_string(hide_password=False))
    database.dispose()
    command.downgrade(config, "0007")
    try:
        assert "difficultymessage" not in inspect(database).get_table_names()
        columns = {c["name"] for c in inspect(database).get_columns("progressreport")}
        assert {"resolved_at", "resolved_by"}.isdisjoint(columns)
        with database.begin() as connection:
            kept = connection.execute(text("SELECT note FROM progressreport")).scalar_one()
        database.dispose()
    finally:
        command.upgrade(config, "head")
    assert kept == "Thiếu kinh phí"
    with Session(database) as session:
        [report] = session.exec(select(ProgressReport))
        assert (report.id, report.resolved_at, report.resolved_by) == (report_id, None, None)
        assert list(session.exec(select(DifficultyMessage))) == []
    with transaction(database) as session:
        assert resolve(session, report_id, head, AT) is True
