"""The status exports of directives imported with tasks per unit: the workbook gives each unit
its task and next deadline, the report to sign groups the units by task."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlmodel import Session, select

from bot.cli import main
from bot.status_export import export_status
from bot.status_report import export_status_report
from storage.db import transaction
from storage.models import Assignment, Directive, Person, ProgressStatus
from storage.people import add_unit
from storage.progress import record_report
from tests.bot.test_cli_export_status import HEADINGS
from tests.bot.test_status_report import rows, texts
from tests.support.directive_office import (
    CENTRE,
    EAST,
    NOW,
    PLAN,
    SCHOOL,
    SIGNED,
    WEST,
    open_office,
    saved,
)
from tests.support.document_files import docx_of

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = dt.date(2026, 3, 25)
POLICE = "Công an xã"
VILLAGES = "4. Các ông (bà) Trưởng thôn"
SCHOOLS = "3. Các cơ sở giáo dục, các trường học trên địa bàn xã"
CENTRES = "2. Trung tâm Dịch vụ sự nghiệp công"
SCHOOL_DUE = "chậm nhất ngày 28/03/2026 gửi báo cáo về UBND xã (qua Phòng Văn hóa - Xã hội)."
VILLAGE_DUE = (
    "gửi hồ sơ đề nghị công nhận về Phòng Văn hóa - Xã hội xong trước ngày 20 tháng 12 năm 2026."
)
UNIT_HEADINGS = ["STT", "Đơn vị", "Đầu mối", "Nhận lúc", "Tình trạng", "Báo cáo gần nhất",
                 "Ghi chú", "Ảnh"]  # fmt: skip


@pytest.fixture
def office(monkeypatch, tmp_path, database):  # type: ignore[no-untyped-def]
    """The CLI on the commune's database at 08:00 on 20/03/2026."""
    return open_office(monkeypatch, tmp_path, database)


def import_both(database, folder: Path) -> tuple[Directive, Directive]:  # type: ignore[no-untyped-def]
    """The signed công văn sent to every unit, the police post too (it has no part of its own),
    and the kế hoạch from its DOCX; Tây's head then reports the công văn done."""
    with transaction(database) as session:
        add_unit(session, POLICE, "office")
    letter = saved(folder, SIGNED.encode(), "cv-12.txt")
    argv = ["directive", "import", letter, "--send", "--deadline", "30/04/2026", "--units", "all"]
    assert main(argv) == 0
    assert main(["directive", "import", saved(folder, docx_of(PLAN), "kh-45.docx"), "--send"]) == 0
    with transaction(database) as session:
        letter_row, plan_row = session.exec(select(Directive).order_by(Directive.id)).all()
        head = session.exec(select(Person).where(Person.name == "Lê Thị Bình")).one()
        assignment = session.exec(
            select(Assignment).where(
                Assignment.directive_id == letter_row.id, Assignment.unit_id == head.unit_id
            )
        ).one()
        record_report(
            session,
            assignment_id=assignment.id or 0,
            person_id=head.id or 0,
            status=ProgressStatus.DONE.value,
            note="Đã lồng ghép vào buổi sinh hoạt thôn",
            photo_ref="",
            now=NOW,
        )
    return letter_row, plan_row


def cells(sheet, row: int) -> list[object]:  # type: ignore[no-untyped-def]
    """A unit row's name and its three task columns."""
    return [sheet.cell(row, 2).value] + [sheet.cell(row, column).value for column in (11, 12, 13)]


def test_the_workbook_gives_each_unit_its_task_and_next_deadline(office, tmp_path):
    """Beside the status, each unit's task heading, its next deadline as a date and what is
    due: the school's report by 28/03, the villages' files by 20/12, the centre's own task
    under the plan's last date; the police post the whole text; Tây, done, nothing due."""
    letter, plan = import_both(office, tmp_path)
    path = tmp_path / "tinh-hinh.xlsx"
    with Session(office) as session:
        assert export_status(session, [plan, letter], TODAY, ZONE, path) == 9

    book = load_workbook(path)
    plan_sheet, letter_sheet = book["45-KH-VHXH"], book["12-UBND-VHXH"]
    assert [cell.value for cell in plan_sheet[7]] == [
        *HEADINGS,
        "Nhiệm vụ",
        "Mốc tới",
        "Việc đến hạn",
    ]
    assert [cells(plan_sheet, row) for row in range(8, 12)] == [
        [EAST, VILLAGES, dt.datetime(2026, 12, 20), VILLAGE_DUE],
        [WEST, VILLAGES, dt.datetime(2026, 12, 20), VILLAGE_DUE],
        [SCHOOL, SCHOOLS, dt.datetime(2026, 3, 28), SCHOOL_DUE],
        [CENTRE, CENTRES, dt.datetime(2026, 12, 20), None],
    ]
    assert plan_sheet.cell(10, 12).is_date
    assert [cells(letter_sheet, row) for row in range(8, 13)] == [
        [EAST, VILLAGES, dt.datetime(2026, 4, 30), None],
        [WEST, VILLAGES, None, None],
        [SCHOOL, SCHOOLS, dt.datetime(2026, 4, 30), None],
        [POLICE, "Toàn văn công văn", dt.datetime(2026, 4, 30), None],
        [CENTRE, CENTRES, dt.datetime(2026, 4, 30), None],
    ]
    assert letter_sheet.cell(9, 5).value == "Đã hoàn thành"


