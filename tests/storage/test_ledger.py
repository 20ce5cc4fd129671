"""The fund ledger: receipt numbering, reversals, totals, and that rows are only ever added."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import Engine, event
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

import storage.ledger as ledger
from storage.db import alembic_config, make_engine, transaction, upgrade
from storage.fund_totals import check_fund_totals, rebuild_fund_totals
from storage.ledger import (
    LedgerError,
    UnitTotal,
    find_receipt,
    fund_totals,
    ledger_totals,
    record_contribution,
    reverse_contribution,
    same_contribution,
)
from storage.models import AuditEntry, Contribution, FundTotal, Person, Role
from storage.people import add_unit

MARCH = dt.datetime(2026, 3, 20, 1, 0, tzinfo=dt.UTC)


def _recorder(session: Session) -> int:
    person = Person(name="Lê Thị Hoa", role=Role.ADMIN.value)
    session.add(person)
    session.flush()
    return person.id or 0


def _give(
    session: Session,
    recorder: int,
    amount: int = 500_000,
    *,
    now: dt.datetime = MARCH,
    unit_id: int | None = None,
    day: dt.date | None = None,
) -> Contribution:
    return record_contribution(
        session,
        recorded_by=recorder,
        unit_id=unit_id,
        donor_name="Gia đình ông Nguyễn Văn Bình",
        donor_kind="family",
        amount=amount,
        contributed_on=day or now.date(),
        note="",
        now=now,
    )


def test_receipts_count_up_per_year_of_the_commune_calendar(database: Engine) -> None:
    """KH2026-00001, -00002, then KH2027-00001 from 00:00 on 1 January in Vietnam."""
    with transaction(database) as session:
        recorder = _recorder(session)
        numbers = [_give(session, recorder).receipt_no for _ in range(3)]
        # 23:59 on 31/12 in the commune is 16:59 UTC; 00:00 on 1/1 is 17:00 UTC.
        late = _give(session, recorder, now=dt.datetime(2026, 12, 31, 16, 59, tzinfo=dt.UTC))
        new_year = _give(session, recorder, now=dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.UTC))
    assert numbers == ["KH2026-00001", "KH2026-00002", "KH2026-00003"]
    assert (late.receipt_no, late.year, late.seq) == ("KH2026-00004", 2026, 4)
    assert (new_year.receipt_no, new_year.year, new_year.seq) == ("KH2027-00001", 2027, 1)


def test_a_taken_number_is_never_stored_twice(database: Engine) -> None:
    """The (year, seq) and receipt constraints refuse a second row with the same number."""
    with transaction(database) as session:
        first = _give(session, _recorder(session))
    with pytest.raises(IntegrityError), transaction(database) as session:
        session.add(
            Contribution(
                receipt_no="KH2026-00099",
                year=first.year,
                seq=first.seq,
                recorded_by=first.recorded_by,
                donor_name="X",
                donor_kind="person",
                amount=1,
                contributed_on=first.contributed_on,
            )
        )
    with Session(database) as session:
        assert len(session.exec(select(Contribution)).all()) == 1


def test_a_clash_with_a_concurrent_writer_takes_the_next_number(
    database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When another writer took the number just read, the insert fails and is retried."""
    real = ledger._next_seq
    reads: list[int] = []

    def stale_once(session: Session, year: int) -> int:
        # The first read sees the ledger as it was before the other writer's row.
        reads.append(year)
        return 1 if len(reads) == 1 else real(session, year)

    with transaction(database) as session:
        recorder = _recorder(session)
        _give(session, recorder)
        monkeypatch.setattr(ledger, "_next_seq", stale_once)
        second = _give(session, recorder, 700_000)
    assert len(reads) == 2
    assert second.receipt_no == "KH2026-00002"
    with Session(database) as session:
        rows = session.exec(select(Contribution).order_by(Contribution.id)).all()  # type: ignore[arg-type]
        assert [(r.receipt_no, r.amount) for r in rows] == [
            ("KH2026-00001", 500_000),
            ("KH2026-00002", 700_000),
        ]


def test_find_receipt_ignores_case_and_spaces(database: Engine) -> None:
    """' kh2026-00001 ' finds KH2026-00001; an unknown number finds nothing."""
    with transaction(database) as session:
        given = _give(session, _recorder(session))
    with Session(database) as session:
        found = find_receipt(session, " kh2026-00001 ")
        assert found is not None and found.id == given.id
        assert find_receipt(session, "KH2026-00002") is None


