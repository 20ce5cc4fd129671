"""`hoctap export ledger`: the fund ledger written as a workbook and read back cell by cell."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Engine
from sqlmodel import Session

from bot.cli import main
from bot.config import get_settings
from bot.ledger_export import MONEY
from storage.db import transaction
from storage.ledger import fund_totals, record_contribution, reverse_contribution
from storage.models import Person, Role
from storage.people import add_unit
from tests.support.disclosure import seed_gifts
from tests.support.libreoffice import convert, needs_libreoffice

HEADINGS = [
    "STT",
    "Ngày",
    "Số biên lai",
    "Đơn vị",
    "Người đóng góp",
    "Loại",
    "Số tiền (đồng)",
    "Ghi chú",
    "Người ghi",
    "Hủy biên lai",
    "Bị hủy bởi",
    "Ẩn danh",
]
NOTE = "Ủng hộ học sinh nghèo vượt khó"
REASON = "Hủy biên lai KH2026-00001: Ghi nhầm số tiền"
YEAR_2026 = [
    [1, dt.date(2026, 3, 2), "KH2026-00001", "Thôn Đông", "Nguyễn Văn Bình", "Cá nhân",
     1_500_000, None, "Trần Văn Tâm", None, "KH2026-00005", None],
    [2, dt.date(2026, 3, 2), "KH2026-00005", "Thôn Đông", "Nguyễn Văn Bình", "Cá nhân",
     -1_500_000, REASON, "Lê Thị Hoa", "KH2026-00001", None, None],
    [3, dt.date(2026, 3, 5), "KH2026-00002", "Thôn Đông", "Dòng họ Lê", "Dòng họ",
     2_000_000, NOTE, "Trần Văn Tâm", None, None, None],
    [4, dt.date(2026, 3, 10), "KH2026-00003", "Trường TH An Hưng", "Công ty TNHH Hưng Thịnh",
     "Tổ chức", 5_000_000, None, "Lê Thị Hoa", None, None, None],
    [5, dt.date(2026, 3, 12), "KH2026-00004", "Văn phòng UBND xã", "Gia đình ông Phạm Văn Đức",
     "Gia đình", 300_000, None, "Lê Thị Hoa", None, None, None],
]  # fmt: skip


@pytest.fixture
def cli(monkeypatch, tmp_path, database):  # type: ignore[no-untyped-def]
    """The CLI on the test database, run in a temporary folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database.url.render_as_string(hide_password=False))
    monkeypatch.delenv("TIMEZONE", raising=False)
    get_settings.cache_clear()
    return database


def seed_commune(database: Engine) -> None:
    """Four units, three of which gave in March 2026; Bắc Sơn gave in December 2025 only; the
    office reversed Bình's 1,5 triệu recorded by the head of Thôn Đông."""
    with transaction(database) as session:
        east = add_unit(session, "Thôn Đông", "village").id
        add_unit(session, "Thôn Tây", "village")
        north = add_unit(session, "Thôn Bắc Sơn", "village").id
        school = add_unit(session, "Trường TH An Hưng", "school").id
        head = Person(name="Trần Văn Tâm", role=Role.FOCAL.value, unit_id=east)
        officer = Person(name="Lê Thị Hoa", role=Role.ADMIN.value)
        session.add_all([head, officer])
        session.flush()

        def give(by: Person, unit: int | None, name: str, kind: str, amount: int, day: int,
                 month: int = 3, year: int = 2026, note: str = "") -> Any:  # fmt: skip
            on = dt.date(year, month, day)
            return record_contribution(
                session,
                recorded_by=by.id or 0,
                unit_id=unit,
                donor_name=name,
                donor_kind=kind,
                amount=amount,
                contributed_on=on,
                note=note,
                now=dt.datetime(year, month, day, 3, tzinfo=dt.UTC),
            )

        give(head, north, "Hoàng Thị Én", "person", 700_000, 30, month=12, year=2025)
        mistaken = give(head, east, "Nguyễn Văn Bình", "person", 1_500_000, 2)
        give(head, east, "Dòng họ Lê", "clan", 2_000_000, 5, note=NOTE)
        give(officer, school, "Công ty TNHH Hưng Thịnh", "organisation", 5_000_000, 10)
        give(officer, None, "Gia đình ông Phạm Văn Đức", "family", 300_000, 12)
        reverse_contribution(
            session,
            mistaken,
            by=officer.id or 0,
            reason="Ghi nhầm số tiền",
            now=dt.datetime(2026, 3, 20, 2, tzinfo=dt.UTC),
        )


