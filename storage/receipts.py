"""Reading the fund ledger back as receipts: who recorded each, and which reverses which."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.models import Contribution, Person, Unit

EVERY_UNIT = "every"
"""The scope of `latest_receipts` covering every unit and the office."""

Scope = int | str | None
"""Whose receipts: a unit's id, None for the commune office (no unit), or EVERY_UNIT."""


@dataclass(frozen=True)
class Receipt:
    """One ledger row with what a reader needs beside it."""

    entry: Contribution
    unit_name: str
    """'' for the commune office (recorded with no unit)."""
    unit_kind: str
    recorder: str
    reverses: str
    """The receipt number this row reverses; '' when it is a contribution."""
    reversed_by: str
    """The receipt number of the row reversing this one; '' while it stands."""


def _receipts() -> Any:
    """Select each row with its unit, its recorder's name and the receipts on either side."""
    original = aliased(Contribution)
    reversal = aliased(Contribution)
    return (
        select(
            Contribution,
            Unit.name,
            Unit.kind,
            Person.name,
            original.receipt_no,
            reversal.receipt_no,
        )
        .outerjoin(Unit, col(Unit.id) == col(Contribution.unit_id))
        .outerjoin(Person, col(Person.id) == col(Contribution.recorded_by))
        .outerjoin(original, col(original.id) == col(Contribution.reverses_id))
        .outerjoin(reversal, col(reversal.reverses_id) == col(Contribution.id))
    )


def _read(session: Session, query: Any) -> list[Receipt]:
    return [
        Receipt(entry, unit or "", kind or "", recorder or "", reverses or "", reversed_by or "")
        for entry, unit, kind, recorder, reverses, reversed_by in session.exec(query)
    ]


def _in_scope(scope: Scope) -> list[Any]:
    if scope == EVERY_UNIT:
        return []
    if scope is None:
        return [col(Contribution.unit_id).is_(None)]
    return [col(Contribution.unit_id) == scope]


def latest_receipts(session: Session, scope: Scope, limit: int) -> tuple[list[Receipt], int]:
    """Return the `limit` newest receipts in `scope`, newest first, and how many there are."""
    conditions = _in_scope(scope)
    newest = _receipts().where(*conditions).order_by(col(Contribution.id).desc()).limit(limit)
    count = session.exec(select(func.count(col(Contribution.id))).where(*conditions)).one()
    return _read(session, newest), int(count)


def receipts_between(session: Session, first: dt.date, last: dt.date) -> list[Receipt]:
    """Return every receipt dated from `first` to `last`, by date, then in recording order."""
    query = (
        _receipts()
        .where(col(Contribution.contributed_on).between(first, last))
        .order_by(col(Contribution.contributed_on), col(Contribution.id))
    )
    return _read(session, query)


def standing_contributions(
    session: Session, unit_id: int, first: dt.date, last: dt.date
) -> list[Contribution]:
    """Return a unit's contributions dated `first`..`last` that still stand, by date then
    receipt: a reversed receipt and its reversal are both left out, as they cancel out."""
    reversal = aliased(Contribution)
    query = (
        select(Contribution)
        .where(
            Contribution.unit_id == unit_id,
            col(Contribution.contributed_on).between(first, last),
            col(Contribution.reverses_id).is_(None),
            ~exists().where(reversal.reverses_id == Contribution.id),
        )
        .order_by(col(Contribution.contributed_on), col(Contribution.id))
    )
    return list(session.exec(query))
