"""`hoctap export status`: directives' status written as a workbook and read back cell by cell."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Engine
from sqlmodel import select

from bot.cli import main
from bot.config import get_settings
from bot.status_export import sheet_name
from storage.db import transaction
from storage.difficulties import add_answer, resolve
from storage.directives import acknowledge, create_directive
from storage.models import Assignment, Directive, Person, ProgressStatus, Role, ThreadSide
from storage.people import add_unit
from storage.progress import record_report
from tests.support.libreoffice import convert, needs_libreoffice

HEADINGS = [
    "STT",
    "Đơn vị",
    "Đầu mối",
    "Đã nhận lúc",
    "Tình trạng",
    "Báo cáo gần nhất",
    "Ghi chú gần nhất",
    "Khó khăn / trả lời",
    "Số ảnh",
    "Quá hạn",
]
ANSWER = "Xã sẽ hỗ trợ 2 triệu đồng mua sách"


@pytest.fixture
def cli(monkeypatch, tmp_path, database):  # type: ignore[no-untyped-def]
    """The CLI on the test database, run in a temporary folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database.url.render_as_string(hide_password=False))
    monkeypatch.delenv("TIMEZONE", raising=False)
    get_settings.cache_clear()
    return database


def at(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A stored time of 2025, in UTC."""
    return dt.datetime(2025, month, day, hour, minute, tzinfo=dt.UTC)


def seed_commune(database: Engine) -> dict[str, int]:
    """Directive 12/CV-UBND (deadline 31/03/2025) to four units in use and one archived:
    Đông received and done, Tây in progress with a note and two photos over two reports,
    Bắc Sơn stuck on a difficulty the office answered, the school silent (its one focal point,
    who received it, has left). 15/KH-UBND (no deadline): Đông's difficulty resolved, the
    school's unanswered. 20/TB-UBND: done by all, so not open. Returns the directives' ids."""
    with transaction(database) as session:
        north = add_unit(session, "Thôn Bắc Sơn", "village").id or 0
        east = add_unit(session, "Thôn Đông", "village").id or 0
        west = add_unit(session, "Thôn Tây", "village").id or 0
        school = add_unit(session, "Trường TH An Hưng", "school").id or 0
        old = add_unit(session, "Thôn Cũ", "village")
        people = {
            name: Person(name=name, role=Role.FOCAL.value, unit_id=unit)
            for name, unit in [
                ("Trần Văn Tâm", east),
                ("Nguyễn Thị Ánh", east),
                ("Phạm Văn Đức", west),
                ("Hoàng Thị Én", north),
                ("Vũ Minh Khoa", school),
                ("Đỗ Văn Cũ", old.id),
            ]
        }
        people["Vũ Minh Khoa"].removed_at = at(3, 4, 0)
        officer = Person(name="Lê Thị Hoa", role=Role.ADMIN.value)
        session.add_all([*people.values(), officer])
        session.flush()
        ids = {name: person.id or 0 for name, person in people.items()}

        def directive(number: str, month: int, deadline: dt.date | None, units: list[int]) -> Any:
            made, assignments = create_directive(
                session,
                number=number,
                issued_on=dt.date(2025, month, 1),
                subject=f"Về việc tuyên truyền khuyến học ({number})",
                content="",
                file_ref="",
                file_name="",
                deadline=deadline,
                unit_ids=units,
                created_by=officer.id,
                now=at(month, 1, 1),
            )
            return made, {a.unit_id: a.id or 0 for a in assignments}

        def report(task: int, who: str, status: ProgressStatus, when: dt.datetime, note: str = "",
                   attachments: list[list[str]] | None = None) -> Any:  # fmt: skip
            return record_report(
                session,
                assignment_id=task,
                person_id=ids[who],
                status=status.value,
                note=note,
                photo_ref="",
                attachments=attachments,
                now=when,
            )

        first, tasks = directive(
            "12/CV-UBND", 3, dt.date(2025, 3, 31), [school, west, east, north, old.id or 0]
        )
        acknowledge(session, tasks[east], ids["Trần Văn Tâm"], at(3, 2, 1, 30))
        # 23:00 UTC is 06:00 the next morning in the commune.
        acknowledge(session, tasks[east], ids["Nguyễn Thị Ánh"], at(3, 1, 23))
        report(tasks[east], "Trần Văn Tâm", ProgressStatus.DONE, at(3, 20, 8), "Đã hoàn thành")
        acknowledge(session, tasks[west], ids["Phạm Văn Đức"], at(3, 3, 2))
        report(tasks[west], "Phạm Văn Đức", ProgressStatus.IN_PROGRESS, at(3, 5, 3),
               "Đã họp chi bộ", [["photo", "p1", ""]])  # fmt: skip
        report(tasks[west], "Phạm Văn Đức", ProgressStatus.IN_PROGRESS, at(3, 10, 4, 15),
               "Đã họp dân, đang vận động",
               [["file", "f1", "kế hoạch.pdf"], ["photo", "p2", ""]])  # fmt: skip
        stuck = report(tasks[north], "Hoàng Thị Én", ProgressStatus.DIFFICULTY, at(3, 6, 2),
                       "Thiếu kinh phí mua sách cho học sinh")  # fmt: skip
        add_answer(session, stuck, officer.id or 0, ThreadSide.OFFICE, ANSWER, at(3, 7, 9))
        acknowledge(session, tasks[school], ids["Vũ Minh Khoa"], at(3, 2, 0))
        acknowledge(session, tasks[old.id or 0], ids["Đỗ Văn Cũ"], at(3, 2, 0))
        report(tasks[old.id or 0], "Đỗ Văn Cũ", ProgressStatus.IN_PROGRESS, at(3, 3, 0), "x",
               [["photo", "p9", ""]])  # fmt: skip
        old.archived_at = at(3, 25, 0)
        session.add(old)

        second, tasks = directive("15/KH-UBND", 4, None, [east, school])
        solved = report(tasks[east], "Trần Văn Tâm", ProgressStatus.DIFFICULTY, at(4, 2, 2),
                        "Chưa có hội trường")  # fmt: skip
        add_answer(
            session, solved, officer.id or 0, ThreadSide.OFFICE, "Mượn nhà văn hóa", at(4, 3, 2)
        )
        resolve(session, solved.id or 0, officer.id or 0, at(4, 4, 2))
        report(
            tasks[school], "Vũ Minh Khoa", ProgressStatus.DIFFICULTY, at(4, 2, 3), "Thiếu giáo viên"
        )

        closed, tasks = directive("20/TB-UBND", 2, None, [east])
        report(tasks[east], "Trần Văn Tâm", ProgressStatus.DONE, at(2, 3, 2))
        return {"12": first.id, "15": second.id, "20": closed.id}


def cells(sheet: Worksheet, first: int, last: int, width: int = len(HEADINGS)) -> list[list[Any]]:
    """The values of rows `first`..`last`, columns A.."""
    rows = sheet.iter_rows(min_row=first, max_row=last, max_col=width, values_only=True)
    return [list(row) for row in rows]


def local(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A time of 2025 as the commune's clock showed it, naive as the workbook holds it."""
    return dt.datetime(2025, month, day, hour, minute)


FIRST_ROWS = [
    [1, "Thôn Bắc Sơn", "Hoàng Thị Én", None, "Gặp khó khăn", local(3, 6, 9),
     "Thiếu kinh phí mua sách cho học sinh", f"{ANSWER} (Lê Thị Hoa)", 0, "Có"],
    [2, "Thôn Đông", "Nguyễn Thị Ánh, Trần Văn Tâm", local(3, 2, 6), "Đã hoàn thành",
     local(3, 20, 15), "Đã hoàn thành", None, 0, "Không"],
    [3, "Thôn Tây", "Phạm Văn Đức", local(3, 3, 9), "Đang thực hiện", local(3, 10, 11, 15),
     "Đã họp dân, đang vận động", None, 2, "Có"],
    [4, "Trường TH An Hưng", None, None, "Chưa triển khai", None, None, None, 0, "Có"],
]  # fmt: skip


def test_one_directive_cell_by_cell(cli, capsys, tmp_path):
    """The title block, one row per unit in use in Vietnamese order (Đông before Tây, the
    archived unit absent), times in the commune's clock, the first receipt by a current focal
    point, the latest note, the office's answer with its author, photos over every report,
    overdue units; then the summary."""
    ids = seed_commune(cli)
    assert main(["export", "status", str(ids["12"]), "--out", "s.xlsx"]) == 0
    out = capsys.readouterr().out
    assert out == f"wrote {tmp_path / 's.xlsx'}\n4 units in 1 directive sheet(s)\n"

    book = load_workbook(tmp_path / "s.xlsx")
    assert book.sheetnames == ["12-CV-UBND"]
    sheet = book["12-CV-UBND"]
    assert sheet["A1"].value == "TÌNH HÌNH THỰC HIỆN CÔNG VĂN"
    assert cells(sheet, 2, 5, 3) == [
        ["Số", None, "12/CV-UBND"],
        ["Ngày", None, dt.datetime(2025, 3, 1)],
        ["Trích yếu", None, "Về việc tuyên truyền khuyến học (12/CV-UBND)"],
        ["Hạn hoàn thành", None, dt.datetime(2025, 3, 31)],
    ]
    assert sheet["C3"].is_date and sheet["C5"].is_date
    assert cells(sheet, 7, 7) == [HEADINGS]
    assert cells(sheet, 8, 11) == FIRST_ROWS
    assert cells(sheet, 12, 14, 6) == [
        [None] * 6,
        ["Tổng hợp", "Số đơn vị", "Đã nhận", "Đã báo cáo", "Đã hoàn thành", "Quá hạn"],
        [None, 4, 2, 3, 1, 3],
    ]
    assert sheet.max_row == 14
    assert all(sheet.cell(row, 4).is_date for row in (9, 10))
    assert all(sheet.cell(row, 6).is_date for row in (8, 9, 10))


def test_every_open_directive_gets_its_own_sheet(cli, capsys, tmp_path):
    """No id: 15/KH-UBND then 12/CV-UBND (newest first), not the finished 20/TB-UBND; a
    resolved difficulty and an unanswered one; a directive without a deadline says so."""
    seed_commune(cli)
    today = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    assert main(["export", "status"]) == 0
    path = tmp_path / f"tinh-hinh-cong-van-dang-mo-{today:%Y-%m-%d}.xlsx"
    assert capsys.readouterr().out == f"wrote {path}\n6 units in 2 directive sheet(s)\n"
    book = load_workbook(path)
    assert book.sheetnames == ["15-KH-UBND", "12-CV-UBND"]
    assert cells(book["12-CV-UBND"], 8, 11) == FIRST_ROWS
    second = book["15-KH-UBND"]
    assert second["C5"].value == "Không có hạn"
    assert cells(second, 8, 9) == [
        [1, "Thôn Đông", "Nguyễn Thị Ánh, Trần Văn Tâm", None, "Gặp khó khăn", local(4, 2, 9),
         "Chưa có hội trường", "Đã xử lý", 0, "Không"],
        [2, "Trường TH An Hưng", None, None, "Gặp khó khăn", local(4, 2, 10),
         "Thiếu giáo viên", "Chưa trả lời", 0, "Không"],
    ]  # fmt: skip
    assert cells(second, 12, 12, 6) == [[None, 2, 0, 2, 0, 0]]


def test_a_directive_is_named_in_the_default_file(cli, capsys, tmp_path):
    """With an id and no --out the file is named after the directive's number, in ASCII."""
    ids = seed_commune(cli)
    today = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    assert main(["export", "status", str(ids["20"])]) == 0
    path = tmp_path / f"tinh-hinh-20-tb-ubnd-{today:%Y-%m-%d}.xlsx"
    assert capsys.readouterr().out.startswith(f"wrote {path}\n")
    assert load_workbook(path).sheetnames == ["20-TB-UBND"]


def test_an_unknown_directive_is_refused_and_nothing_is_written(cli, capsys, tmp_path):
    """An id no directive has: exit 2, a message naming it, no file."""
    seed_commune(cli)
    assert main(["export", "status", "999", "--out", "s.xlsx"]) == 2
    assert capsys.readouterr().err.splitlines()[1:] == ["no directive with id 999"]
    assert list(Path(tmp_path).glob("*.xlsx")) == []


def test_with_no_open_directive_nothing_is_written(cli, capsys, tmp_path):
    """Every unit done on every directive: refused with a reason, no empty workbook."""
    seed_commune(cli)
    with transaction(cli) as session:
        for task in session.exec(select(Assignment)):
            task.status = ProgressStatus.DONE.value
            session.add(task)
    assert main(["export", "status"]) == 2
    assert capsys.readouterr().err.splitlines()[1:] == [
        "no open directives: every unit has reported done"
    ]
    assert list(Path(tmp_path).glob("*.xlsx")) == []


@pytest.mark.parametrize(
    ("number", "taken", "name"),
    [
        ("12/CV-UBND", [], "12-CV-UBND"),
        ("12/CV-UBND", ["12-cv-ubnd"], "12-CV-UBND (2)"),
        ("12/CV-UBND", ["12-CV-UBND", "12-CV-UBND (2)"], "12-CV-UBND (3)"),
        ("Kế hoạch [số 3]: tuyên truyền?*", [], "Kế hoạch -số 3-- tuyên truyền--"),
        ("1234567890/KH-UBND-PHÒNG-VĂN-HÓA-XÃ-HỘI", [], "1234567890-KH-UBND-PHÒNG-VĂN-HÓ"),
        ("1234567890/KH-UBND-PHÒNG-VĂN-HÓA-XÃ-HỘI", ["1234567890-KH-UBND-PHÒNG-VĂN-HÓ"],
         "1234567890-KH-UBND-PHÒNG-VĂ (2)"),
        ("", [], "Công văn 7"),
    ],
)  # fmt: skip
def test_sheet_names_are_valid_and_unique(number, taken, name):
    """Excel's forbidden characters replaced, at most 31 characters, unlike names taken."""
    directive = Directive(id=7, number=number, issued_on=dt.date(2025, 3, 1), subject="")
    assert sheet_name(directive, taken) == name
    assert len(name) <= 31


@needs_libreoffice
def test_libreoffice_opens_the_status_workbook(cli, tmp_path):
    """The status workbook opens in LibreOffice without a repair: it converts to CSV."""
    seed_commune(cli)
    assert main(["export", "status", "--out", str(tmp_path / "tinh-hinh.xlsx")]) == 0
    assert convert(tmp_path / "tinh-hinh.xlsx", "csv").read_text(encoding="utf-8", errors="replace")
