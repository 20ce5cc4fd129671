"""Importing units from CSV, and counting each unit's focal points."""

from __future__ import annotations

import unicodedata

import pytest
from sqlmodel import Session, select

from storage.db import transaction
from storage.models import Person, Role, Unit
from storage.people import add_unit, focal_counts
from storage.units_csv import (
    UnitRow,
    UnitsCsvError,
    import_units,
    parse_kind,
    parse_units,
)

SAMPLE = "name,kind\nThôn Đông,village\nThôn Tây,village\nTrường TH An Hưng,school\n"


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("village", "village"),
        ("VILLAGE", "village"),
        ("thôn", "village"),
        ("Thon", "village"),
        ("school", "school"),
        ("Trường", "school"),
        ("TRUONG", "school"),
        ("office", "office"),
        ("Cơ quan", "office"),
        ("co quan", "office"),
        ("  cơ-quan ", "office"),
    ],
)
def test_kind_in_english_or_vietnamese(typed, kind):
    """Officials may write the kind in either language, with or without accents."""
    assert parse_kind(typed) == kind


@pytest.mark.parametrize("typed", ["", "hamlet", "xã", "thôn xóm", "1"])
def test_unknown_kinds(typed):
    """Anything else is not a kind."""
    assert parse_kind(typed) is None


def test_sample_rows_with_line_numbers():
    """Each row keeps the line it came from."""
    assert parse_units(SAMPLE) == [
        UnitRow(2, "Thôn Đông", "village"),
        UnitRow(3, "Thôn Tây", "village"),
        UnitRow(4, "Trường TH An Hưng", "school"),
    ]


def test_bom_blank_lines_crlf_quotes_and_column_order():
    """A BOM, blank lines, CRLF, a quoted comma and 'kind,name' are all fine."""
    text = '\ufeffKind,Name\r\n\r\nthôn,  Thôn   Đông \r\n,\r\ncơ quan,"Trung tâm, xã An Hưng"\r\n'
    assert parse_units(text) == [
        UnitRow(3, "Thôn Đông", "village"),
        UnitRow(5, "Trung tâm, xã An Hưng", "office"),
    ]


def test_names_are_stored_composed():
    """A name typed with combining accents (NFD) becomes the usual composed form."""
    decomposed = unicodedata.normalize("NFD", "Thôn Đông")
    [row] = parse_units(f"name,kind\n{decomposed},village\n")
    assert row.name == "Thôn Đông" and unicodedata.is_normalized("NFC", row.name)


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("", 1, "the file is empty; the header must be: name,kind"),
        ("\n\n", 1, "the file is empty; the header must be: name,kind"),
        ("Thôn Đông,village\n", 1, "the header must be: name,kind"),
        ("name,kind,note\n", 1, "the header must be: name,kind"),
        (SAMPLE + "Thôn Nam,hamlet\n", 5, "unknown kind 'hamlet' (use village, school or office)"),
        (SAMPLE + "\n\n,village\n", 7, "the unit name is empty or too short"),
        (SAMPLE + "A,village\n", 5, "the unit name is empty or too short"),
        (SAMPLE + "123,school\n", 5, "the unit name has no letters"),
        (SAMPLE + "x" * 121 + ",village\n", 5, "the unit name is longer than 120 characters"),
        (SAMPLE + "Thôn Nam,village,extra\n", 5, "expected 2 columns, found 3"),
    ],
)
def test_bad_rows_name_their_line(text, line, reason):
    """The error says which line is wrong and why."""
    with pytest.raises(UnitsCsvError) as caught:
        parse_units(text)
    assert (caught.value.line, caught.value.reason) == (line, reason)
    assert str(caught.value) == f"line {line}: {reason}"


def test_a_name_of_120_characters_is_accepted():
    """The limit is inclusive."""
    [row] = parse_units("name,kind\n" + "T" * 120 + ",office\n")
    assert len(row.name) == 120


def test_import_adds_new_units_and_skips_known_ones(database):
    """Existing names (any case) and repeats within the file are skipped, not changed."""
    with transaction(database) as session:
        add_unit(session, "THÔN ĐÔNG", "school")
    with transaction(database) as session:
        result = import_units(session, SAMPLE + "thôn tây,school\n")
    assert [row.name for row in result.imported] == ["Thôn Tây", "Trường TH An Hưng"]
    assert [(row.line, row.name) for row in result.skipped] == [(2, "Thôn Đông"), (5, "thôn tây")]
    with Session(database) as session:
        stored = {unit.name: unit.kind for unit in session.exec(select(Unit))}
    assert stored == {"THÔN ĐÔNG": "school", "Thôn Tây": "village", "Trường TH An Hưng": "school"}


def test_a_bad_row_writes_nothing(database):
    """The good rows before a bad one are not inserted, even if the caller commits anyway."""
    with transaction(database) as session:
        with pytest.raises(UnitsCsvError):
            import_units(session, SAMPLE + "Thôn Nam,hamlet\n")
        session.flush()
    with Session(database) as session:
        assert session.exec(select(Unit)).all() == []


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