def test_the_report_groups_the_units_by_task(office, tmp_path):
    """In the report to sign, section II names each task with the units it went to and their
    next deadline, then their table: villages, schools, the centre, then the units left the
    whole text."""
    letter, plan = import_both(office, tmp_path)
    path = tmp_path / "bao-cao.docx"
    with Session(office) as session:
        assert export_status_report(session, [letter, plan], TODAY, ZONE, path, "An Hưng") == 9

    found = texts(path)
    letter_part = found[found.index("II. KẾT QUẢ CỦA TỪNG ĐƠN VỊ") + 1 :][:8]
    assert letter_part == [
        f"1. Các thôn (2 đơn vị) — nhiệm vụ: {VILLAGES}",
        "Hạn hoàn thành: 30/04/2026.",
        f"2. Các trường (1 đơn vị) — nhiệm vụ: {SCHOOLS}",
        "Hạn hoàn thành: 30/04/2026.",
        f"3. {CENTRE} — nhiệm vụ: {CENTRES}",
        "Hạn hoàn thành: 30/04/2026.",
        "4. Các đơn vị khác (1 đơn vị) — thực hiện theo toàn văn công văn",
        "Hạn hoàn thành: 30/04/2026.",
    ]
    second = len(found) - 1 - found[::-1].index("II. KẾT QUẢ CỦA TỪNG ĐƠN VỊ")
    assert found[second + 1 : second + 7] == [
        f"1. Các thôn (2 đơn vị) — nhiệm vụ: {VILLAGES}",
        f"Mốc tới: 20/12/2026 — {VILLAGE_DUE}",
        f"2. Các trường (1 đơn vị) — nhiệm vụ: {SCHOOLS}",
        f"Mốc tới: 28/03/2026 — {SCHOOL_DUE}",
        f"3. {CENTRE} — nhiệm vụ: {CENTRES}",
        "Hạn hoàn thành: 20/12/2026.",
    ]
    assert found[second + 7] == "III. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT"

    tables = Document(str(path)).tables
    # The header, four tables for the công văn, three for the kế hoạch, the signatures.
    assert len(tables) == 9
    assert [[row[:2] for row in rows(table)] for table in tables[1:5]] == [
        [UNIT_HEADINGS[:2], ["1", EAST], ["2", WEST]],
        [UNIT_HEADINGS[:2], ["1", SCHOOL]],
        [UNIT_HEADINGS[:2], ["1", CENTRE]],
        [UNIT_HEADINGS[:2], ["1", POLICE]],
    ]
    assert rows(tables[1])[2][4] == "Đã hoàn thành"
    assert [[row[1] for row in rows(table)[1:]] for table in tables[5:8]] == [
        [EAST, WEST],
        [SCHOOL],
        [CENTRE],
    ]


def test_the_commands_write_the_same(office, capsys, tmp_path):
    """`hoctap export status` and `export report` on the công văn show its tasks too."""
    letter, _plan = import_both(office, tmp_path)
    capsys.readouterr()

    assert main(["export", "status", str(letter.id), "--out", "s.xlsx"]) == 0
    assert main(["export", "report", str(letter.id), "--out", "r.docx"]) == 0

    sheet = load_workbook(tmp_path / "s.xlsx")["12-UBND-VHXH"]
    assert cells(sheet, 7) == ["Đơn vị", "Nhiệm vụ", "Mốc tới", "Việc đến hạn"]
    assert cells(sheet, 8) == [EAST, VILLAGES, dt.datetime(2026, 4, 30), None]
    found = texts(tmp_path / "r.docx")
    assert f"1. Các thôn (2 đơn vị) — nhiệm vụ: {VILLAGES}" in found
    assert "4. Các đơn vị khác (1 đơn vị) — thực hiện theo toàn văn công văn" in found
