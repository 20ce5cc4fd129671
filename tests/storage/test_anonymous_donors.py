"""Anonymous donors in the ledger: the column of migration 0010, reversals, the repeat check
and the standing contributions a disclosure lists."""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import Engine, inspect, text
from sqlmodel import Session, select

from storage.db import alembic_config, transaction
from storage.ledger import (
    ANONYMOUS_DONOR,
    record_contribution,
    reverse_contribution,
    same_contribution,
)
from storage.models import Contribution, Person, Role
from storage.people import add_unit
from storage.receipts import standing_contributions

MARCH = dt.datetime(2026, 3, 20, 1, 0, tzinfo=dt.UTC)
DAY = dt.date(2026, 3, 20)


def give(session: Session, by: int, unit: int | None, name: str, amount: int,
         day: dt.date = DAY, *, anonymous: bool = False) -> Contribution:  # fmt: skip
    """Record one contribution of the unit."""
    return record_contribution(
        session,
        recorded_by=by,
        unit_id=unit,
        donor_name=name,
        donor_kind="person",
        amount=amount,
        contributed_on=day,
        note="",
        now=MARCH,
        anonymous=anonymous,
    )


def recorder_and_units(session: Session) -> tuple[int, int, int]:
    """An admin, Thôn Đông and Thôn Tây."""
    admin = Person(name="Lê Thị Hoa", role=Role.ADMIN.value)
    session.add(admin)
    session.flush()
    east = add_unit(session, "Thôn Đông", "village").id or 0
    west = add_unit(session, "Thôn Tây", "village").id or 0
    return admin.id or 0, east, west


def test_a_donor_with_no_name_is_never_the_same_as_another(database: Engine) -> None:
    """Ẩn danh, 500.000 ₫, today, twice: not a repeat; a named donor kept out of public lists
    is still compared by the name recorded."""
    with transaction(database) as session:
        admin, east, _west = recorder_and_units(session)
        give(session, admin, east, ANONYMOUS_DONOR, 500_000, anonymous=True)
        kept = give(session, admin, east, "Nguyễn Văn Bình", 700_000, anonymous=True)

        def same(name: str, amount: int) -> Contribution | None:
            return same_contribution(
                session, unit_id=east, donor_name=name, amount=amount, contributed_on=DAY
            )

        assert same(ANONYMOUS_DONOR, 500_000) is None
        assert same("an danh", 500_000) is None
        assert same("nguyen van binh", 700_000) == kept


def test_a_reversal_keeps_the_donor_anonymous(database: Engine) -> None:
    """Reversing an anonymous receipt writes an anonymous negative row."""
    with transaction(database) as session:
        admin, east, _west = recorder_and_units(session)
        original = give(session, admin, east, ANONYMOUS_DONOR, 500_000, anonymous=True)
        reversal = reverse_contribution(session, original, by=admin, reason="Nhầm", now=MARCH)
        assert (reversal.amount, reversal.anonymous, reversal.donor_name) == (
            -500_000,
            True,
            ANONYMOUS_DONOR,
        )


def test_standing_contributions_leave_out_reversed_receipts_and_other_units(
    database: Engine,
) -> None:
    """Thôn Đông's receipts of March that still stand, by date: not the reversed one nor its
    reversal, not Thôn Tây's, not February's."""
    with transaction(database) as session:
        admin, east, west = recorder_and_units(session)
        late = give(session, admin, east, "Trần Văn Tâm", 300_000, dt.date(2026, 3, 15))
        early = give(session, admin, east, ANONYMOUS_DONOR, 200_000, dt.date(2026, 3, 2),
                     anonymous=True)  # fmt: skip
        wrong = give(session, admin, east, "Lê Văn Hùng", 9_000_000, dt.date(2026, 3, 3))
        reverse_contribution(session, wrong, by=admin, reason="Nhầm", now=MARCH)
        give(session, admin, west, "Phạm Văn Đức", 100_000, dt.date(2026, 3, 3))
        give(session, admin, east, "Đỗ Thị Lan", 400_000, dt.date(2026, 2, 28))
        found = standing_contributions(session, east, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
        assert [row.id for row in found] == [early.id, late.id]


def test_migration_0010_goes_down_and_up(database: Engine) -> None:
    """Downgrading drops the mark and keeps the rows under the name recorded; upgrading again
    makes every row a named donor's."""
    with transaction(database) as session:
        admin, east, _west = recorder_and_units(session)
        original = give(session, admin, east, "Nguyễn Văn Bình", 500_000, anonymous=True)
        reverse_contribution(session, original, by=admin, reason="Nhầm", now=MARCH)
    config = alembic_config(database.url.render_as_string(hide_password=False))
    database.dispose()
    command.downgrade(config, "0009")
    try:
        columns = {c["name"] for c in inspect(database).get_columns("contribution")}
        assert "anonymous" not in columns
        with database.begin() as connection:
            names = connection.execute(text("SELECT donor_name FROM contribution")).scalars()
            kept = list(names)
        database.dispose()
    finally:
        command.upgrade(config, "head")
    assert kept == ["Nguyễn Văn Bình", "Nguyễn Văn Bình"]
    with Session(database) as session:
        rows = session.exec(select(Contribution).order_by(Contribution.id))  # type: ignore[arg-type]
        listed = [(row.amount, row.anonymous) for row in rows]
    assert listed == [(500_000, False), (-500_000, False)]
