"""Reminders and escalations per milestone: each kind of unit hears of its own deadlines, with
its own task, until it reports that milestone done."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlmodel import Session, col, select

from handlers.reminder_policy import ReminderPolicy
from handlers.reminders import run_reminders
from storage.db import transaction
from storage.directive_tasks import MilestoneDraft, TaskDraft, add_tasks, milestones_of
from storage.models import Assignment, Reminder, Role, Unit
from storage.progress import record_report
from tests.handlers.test_reminders import Outbox
from tests.support.assignments import local, seed_person
from tests.support.chat import joined
from tests.support.milestones import SUBJECT, learning_plan

HEADER = "⏰ Nhắc việc: Công văn số 12/KH-UBND, ngày 07/03/2026"
REMINDERS_ONLY = ReminderPolicy.parse(escalation_at="off", weekly_digest="off")
ESCALATE_ONLY = ReminderPolicy.parse(reminder_schedule="off", weekly_digest="off")
VILLAGE_TASK = "Tuyên truyền đến từng hộ gia đình về xây dựng xã hội học tập."
SCHOOL_TASK = "Xây dựng kế hoạch tại đơn vị."
OFFICE_TASK = "Truyền thông về Quỹ khuyến học trên cổng thông tin."


@dataclass
class Plan:
    """The plan, its three units with one focal point each, and its milestones by date."""

    directive_id: int
    assignments: dict[str, int]
    people: dict[str, int]
    milestones: dict[str, int]


@pytest.fixture
def plan(database) -> Plan:
    """12/KH-UBND, entered 10/03: schools send their plan by 28/03; villages send their list
    of households by 31/03 and a mid-term report by 03/04; the service centre has a task of
    its own and no milestone, so the plan's deadline, 20/04, is its."""
    with transaction(database) as session:
        directive = learning_plan(session, dt.date(2026, 4, 20), local(10, 9))
        units = [
            Unit(name="Thôn Đông", kind="village"),
            Unit(name="Trường THCS An Hưng", kind="school"),
            Unit(name="Trung tâm Dịch vụ", kind="office"),
        ]
        session.add_all(units)
        session.flush()
        add_tasks(
            session,
            directive.id,
            [
                TaskDraft("3. Các trường học", SCHOOL_TASK, "school"),
                TaskDraft("4. Các ông (bà) Trưởng thôn", VILLAGE_TASK, "village"),
                TaskDraft("2. Trung tâm Dịch vụ", OFFICE_TASK, "", units[2].id),
            ],
            [
                MilestoneDraft(dt.date(2026, 3, 28), "gửi kế hoạch", "school"),
                MilestoneDraft(dt.date(2026, 3, 31), "nộp danh sách hộ", "village"),
                MilestoneDraft(dt.date(2026, 4, 3), "báo cáo sơ kết", "village"),
            ],
        )
        assignments = {}
        for unit in units:
            assignment = Assignment(directive_id=directive.id, unit_id=unit.id)
            session.add(assignment)
            session.flush()
            assignments[unit.name] = assignment.id
        milestones = {
            m.due_on.strftime("%d/%m"): m.id for m in milestones_of(session, directive.id)
        }
        directive_id = directive.id
    people = {
        "Thôn Đông": seed_person(database, "Nguyễn Văn An", unit="Thôn Đông"),
        "Trường THCS An Hưng": seed_person(database, "Đỗ Thị Dung", unit="Trường THCS An Hưng"),
        "Trung tâm Dịch vụ": seed_person(database, "Lê Văn Cường", unit="Trung tâm Dịch vụ"),
    }
    seed_person(database, "Trần Thị Hoa", Role.ADMIN)
    return Plan(directive_id, assignments, people, milestones)


def reminder(lines: list[str], ending: str) -> str:
    """A reminder's text: the header and subject, the given lines, then its request."""
    return "\n".join([HEADER, SUBJECT, *lines, "", ending])


MILESTONE_ASK = "Đơn vị chưa báo cáo hoàn thành mốc này. Đề nghị báo cáo tiến độ thực hiện."
PLAN_ASK = "Đơn vị chưa báo cáo hoàn thành. Đề nghị báo cáo tiến độ thực hiện."


