"""Deadline reminders: the right focal points, at the right moment, once, whatever happens."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from handlers.reminder_policy import ReminderPolicy
from handlers.reminders import PassSummary, run_reminders
from storage.db import make_engine, transaction
from storage.models import OutboxMessage, Person, ProgressStatus, Reminder, Role, Unit
from storage.roster import archive_unit, remove_person
from tests.support.assignments import (
    SeededDirective,
    entered_at,
    local,
    seed_acknowledgement,
    seed_directive,
    seed_person,
    seed_report,
    seed_unit,
)

PLAN = ("12/UBND-VHXH", "V/v tiếp tục triển khai Đề án Xây dựng xã hội học tập")
EAST, WEST, SCHOOL = "Thôn Đông", "Thôn Tây", "Trường TH An Hưng"
DEADLINE = dt.date(2026, 3, 27)
AN, BINH, CUONG = "Nguyễn Văn An", "Phạm Thị Bình", "Lê Văn Cường"


class Outbox:
    """What the bot queued, per person, since the last look."""

    def __init__(self, database: Engine) -> None:
        self.database = database
        self.seen = 0

    def look(self) -> list[tuple[str, OutboxMessage]]:
        """Return (person's name, row) for every row queued since the last look, in order."""
        with Session(self.database) as session:
            query = (
                select(Person.name, OutboxMessage)
                .join(Person, col(Person.id) == OutboxMessage.person_id)
                .where(col(OutboxMessage.id) > self.seen)
                .order_by(col(OutboxMessage.id))
            )
            found = [(name, row) for name, row in session.exec(query)]
        if found:
            self.seen = found[-1][1].id or self.seen
        return found

    def names(self) -> list[str]:
        """Return who got something since the last look."""
        return [name for name, _row in self.look()]


def reminder(assignment_id: int, unit: str, when: str, *, acknowledged: bool) -> tuple:
    """The reminder a focal point reads, and the choices under it."""
    text = "\n".join(
        [
            "⏰ Nhắc việc: Công văn số 12/UBND-VHXH, ngày 10/03/2026",
            PLAN[1],
            f"Hạn: 27/03/2026 ({when})",
            f"Đơn vị: {unit}",
            "",
            "Đơn vị chưa báo cáo hoàn thành. Đề nghị báo cáo tiến độ thực hiện.",
        ]
    )
    choices = [] if acknowledged else [[f"/ack {assignment_id}", "Đã nhận"]]
    return text, [*choices, [f"/baocao {assignment_id}", "Báo cáo"]]


def keys(database: Engine) -> list[str]:
    """The keys of everything recorded as queued, in order."""
    with Session(database) as session:
        return list(session.exec(select(Reminder.key).order_by(col(Reminder.id))))


@dataclass
class Commune:
    """A directive due 27/03 to two villages and a school without a principal yet."""

    directive: SeededDirective
    an: int
    binh: int
    cuong: int

    def assignment(self, unit: str) -> int:
        """The assignment id of a unit."""
        return self.directive.assignments[unit]


@pytest.fixture
def commune(database) -> Commune:
    """Thôn Đông has An (who pressed Received) and Bình; Thôn Tây has Cường on Zalo."""
    seed_unit(database, SCHOOL, "school")
    directive = seed_directive(database, *PLAN, [EAST, WEST, SCHOOL], deadline=DEADLINE)
    entered_at(database, directive.id, local(10, 9))
    an = seed_person(database, AN, unit=EAST)
    binh = seed_person(database, BINH, unit=EAST)
    cuong = seed_person(database, CUONG, unit=WEST, channels=("zalo",))
    seed_person(database, "Trần Thị Hoa", Role.ADMIN)
    seed_person(database, "Hoàng Văn Hùng", Role.LEADER)
    seed_acknowledgement(database, directive.assignments[EAST], an, local(11, 9))
    return Commune(directive, an, binh, cuong)


REMINDERS_ONLY = ReminderPolicy.parse(escalation_at="off", weekly_digest="off")
"""The default schedule, without the escalation and the digest tested on their own."""


def remind(database: Engine, moment: dt.datetime) -> PassSummary:
    """One pass of the scheduler at `moment`, reminders only."""
    return run_reminders(database, REMINDERS_ONLY, moment)


def test_focal_points_are_reminded_before_on_and_after_the_deadline(database, commune):
    """At 08:00 three days, one day before, on the day and the day after: each focal point once."""
    outbox = Outbox(database)
    east, west = commune.assignment(EAST), commune.assignment(WEST)
    assert remind(database, local(24, 7, 59)) == PassSummary()
    assert outbox.look() == []

    summary = remind(database, local(24, 8))
    assert (summary.reminders, summary.messages, summary.deferred) == (2, 3, 0)
    sent = outbox.look()
    assert [(name, row.channel) for name, row in sent] == [
        (AN, "telegram"),
        (BINH, "telegram"),
        (CUONG, "zalo"),
    ]
    assert [(row.text, row.choices) for _name, row in sent] == [
        reminder(east, EAST, "còn 3 ngày", acknowledged=True),
        reminder(east, EAST, "còn 3 ngày", acknowledged=False),
        reminder(west, WEST, "còn 3 ngày", acknowledged=False),
    ]
    assert {row.idempotency_key for _name, row in sent} == {
        f"assignment:{east}:before-3d:person:{commune.an}:telegram",
        f"assignment:{east}:before-3d:person:{commune.binh}:telegram",
        f"assignment:{west}:before-3d:person:{commune.cuong}:zalo",
    }

    assert remind(database, local(24, 17)) == PassSummary()
    assert remind(database, local(26, 8)).reminders == 2
    assert [row.text.split("\n")[2] for _name, row in outbox.look()] == [
        "Hạn: 27/03/2026 (ngày mai)"
    ] * 3
    remind(database, local(27, 8))
    assert {row.text.split("\n")[2] for _name, row in outbox.look()} == {
        "Hạn: 27/03/2026 (hôm nay)"
    }
    remind(database, local(28, 8))
    assert {row.text.split("\n")[2] for _name, row in outbox.look()} == {
        "Hạn: 27/03/2026 (quá hạn 1 ngày)"
    }
    assert [key for key in keys(database) if key.startswith(f"assignment:{east}:")] == [
        f"assignment:{east}:before-3d",
        f"assignment:{east}:before-1d",
        f"assignment:{east}:due-day",
        f"assignment:{east}:after-1d",
    ]
    # The schedule is over: later days bring the focal points nothing more.
    remind(database, local(30, 8))
    assert [name for name in outbox.names() if name in (AN, BINH, CUONG)] == []


def test_a_unit_that_reported_done_is_left_alone(database, commune):
    """Thôn Đông reports done on 25/03: from then on only Thôn Tây is reminded."""
    outbox = Outbox(database)
    remind(database, local(24, 8))
    outbox.look()
    seed_report(database, commune.assignment(EAST), commune.an, ProgressStatus.DONE, local(25, 9))
    seed_report(
        database, commune.assignment(WEST), commune.cuong, ProgressStatus.IN_PROGRESS, local(25, 9)
    )
    remind(database, local(26, 8))
    # 'In progress' is not done: Cường is still reminded.
    assert outbox.names() == [CUONG]
    remind(database, local(28, 8))
    assert [name for name in outbox.names() if name in (AN, BINH, CUONG)] == [CUONG]


def test_a_unit_without_focal_points_is_reminded_once_someone_joins(database, commune):
    """The school has no principal: nothing is queued or recorded; the new principal gets it."""
    outbox = Outbox(database)
    school = commune.assignment(SCHOOL)
    assert remind(database, local(24, 8)).reminders == 2
    outbox.look()
    assert not [key for key in keys(database) if key.startswith(f"assignment:{school}:")]

    principal = seed_person(database, "Đỗ Thị Dung", unit=SCHOOL)
    remind(database, local(24, 10))
    [(name, row)] = outbox.look()
    assert (name, row.text.split("\n")[2:4]) == (
        "Đỗ Thị Dung",
        ["Hạn: 27/03/2026 (còn 3 ngày)", f"Đơn vị: {SCHOOL}"],
    )
    assert row.idempotency_key == f"assignment:{school}:before-3d:person:{principal}:telegram"


def test_after_downtime_only_the_latest_due_reminder_goes_out(database, commune):
    """The bot was off from 23/03 until 09:30 on the deadline day: one 'today' reminder each."""
    outbox = Outbox(database)
    summary = remind(database, local(27, 9, 30))
    assert (summary.reminders, summary.messages) == (2, 3)
    assert {row.text.split("\n")[2] for _name, row in outbox.look()} == {
        "Hạn: 27/03/2026 (hôm nay)"
    }
    east = commune.assignment(EAST)
    assert [key for key in keys(database) if key.startswith(f"assignment:{east}:")] == [
        f"assignment:{east}:due-day"
    ]
    assert remind(database, local(27, 12)) == PassSummary()
    assert remind(database, local(28, 8)).reminders == 2


def test_a_reminder_days_late_is_not_sent_at_all(database, commune):
    """Back at 08:01 on 30/03, two days after the last reminder fell due: nothing stale goes out."""
    assert remind(database, local(30, 8, 1)) == PassSummary()
    assert remind(database, local(2, 9, month=4)) == PassSummary()
    assert keys(database) == []


def test_a_directive_entered_late_gets_no_early_reminder(database, commune):
    """Entered on 25/03 for the 27th: no '3 days before' minutes later; 'tomorrow' on the 26th."""
    outbox = Outbox(database)
    remind(database, local(24, 8))
    outbox.look()
    late = seed_directive(database, "20/UBND", "V/v báo cáo gấp", [EAST], deadline=DEADLINE)
    entered_at(database, late.id, local(25, 10))
    assert remind(database, local(25, 10, 5)) == PassSummary()
    remind(database, local(26, 8))
    lines = [row.text.split("\n")[:3] for name, row in outbox.look() if name == AN]
    assert ["V/v báo cáo gấp", "Hạn: 27/03/2026 (ngày mai)"] in [line[1:] for line in lines]


def test_nothing_is_queued_twice_across_passes_and_restarts(database, commune):
    """The same moment again, with a new policy and a new connection pool: nothing new."""
    first = remind(database, local(24, 8))
    assert (first.reminders, first.messages) == (2, 3)
    assert remind(database, local(24, 8)) == PassSummary()
    restarted = make_engine(database.url.render_as_string(hide_password=False))
    try:
        policy = ReminderPolicy.parse(
            reminder_schedule="-3d 08:00, -1d 08:00, 0d 08:00",
            escalation_at="off",
            weekly_digest="off",
        )
        assert run_reminders(restarted, policy, local(24, 8, 1)) == PassSummary()
    finally:
        restarted.dispose()
    with Session(database) as session:
        assert len(session.exec(select(OutboxMessage)).all()) == 3
        assert len(session.exec(select(Reminder)).all()) == 2


def test_two_passes_at_once_queue_each_reminder_once(database, commune):
    """Two scheduler processes fire at the same second: every focal point gets one reminder."""
    for number in range(5):
        extra = seed_directive(database, f"{30 + number}/UBND", "V/v thêm", [EAST, WEST])
        entered_at(database, extra.id, local(10, 9))
    url = database.url.render_as_string(hide_password=False)
    start = threading.Barrier(2)
    results: list[PassSummary] = []

    def process() -> None:
        own = make_engine(url)
        try:
            start.wait()
            results.append(run_reminders(own, ReminderPolicy(), local(28, 8)))
        finally:
            own.dispose()

    threads = [threading.Thread(target=process) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Six assignments per village (An and Bình, or Cường), one escalation, this week's digest.
    assert [r.failed for r in results] == [0, 0]
    assert sum(r.reminders for r in results) == 12
    assert (sum(r.escalations for r in results), sum(r.digests for r in results)) == (1, 1)
    with Session(database) as session:
        rows = session.exec(select(OutboxMessage)).all()
        assert sum(r.messages for r in results) == len(rows) == 6 * 2 + 6 * 1 + 2 + 2
        assert len({row.idempotency_key for row in rows}) == len(rows)
        assert len(session.exec(select(Reminder)).all()) == 12 + 1 + 1


def test_a_reminder_due_in_quiet_hours_waits_until_seven(database, commune):
    """Configured for 22:00 the day before: queued then, sent at 07:00, saying 'today'."""
    outbox = Outbox(database)
    policy = ReminderPolicy.parse(
        reminder_schedule="-1d 22:00", escalation_at="off", weekly_digest="off"
    )
    summary = run_reminders(database, policy, local(26, 22))
    assert (summary.reminders, summary.messages, summary.deferred) == (2, 3, 3)
    sent = outbox.look()
    assert {row.not_before for _name, row in sent} == {local(27, 7)}
    assert {row.text.split("\n")[2] for _name, row in sent} == {"Hạn: 27/03/2026 (hôm nay)"}
    assert run_reminders(database, policy, local(26, 23)) == PassSummary()


def test_english_speakers_read_their_reminder_in_english(database, commune):
    """A focal point who chose English reads the same reminder in English."""
    seed_person(database, "John Smith", unit=WEST, locale="en")
    outbox = Outbox(database)
    remind(database, local(26, 8))
    [row] = [row for name, row in outbox.look() if name == "John Smith"]
    west = commune.assignment(WEST)
    assert (row.text, row.choices) == (
        "⏰ Reminder: directive no. 12/UBND-VHXH, dated Mar 10, 2026\n"
        f"{PLAN[1]}\nDeadline: Mar 27, 2026 (tomorrow)\nUnit: {WEST}\n\n"
        "Your unit has not reported completion yet. Please report its progress.",
        [[f"/ack {west}", "Received"], [f"/baocao {west}", "Report"]],
    )


def test_no_schedule_means_no_reminders(database, commune):
    """With reminders switched off (and no escalation or digest), a pass queues nothing."""
    policy = ReminderPolicy.parse(reminder_schedule="off", escalation_at="off", weekly_digest="off")
    assert run_reminders(database, policy, local(28, 8)) == PassSummary()
    assert keys(database) == []


# --- escalation -----------------------------------------------------------------------------

ESCALATE_ONLY = ReminderPolicy.parse(reminder_schedule="off", weekly_digest="off")


def overdue_message(directive_id: int, units: list[str]) -> tuple:
    """The message admins and leaders read about the plan's unfinished units."""
    text = "\n".join(
        [
            "⚠️ Quá hạn: Công văn số 12/UBND-VHXH, ngày 10/03/2026",
            PLAN[1],
            "Hạn: 27/03/2026",
            "",
            f"Các đơn vị chưa hoàn thành ({len(units)}):",
            *(f"- {unit}" for unit in units),
        ]
    )
    return text, [[f"/tinhhinh {directive_id}", "Xem từng đơn vị"]]


def test_admins_and_leaders_hear_once_which_units_are_overdue(database, commune):
    """At 08:00 the day after the deadline: one message each, listing every unfinished unit."""
    outbox = Outbox(database)
    seed_report(
        database, commune.assignment(EAST), commune.an, ProgressStatus.IN_PROGRESS, local(26, 10)
    )
    assert run_reminders(database, ESCALATE_ONLY, local(28, 7, 59)) == PassSummary()
    summary = run_reminders(database, ESCALATE_ONLY, local(28, 8))
    assert (summary.escalations, summary.messages) == (1, 2)
    sent = outbox.look()
    assert [name for name, _row in sent] == ["Trần Thị Hoa", "Hoàng Văn Hùng"]
    expected = overdue_message(
        commune.directive.id,
        [
            f"{EAST}: Đang thực hiện, báo cáo lúc 10:00 ngày 26/03/2026",
            f"{WEST}: chưa báo cáo",
            f"{SCHOOL}: chưa báo cáo — chưa có đầu mối",
        ],
    )
    assert [(row.text, row.choices) for _name, row in sent] == [expected, expected]
    assert keys(database) == [f"directive:{commune.directive.id}:overdue"]
    assert run_reminders(database, ESCALATE_ONLY, local(29, 8)) == PassSummary()
    assert outbox.look() == []


def test_done_units_are_left_out_and_a_finished_directive_is_not_escalated(database, commune):
    """Units done are not listed; a directive every unit finished brings no message at all."""
    finished = seed_directive(database, "45/UBND", "V/v quỹ khuyến học", [EAST], deadline=DEADLINE)
    entered_at(database, finished.id, local(10, 9))
    seed_report(database, finished.assignments[EAST], commune.an, ProgressStatus.DONE, local(26, 9))
    seed_report(database, commune.assignment(EAST), commune.an, ProgressStatus.DONE, local(26, 9))
    outbox = Outbox(database)
    run_reminders(database, ESCALATE_ONLY, local(28, 8))
    [(_name, row), _leader] = outbox.look()
    assert row.text.endswith(
        f"({2}):\n- {WEST}: chưa báo cáo\n- {SCHOOL}: chưa báo cáo — chưa có đầu mối"
    )
    assert keys(database) == [f"directive:{commune.directive.id}:overdue"]


def test_no_escalation_when_every_unit_finished_in_time(database, commune):
    """All three units report done before the escalation moment: nobody is told anything."""
    principal = seed_person(database, "Đỗ Thị Dung", unit=SCHOOL)
    for unit, person in ((EAST, commune.an), (WEST, commune.cuong), (SCHOOL, principal)):
        seed_report(database, commune.assignment(unit), person, ProgressStatus.DONE, local(27, 9))
    assert run_reminders(database, ESCALATE_ONLY, local(28, 8)) == PassSummary()
    assert keys(database) == []


# --- people removed and units archived by the admin (storage.roster) ---------------------------


def _remove(database: Engine, name: str) -> None:
    """The admin removes `name` from the roster."""
    with transaction(database) as session:
        found = session.exec(select(Person).where(Person.name == name)).one()
        remove_person(session, found, actor_id=None, now=local(20, 9))


def _archive(database: Engine, name: str) -> None:
    """The admin archives the unit `name`."""
    with transaction(database) as session:
        found = session.exec(select(Unit).where(Unit.name == name)).one()
        archive_unit(session, found, actor_id=None, now=local(20, 9))


def test_removed_people_and_archived_units_are_not_reminded(database, commune):
    """Bình left Thôn Đông and Thôn Tây was archived: three days before, only An is reminded,
    and nothing is recorded for Thôn Tây."""
    _remove(database, BINH)
    _archive(database, WEST)
    outbox = Outbox(database)
    summary = remind(database, local(24, 8))
    assert (summary.reminders, summary.messages) == (1, 1)
    assert outbox.names() == [AN]
    assert keys(database) == [f"assignment:{commune.assignment(EAST)}:before-3d"]


def test_the_escalation_leaves_out_archived_units_and_removed_leaders(database, commune):
    """The leader was replaced and Thôn Tây archived: only the admin hears, of two units."""
    _remove(database, "Hoàng Văn Hùng")
    _archive(database, WEST)
    outbox = Outbox(database)
    summary = run_reminders(database, ESCALATE_ONLY, local(28, 8))
    assert (summary.escalations, summary.messages) == (1, 1)
    [(name, row)] = outbox.look()
    assert name == "Trần Thị Hoa"
    assert (row.text, row.choices) == overdue_message(
        commune.directive.id,
        [f"{EAST}: chưa báo cáo", f"{SCHOOL}: chưa báo cáo — chưa có đầu mối"],
    )


def test_a_directive_left_open_only_in_archived_units_is_not_escalated(database, commune):
    """Thôn Đông and the school are done; only the archived Thôn Tây is not: nobody is told."""
    principal = seed_person(database, "Đỗ Thị Dung", unit=SCHOOL)
    for unit, person in ((EAST, commune.an), (SCHOOL, principal)):
        seed_report(database, commune.assignment(unit), person, ProgressStatus.DONE, local(27, 9))
    _archive(database, WEST)
    assert run_reminders(database, ESCALATE_ONLY, local(28, 8)) == PassSummary()
    assert keys(database) == []


def test_a_removed_leader_gets_no_weekly_digest(database, commune):
    """The Monday digest goes to the admin only once the leader has been removed."""
    _remove(database, "Hoàng Văn Hùng")
    outbox = Outbox(database)
    digest_only = ReminderPolicy.parse(reminder_schedule="off", escalation_at="off")
    summary = run_reminders(database, digest_only, local(23, 7, 30))
    assert (summary.digests, summary.messages) == (1, 1)
    assert outbox.names() == ["Trần Thị Hoa"]
