"""The study-promotion fund ledger: append-only contributions, reversals and totals.

Rows are only ever inserted. A mistake is undone by a reversal row (negative amount,
`reverses_id` pointing at the original); nothing here updates or deletes a contribution.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import case, exists, func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.fund_totals import add_to_totals, stored_totals
from storage.models import AuditEntry, Contribution, Unit
from storage.ordering import unit_order
from storage.text import fold_name

COMMUNE_TIMEZONE = "Asia/Ho_Chi_Minh"
RECEIPT_PREFIX = "KH"
RECEIPT_PATTERN = re.compile(r"^KH[0-9]{4}-[0-9]{5}$")
ANONYMOUS_DONOR = "Ẩn danh"
"""The name recorded for a donor who gave none; Vietnamese, like the receipts."""
# A clash means another writer took the number between our read and our insert;
# a fresh read then sees it, so a few attempts are plenty.
_ATTEMPTS = 5


class LedgerError(ValueError):
    """Why a ledger operation was refused: "reversal" or "already_reversed"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class UnitTotal:
    """The net total and the count of standing contributions of one unit (None: the office)."""

    unit_id: int | None
    unit_name: str
    total: int
    count: int


def receipt_number(year: int, seq: int) -> str:
    """Format a receipt number, e.g. KH2026-00042."""
    return f"{RECEIPT_PREFIX}{year}-{seq:05d}"


def normalise_receipt(text: str) -> str:
    """Turn a typed receipt number (' kh2026-00042 ') into its stored form."""
    return "".join(text.split()).upper()


def _next_seq(session: Session, year: int) -> int:
    latest = session.exec(select(func.max(Contribution.seq)).where(Contribution.year == year))
    return (latest.one() or 0) + 1


def _append(
    session: Session, year: int, build: Callable[[int], Contribution], guard: Callable[[], None]
) -> Contribution:
    """Insert the row `build(seq)` with the next free number of `year`, retrying on a clash."""
    for attempt in range(_ATTEMPTS):
        row = build(_next_seq(session, year))
        try:
            # A savepoint, so a clash with a concurrent writer costs this row, not the event.
            with session.begin_nested():
                session.add(row)
                session.flush()
                add_to_totals(session, row)
            return row
        except IntegrityError:
            guard()
            if attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def record_contribution(
    session: Session,
    *,
    recorded_by: int,
    unit_id: int | None,
    donor_name: str,
    donor_kind: str,
    amount: int,
    contributed_on: dt.date,
    note: str,
    now: dt.datetime,
    timezone: str = COMMUNE_TIMEZONE,
    anonymous: bool = False,
) -> Contribution:
    """Append a contribution with the next receipt number of the commune's current year."""
    year = now.astimezone(ZoneInfo(timezone)).year

    def build(seq: int) -> Contribution:
        return Contribution(
            receipt_no=receipt_number(year, seq),
            year=year,
            seq=seq,
            unit_id=unit_id,
            recorded_by=recorded_by,
            donor_name=donor_name,
            donor_kind=donor_kind,
            amount=amount,
            contributed_on=contributed_on,
            note=note,
            created_at=now,
            anonymous=anonymous,
        )

    return _append(session, year, build, lambda: None)


def same_contribution(
    session: Session,
    *,
    unit_id: int | None,
    donor_name: str,
    amount: int,
    contributed_on: dt.date,
) -> Contribution | None:
    """Return the first standing receipt of this unit with the same donor, amount and day.

    The donor matches in any case and with or without marks ("nguyen van binh"); a
    receipt that was reversed no longer stands, and neither does a reversal. A donor who
    gave no name (ANONYMOUS_DONOR) is never taken for another one.
    """
    wanted = fold_name(donor_name)
    if wanted == fold_name(ANONYMOUS_DONOR):
        return None
    reversal = aliased(Contribution)
    query = (
        select(Contribution)
        .where(
            # unit_id, contributed_on, amount: ix_contribution_totals finds the few candidates.
            col(Contribution.unit_id).is_(None)
            if unit_id is None
            else Contribution.unit_id == unit_id,
            Contribution.contributed_on == contributed_on,
            Contribution.amount == amount,
            col(Contribution.reverses_id).is_(None),
            ~exists().where(reversal.reverses_id == Contribution.id),
        )
        .order_by(col(Contribution.id))
    )
    # Folding marks is not portable SQL (SQLite has no unaccent), so names compare here.
    return next((row for row in session.exec(query) if fold_name(row.donor_name) == wanted), None)