def test_same_contribution_folds_the_name_and_skips_reversed_receipts(database: Engine) -> None:
    """'gia dinh ong nguyen van binh' matches the family's receipt of the same unit, amount and
    day; another unit, amount or day does not, nor a receipt reversed since, nor the reversal."""
    day = dt.date(2026, 3, 20)
    with transaction(database) as session:
        recorder = _recorder(session)
        east = add_unit(session, "Thôn Đông", "village").id
        west = add_unit(session, "Thôn Tây", "village").id
        first = _give(session, recorder, unit_id=east, day=day)
        _give(session, recorder, unit_id=west, day=dt.date(2026, 3, 19))
        office = _give(session, recorder, 700_000, day=day)
        reversed_one = _give(session, recorder, 900_000, unit_id=west, day=day)
        reverse_contribution(session, reversed_one, by=recorder, reason="Ghi trùng", now=MARCH)

    def same(unit_id: int | None, name: str, amount: int, on: dt.date = day) -> str | None:
        with Session(database) as session:
            found = same_contribution(
                session, unit_id=unit_id, donor_name=name, amount=amount, contributed_on=on
            )
            return found.receipt_no if found else None

    assert same(east, "gia dinh  ong NGUYEN van binh", 500_000) == first.receipt_no
    assert same(east, "Gia đình ông Nguyễn Văn Bình", 500_000) == "KH2026-00001"
    assert same(None, "Gia đình ông Nguyễn Văn Bình", 700_000) == office.receipt_no
    # Marks are folded, so a near-namesake is asked about too: a question costs one tap.
    assert same(east, "Gia đình ông Nguyễn Văn Bính", 500_000) == "KH2026-00001"
    assert same(east, "Gia đình ông Nguyễn Văn An", 500_000) is None
    assert same(west, "Gia đình ông Nguyễn Văn Bình", 500_000) is None
    assert same(east, "Gia đình ông Nguyễn Văn Bình", 500_001) is None
    assert same(east, "Gia đình ông Nguyễn Văn Bình", 500_000, dt.date(2026, 3, 19)) is None
    assert same(None, "Gia đình ông Nguyễn Văn Bình", 500_000) is None
    assert same(west, "Gia đình ông Nguyễn Văn Bình", 900_000) is None
    assert same(west, "Gia đình ông Nguyễn Văn Bình", -900_000) is None


def test_reversal_adds_a_negative_row_and_an_audit_entry(database: Engine) -> None:
    """The original is untouched; a second reversal and reversing a reversal are refused."""
    with transaction(database) as session:
        recorder = _recorder(session)
        original = _give(session, recorder, 1_500_000, day=dt.date(2026, 3, 1))
        before = original.model_dump()
        reversal = reverse_contribution(
            session, original, by=recorder, reason="Ghi trùng", now=MARCH
        )
    assert reversal.model_dump() | {"id": None, "created_at": None} == {
        "id": None,
        "receipt_no": "KH2026-00002",
        "year": 2026,
        "seq": 2,
        "unit_id": None,
        "recorded_by": recorder,
        "donor_name": "Gia đình ông Nguyễn Văn Bình",
        "donor_kind": "family",
        "amount": -1_500_000,
        "contributed_on": dt.date(2026, 3, 1),
        "note": "Hủy biên lai KH2026-00001: Ghi trùng",
        "reverses_id": original.id,
        "created_at": None,
        "anonymous": False,
    }
    with transaction(database) as session:
        stored = session.get(Contribution, original.id)
        assert stored is not None and stored.model_dump() == before
        [entry] = session.exec(select(AuditEntry)).all()
        assert (entry.action, entry.person_id, entry.detail["reversal_receipt"]) == (
            "contribution.reverse",
            recorder,
            "KH2026-00002",
        )
        with pytest.raises(LedgerError) as again:
            reverse_contribution(session, stored, by=recorder, reason="Lại", now=MARCH)
        assert again.value.reason == "already_reversed"
        undo = session.get(Contribution, reversal.id)
        assert undo is not None
        with pytest.raises(LedgerError) as twice:
            reverse_contribution(session, undo, by=recorder, reason="Lại", now=MARCH)
        assert twice.value.reason == "reversal"
        assert len(session.exec(select(Contribution)).all()) == 2