def keys(database) -> list[str]:
    """Everything recorded as queued, in order."""
    with Session(database) as session:
        return list(session.exec(select(Reminder.key).order_by(col(Reminder.id))))


def finish(database, plan: Plan, unit: str, milestone: str, day: int) -> None:
    """The unit's focal point reports the milestone done, as /baocao stores it."""
    with transaction(database) as session:
        record_report(
            session,
            assignment_id=plan.assignments[unit],
            person_id=plan.people[unit],
            status="done",
            note="",
            photo_ref="",
            now=local(day, 9),
            milestone_id=plan.milestones[milestone],
        )


def test_the_principal_is_reminded_of_the_schools_plan_with_the_schools_task(database, plan):
    """25/03 08:00, three days before the schools' plan is due: only the principal hears,
    of that milestone, with the schools' task and a Báo cáo that answers it."""
    outbox = Outbox(database)
    summary = run_reminders(database, REMINDERS_ONLY, local(25, 8))
    assert summary.reminders == 1
    [(name, row)] = outbox.look()
    school = plan.assignments["Trường THCS An Hưng"]
    assert name == "Đỗ Thị Dung"
    assert row.text == reminder(
        [
            "Việc đến hạn: gửi kế hoạch",
            "Hạn: 28/03/2026 (còn 3 ngày)",
            f"Nhiệm vụ của nhà trường: {SCHOOL_TASK}",
            "Đơn vị: Trường THCS An Hưng",
        ],
        MILESTONE_ASK,
    )
    assert row.choices == [
        [f"/ack {school}", "Đã nhận"],
        [f"/baocao {school} m{plan.milestones['28/03']}", "Báo cáo"],
    ]
    assert keys(database) == [f"assignment:{school}:m{plan.milestones['28/03']}:before-3d"]
    assert run_reminders(database, REMINDERS_ONLY, local(25, 9)).reminders == 0


def test_a_milestone_reported_done_is_not_reminded_again(database, plan):
    """The principal finishes the plan on 26/03: no reminder the day before, and as it was the
    schools' only milestone, the school's work is closed."""
    outbox = Outbox(database)
    run_reminders(database, REMINDERS_ONLY, local(25, 8))
    outbox.look()
    finish(database, plan, "Trường THCS An Hưng", "28/03", 26)
    assert run_reminders(database, REMINDERS_ONLY, local(27, 8)).reminders == 0
    assert outbox.look() == []
    with Session(database) as session:
        assert session.get(Assignment, plan.assignments["Trường THCS An Hưng"]).status == "done"


def test_two_milestones_due_at_once_both_reach_the_village_head(database, plan):
    """31/03 08:00: the households' list is due today and the mid-term report in three days;
    the head gets both reminders, each with the villages' task; the school, which sent its
    plan, hears nothing."""
    finish(database, plan, "Trường THCS An Hưng", "28/03", 26)
    outbox = Outbox(database)
    run_reminders(database, REMINDERS_ONLY, local(31, 8))
    sent = outbox.look()
    assert [name for name, _row in sent] == ["Nguyễn Văn An", "Nguyễn Văn An"]
    village_task = f"Nhiệm vụ của thôn: {VILLAGE_TASK}"
    assert [row.text for _name, row in sent] == [
        reminder(
            [
                "Việc đến hạn: nộp danh sách hộ",
                "Hạn: 31/03/2026 (hôm nay)",
                village_task,
                "Đơn vị: Thôn Đông",
            ],
            MILESTONE_ASK,
        ),
        reminder(
            [
                "Việc đến hạn: báo cáo sơ kết",
                "Hạn: 03/04/2026 (còn 3 ngày)",
                village_task,
                "Đơn vị: Thôn Đông",
            ],
            MILESTONE_ASK,
        ),
    ]
    village = plan.assignments["Thôn Đông"]
    assert keys(database)[-2:] == [
        f"assignment:{village}:m{plan.milestones['31/03']}:due-day",
        f"assignment:{village}:m{plan.milestones['03/04']}:before-3d",
    ]


