"""Progress reports keep long notes whole and every photo and file sent with them."""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import Engine, inspect, text
from sqlmodel import Session, select

from storage.db import alembic_config, transaction
from storage.models import ProgressReport, ProgressStatus
from storage.progress import record_report
from tests.support.assignments import seed_directive, seed_person

AT = dt.datetime(2026, 3, 20, 1, 0, tzinfo=dt.UTC)
# A difficulty as long as a Telegram message allows, with line breaks, Vietnamese throughout.
LONG = ("Thôn chưa có kinh phí in tài liệu tuyên truyền.\n" * 84)[:4000]


def seeded(database: Engine) -> tuple[int, int]:
    """A village head and their unit's assignment of one directive: (assignment, person)."""
    ids = seed_directive(database, "669/KH-SGDĐT", "V/v xã hội học tập", ["Thôn Đông"])
    head = seed_person(database, "Nguyễn Văn An", unit="Thôn Đông")
    return ids.assignments["Thôn Đông"], head


def stored(database: Engine) -> list[ProgressReport]:
    """Every report as read back from the database, oldest first."""
    with Session(database) as session:
        return list(session.exec(select(ProgressReport).order_by(ProgressReport.id)))


def test_a_4000_character_note_and_its_attachments_come_back_whole(database: Engine) -> None:
    """The note column has no width: a note of a whole Telegram message is kept, every line."""
    assignment, head = seeded(database)
    attachments = [["photo", "AgACAgKho1", ""], ["file", "BQACAgDs", "danh-sach.xlsx"]]
    with transaction(database) as session:
        record_report(
            session,
            assignment_id=assignment,
            person_id=head,
            status=ProgressStatus.DIFFICULTY.value,
            note=LONG,
            photo_ref="AgACAgKho1",
            attachments=attachments,
            now=AT,
        )
    [report] = stored(database)
    assert (len(report.note), report.note) == (4000, LONG)
    assert (report.photo_ref, report.attachments) == ("AgACAgKho1", attachments)
    columns = {
        column["name"]: column["type"] for column in inspect(database).get_columns("progressreport")
    }
    assert getattr(columns["note"], "length", None) is None


def test_migration_0006_carries_old_reports_over_and_back(database: Engine) -> None:
    """Upgrading gives an old report's photo as its one attachment; downgrading cuts long
    notes to the old 1,000 characters rather than failing."""
    assignment, head = seeded(database)
    with transaction(database) as session:
        record_report(
            session,
            assignment_id=assignment,
            person_id=head,
            status=ProgressStatus.IN_PROGRESS.value,
            note=LONG,
            photo_ref="",
            now=AT,
        )
    config = alembic_config(database.url.render_as_string(hide_password=False))
    database.dispose()
    command.downgrade(config, "0005")
    try:
        with database.begin() as connection:
            kept = connection.execute(text("SELECT note FROM progressreport")).scalar_one()
            connection.execute(
                text(
                    "INSERT INTO progressreport (assignment_id, person_id, status, note, "
                    "photo_ref, at) VALUES (:a, :p, 'done', 'Đã treo băng rôn', 'AgACAgOld', :at)"
                ),
                {"a": assignment, "p": head, "at": AT.replace(tzinfo=None)},
            )
        database.dispose()
    finally:
        command.upgrade(config, "head")
    assert kept == LONG[:1000]
    older, old = stored(database)
    assert (older.note, older.attachments) == (LONG[:1000], [])
    assert (old.note, old.photo_ref, old.attachments) == (
        "Đã treo băng rôn",
        "AgACAgOld",
        [["photo", "AgACAgOld", ""]],
    )