def test_totals_per_unit_net_reversals_and_count_what_stands(database: Engine) -> None:
    """Units by Vietnamese name order, the office last; a year filters by date given."""
    with transaction(database) as session:
        recorder = _recorder(session)
        west = add_unit(session, "Thôn Tây", "village").id
        east = add_unit(session, "Thôn Đông", "village").id
        _give(session, recorder, 1_000_000, unit_id=east, day=dt.date(2025, 12, 30))
        _give(session, recorder, 2_000_000, unit_id=east)
        wrong = _give(session, recorder, 900_000, unit_id=west)
        _give(session, recorder, 300_000)
        reverse_contribution(session, wrong, by=recorder, reason="Nhầm thôn", now=MARCH)
    with Session(database) as session:
        assert fund_totals(session, year=2026) == [
            UnitTotal(east, "Thôn Đông", 2_000_000, 1),
            UnitTotal(west, "Thôn Tây", 0, 0),
            UnitTotal(None, "", 300_000, 1),
        ]
        assert fund_totals(session, year=None)[0] == UnitTotal(east, "Thôn Đông", 3_000_000, 2)
        assert fund_totals(session, year=2024) == []


def test_fund_totals_list_villages_before_schools(database: Engine) -> None:
    """The fund per unit is in the order of every unit list: a school named with M still comes
    after the villages, and Thôn 2 before Thôn 10."""
    with transaction(database) as session:
        recorder = _recorder(session)
        for name, kind in [
            ("Mầm non Hoa Sen", "school"),
            ("Thôn 10", "village"),
            ("Thôn 2", "village"),
        ]:
            _give(session, recorder, unit_id=add_unit(session, name, kind).id)
    with Session(database) as session:
        names = [total.unit_name for total in fund_totals(session, year=2026)]
    assert names == ["Thôn 2", "Thôn 10", "Mầm non Hoa Sen"]


