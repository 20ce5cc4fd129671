"""The scheduler: settings become a policy; every minute one pass, then the sender is woken."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlmodel import Session, select

from bot.config import Settings
from bot.scheduler import (
    HOUSEKEEPING_JOB_ID,
    JOB_ID,
    housekeeping_job,
    policy_from_settings,
    reminder_job,
    retention_from_settings,
    start_scheduler,
)
from handlers.digest import FIRST_RUN
from handlers.reminder_policy import Offset, ReminderPolicy, Weekly
from storage.db import transaction
from storage.housekeeping import Pruned, Retention
from storage.ledger import record_contribution
from storage.models import (
    Contribution,
    Directive,
    FundTotal,
    InboundKey,
    OutboxMessage,
    OutboxStatus,
    Person,
)
from storage.people import read_setting
from tests.support.assignments import seed_directive, seed_person
from tests.support.clock import FakeClock
from tests.support.databases import sqlite_database

TUESDAY_0800 = dt.datetime(2026, 3, 24, 1, 0, tzinfo=dt.UTC)
"""08:00 in Vietnam, three days before a deadline of 27/03."""


@pytest.fixture
def due_tuesday(database) -> int:
    """A directive due Friday 27/03 to Thôn Đông, whose head An is in the bot; returns its id."""
    directive = seed_directive(database, "12/UBND", "V/v học tập", ["Thôn Đông"])
    with transaction(database) as session:
        row = session.get(Directive, directive.id)
        assert row is not None
        row.deadline, row.created_at = dt.date(2026, 3, 27), TUESDAY_0800 - dt.timedelta(days=9)
        session.add(row)
    seed_person(database, "Nguyễn Văn An", unit="Thôn Đông")
    return directive.id


def texts(database) -> list[str]:  # type: ignore[no-untyped-def]
    """The first line of every queued message."""
    with Session(database) as session:
        return [row.text.split("\n")[0] for row in session.exec(select(OutboxMessage))]


def test_the_policy_comes_from_the_settings():
    """Each reminder setting is read; a malformed one stops the start with its reason."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        timezone="Asia/Ho_Chi_Minh",
        quiet_hours="22:00-06:00",
        reminder_schedule="-2d 09:00, 0d 07:00",
        escalation_at="+2d 09:00",
        weekly_digest="fri 16:00",
    )
    policy = policy_from_settings(settings)
    assert policy.schedule == (Offset(-2, dt.time(9)), Offset(0, dt.time(7)))
    assert policy.escalation == Offset(2, dt.time(9))
    assert policy.digest == Weekly(4, dt.time(16))
    assert (policy.quiet.start, policy.quiet.end) == (dt.time(22), dt.time(6))  # type: ignore[union-attr]
    assert policy_from_settings(Settings(_env_file=None)) == ReminderPolicy()  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="must look like"):
        policy_from_settings(Settings(_env_file=None, escalation_at="1 day"))  # type: ignore[call-arg]


async def test_the_job_runs_at_once_then_every_minute_and_wakes_the_sender(database, due_tuesday):
    """Started at 08:00 on Tuesday: the first pass queues An's reminder and wakes the sender."""
    wake = asyncio.Event()
    policy = ReminderPolicy.parse(weekly_digest="off")
    scheduler = start_scheduler(
        database, policy, wake, clock=FakeClock(TUESDAY_0800), retention=Retention()
    )
    try:
        job = scheduler.get_job(JOB_ID)
        assert job is not None
        assert job.trigger.interval == dt.timedelta(minutes=1)
        assert (job.coalesce, job.max_instances) == (True, 1)
        housekeeping = scheduler.get_job(HOUSEKEEPING_JOB_ID)
        assert housekeeping is not None
        assert housekeeping.trigger.interval == dt.timedelta(hours=1)
        assert (housekeeping.coalesce, housekeeping.max_instances) == (True, 1)
        await asyncio.wait_for(wake.wait(), timeout=30)
    finally:
        scheduler.shutdown(wait=False)
    assert texts(database) == ["⏰ Nhắc việc: Công văn số 12/UBND, ngày 10/03/2026"]
    # The first pass after install is remembered: that week's digest is skipped.
    with Session(database) as session:
        assert read_setting(session, FIRST_RUN) == TUESDAY_0800.isoformat()


async def test_a_pass_with_nothing_due_leaves_the_sender_asleep(database, due_tuesday):
    """At 07:59 nothing is due: the job queues nothing and does not wake the sender."""
    wake = asyncio.Event()
    clock = FakeClock(TUESDAY_0800 - dt.timedelta(minutes=1))
    policy = ReminderPolicy.parse(weekly_digest="off")
    summary = await reminder_job(database, policy, wake, clock)
    assert (summary.reminders, wake.is_set(), texts(database)) == (0, False, [])
    clock.advance(minutes=1)
    summary = await reminder_job(database, policy, wake, clock)
    assert (summary.reminders, summary.messages, wake.is_set()) == (1, 1, True)