def cells(sheet: Worksheet, first: int, last: int, width: int) -> list[list[Any]]:
    """The values of rows `first`..`last`, columns A.., dates as dates."""
    rows = sheet.iter_rows(min_row=first, max_row=last, max_col=width, values_only=True)
    return [[_day(value) for value in row] for row in rows]


def _day(value: Any) -> Any:
    # openpyxl reads a date cell back as a datetime at midnight.
    return value.date() if isinstance(value, dt.datetime) else value


def test_the_ledger_of_2026_cell_by_cell(cli, capsys, tmp_path):
    """Every 2026 receipt in date order, the reversal a negative row naming KH2026-00001 and
    the original naming its reversal; totals per unit (one that gave nothing at 0, units in
    Vietnamese order, Đông before Tây), per donor kind and overall, as the database has them."""
    seed_commune(cli)
    argv = ["export", "ledger", "--from", "2026-01-01", "--to", "31/12/2026", "--out", "so.xlsx"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out == f"wrote {tmp_path / 'so.xlsx'}\n5 ledger rows dated 2026-01-01 to 2026-12-31\n"

    book = load_workbook(tmp_path / "so.xlsx")
    assert book.sheetnames == ["Sổ quỹ", "Tổng hợp"]
    ledger = book["Sổ quỹ"]
    assert ledger["A1"].value == "SỔ QUỸ KHUYẾN HỌC"
    assert ledger["A2"].value == "Từ ngày 01/01/2026 đến ngày 31/12/2026"
    assert cells(ledger, 4, 4, 12) == [HEADINGS]
    assert cells(ledger, 5, 9, 12) == YEAR_2026
    assert cells(ledger, 10, 10, 7) == [["Tổng cộng", None, None, None, None, None, 7_300_000]]
    assert ledger.max_row == 10
    for row in range(5, 11):
        assert ledger.cell(row, 7).number_format == MONEY
        assert isinstance(ledger.cell(row, 7).value, int)
    assert all(ledger.cell(row, 2).is_date for row in range(5, 10))

    totals = book["Tổng hợp"]
    assert totals["A2"].value == "Từ ngày 01/01/2026 đến ngày 31/12/2026"
    assert cells(totals, 4, totals.max_row, 3) == [
        ["Theo đơn vị", "Số lượt", "Số tiền (đồng)"],
        ["Thôn Bắc Sơn", 0, 0],
        ["Thôn Đông", 1, 2_000_000],
        ["Thôn Tây", 0, 0],
        ["Trường TH An Hưng", 1, 5_000_000],
        ["Văn phòng UBND xã", 1, 300_000],
        [None, None, None],
        ["Theo loại người đóng góp", "Số lượt", "Số tiền (đồng)"],
        ["Cá nhân", 0, 0],
        ["Gia đình", 1, 300_000],
        ["Dòng họ", 1, 2_000_000],
        ["Tổ chức", 1, 5_000_000],
        [None, None, None],
        ["Tổng cộng", 3, 7_300_000],
    ]
    assert {totals.cell(row, 3).number_format for row in (5, 6, 12, 17)} == {MONEY}
    # The same figures /quytonghop reads from the running totals.
    with Session(cli) as session:
        stored = {row.unit_name or "Văn phòng UBND xã": (row.count, row.total)
                  for row in fund_totals(session, year=2026)}  # fmt: skip
    sheet = {row[0]: (row[1], row[2]) for row in cells(totals, 5, 9, 3)}
    assert {name: figures for name, figures in sheet.items() if name in stored} == stored


def test_a_date_range_takes_only_the_receipts_dated_in_it(cli, capsys, tmp_path):
    """December 2025 to 5 March 2026: Én's gift, Bình's and its reversal, the Lê clan's."""
    seed_commune(cli)
    argv = ["export", "ledger", "--from", "01/12/2025", "--to", "2026-03-05", "--out", "q.xlsx"]
    assert main(argv) == 0
    assert capsys.readouterr().out.endswith("4 ledger rows dated 2025-12-01 to 2026-03-05\n")
    book = load_workbook(tmp_path / "q.xlsx")
    ledger = book["Sổ quỹ"]
    assert [row[2] for row in cells(ledger, 5, 8, 3)] == [
        "KH2025-00001",
        "KH2026-00001",
        "KH2026-00005",
        "KH2026-00002",
    ]
    assert cells(ledger, 9, 9, 7) == [["Tổng cộng", None, None, None, None, None, 2_700_000]]
    totals = book["Tổng hợp"]
    assert cells(totals, 5, 9, 3) == [
        ["Thôn Bắc Sơn", 1, 700_000],
        ["Thôn Đông", 1, 2_000_000],
        ["Thôn Tây", 0, 0],
        ["Trường TH An Hưng", 0, 0],
        [None, None, None],
    ]
    assert cells(totals, totals.max_row, totals.max_row, 3) == [["Tổng cộng", 2, 2_700_000]]


def test_by_default_this_years_ledger_goes_to_a_file_named_after_the_year(cli, capsys, tmp_path):
    """With no options the period is this calendar year in the commune, the file named for it."""
    seed_commune(cli)
    year = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).year
    assert main(["export", "ledger"]) == 0
    path = tmp_path / f"so-quy-khuyen-hoc-{year}.xlsx"
    assert capsys.readouterr().out.startswith(f"wrote {path}\n")
    ledger = load_workbook(path)["Sổ quỹ"]
    assert ledger["A2"].value == f"Từ ngày 01/01/{year} đến ngày 31/12/{year}"