def test_the_ledger_never_updates_or_deletes_a_contribution(database: Engine) -> None:
    """Recording, reversing and totalling only ever INSERT into or SELECT from the ledger."""
    statements: list[str] = []

    def remember(_conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        statements.append(" ".join(statement.split()).lower())

    event.listen(database, "before_cursor_execute", remember)
    try:
        with transaction(database) as session:
            recorder = _recorder(session)
            original = _give(session, recorder)
            _give(session, recorder)
            reverse_contribution(session, original, by=recorder, reason="Ghi trùng", now=MARCH)
            fund_totals(session, year=2026)
            fund_totals(session, year=None)
    finally:
        event.remove(database, "before_cursor_execute", remember)
    touching = [s for s in statements if "contribution" in s]
    assert any(s.startswith("insert into contribution") for s in touching)
    assert not [s for s in touching if s.startswith(("update", "delete"))]


def _standing_one_by_one(session: Session, year: int | None) -> dict[int | None, tuple[int, int]]:
    """The totals as the ledger defines them: every row's amount, and the originals not undone."""
    rows = session.exec(select(Contribution)).all()
    undone = {row.reverses_id for row in rows if row.reverses_id is not None}
    totals: dict[int | None, tuple[int, int]] = {}
    for row in rows:
        if year is not None and row.contributed_on.year != year:
            continue
        stands = row.reverses_id is None and row.id not in undone
        total, count = totals.get(row.unit_id, (0, 0))
        totals[row.unit_id] = (total + row.amount, count + stands)
    return totals


def test_totals_match_the_rows_one_by_one_across_years_and_reversals(database: Engine) -> None:
    """Three villages and the office over three years, some receipts reversed a year later."""
    with transaction(database) as session:
        recorder = _recorder(session)
        units = [add_unit(session, f"Thôn {n}", "village").id for n in range(3)] + [None]
        given = []
        for n in range(40):
            day = dt.date(2024 + n % 3, 1 + n % 12, 1 + n % 28)
            now = dt.datetime(day.year, day.month, day.day, 3, tzinfo=dt.UTC)
            amount = 100_000 * (1 + n % 7)
            given.append(_give(session, recorder, amount, now=now, unit_id=units[n % 4], day=day))
        for original in given[::3]:
            reverse_contribution(session, original, by=recorder, reason="Nhầm", now=MARCH)
    with Session(database) as session:
        for year in (2024, 2025, 2026, 2027, None):
            expected = _standing_one_by_one(session, year)
            kept = {t.unit_id: (t.total, t.count) for t in fund_totals(session, year=year)}
            summed = {t.unit_id: (t.total, t.count) for t in ledger_totals(session, year=year)}
            assert kept == expected, year
            assert summed == expected, year
        assert check_fund_totals(session) == {}


def test_the_check_finds_running_totals_that_drifted_and_a_rebuild_mends_them(
    database: Engine,
) -> None:
    """Someone edits the totals table by hand: the check names the unit and year, both ways."""
    with transaction(database) as session:
        recorder = _recorder(session)
        east = add_unit(session, "Thôn Đông", "village").id
        _give(session, recorder, 2_000_000, unit_id=east)
        _give(session, recorder, 300_000)
    with transaction(database) as session:
        kept = session.get(FundTotal, (east, 2026))
        assert kept is not None and (kept.total, kept.standing) == (2_000_000, 1)
        kept.total = 2_500_000
        session.add(kept)
        session.add(FundTotal(unit_key=east, year=2019, total=1, standing=1))
    with transaction(database) as session:
        assert check_fund_totals(session) == {
            (east, 2026): ((2_500_000, 1), (2_000_000, 1)),
            (east, 2019): ((1, 1), (0, 0)),
        }
        rebuild_fund_totals(session)
    with Session(database) as session:
        assert check_fund_totals(session) == {}
        assert fund_totals(session, year=None) == [
            UnitTotal(east, "Thôn Đông", 2_000_000, 1),
            UnitTotal(None, "", 300_000, 1),
        ]


def test_the_totals_read_only_their_covering_index_on_sqlite(database: Engine) -> None:
    """Summed from the ledger, the totals read ix_contribution_totals alone, never row by row."""
    if database.dialect.name != "sqlite":
        pytest.skip("the query plan checked here is SQLite's")
    plans: list[str] = []

    def explain(conn, _cursor, statement, params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if "FROM contribution" in statement and not statement.startswith("EXPLAIN"):
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params).all()
            plans.append(" | ".join(str(row[-1]) for row in rows))

    with Session(database) as session:
        event.listen(database, "before_cursor_execute", explain)
        try:
            ledger_totals(session, year=2026)
            ledger_totals(session, year=None)
        finally:
            event.remove(database, "before_cursor_execute", explain)
    assert len(plans) == 2
    for plan in plans:
        assert "COVERING INDEX ix_contribution_totals" in plan, plan
        assert "CORRELATED" not in plan, plan


def test_upgrading_an_existing_ledger_sums_it_into_the_running_totals(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A database at 0003 with receipts and a reversal: after the upgrade, totals match."""
    url = f"sqlite:///{tmp_path}/old.db"
    command.upgrade(alembic_config(url), "0003")
    old = make_engine(url)
    with transaction(old) as session:
        recorder = _recorder(session)
        east = add_unit(session, "Thôn Đông", "village").id
    rows = [
        (1, east, 1_000_000, dt.date(2025, 12, 30), None),
        (2, east, 2_000_000, dt.date(2026, 3, 1), None),
        (3, None, 300_000, dt.date(2026, 3, 2), None),
        (4, east, -2_000_000, dt.date(2026, 3, 1), 2),
    ]
    with old.begin() as connection:
        for seq, unit_id, amount, day, reverses in rows:
            connection.execute(
                Contribution.__table__.insert(),  # type: ignore[attr-defined]
                {
                    "receipt_no": f"KH2026-{seq:05d}", "year": 2026, "seq": seq,
                    "unit_id": unit_id, "recorded_by": recorder, "donor_name": "Bình",
                    "donor_kind": "person", "amount": amount, "contributed_on": day,
                    "note": "", "reverses_id": reverses, "created_at": MARCH,
                },
            )
    old.dispose()
    upgrade(url)
    upgraded = make_engine(url)
    with Session(upgraded) as session:
        assert check_fund_totals(session) == {}
        assert fund_totals(session, year=2026) == [
            UnitTotal(east, "Thôn Đông", 0, 0),
            UnitTotal(None, "", 300_000, 1),
        ]
        assert fund_totals(session, year=None)[0] == UnitTotal(east, "Thôn Đông", 1_000_000, 1)
    upgraded.dispose()