def test_a_unit_with_no_milestone_of_its_own_is_reminded_of_the_deadline_with_its_task(
    database, plan
):
    """17/04, three days before the plan's deadline: the service centre, which no milestone
    names, is reminded of the deadline with its own task; the school, done, is not."""
    finish(database, plan, "Trường THCS An Hưng", "28/03", 26)
    outbox = Outbox(database)
    run_reminders(database, REMINDERS_ONLY, local(17, 8, month=4))
    [(name, row)] = outbox.look()
    office = plan.assignments["Trung tâm Dịch vụ"]
    assert name == "Lê Văn Cường"
    assert row.text == reminder(
        [
            "Hạn: 20/04/2026 (còn 3 ngày)",
            f"Nhiệm vụ của Trung tâm Dịch vụ: {OFFICE_TASK}",
            "Đơn vị: Trung tâm Dịch vụ",
        ],
        PLAN_ASK,
    )
    assert row.choices[-1] == [f"/baocao {office}", "Báo cáo"]
    assert keys(database) == [f"assignment:{office}:office:before-3d"]


def overdue(lines: list[str], units: list[str], directive_id: int) -> tuple[str, list]:
    """The message the admin reads about a late milestone, or the plan's deadline."""
    text = "\n".join(
        [
            "⚠️ Quá hạn: Công văn số 12/KH-UBND, ngày 07/03/2026",
            SUBJECT,
            *lines,
            "",
            f"Các đơn vị chưa hoàn thành ({len(units)}):",
            *(f"- {unit}: chưa báo cáo" for unit in units),
        ]
    )
    return text, [[f"/tinhhinh {directive_id}", "Xem từng đơn vị"]]


def test_each_late_milestone_is_escalated_with_only_the_units_it_applies_to(database, plan):
    """29/03: the school missed its plan; 01/04: the village missed nothing (its list came on
    31/03), 04/04: the mid-term report is late; 21/04: only the centre is late on the plan's
    deadline, as the others' work is counted by their milestones."""
    outbox = Outbox(database)
    run_reminders(database, ESCALATE_ONLY, local(29, 8))
    [(name, row)] = outbox.look()
    assert (name, (row.text, row.choices)) == (
        "Trần Thị Hoa",
        overdue(
            ["Việc đến hạn: gửi kế hoạch", "Hạn: 28/03/2026"],
            ["Trường THCS An Hưng"],
            plan.directive_id,
        ),
    )
    finish(database, plan, "Thôn Đông", "31/03", 31)
    run_reminders(database, ESCALATE_ONLY, local(1, 8, month=4))
    assert outbox.look() == []
    run_reminders(database, ESCALATE_ONLY, local(4, 8, month=4))
    [(_name, row)] = outbox.look()
    assert row.text.split("\n")[2:] == [
        "Việc đến hạn: báo cáo sơ kết",
        "Hạn: 03/04/2026",
        "",
        "Các đơn vị chưa hoàn thành (1):",
        # Its list was done: the village's work is in progress, not finished.
        "- Thôn Đông: Đang thực hiện, báo cáo lúc 09:00 ngày 31/03/2026",
    ]
    run_reminders(database, ESCALATE_ONLY, local(21, 8, month=4))
    [(_name, row)] = outbox.look()
    assert (row.text, row.choices) == overdue(
        ["Hạn: 20/04/2026"], ["Trung tâm Dịch vụ"], plan.directive_id
    )
    milestones, directive = plan.milestones, plan.directive_id
    assert keys(database) == [
        f"directive:{directive}:m{milestones['28/03']}:overdue",
        f"directive:{directive}:m{milestones['03/04']}:overdue",
        f"directive:{directive}:overdue",
    ]
    run_reminders(database, ESCALATE_ONLY, local(22, 8, month=4))
    assert outbox.look() == []


