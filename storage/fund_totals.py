"""Running fund totals per unit and year, kept with the ledger, and the check that recounts them.

The ledger stays the source of truth: this table only saves summing a million rows for each
/quytonghop. Every ledger insert adds its amount here in the same savepoint, and
`check_fund_totals` recomputes everything from the ledger and names any difference.
"""

from __future__ import annotations

from sqlalchemy import Integer, case, cast, delete, extract, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.models import Contribution, FundTotal

OFFICE = 0
"""The unit key of contributions to the office itself (no unit); unit ids start at 1."""

Key = tuple[int, int]
"""(unit key, year of the contribution's date)."""


def add_to_totals(session: Session, row: Contribution) -> None:
    """Add a just-inserted ledger row to its unit's total for the year of its date."""
    values = {
        "unit_key": row.unit_id or OFFICE,
        "year": row.contributed_on.year,
        "total": row.amount,
        "standing": 1 if row.reverses_id is None else -1,
    }
    # One statement, so two writers on the same unit and year add up instead of overwriting.
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(FundTotal).values(**values)
    upsert = insert.on_conflict_do_update(
        index_elements=["unit_key", "year"],
        set_={
            "total": col(FundTotal.total) + insert.excluded.total,
            "standing": col(FundTotal.standing) + insert.excluded.standing,
        },
    )
    session.connection().execute(upsert)


def stored_totals(session: Session, year: int | None) -> list[tuple[int | None, int, int]]:
    """(unit id or None, net total, standing count) per unit, for `year` or all years."""
    query = select(
        FundTotal.unit_key, func.sum(FundTotal.total), func.sum(FundTotal.standing)
    ).group_by(col(FundTotal.unit_key))
    if year is not None:
        query = query.where(FundTotal.year == year)
    return [(key or None, int(t), int(n)) for key, t, n in session.exec(query)]


def recount(session: Session) -> dict[Key, tuple[int, int]]:
    """Sum the ledger itself per unit and year: a reversal undoes one standing original."""
    year = cast(extract("year", col(Contribution.contributed_on)), Integer)
    unit_key = func.coalesce(col(Contribution.unit_id), OFFICE)
    standing = case((col(Contribution.reverses_id).is_(None), 1), else_=-1)
    query = select(
        unit_key, year, func.sum(Contribution.amount), func.sum(standing)
    ).group_by(unit_key, year)
    return {(key, y): (int(t), int(n)) for key, y, t, n in session.exec(query)}


def check_fund_totals(session: Session) -> dict[Key, tuple[tuple[int, int], tuple[int, int]]]:
    """Compare the running totals with a recount of the ledger; return {key: (kept, counted)}."""
    kept = {
        (row.unit_key, row.year): (row.total, row.standing)
        for row in session.exec(select(FundTotal))
    }
    counted = recount(session)
    return {
        key: (kept.get(key, (0, 0)), counted.get(key, (0, 0)))
        for key in kept.keys() | counted.keys()
        if kept.get(key, (0, 0)) != counted.get(key, (0, 0))
    }


def rebuild_fund_totals(session: Session) -> None:
    """Replace the running totals with a recount of the ledger (after a bulk load, or a fix)."""
    session.execute(delete(FundTotal))
    session.add_all(
        FundTotal(unit_key=key, year=year, total=total, standing=standing)
        for (key, year), (total, standing) in recount(session).items()
    )
    session.flush()
