"""The weekly digest: Monday 07:30, once per ISO week, to leaders and admins only."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from handlers.digest import FIRST_RUN, record_first_run
from handlers.reminder_policy import ReminderPolicy
from handlers.reminders import PassSummary, run_reminders
from storage.db import transaction
from storage.models import (
    Contribution,
    OutboxMessage,
    Person,
    ProgressStatus,
    Reminder,
    Role,
    Setting,
)
from tests.support.assignments import (
    entered_at,
    local,
    seed_acknowledgement,
    seed_directive,
    seed_person,
    seed_report,
    seed_unit,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
EAST, WEST, SCHOOL = "Thôn Đông", "Thôn Tây", "Trường TH An Hưng"
DIGEST_ONLY = ReminderPolicy.parse(reminder_schedule="off", escalation_at="off")
_seq = itertools.count(1)


def ledger(database: Engine, by: int, amount: int, at: dt.datetime, reverses: int | None = None):
    """Write a fund entry as /quy (or a reversal) would, recorded at `at`; return its id."""
    seq = next(_seq)
    with transaction(database) as session:
        row = Contribution(
            receipt_no=f"KH2026-{seq:05d}",
            year=2026,
            seq=seq,
            recorded_by=by,
            donor_name="Nguyễn Văn Bình",
            donor_kind="person",
            amount=amount,
            contributed_on=at.astimezone(VN).date(),
            reverses_id=reverses,
            created_at=at,
        )
        session.add(row)
        session.flush()
        return row.id


def digests(database: Engine) -> list[tuple[str, str]]:
    """(reader, first line) of every digest queued so far."""
    with Session(database) as session:
        query = (
            select(Person.name, OutboxMessage.text)
            .join(Person, col(Person.id) == OutboxMessage.person_id)
            .where(col(OutboxMessage.text).startswith("📊"))
            .order_by(col(OutboxMessage.id))
        )
        return [(name, text.split("\n")[0]) for name, text in session.exec(query)]


def keys(database: Engine) -> list[str]:
    """Keys of everything recorded as queued."""
    with Session(database) as session:
        return list(session.exec(select(Reminder.key).order_by(col(Reminder.id))))


@pytest.fixture
def week(database) -> None:
    """A week in March 2026 (Monday 23/03 is digest day).

    12/UBND-VHXH, entered 18/03, due 20/03 to both villages: An received it and reported
    'in progress'. 45/UBND-VHXH, entered 01/03, due 31/03 to the villages and the school:
    Cường received it. 7/UBND, entered 17/03, is done. The fund: 2.000.000 on 10/03 (an
    earlier week), then 1.500.000 and 500.000 that was reversed.
    """
    seed_unit(database, SCHOOL, "school")
    an = seed_person(database, "Nguyễn Văn An", unit=EAST)
    seed_person(database, "Phạm Thị Bình", unit=EAST)
    cuong = seed_person(database, "Lê Văn Cường", unit=WEST, channels=("zalo",))
    seed_person(database, "Trần Thị Hoa", Role.ADMIN)
    seed_person(database, "Hoàng Văn Hùng", Role.LEADER, channels=("zalo",))
    plan = seed_directive(
        database, "12/UBND-VHXH", "V/v xây dựng xã hội học tập", [EAST, WEST],
        deadline=dt.date(2026, 3, 20),
    )  # fmt: skip
    fund = seed_directive(
        database, "45/UBND-VHXH", "V/v vận động Quỹ khuyến học", [EAST, WEST, SCHOOL],
        issued_on=dt.date(2026, 3, 1),
    )  # fmt: skip
    done = seed_directive(database, "7/UBND", "V/v họp thôn", [EAST], deadline=None)
    entered_at(database, plan.id, local(18, 9))
    entered_at(database, fund.id, local(1, 9))
    entered_at(database, done.id, local(17, 9))
    seed_acknowledgement(database, plan.assignments[EAST], an, local(18, 10))
    seed_acknowledgement(database, fund.assignments[WEST], cuong, local(18, 10))
    seed_report(database, plan.assignments[EAST], an, ProgressStatus.IN_PROGRESS, local(19, 9))
    seed_report(database, done.assignments[EAST], an, ProgressStatus.DONE, local(19, 9))
    ledger(database, an, 2_000_000, local(10, 9))
    ledger(database, an, 1_500_000, local(19, 15))
    mistake = ledger(database, an, 500_000, local(22, 9))
    ledger(database, an, -500_000, local(22, 10), reverses=mistake)


MONDAY_DIGEST = "\n".join(
    [
        "📊 Tổng hợp tuần, 16/03/2026 – 23/03/2026",
        "",
        "Công văn mới trong 7 ngày qua: 2",
        "- 7/UBND — V/v họp thôn",
        "- 12/UBND-VHXH — V/v xây dựng xã hội học tập",
        "",
        "Công văn đang thực hiện: 2",
        "Đã nhận: 2/6 người (33%)",
        "Đã báo cáo: 1/5 đơn vị (20%)",
        "",
        "Đơn vị quá hạn:",
        f"- 12/UBND-VHXH: {EAST}, {WEST}",
        "",
        "Quỹ khuyến học trong tuần: 1.500.000\xa0₫",
    ]
)


def test_leaders_and_admins_get_the_digest_on_monday_at_half_past_seven(database, week):
    """Nothing at 07:29; at 07:30 the admin and the leader each get the week in numbers."""
    assert run_reminders(database, DIGEST_ONLY, local(23, 7, 29)) == PassSummary()
    summary = run_reminders(database, DIGEST_ONLY, local(23, 7, 30))
    assert (summary.digests, summary.messages) == (1, 2)
    with Session(database) as session:
        rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
    assert [(row.channel, row.text, row.choices) for row in rows] == [
        ("telegram", MONDAY_DIGEST, [["/tinhhinh", "Tình hình thực hiện công văn"]]),
        ("zalo", MONDAY_DIGEST, [["/tinhhinh", "Tình hình thực hiện công văn"]]),
    ]
    assert keys(database) == ["digest:2026-W13"]


def test_one_digest_per_week(database, week):
    """Later that Monday and on Sunday night nothing more; the next Monday, the next digest."""
    run_reminders(database, DIGEST_ONLY, local(23, 7, 30))
    assert run_reminders(database, DIGEST_ONLY, local(23, 12)) == PassSummary()
    assert run_reminders(database, DIGEST_ONLY, local(29, 23, 59)) == PassSummary()
    assert run_reminders(database, DIGEST_ONLY, local(30, 7, 30)).digests == 1
    assert keys(database) == ["digest:2026-W13", "digest:2026-W14"]
    assert digests(database)[2:] == [
        ("Trần Thị Hoa", "📊 Tổng hợp tuần, 23/03/2026 – 30/03/2026"),
        ("Hoàng Văn Hùng", "📊 Tổng hợp tuần, 23/03/2026 – 30/03/2026"),
    ]


def test_a_digest_missed_on_monday_goes_out_later_that_week(database, week):
    """The bot was down on Monday morning: Wednesday's first pass sends the week's digest."""
    assert run_reminders(database, DIGEST_ONLY, local(25, 10)).digests == 1
    assert keys(database) == ["digest:2026-W13"]
    assert digests(database) == [
        ("Trần Thị Hoa", "📊 Tổng hợp tuần, 18/03/2026 – 25/03/2026"),
        ("Hoàng Văn Hùng", "📊 Tổng hợp tuần, 18/03/2026 – 25/03/2026"),
    ]


def test_a_week_the_bot_was_down_is_not_caught_up_later(database, week):
    """Down from Sunday 22/03 to Tuesday 31/03: only the week of 30/03 gets its digest."""
    run_reminders(database, DIGEST_ONLY, local(31, 10))
    run_reminders(database, DIGEST_ONLY, local(31, 10, 1))
    assert keys(database) == ["digest:2026-W14"]
    assert len(digests(database)) == 2


def test_an_empty_week_sends_nothing(database):
    """No directive, no report, no contribution: the leader is not woken for a page of zeros.

    That week counts as done, so nothing goes out later in it either. The next week a gift is
    entered and reversed, and the week after Thôn Đông reports an old directive done: each of
    those is something to tell.
    """
    an = seed_person(database, "Nguyễn Văn An", unit=EAST)
    seed_person(database, "Hoàng Văn Hùng", Role.LEADER)
    assert run_reminders(database, DIGEST_ONLY, local(23, 8)) == PassSummary()
    assert digests(database) == []
    assert keys(database) == ["digest:2026-W13"]

    mistake = ledger(database, an, 500_000, local(25, 9))
    ledger(database, an, -500_000, local(25, 10), reverses=mistake)
    assert run_reminders(database, DIGEST_ONLY, local(26, 8)) == PassSummary()
    assert run_reminders(database, DIGEST_ONLY, local(30, 8)).digests == 1
    with Session(database) as session:
        [row] = session.exec(select(OutboxMessage)).all()
    assert row.text == "\n".join(
        [
            "📊 Tổng hợp tuần, 23/03/2026 – 30/03/2026",
            "",
            "Công văn mới trong 7 ngày qua: 0",
            "",
            "Công văn đang thực hiện: 0",
            "",
            "Không có đơn vị nào quá hạn.",
            "",
            "Quỹ khuyến học trong tuần: 0\xa0₫",
        ]
    )

    done = seed_directive(database, "7/UBND", "V/v họp thôn", [EAST], deadline=None)
    entered_at(database, done.id, local(1, 9))
    seed_report(database, done.assignments[EAST], an, ProgressStatus.DONE, local(2, 9, month=4))
    assert run_reminders(database, DIGEST_ONLY, local(6, 8, month=4)).digests == 1
    assert digests(database)[-1] == ("Hoàng Văn Hùng", "📊 Tổng hợp tuần, 30/03/2026 – 06/04/2026")


def test_the_week_the_bot_is_installed_gets_no_digest(database, week):
    """First started on Wednesday 25/03: no digest of days it never saw; Monday 30/03 has one."""
    with transaction(database) as session:
        assert record_first_run(session, local(25, 10)) == local(25, 10)
    assert run_reminders(database, DIGEST_ONLY, local(25, 10)) == PassSummary()
    assert run_reminders(database, DIGEST_ONLY, local(29, 23, 59)) == PassSummary()
    assert keys(database) == []
    assert run_reminders(database, DIGEST_ONLY, local(30, 7, 30)).digests == 1
    assert keys(database) == ["digest:2026-W14"]


def test_installed_early_on_monday_the_first_digest_is_the_next_week(database, week):
    """Started Monday 23/03 at 06:00, before the 07:30 digest: that week began before it."""
    with transaction(database) as session:
        record_first_run(session, local(23, 6))
    assert run_reminders(database, DIGEST_ONLY, local(23, 7, 30)) == PassSummary()
    assert run_reminders(database, DIGEST_ONLY, local(30, 7, 30)).digests == 1


def test_the_first_run_is_recorded_once(database):
    """A restart, or a second process, keeps the moment the bot first ran."""
    with transaction(database) as session:
        record_first_run(session, local(20, 8))
    with transaction(database) as session:
        assert record_first_run(session, local(27, 8)) == local(20, 8)
    with Session(database) as session:
        assert session.get(Setting, FIRST_RUN).value == "2026-03-20T01:00:00+00:00"  # type: ignore[union-attr]


def test_no_digest_is_recorded_while_there_is_nobody_to_read_it(database):
    """Without leaders or admins nothing is queued, and a leader who joins that week gets it."""
    an = seed_person(database, "Nguyễn Văn An", unit=EAST)
    ledger(database, an, 200_000, local(20, 9))
    assert run_reminders(database, DIGEST_ONLY, local(23, 8)) == PassSummary()
    assert keys(database) == []
    seed_person(database, "Hoàng Văn Hùng", Role.LEADER)
    assert run_reminders(database, DIGEST_ONLY, local(24, 8)).digests == 1


def test_a_digest_set_in_quiet_hours_waits_for_the_morning(database, week):
    """Configured for Sunday 22:00: queued then, delivered at 07:00 on Monday."""
    policy = ReminderPolicy.parse(
        reminder_schedule="off", escalation_at="off", weekly_digest="sunday 22:00"
    )
    summary = run_reminders(database, policy, local(22, 22))
    assert (summary.digests, summary.deferred) == (1, 2)
    with Session(database) as session:
        assert {row.not_before for row in session.exec(select(OutboxMessage))} == {local(23, 7)}
    assert keys(database) == ["digest:2026-W12"]
