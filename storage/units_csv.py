"""The unit registry in bulk: importing units from CSV, and counting their focal points."""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field

from sqlmodel import Session

from storage.models import UnitKind
from storage.people import add_unit, find_unit

MIN_NAME = 2
MAX_NAME = 120

# Officials type the kind in Vietnamese as often as in English; keys are folded (see _fold).
_KINDS = {
    "village": UnitKind.VILLAGE,
    "thon": UnitKind.VILLAGE,
    "school": UnitKind.SCHOOL,
    "truong": UnitKind.SCHOOL,
    "office": UnitKind.OFFICE,
    "co quan": UnitKind.OFFICE,
}


class UnitsCsvError(ValueError):
    """A row of the CSV that cannot be imported; nothing from the file is written."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class UnitRow:
    """One unit read from the file, with the line it came from."""

    line: int
    name: str
    kind: str


@dataclass
class ImportResult:
    """What an import did: units added, and rows skipped because the name already exists."""

    imported: list[UnitRow] = field(default_factory=list)
    skipped: list[UnitRow] = field(default_factory=list)


def clean_name(name: str) -> str:
    """Return a unit name as stored: NFC, single spaces, no surrounding blanks."""
    return " ".join(unicodedata.normalize("NFC", name).split())


def parse_kind(text: str) -> UnitKind | None:
    """Return the unit kind named in English or Vietnamese (any case, accents optional)."""
    return _KINDS.get(_fold(text))


def parse_units(text: str) -> list[UnitRow]:
    """Read `name,kind` CSV text into rows; raise UnitsCsvError at the first bad row."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header: list[str] | None = None
    rows: list[UnitRow] = []
    for record in reader:
        if not any(cell.strip() for cell in record):
            continue
        if header is None:
            header = [_fold(cell) for cell in record]
            if sorted(header) != ["kind", "name"]:
                raise UnitsCsvError(reader.line_num, "the header must be: name,kind")
            continue
        if len(record) != 2:
            raise UnitsCsvError(reader.line_num, f"expected 2 columns, found {len(record)}")
        values = dict(zip(header, record, strict=True))
        rows.append(_unit_row(reader.line_num, values["name"], values["kind"]))
    if header is None:
        raise UnitsCsvError(1, "the file is empty; the header must be: name,kind")
    return rows


def import_units(session: Session, text: str) -> ImportResult:
    """Add the units of a CSV file; names already registered are skipped, not changed."""
    result = ImportResult()
    seen: set[str] = set()
    # Every row is checked before the first insert, so a bad row leaves the database untouched.
    for row in parse_units(text):
        folded = row.name.casefold()
        if folded in seen or find_unit(session, row.name) is not None:
            result.skipped.append(row)
            continue
        seen.add(folded)
        add_unit(session, row.name, row.kind)
        result.imported.append(row)
    return result


def _unit_row(line: int, raw_name: str, raw_kind: str) -> UnitRow:
    name = clean_name(raw_name)
    if len(name) < MIN_NAME:
        raise UnitsCsvError(line, "the unit name is empty or too short")
    if len(name) > MAX_NAME:
        raise UnitsCsvError(line, f"the unit name is longer than {MAX_NAME} characters")
    if not any(ch.isalpha() for ch in name):
        raise UnitsCsvError(line, "the unit name has no letters")
    kind = parse_kind(raw_kind)
    if kind is None:
        raise UnitsCsvError(
            line, f"unknown kind {raw_kind.strip()!r} (use village, school or office)"
        )
    return UnitRow(line, name, kind.value)


def _fold(text: str) -> str:
    """Fold case, accents (đ → d) and separators, so 'Cơ quan' matches 'co-quan'."""
    lowered = text.strip().lower().replace("đ", "d").replace("-", " ").replace("_", " ")
    bare = "".join(
        ch for ch in unicodedata.normalize("NFD", lowered) if unicodedata.category(ch) != "Mn"
    )
    return " ".join(bare.split())
