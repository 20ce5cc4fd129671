"""The unit registry in bulk: checking a units file row by row, then adding its units.

Nothing is added until the whole file is clean: every bad row is reported with its number
and why, and the same name typed twice, in the file or against the registry, is refused.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from sqlmodel import Session, select

from storage.models import Unit, UnitKind
from storage.people import add_unit
from storage.text import clean_text, fold_name
from storage.unit_table import Table

MIN_NAME = 2
MAX_NAME = 120

_VILLAGE = ["village", "thon", "xom", "ap", "ban", "buon", "to dan pho", "khu pho"]
_SCHOOL_LEVELS = ["mam non", "tieu hoc", "thcs", "thpt"]
_SCHOOL = ["school", "truong", *_SCHOOL_LEVELS, *(f"truong {level}" for level in _SCHOOL_LEVELS)]
_OFFICE = ["office", "co quan", "trung tam", "phong"]
# Keys are folded (see _fold): officials type kinds in either language, accents optional.
_KINDS = {
    **dict.fromkeys(_VILLAGE, UnitKind.VILLAGE),
    **dict.fromkeys(_SCHOOL, UnitKind.SCHOOL),
    **dict.fromkeys(_OFFICE, UnitKind.OFFICE),
}
_NAME_HEADERS = {"name", "unit", "unit name", "ten", "ten don vi", "don vi"}
_KIND_HEADERS = {"kind", "type", "loai", "loai don vi"}
HEADER_HINT = "the header must name a 'Tên đơn vị' (or 'name') and a 'Loại' (or 'kind') column"
KIND_HINT = "use village, school or office, or thôn, trường, cơ quan and the like"


@dataclass(frozen=True)
class Problem:
    """Why one row of the file cannot be imported."""

    line: int
    reason: str


class UnitsFileError(ValueError):
    """The file cannot be imported as it is; `problems` lists every bad row, in order."""

    def __init__(self, problems: list[Problem], place: str = "line") -> None:
        self.problems = sorted(problems, key=lambda problem: problem.line)
        self.place = place
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        """Say each problem on a line of its own: 'line 4: unknown kind …'."""
        return [f"{self.place} {problem.line}: {problem.reason}" for problem in self.problems]


@dataclass(frozen=True)
class UnitRow:
    """One unit read from the file, with the line it came from."""

    line: int
    name: str
    kind: str


@dataclass
class ImportResult:
    """What an import did: units added, and rows skipped because the name is registered."""

    imported: list[UnitRow] = field(default_factory=list)
    skipped: list[UnitRow] = field(default_factory=list)
    archived: list[UnitRow] = field(default_factory=list)
    """Skipped rows whose unit is archived: an import does not bring a unit back."""


def clean_name(name: str) -> str:
    """Return a unit name as stored: NFC, nothing invisible, single spaces, no edge blanks."""
    return " ".join(clean_text(name).split())


def parse_kind(text: str) -> UnitKind | None:
    """Return the unit kind named in English or Vietnamese (any case, accents optional)."""
    return _KINDS.get(_fold(text))


def parse_units(table: Table) -> list[UnitRow]:
    """Check every row of a units file; return its units, or raise UnitsFileError listing all
    that is wrong."""
    units, problems = _checked(table)
    if problems:
        raise UnitsFileError(problems, table.place)
    return units


def import_units(session: Session, table: Table) -> ImportResult:
    """Add the units of a file; a name already registered exactly is skipped, not changed.

    Raises UnitsFileError, before adding anything, listing the bad rows and the names that
    differ from a registered unit's only in case or accents.
    """
    rows, problems = _checked(table)
    registered: dict[str, Unit] = {}
    for unit in session.exec(select(Unit)):
        registered.setdefault(fold_name(unit.name), unit)
    result = ImportResult()
    for row in rows:
        known = registered.get(fold_name(row.name))
        if known is None:
            result.imported.append(row)
        elif known.name == row.name:
            (result.archived if known.archived_at else result.skipped).append(row)
        else:
            reason = (
                f"'{row.name}' and the registered unit '{known.name}' differ only in case "
                "or accents"
            )
            problems.append(Problem(row.line, reason))
    # Checked in full before the first insert: a refused file leaves the registry untouched.
    if problems:
        raise UnitsFileError(problems, table.place)
    for row in result.imported:
        add_unit(session, row.name, row.kind)
    return result


def _checked(table: Table) -> tuple[list[UnitRow], list[Problem]]:
    """Read the units of a file and what is wrong with its rows; raise if its header is."""
    rows = [(line, cells) for line, cells in table.rows if any(cell.strip() for cell in cells)]
    if not rows:
        raise UnitsFileError([Problem(1, f"the file is empty; {HEADER_HINT}")], table.place)
    header_line, header = rows[0]
    columns, problem = _columns(header)
    if columns is None:
        raise UnitsFileError([Problem(header_line, problem)], table.place)
    name_at, kind_at = columns
    problems: list[Problem] = []
    units: list[UnitRow] = []
    for line, cells in rows[1:]:
        reasons = _row_problems(cells, len(header), name_at, kind_at)
        if reasons:
            problems.append(Problem(line, "; ".join(reasons)))
            continue
        kind = parse_kind(cells[kind_at])
        assert kind is not None
        units.append(UnitRow(line, clean_name(cells[name_at]), kind.value))
    problems += _repeated(units, table.place)
    return units, problems


def _columns(header: list[str]) -> tuple[tuple[int, int] | None, str]:
    """Find the name and kind columns of the header row, or say what is wrong with it."""
    folded = [_fold(cell) for cell in header]
    names = [index for index, cell in enumerate(folded) if cell in _NAME_HEADERS]
    kinds = [index for index, cell in enumerate(folded) if cell in _KIND_HEADERS]
    if len(names) > 1 or len(kinds) > 1:
        return None, f"the header has two name or two kind columns; {HEADER_HINT}"
    if not names or not kinds:
        return None, HEADER_HINT
    return (names[0], kinds[0]), ""


def _row_problems(cells: list[str], width: int, name_at: int, kind_at: int) -> list[str]:
    """Say everything wrong with one data row (nothing when it is fine)."""
    extra = [cell for cell in cells[width:] if cell.strip()]
    if extra:
        # Usually a name with the separator in it, not quoted: "Trung tâm, xã An Hưng".
        return [f"{width + len(extra)} cells, but the header has {width} columns"]
    padded = [*cells, *[""] * (width - len(cells))]
    reasons = []
    name = clean_name(padded[name_at])
    if len(name) < MIN_NAME:
        reasons.append("the unit name is empty or too short")
    elif len(name) > MAX_NAME:
        reasons.append(f"the unit name is longer than {MAX_NAME} characters")
    elif not any(ch.isalpha() for ch in name):
        reasons.append("the unit name has no letters")
    elif "?" in name or "\ufffd" in name:
        reasons.append("letters of the name were lost ('?') when the file was saved")
    raw_kind = padded[kind_at].strip()
    if not raw_kind:
        reasons.append(f"the kind is missing ({KIND_HINT})")
    elif parse_kind(raw_kind) is None:
        reasons.append(f"unknown kind {raw_kind!r} ({KIND_HINT})")
    return reasons


def _repeated(units: list[UnitRow], place: str) -> list[Problem]:
    """Refuse a name given twice in the file, exactly or but for case and accents."""
    first: dict[str, UnitRow] = {}
    problems = []
    for row in units:
        earlier = first.setdefault(fold_name(row.name), row)
        if earlier is row:
            continue
        if earlier.name == row.name:
            reason = f"'{row.name}' is on {place} {earlier.line} too"
        else:
            reason = (
                f"'{row.name}' and '{earlier.name}' on {place} {earlier.line} differ only in "
                "case or accents"
            )
        problems.append(Problem(row.line, reason))
    return problems


def _fold(text: str) -> str:
    """Fold case, accents (đ → d) and separators, so 'Cơ quan' matches 'co-quan'."""
    lowered = text.strip().lower().replace("đ", "d").replace("-", " ").replace("_", " ")
    bare = "".join(
        ch for ch in unicodedata.normalize("NFD", lowered) if unicodedata.category(ch) != "Mn"
    )
    return " ".join(bare.split())
