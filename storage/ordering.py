"""The one order of every list a person reads: villages, schools, offices, each alphabetical.

Sorted in Python with `unit_sort_key`, not by the database: SQLite and PostgreSQL collate
Vietnamese differently, and code-point order puts Đ after Z (Thôn Tây before Thôn Đông).
"""

from __future__ import annotations

from collections.abc import Iterable

from storage.models import Unit, UnitKind
from storage.text import unit_sort_key

KIND_ORDER = {UnitKind.VILLAGE.value: 0, UnitKind.SCHOOL.value: 1, UnitKind.OFFICE.value: 2}
"""Villages first: the commune's lists, pickers and status all group units this way."""


def unit_order(kind: str, name: str) -> tuple[int, str]:
    """Key a unit for sorting: its kind's place, then its name in Vietnamese order."""
    return KIND_ORDER.get(kind, len(KIND_ORDER)), unit_sort_key(name)


def by_unit(unit: Unit) -> tuple[int, str]:
    """Key a Unit row for sorting (see unit_order)."""
    return unit_order(unit.kind, unit.name)


def sorted_units(units: Iterable[Unit]) -> list[Unit]:
    """Return the units in the order every list shows them."""
    return sorted(units, key=by_unit)


def sorted_names(names: Iterable[str]) -> list[str]:
    """Return people's or units' names in Vietnamese alphabetical order."""
    return sorted(names, key=unit_sort_key)