def find_receipt(session: Session, receipt_no: str) -> Contribution | None:
    """Return the ledger row with this receipt number, typed in any case and spacing."""
    wanted = normalise_receipt(receipt_no)
    return session.exec(select(Contribution).where(Contribution.receipt_no == wanted)).first()


def reversal_of(session: Session, original: Contribution) -> Contribution | None:
    """Return the row that reverses `original`, if it has been reversed."""
    query = select(Contribution).where(Contribution.reverses_id == original.id)
    return session.exec(query).first()


def check_reversible(session: Session, original: Contribution) -> None:
    """Raise LedgerError when `original` is itself a reversal or was reversed already."""
    if original.reverses_id is not None:
        raise LedgerError("reversal")
    if reversal_of(session, original) is not None:
        raise LedgerError("already_reversed")


def reverse_contribution(
    session: Session,
    original: Contribution,
    *,
    by: int,
    reason: str,
    now: dt.datetime,
    timezone: str = COMMUNE_TIMEZONE,
) -> Contribution:
    """Append a negative row undoing `original`, with an audit entry; the original stays."""
    check_reversible(session, original)
    year = now.astimezone(ZoneInfo(timezone)).year

    def build(seq: int) -> Contribution:
        # The original's date keeps a reversal in the same period, so totals net to zero.
        return Contribution(
            receipt_no=receipt_number(year, seq),
            year=year,
            seq=seq,
            unit_id=original.unit_id,
            recorded_by=by,
            donor_name=original.donor_name,
            donor_kind=original.donor_kind,
            amount=-original.amount,
            contributed_on=original.contributed_on,
            note=f"Hủy biên lai {original.receipt_no}: {reason}",
            reverses_id=original.id,
            created_at=now,
            anonymous=original.anonymous,
        )

    def guard() -> None:
        # The clash may be another admin's reversal of the same receipt (reverses_id unique).
        if reversal_of(session, original) is not None:
            raise LedgerError("already_reversed")

    reversal = _append(session, year, build, guard)
    session.add(
        AuditEntry(
            at=now,
            person_id=by,
            action="contribution.reverse",
            detail={
                "original_id": original.id,
                "original_receipt": original.receipt_no,
                "reversal_id": reversal.id,
                "reversal_receipt": reversal.receipt_no,
                "amount": original.amount,
                "reason": reason,
            },
        )
    )
    session.flush()
    return reversal


def fund_totals(session: Session, *, year: int | None) -> list[UnitTotal]:
    """Net total and standing count per unit, for contributions dated in `year` (None: all)."""
    # Read from the running totals kept with each insert; check_fund_totals recounts them.
    return _named_and_sorted(session, stored_totals(session, year))


def ledger_totals(session: Session, *, year: int | None) -> list[UnitTotal]:
    """The same totals summed from the ledger rows themselves, over the covering index."""
    # A reversal copies its original's unit and date and reverses it at most once (unique
    # reverses_id), so the standing count is originals minus reversals in the same group.
    standing = case((col(Contribution.reverses_id).is_(None), 1), else_=-1)
    query = select(
        Contribution.unit_id, func.sum(Contribution.amount), func.sum(standing)
    ).group_by(col(Contribution.unit_id))
    if year is not None:
        query = query.where(
            col(Contribution.contributed_on).between(dt.date(year, 1, 1), dt.date(year, 12, 31))
        )
    return _named_and_sorted(session, list(session.exec(query)))


def _named_and_sorted(session: Session, rows: list[tuple[int | None, int, int]]) -> list[UnitTotal]:
    """Name each unit's totals; units in list order, the office (no unit) last."""
    ids = [unit_id for unit_id, _total, _count in rows if unit_id is not None]
    found = session.exec(select(Unit.id, Unit.name, Unit.kind).where(col(Unit.id).in_(ids)))
    units = {unit_id: (name, kind) for unit_id, name, kind in found}
    keyed = []
    for unit_id, total, count in rows:
        name, kind = units.get(unit_id, ("", "")) if unit_id else ("", "")
        key = (unit_id is None, unit_order(kind, name))
        keyed.append((key, UnitTotal(unit_id, name, int(total), int(count))))
    return [unit_total for _key, unit_total in sorted(keyed, key=lambda pair: pair[0])]
