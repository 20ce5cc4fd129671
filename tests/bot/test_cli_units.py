"""`hoctap units import` and `hoctap units list`, as the officer runs them on the server."""

from __future__ import annotations

import codecs

import pytest
from sqlmodel import Session, select

from bot.cli import main
from bot.config import get_settings
from handlers.engine import Engine as DialogEngine
from storage.db import transaction
from storage.models import Role, Unit, utcnow
from storage.people import add_unit
from storage.units_import import KIND_HINT
from tests.support.chat import joined
from tests.support.unit_files import windows_1258, workbook

SAMPLE = "name,kind\nThôn Đông,village\nThôn Tây,village\nTrường TH An Hưng,school\n"
UTF8_COMMAS = "read as CSV in UTF-8, separated by commas"


@pytest.fixture
def cli(monkeypatch, tmp_path, database):  # type: ignore[no-untyped-def]
    """The CLI on the test database (SQLite file, or PostgreSQL when configured)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    return database


def units(database) -> dict[str, str]:
    with Session(database) as session:
        return {unit.name: unit.kind for unit in session.exec(select(Unit))}


def saved(tmp_path, content: bytes, name: str = "units.csv") -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def err(captured: pytest.CaptureResult[str]) -> str:
    """Stderr after the line every command starts with: which database it opened."""
    first, _newline, rest = captured.err.partition("\n")
    assert first.startswith("database: ")
    return rest


def test_units_import_sample(cli, tmp_path, capsys):
    """The sample file adds two villages and a school, and says how it was read."""
    path = saved(tmp_path, SAMPLE.encode())
    assert main(["units", "import", path]) == 0
    assert capsys.readouterr().out == f"{path}: {UTF8_COMMAS}\nimported 3, skipped 0\n"
    assert units(cli) == {
        "Thôn Đông": "village",
        "Thôn Tây": "village",
        "Trường TH An Hưng": "school",
    }


def test_units_import_accepts_bom_blank_lines_and_vietnamese_kinds(cli, tmp_path, capsys):
    """Excel's 'CSV UTF-8' adds a BOM; kinds may be Thôn / TRƯỜNG / co quan."""
    content = "name,kind\r\n\r\nThôn Đông,Thôn\r\nTrường TH An Hưng,TRƯỜNG\r\n  \r\n"
    content += '"Trung tâm Dịch vụ công, xã An Hưng",co quan\r\n'
    path = saved(tmp_path, codecs.BOM_UTF8 + content.encode())
    assert main(["units", "import", path]) == 0
    assert capsys.readouterr().out == f"{path}: {UTF8_COMMAS}\nimported 3, skipped 0\n"
    assert units(cli) == {
        "Thôn Đông": "village",
        "Trường TH An Hưng": "school",
        "Trung tâm Dịch vụ công, xã An Hưng": "office",
    }


def test_a_windows_1258_export_with_a_bad_line_imports_nothing_until_fixed(cli, tmp_path, capsys):
    """The office exports its unit list from Excel as CSV with semicolons in Windows-1258;
    the import lists line 4 as having an unknown kind and imports nothing. With the kind
    corrected, the same file imports all four units, accents intact."""
    lines = ["STT;Tên đơn vị;Loại", "1;Thôn Đông;Thôn", "2;Tổ dân phố Hòa Bình;Tổ dân phố"]
    rest = ["4;Trường Tiểu học Đồng Tâm;Tiểu học", "5;Trung tâm Văn hóa – Thể thao;Trung tâm"]
    path = saved(tmp_path, windows_1258("\r\n".join([*lines, "3;Thôn Bắc;Làng", *rest])))
    assert main(["units", "import", path]) == 2
    captured = capsys.readouterr()
    assert captured.out == f"{path}: read as CSV in Windows-1258, separated by semicolons\n"
    assert err(captured) == (
        f"{path}: nothing was imported; fix these and import it again:\n"
        f"line 4: unknown kind 'Làng' ({KIND_HINT})\n"
    )
    assert units(cli) == {}

    path = saved(tmp_path, windows_1258("\r\n".join([*lines, "3;Thôn Bắc;Thôn", *rest])))
    assert main(["units", "import", path]) == 0
    assert capsys.readouterr().out.endswith("imported 5, skipped 0\n")
    assert units(cli) == {
        "Thôn Đông": "village",
        "Tổ dân phố Hòa Bình": "village",
        "Thôn Bắc": "village",
        "Trường Tiểu học Đồng Tâm": "school",
        "Trung tâm Văn hóa – Thể thao": "office",
    }


