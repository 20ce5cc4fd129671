"""Which part of a directive a unit is given, and which of its deadlines applies now."""

from __future__ import annotations

import datetime as dt

from storage.db import transaction
from storage.directive_tasks import (
    MilestoneDraft,
    TaskDraft,
    add_tasks,
    milestones_of,
    task_for,
    tasks_of,
    unit_deadline,
)
from storage.models import Directive, Unit

VILLAGES = TaskDraft("4. Các ông (bà) Trưởng thôn", "Tuyên truyền đến từng hộ gia đình.", "village")
SCHOOLS = TaskDraft("3. Các trường học", "Xây dựng kế hoạch tại đơn vị.", "school")


def stored_directive(session) -> tuple[Directive, Unit, Unit, Unit]:
    """A directive with the villages' and the schools' tasks and three deadlines."""
    directive = Directive(
        number="12/KH-UBND",
        issued_on=dt.date(2026, 3, 7),
        subject="Xây dựng xã hội học tập",
        content="Toàn văn",
        deadline=dt.date(2026, 12, 20),
    )
    east = Unit(name="Thôn Đông", kind="village")
    school = Unit(name="Trường THCS An Hưng", kind="school")
    office = Unit(name="Trung tâm Dịch vụ", kind="office")
    session.add_all([directive, east, school, office])
    session.flush()
    named = TaskDraft("2. Trung tâm Dịch vụ", "Truyền thông về Quỹ.", "", office.id)
    add_tasks(
        session,
        directive.id,
        [SCHOOLS, VILLAGES, named],
        [
            MilestoneDraft(dt.date(2026, 3, 28), "gửi kế hoạch", "school"),
            MilestoneDraft(dt.date(2026, 6, 15), "báo cáo sơ kết", ""),
            MilestoneDraft(dt.date(2026, 12, 20), "báo cáo kết quả", ""),
        ],
    )
    return directive, east, school, office


def test_each_unit_gets_its_own_kind_or_named_task(database):
    """The village head reads the villages' task, the principal the schools', the centre its own."""
    with transaction(database) as session:
        directive, east, school, office = stored_directive(session)
        tasks = tasks_of(session, directive.id)

        assert [t.heading for t in tasks] == [
            SCHOOLS.heading,
            VILLAGES.heading,
            "2. Trung tâm Dịch vụ",
        ]
        assert task_for(tasks, east).body == VILLAGES.body
        assert task_for(tasks, school).body == SCHOOLS.body
        assert task_for(tasks, office).body == "Truyền thông về Quỹ."
        assert task_for(tasks, Unit(id=99, name="Hội Khuyến học", kind="other")) is None


def test_the_next_milestone_of_the_unit_kind_is_its_deadline(database):
    """In March the school's deadline is its plan on 28/03; the village's is the mid-year
    report; after everything, the last one (overdue); without milestones, the directive's."""
    with transaction(database) as session:
        directive, east, school, _office = stored_directive(session)
        milestones = milestones_of(session, directive.id)
        march = dt.date(2026, 3, 20)

        assert unit_deadline(directive, milestones, school.kind, march) == (
            dt.date(2026, 3, 28),
            "gửi kế hoạch",
        )
        assert unit_deadline(directive, milestones, east.kind, march) == (
            dt.date(2026, 6, 15),
            "báo cáo sơ kết",
        )
        assert unit_deadline(directive, milestones, east.kind, dt.date(2027, 1, 5)) == (
            dt.date(2026, 12, 20),
            "báo cáo kết quả",
        )
        assert unit_deadline(directive, [], east.kind, march) == (dt.date(2026, 12, 20), "")
