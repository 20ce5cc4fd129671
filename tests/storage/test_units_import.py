"""Checking a units file row by row and importing it, and counting each unit's focal points."""

from __future__ import annotations

import unicodedata

import pytest
from sqlmodel import Session, select

from storage.db import transaction
from storage.models import Person, Role, Unit, utcnow
from storage.people import add_unit, focal_counts
from storage.unit_table import read_table
from storage.units_import import (
    HEADER_HINT,
    KIND_HINT,
    UnitRow,
    UnitsFileError,
    import_units,
    parse_kind,
    parse_units,
)
from tests.support.unit_files import windows_1258, workbook

SAMPLE = "name,kind\nThôn Đông,village\nThôn Tây,village\nTrường TH An Hưng,school\n"


def rows(text: str) -> list[UnitRow]:
    return parse_units(read_table(text.encode()))


def problems(text: str) -> list[str]:
    with pytest.raises(UnitsFileError) as caught:
        rows(text)
    return caught.value.lines()


def stored(database) -> dict[str, str]:
    with Session(database) as session:
        return {unit.name: unit.kind for unit in session.exec(select(Unit))}


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("village", "village"),
        ("VILLAGE", "village"),
        ("thôn", "village"),
        ("Thon", "village"),
        ("Xóm", "village"),
        ("ấp", "village"),
        ("Bản", "village"),
        ("buôn", "village"),
        ("Tổ dân phố", "village"),
        ("to-dan-pho", "village"),
        ("KHU PHỐ", "village"),
        ("school", "school"),
        ("Trường", "school"),
        ("TRUONG", "school"),
        ("Mầm non", "school"),
        ("tiểu học", "school"),
        ("THCS", "school"),
        ("thpt", "school"),
        ("Trường THCS", "school"),
        ("office", "office"),
        ("Cơ quan", "office"),
        ("co quan", "office"),
        ("  cơ-quan ", "office"),
        ("Trung tâm", "office"),
        ("phòng", "office"),
    ],
)
def test_kind_in_english_or_vietnamese(typed, kind):
    """Officials may write the kind in either language, with or without accents."""
    assert parse_kind(typed) == kind


@pytest.mark.parametrize("typed", ["", "hamlet", "xã", "thôn xóm", "1", "huyện"])
def test_unknown_kinds(typed):
    """Anything else is not a kind."""
    assert parse_kind(typed) is None


def test_sample_rows_with_line_numbers():
    """Each row keeps the line it came from."""
    assert rows(SAMPLE) == [
        UnitRow(2, "Thôn Đông", "village"),
        UnitRow(3, "Thôn Tây", "village"),
        UnitRow(4, "Trường TH An Hưng", "school"),
    ]


def test_bom_blank_lines_crlf_quotes_and_column_order():
    """A BOM, blank lines, CRLF, a quoted comma and 'kind,name' are all fine."""
    text = '\ufeffKind,Name\r\n\r\nthôn,  Thôn   Đông \r\n,\r\ncơ quan,"Trung tâm, xã An Hưng"\r\n'
    assert rows(text) == [
        UnitRow(3, "Thôn Đông", "village"),
        UnitRow(5, "Trung tâm, xã An Hưng", "office"),
    ]


def test_vietnamese_headers_and_other_columns():
    """'STT;Tên đơn vị;Loại;Ghi chú' as the office keeps it: the other columns are ignored."""
    text = "STT;Tên đơn vị;Loại;Ghi chú\n1;Thôn Đông;Thôn;\n2;Trường Mầm non Hoa Sen;mầm non;mới\n"
    assert rows(text) == [
        UnitRow(2, "Thôn Đông", "village"),
        UnitRow(3, "Trường Mầm non Hoa Sen", "school"),
    ]


def test_names_are_stored_composed():
    """A name typed with combining accents (NFD) becomes the usual composed form."""
    decomposed = unicodedata.normalize("NFD", "Thôn Đông")
    [row] = rows(f"name,kind\n{decomposed},village\n")
    assert row.name == "Thôn Đông" and unicodedata.is_normalized("NFC", row.name)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", f"line 1: the file is empty; {HEADER_HINT}"),
        ("\n\n", f"line 1: the file is empty; {HEADER_HINT}"),
        ("\n\nThôn Đông,village\n", f"line 3: {HEADER_HINT}"),
        ("Tên,Loại,Kind\n", f"line 1: the header has two name or two kind columns; {HEADER_HINT}"),
    ],
)
def test_a_file_without_its_header(text, problem):
    """Without the header the rows cannot be read, so that is the one problem said."""
    assert problems(text) == [problem]


def test_every_bad_line_is_listed_with_why():
    """All the problems at once, in line order, so the file is fixed in one go."""
    text = SAMPLE + "\n".join(
        [
            "Thôn Nam,hamlet",
            ",village",
            "A,",
            "123,school",
            "x" * 121 + ",village",
            "Trung tâm, xã An Hưng,office",
            "Th?n B?c,thôn",
            "Xóm Bãi,xóm",
        ]
    )
    assert problems(text) == [
        f"line 5: unknown kind 'hamlet' ({KIND_HINT})",
        "line 6: the unit name is empty or too short",
        f"line 7: the unit name is empty or too short; the kind is missing ({KIND_HINT})",
        "line 8: the unit name has no letters",
        "line 9: the unit name is longer than 120 characters",
        "line 10: 3 cells, but the header has 2 columns",
        "line 11: letters of the name were lost ('?') when the file was saved",
    ]