def test_the_retention_comes_from_the_settings():
    """INBOUND_KEY_DAYS, OUTBOX_KEEP_DAYS and OUTBOX_FAILED_KEEP_DAYS, in days."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        inbound_key_days=7,
        outbox_keep_days=10,
        outbox_failed_keep_days=40,
    )
    assert retention_from_settings(settings) == Retention(
        dt.timedelta(days=7), dt.timedelta(days=10), dt.timedelta(days=40)
    )
    assert retention_from_settings(Settings(_env_file=None)) == Retention()  # type: ignore[call-arg]


async def test_housekeeping_prunes_old_rows_and_a_second_run_finds_nothing(database):
    """The hourly job forgets a key seen 15 days ago and a message sent 31 days ago, once."""
    with transaction(database) as session:
        session.add(InboundKey(key="zalo:msg:old", at=TUESDAY_0800 - dt.timedelta(days=15)))
        session.add(InboundKey(key="zalo:msg:new", at=TUESDAY_0800 - dt.timedelta(hours=1)))
        session.add(
            OutboxMessage(
                channel="zalo",
                chat_id="9",
                status=OutboxStatus.SENT.value,
                sent_at=TUESDAY_0800 - dt.timedelta(days=31),
            )
        )
    clock = FakeClock(TUESDAY_0800)
    assert await housekeeping_job(database, Retention(), clock) == Pruned(inbound_keys=1, sent=1)
    assert await housekeeping_job(database, Retention(), clock) == Pruned()
    with Session(database) as session:
        assert session.exec(select(InboundKey.key)).all() == ["zalo:msg:new"]
        assert session.exec(select(OutboxMessage)).all() == []


async def test_housekeeping_keeps_sqlite_statistics_up_to_date(template_dir, tmp_path):
    """The units were registered after the last upgrade's ANALYZE: the hourly job gives
    SQLite's planner statistics that know about them (PostgreSQL's autovacuum does this)."""
    _url, database = sqlite_database(template_dir, tmp_path)
    for number in range(30):
        seed_person(database, f"Trưởng thôn {number}", unit=f"Thôn {number}")
    with database.begin() as connection:
        connection.exec_driver_sql("DELETE FROM sqlite_stat1")

    await housekeeping_job(database, Retention(), FakeClock(TUESDAY_0800))

    with database.connect() as connection:
        rows = connection.exec_driver_sql("SELECT stat FROM sqlite_stat1 WHERE tbl = 'unit'")
        counts = [int(stat.split()[0]) for (stat,) in rows]
    assert counts and max(counts) == 30


async def test_housekeeping_rebuilds_fund_totals_that_drifted_from_the_ledger(database, caplog):
    """Someone edited the running total of Thôn Đông by hand: the hourly job says so in the
    log and recounts it from the ledger, which it leaves exactly as it was."""
    head = seed_person(database, "Nguyễn Văn An", unit="Thôn Đông")
    with transaction(database) as session:
        unit_id = session.get(Person, head).unit_id  # type: ignore[union-attr]
        record_contribution(
            session,
            recorded_by=head,
            unit_id=unit_id,
            donor_name="Bà Lan",
            donor_kind="person",
            amount=1_500_000,
            contributed_on=dt.date(2026, 3, 2),
            note="",
            now=TUESDAY_0800,
        )
    with transaction(database) as session:
        total = session.exec(select(FundTotal)).one()
        total.total = 9_999_999
        session.add(total)
    with Session(database) as session:
        ledger_before = [row.model_dump() for row in session.exec(select(Contribution))]

    with caplog.at_level("ERROR", logger="bot.scheduler"):
        await housekeeping_job(database, Retention(), FakeClock(TUESDAY_0800))

    assert [record.getMessage() for record in caplog.records] == [
        f"fund totals drifted for unit {unit_id}, 2026: kept (9999999, 1), "
        "ledger says (1500000, 1); rebuilding"
    ]
    with Session(database) as session:
        assert session.exec(select(FundTotal.total)).all() == [1_500_000]
        assert [row.model_dump() for row in session.exec(select(Contribution))] == ledger_before
    caplog.clear()
    with caplog.at_level("ERROR", logger="bot.scheduler"):
        await housekeeping_job(database, Retention(), FakeClock(TUESDAY_0800))
    assert caplog.records == []