def test_only_to_means_that_year_from_its_first_day(cli, capsys, tmp_path):
    """--to 2025-12-31 alone: the 2025 ledger, Én's gift its one row."""
    seed_commune(cli)
    assert main(["export", "ledger", "--to", "2025-12-31"]) == 0
    ledger = load_workbook(tmp_path / "so-quy-khuyen-hoc-2025.xlsx")["Sổ quỹ"]
    assert [row[2] for row in cells(ledger, 5, ledger.max_row, 3)] == ["KH2025-00001", None]


BAD_OPTIONS = [
    (["--from", "31-03-2026"], "--from '31-03-2026' is not a date; use 2026-03-31 or 31/03/2026"),
    (["--from", "2026-04-01", "--to", "2026-03-31"], "--from 2026-04-01 is after --to 2026-03-31"),
    (["--out", "so.csv"], "--out so.csv must end in .xlsx"),
]


@pytest.mark.parametrize(("argv", "problem"), BAD_OPTIONS)
def test_bad_options_are_refused_and_nothing_is_written(cli, capsys, tmp_path, argv, problem):
    """A date it cannot read, a range the wrong way round or a file that is no workbook."""
    assert main(["export", "ledger", *argv]) == 2
    assert capsys.readouterr().err.splitlines()[1:] == [problem]
    assert list(Path(tmp_path).glob("*.xlsx")) == []


def test_the_ledger_keeps_anonymous_donors_names_as_recorded_and_marks_them(cli, tmp_path):
    """Ẩn danh and the Lan family (kept out of public lists) are marked 'Có' in the Ẩn danh
    column, the family under its real name; so is nobody else."""
    seed_gifts(cli)
    argv = ["export", "ledger", "--from", "2026-03-01", "--to", "2026-03-31", "--out", "a.xlsx"]
    assert main(argv) == 0
    ledger = load_workbook(tmp_path / "a.xlsx")["Sổ quỹ"]
    assert ledger.cell(4, 12).value == "Ẩn danh"
    marked = [(row[4], row[6], row[11]) for row in cells(ledger, 5, 10, 12)]
    assert marked == [
        ("Nguyễn Văn Bình", 1_500_000, None),
        ("Hoàng Văn Nam", 700_000, None),
        ("Ẩn danh", 500_000, "Có"),
        ("Lê Văn Hùng", 20_000_000, None),
        ("Gia đình bà Phạm Thị Lan", 2_000_000, "Có"),
        ("Lê Văn Hùng", -20_000_000, None),
    ]


@needs_libreoffice
def test_libreoffice_opens_the_ledger_workbook(cli, tmp_path):
    """The ledger opens in LibreOffice without a repair: it converts to CSV without error."""
    seed_commune(cli)
    assert main(["export", "ledger", "--out", str(tmp_path / "so.xlsx")]) == 0
    assert convert(tmp_path / "so.xlsx", "csv").read_text(encoding="utf-8", errors="replace")