def test_an_excel_workbook_is_imported_from_its_first_sheet(cli, tmp_path, capsys):
    """The list kept in Excel, imported as it is; a second sheet of notes is not read."""
    data = workbook(
        {
            "Danh sách": [
                ["STT", "Tên đơn vị", "Loại"],
                [1, "Xóm Bãi", "xóm"],
                [2, "Trường Mầm non Hoa Sen", "Mầm non"],
            ],
            "Ghi chú": [["Tên đơn vị", "Loại"], ["Không phải đơn vị", "thôn"]],
        }
    )
    path = saved(tmp_path, data, "don-vi.xlsx")
    assert main(["units", "import", path]) == 0
    assert capsys.readouterr().out == (
        f"{path}: read as XLSX, sheet 'Danh sách'\nimported 2, skipped 0\n"
    )
    assert units(cli) == {"Xóm Bãi": "village", "Trường Mầm non Hoa Sen": "school"}


def test_every_bad_row_is_listed_and_nothing_is_imported(cli, tmp_path, capsys):
    """Three rows wrong for three reasons, and a name typed twice with and without accents:
    all are listed by row, and the good rows wait for the corrected file."""
    data = workbook(
        {
            "Sheet1": [
                ["Tên đơn vị", "Loại"],
                ["Thôn Đông", "thôn"],
                ["Thôn Nam", "hamlet"],
                [None, "thôn"],
                ["Thon Dong", "thôn"],
                ["Trường THCS An Hưng", None],
            ]
        }
    )
    path = saved(tmp_path, data, "units.xlsx")
    assert main(["units", "import", path]) == 2
    assert err(capsys.readouterr()) == (
        f"{path}: nothing was imported; fix these and import it again:\n"
        f"row 3: unknown kind 'hamlet' ({KIND_HINT})\n"
        "row 4: the unit name is empty or too short\n"
        "row 5: 'Thon Dong' and 'Thôn Đông' on row 2 differ only in case or accents\n"
        f"row 6: the kind is missing ({KIND_HINT})\n"
    )
    assert units(cli) == {}


def test_names_registered_exactly_are_skipped_and_look_alikes_refused(cli, tmp_path, capsys):
    """A second import skips what the first added; a name that differs from a registered one
    only in case or accents is refused with both names, and nothing else is added."""
    with transaction(cli) as session:
        add_unit(session, "Thôn Đông", "school")
        add_unit(session, "Thôn Tây", "village").archived_at = utcnow()
    path = saved(tmp_path, SAMPLE.encode())
    assert main(["units", "import", path]) == 0
    assert capsys.readouterr().out == (
        f"{path}: {UTF8_COMMAS}\n"
        "skipped line 2: Thôn Đông already exists\n"
        "skipped line 3: Thôn Tây already exists, archived\n"
        "imported 1, skipped 2\n"
    )
    assert units(cli)["Thôn Đông"] == "school"

    path = saved(tmp_path, b"name,kind\nThon Tay,village\nTHON MOI,village\n")
    assert main(["units", "import", path]) == 2
    assert err(capsys.readouterr()) == (
        f"{path}: nothing was imported; fix these and import it again:\n"
        "line 2: 'Thon Tay' and the registered unit 'Thôn Tây' differ only in case or accents\n"
    )
    assert len(units(cli)) == 3


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "line 1: the file is empty; "),
        ("Đơn vị;Ghi chú\nThôn Đông;\n".encode(), "line 1: the header must name"),
    ],
)
def test_a_file_without_a_header_is_refused(cli, tmp_path, capsys, content, problem):
    """The header is what tells the name from the kind; without it nothing can be read."""
    path = saved(tmp_path, content)
    assert main(["units", "import", path]) == 2
    lines = err(capsys.readouterr()).splitlines()
    assert lines[1].startswith(problem) and "'Tên đơn vị' (or 'name')" in lines[1]
    assert units(cli) == {}


