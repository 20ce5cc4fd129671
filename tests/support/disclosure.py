"""Thôn Đông's gifts to the fund in 2026, for the disclosure's tests: a named donor, one who
gave no name, one kept out of public lists, a reversed receipt, and gifts that do not belong."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from storage.db import transaction
from storage.ledger import ANONYMOUS_DONOR, record_contribution, reverse_contribution
from storage.models import Person, Role
from storage.people import add_unit

EAST, WEST = "Thôn Đông", "Thôn Tây"


def seed_gifts(database: Engine) -> int:
    """Record the gifts; return Thôn Đông's id."""
    with transaction(database) as session:
        east = add_unit(session, EAST, "village").id or 0
        west = add_unit(session, WEST, "village").id or 0
        head = Person(name="Trần Văn Tâm", role=Role.FOCAL.value, unit_id=east)
        session.add(head)
        session.flush()

        def give(unit: int, name: str, amount: int, month: int, day: int, year: int = 2026,
                 anonymous: bool = False):  # type: ignore[no-untyped-def]  # fmt: skip
            return record_contribution(
                session,
                recorded_by=head.id or 0,
                unit_id=unit,
                donor_name=name,
                donor_kind="person",
                amount=amount,
                contributed_on=dt.date(year, month, day),
                note="",
                now=dt.datetime(year, month, day, 3, tzinfo=dt.UTC),
                anonymous=anonymous,
            )

        give(east, "Nguyễn Văn Bình", 1_500_000, 3, 2)
        give(east, ANONYMOUS_DONOR, 500_000, 3, 5, anonymous=True)
        mistaken = give(east, "Lê Văn Hùng", 20_000_000, 3, 6)
        give(east, "Gia đình bà Phạm Thị Lan", 2_000_000, 3, 6, anonymous=True)
        give(east, "Dòng họ Đỗ", 3_000_000, 4, 1)
        give(west, "Hoàng Văn Nam", 700_000, 3, 3)
        give(east, "Vũ Thị Mai", 400_000, 12, 30, year=2025)
        reverse_contribution(
            session,
            mistaken,
            by=head.id or 0,
            reason="Ghi nhầm số tiền",
            now=dt.datetime(2026, 3, 7, 3, tzinfo=dt.UTC),
        )
        return east
