"""The record of queued reminders, and the queries the reminder pass and the digest use."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from storage.db import transaction
from storage.models import Contribution, Directive, ProgressStatus, Reminder, Role
from storage.people import people_with_roles
from storage.reminders import (
    Due,
    claim,
    directives_created,
    find_reminder,
    fund_total,
    open_with_deadline,
    overdue_directives,
    sent_keys,
)
from tests.support.assignments import seed_directive, seed_person, seed_report

NOW = dt.datetime(2026, 3, 24, 1, 0, tzinfo=dt.UTC)


def test_a_key_is_claimed_once(database):
    """The first claim records the item; a second, even in another transaction, is refused."""
    item = Due("reminder", "assignment:7:before-3d", "before-3d", NOW)
    with transaction(database) as session:
        assert claim(session, item, NOW)
    with transaction(database) as session:
        assert not claim(session, item, NOW + dt.timedelta(minutes=1))
        # The refused claim left the transaction usable.
        assert claim(session, Due("digest", "digest:2026-W13", "digest", NOW), NOW)
    with Session(database) as session:
        rows = session.exec(select(Reminder).order_by(Reminder.id)).all()  # type: ignore[arg-type]
        assert [(r.key, r.kind, r.at) for r in rows] == [
            ("assignment:7:before-3d", "before-3d", NOW),
            ("digest:2026-W13", "digest", NOW),
        ]
        assert find_reminder(session, "digest:2026-W13") is not None
        assert find_reminder(session, "digest:2026-W14") is None
        assert sent_keys(session, ["digest:2026-W13", "digest:2026-W14"]) == {"digest:2026-W13"}


def test_open_assignments_with_a_deadline_up_to_a_date(database):
    """Not done, with a deadline on or before the date; no deadline means never reminded."""
    soon = seed_directive(database, "1/UBND", "V/v một", ["Thôn Đông", "Thôn Tây"])
    seed_directive(database, "2/UBND", "V/v hai", ["Thôn Đông"], deadline=dt.date(2026, 4, 30))
    seed_directive(database, "3/UBND", "V/v ba", ["Thôn Đông"], deadline=None)
    an = seed_person(database, "An", unit="Thôn Đông")
    seed_report(database, soon.assignments["Thôn Đông"], an, ProgressStatus.DONE, NOW)
    with Session(database) as session:
        found = open_with_deadline(session, dt.date(2026, 3, 31))
        assert [(a.id, d.number) for a, d in found] == [(soon.assignments["Thôn Tây"], "1/UBND")]
        assert open_with_deadline(session, dt.date(2026, 3, 30)) == []
        assert [d.number for d in overdue_directives(session, dt.date(2026, 4, 30))] == [
            "1/UBND",
            "2/UBND",
        ]


def test_who_is_an_admin_or_leader(database):
    """People of the given roles, oldest first."""
    seed_person(database, "Hoa", Role.ADMIN)
    seed_person(database, "An", unit="Thôn Đông")
    seed_person(database, "Hùng", Role.LEADER)
    with Session(database) as session:
        names = [p.name for p in people_with_roles(session, {"admin", "leader"})]
    assert names == ["Hoa", "Hùng"]


def test_the_weeks_directives_and_fund_total(database):
    """Entries in (since, until]: a reversal counts against the week's total."""
    recorder = seed_person(database, "An", unit="Thôn Đông")
    since, until = NOW - dt.timedelta(days=7), NOW
    with transaction(database) as session:
        for seq, (amount, at) in enumerate(
            [(700_000, since), (1_000_000, since + dt.timedelta(seconds=1)), (-200_000, until)],
            start=1,
        ):
            session.add(
                Contribution(
                    receipt_no=f"KH2026-{seq:05d}",
                    year=2026,
                    seq=seq,
                    recorded_by=recorder,
                    donor_name="Bình",
                    donor_kind="person",
                    amount=amount,
                    contributed_on=at.date(),
                    created_at=at,
                )
            )
        session.add(
            Directive(number="9/UBND", issued_on=NOW.date(), subject="V/v chín", created_at=until)
        )
        session.add(
            Directive(number="8/UBND", issued_on=NOW.date(), subject="V/v tám", created_at=since)
        )
    with Session(database) as session:
        assert fund_total(session, since, until) == 800_000
        assert fund_total(session, until, until + dt.timedelta(days=7)) == 0
        assert [d.number for d in directives_created(session, since, until)] == ["9/UBND"]