def test_files_that_cannot_be_read(cli, tmp_path, capsys):
    """An old .xls, and a file that is not there: exit 2, a reason, nothing imported."""
    path = saved(tmp_path, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "units.xls")
    assert main(["units", "import", path]) == 2
    assert err(capsys.readouterr()) == (
        f"{path}: an Excel 97-2003 workbook (.xls); save it as .xlsx or CSV UTF-8; "
        "nothing was imported\n"
    )
    assert main(["units", "import", str(tmp_path / "missing.csv")]) == 2
    missing = tmp_path / "missing.csv"
    assert err(capsys.readouterr()) == f"cannot read {missing}: No such file or directory\n"
    assert units(cli) == {}


async def test_units_list_shows_kind_and_focal_points(cli, tmp_path, capsys):
    """One line per unit: name, kind and how many focal points it has; villages first."""
    assert main(["units", "list"]) == 0
    assert capsys.readouterr().out == (
        "no units yet; add them with: hoctap units import FILE.csv\n"
    )
    main(["units", "import", saved(tmp_path, SAMPLE.encode())])
    engine = DialogEngine(cli)
    await joined(engine, Role.FOCAL, "Nguyễn Văn An", unit="Thôn Tây", external_id="1")
    await joined(engine, Role.FOCAL, "Phạm Thị Hoa", unit="Thôn Tây", external_id="2")
    await joined(engine, Role.LEADER, "Lê Văn Chủ", external_id="3")
    capsys.readouterr()
    assert main(["units", "list"]) == 0
    assert capsys.readouterr().out == (
        "Thôn Đông\tvillage\t0 focal\n"
        "Thôn Tây\tvillage\t2 focal\n"
        "Trường TH An Hưng\tschool\t0 focal\n"
    )


def test_units_list_in_vietnamese_order(cli, tmp_path, capsys):
    """Imported in the office's order, listed villages first, then schools, then offices,
    each alphabetical the Vietnamese way: Thôn 2 before Thôn 10, Dương before Đông before Tây."""
    rows = [
        ("Trung tâm Văn hóa", "trung tâm"),
        ("Thôn Tây", "thôn"),
        ("Trường THCS An Hưng", "THCS"),
        ("Thôn 10", "thôn"),
        ("Thôn Đông", "thôn"),
        ("Trường Mầm non Ánh Dương", "mầm non"),
        ("Thôn 2", "thôn"),
        ("Thôn Dương", "thôn"),
    ]
    content = "Tên đơn vị\tLoại\n" + "".join(f"{name}\t{kind}\n" for name, kind in rows)
    assert main(["units", "import", saved(tmp_path, content.encode())]) == 0
    capsys.readouterr()
    assert main(["units", "list"]) == 0
    assert capsys.readouterr().out == (
        "Thôn 2\tvillage\t0 focal\n"
        "Thôn 10\tvillage\t0 focal\n"
        "Thôn Dương\tvillage\t0 focal\n"
        "Thôn Đông\tvillage\t0 focal\n"
        "Thôn Tây\tvillage\t0 focal\n"
        "Trường Mầm non Ánh Dương\tschool\t0 focal\n"
        "Trường THCS An Hưng\tschool\t0 focal\n"
        "Trung tâm Văn hóa\toffice\t0 focal\n"
    )