def test_a_name_of_120_characters_is_accepted():
    """The limit is inclusive."""
    [row] = rows("name,kind\n" + "T" * 120 + ",office\n")
    assert len(row.name) == 120


def test_names_given_twice_in_the_file_are_refused_with_both_lines():
    """Thon Dong is Thôn Đông typed without accents; the same name twice is refused too."""
    text = SAMPLE + "Thon Dong,thôn\nThôn Tây,village\nTHÔN  ĐÔNG,village\n"
    assert problems(text) == [
        "line 5: 'Thon Dong' and 'Thôn Đông' on line 2 differ only in case or accents",
        "line 6: 'Thôn Tây' is on line 3 too",
        "line 7: 'THÔN ĐÔNG' and 'Thôn Đông' on line 2 differ only in case or accents",
    ]


def test_import_adds_new_units_and_skips_those_registered_exactly(database):
    """A name registered exactly as written is skipped and left as it was, archived or not."""
    with transaction(database) as session:
        add_unit(session, "Thôn Đông", "school")
        add_unit(session, "Thôn Tây", "village").archived_at = utcnow()
    with transaction(database) as session:
        result = import_units(session, read_table(SAMPLE.encode()))
    assert result.imported == [UnitRow(4, "Trường TH An Hưng", "school")]
    assert result.skipped == [UnitRow(2, "Thôn Đông", "village")]
    assert result.archived == [UnitRow(3, "Thôn Tây", "village")]
    assert stored(database) == {
        "Thôn Đông": "school",
        "Thôn Tây": "village",
        "Trường TH An Hưng": "school",
    }


def test_a_name_differing_from_a_registered_one_only_in_accents_writes_nothing(database):
    """The office's unaccented export (Windows-1258, semicolons) against the registry: both
    names are shown and not even the new units are added."""
    with transaction(database) as session:
        add_unit(session, "Thôn Đông", "village")
        add_unit(session, "Trường TH An Hưng", "school")
    data = windows_1258("Tên đơn vị;Loại\nThôn Bắc;thôn\nThon Dong;thon\ntrường th an hưng;TH\n")
    with transaction(database) as session, pytest.raises(UnitsFileError) as caught:
        import_units(session, read_table(data))
    assert caught.value.lines() == [
        "line 3: 'Thon Dong' and the registered unit 'Thôn Đông' differ only in case or accents",
        f"line 4: unknown kind 'TH' ({KIND_HINT})",
    ]
    assert stored(database) == {"Thôn Đông": "village", "Trường TH An Hưng": "school"}


def test_a_workbook_is_imported_from_its_first_sheet(database):
    """An Excel list with an STT column: its rows are numbered as Excel shows them."""
    data = workbook(
        {
            "Đơn vị": [
                ["STT", "Tên đơn vị", "Loại"],
                [1, "Thôn 2", "Thôn"],
                [2, "Trường THPT An Hưng", "THPT"],
                [3, "Bản Nà", "bản"],
            ]
        }
    )
    with transaction(database) as session:
        result = import_units(session, read_table(data))
    assert [row.line for row in result.imported] == [2, 3, 4]
    assert stored(database) == {
        "Thôn 2": "village",
        "Trường THPT An Hưng": "school",
        "Bản Nà": "village",
    }


def test_a_bad_workbook_row_is_named_as_a_row(database):
    """In a sheet the office looks for row 3, not line 3."""
    data = workbook({"A": [["Tên đơn vị", "Loại"], ["Thôn Đông", "thôn"], ["Xã An Hưng", "xã"]]})
    with transaction(database) as session, pytest.raises(UnitsFileError) as caught:
        import_units(session, read_table(data))
    assert caught.value.lines() == [f"row 3: unknown kind 'xã' ({KIND_HINT})"]
    assert stored(database) == {}


def test_focal_counts_only_count_focal_points(database):
    """Leaders and admins attached to a unit do not count; units with none are absent."""
    with transaction(database) as session:
        east = add_unit(session, "Thôn Đông", "village")
        west = add_unit(session, "Thôn Tây", "village")
        add_unit(session, "Trường TH An Hưng", "school")
        session.add_all(
            [
                Person(name="An", role=Role.FOCAL.value, unit_id=east.id),
                Person(name="Hoa", role=Role.FOCAL.value, unit_id=east.id),
                Person(name="Cường", role=Role.FOCAL.value, unit_id=west.id),
                Person(name="Bình", role=Role.ADMIN.value, unit_id=west.id),
                Person(name="Chủ", role=Role.LEADER.value),
            ]
        )
        session.flush()
        assert focal_counts(session) == {east.id: 2, west.id: 1}