async def test_the_admins_remind_now_names_each_units_next_milestone_and_task(
    engine, database, plan
):
    """20/03: Nhắc các đơn vị chưa báo cáo reminds the principal of the schools' plan and the
    village head of the households' list, each with their task; the centre of the deadline."""
    admin = await joined(engine, Role.ADMIN, "Trần Văn Hải", external_id="9001")
    await admin.send(f"/tinhhinh {plan.directive_id}")
    outbox = Outbox(database)
    outbox.seen = max(row.id for _name, row in Outbox(database).look())
    assert await admin.tap("Nhắc các đơn vị chưa báo cáo") == ["Đã nhắc 3 đơn vị, 3 người."]
    sent = {name: row for name, row in outbox.look()}
    assert sent["Nguyễn Văn An"].text.split("\n")[2:5] == [
        "Việc đến hạn: nộp danh sách hộ",
        "Hạn: 31/03/2026 (còn 11 ngày)",
        f"Nhiệm vụ của thôn: {VILLAGE_TASK}",
    ]
    assert sent["Đỗ Thị Dung"].text.split("\n")[2:5] == [
        "Việc đến hạn: gửi kế hoạch",
        "Hạn: 28/03/2026 (còn 8 ngày)",
        f"Nhiệm vụ của nhà trường: {SCHOOL_TASK}",
    ]
    assert sent["Lê Văn Cường"].text.split("\n")[2:4] == [
        "Hạn: 20/04/2026 (còn 31 ngày)",
        f"Nhiệm vụ của Trung tâm Dịch vụ: {OFFICE_TASK}",
    ]
    school = plan.assignments["Trường THCS An Hưng"]
    assert sent["Đỗ Thị Dung"].choices[-1] == [
        f"/baocao {school} m{plan.milestones['28/03']}",
        "Báo cáo",
    ]


async def test_a_unit_late_on_its_milestone_is_marked_overdue_before_the_plans_deadline(
    engine, database, plan, clock
):
    """29/03: the school missed its plan (due 28/03) while the plan runs to 20/04: /tinhhinh
    marks it ⚠️ and lists it as overdue; the village, whose milestones are ahead, is not."""
    clock.now = local(29, 9)
    admin = await joined(engine, Role.ADMIN, "Trần Văn Hải", external_id="9001")
    summary = "\n".join(await admin.send("/tinhhinh"))
    assert "Quá hạn: Trường THCS An Hưng\nHạn: 20/04/2026" in summary
    units, _chart = await admin.send(f"/tinhhinh {plan.directive_id}")
    assert "\n⚠️ Trường THCS An Hưng: chưa báo cáo" in units
    assert "\nThôn Đông: chưa báo cáo" in units

    finish(database, plan, "Trường THCS An Hưng", "28/03", 29)
    units, _chart = await admin.send(f"/tinhhinh {plan.directive_id}")
    assert "⚠️" not in units


def test_a_directive_with_tasks_and_one_deadline_reminds_each_kind_of_its_task(database):
    """No milestones, one deadline (27/03): at 24/03 08:00 the village head's reminder carries
    the villages' task and the principal's the schools', from the same pass."""
    with transaction(database) as session:
        directive = learning_plan(session, dt.date(2026, 3, 27), local(10, 9))
        village = Unit(name="Thôn Đông", kind="village")
        school = Unit(name="Trường THCS An Hưng", kind="school")
        session.add_all([village, school])
        session.flush()
        add_tasks(
            session,
            directive.id,
            [
                TaskDraft("3. Các trường học", SCHOOL_TASK, "school"),
                TaskDraft("4. Các ông (bà) Trưởng thôn", VILLAGE_TASK, "village"),
            ],
        )
        session.add_all(
            [
                Assignment(directive_id=directive.id, unit_id=village.id),
                Assignment(directive_id=directive.id, unit_id=school.id),
            ]
        )
    seed_person(database, "Nguyễn Văn An", unit="Thôn Đông")
    seed_person(database, "Đỗ Thị Dung", unit="Trường THCS An Hưng")
    outbox = Outbox(database)
    assert run_reminders(database, REMINDERS_ONLY, local(24, 8)).reminders == 2
    sent = {name: row.text.split("\n")[2:4] for name, row in outbox.look()}
    assert sent == {
        "Nguyễn Văn An": ["Hạn: 27/03/2026 (còn 3 ngày)", f"Nhiệm vụ của thôn: {VILLAGE_TASK}"],
        "Đỗ Thị Dung": [
            "Hạn: 27/03/2026 (còn 3 ngày)",
            f"Nhiệm vụ của nhà trường: {SCHOOL_TASK}",
        ],
    }
