"""'Remind units not yet reported' under /tinhhinh: at once, once a day, quiet hours respected."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from handlers.engine import Engine as DialogEngine
from handlers.quiet import QuietHours
from storage.models import OutboxMessage, Person, ProgressStatus, Reminder, Role, Unit
from tests.support.assignments import (
    SeededDirective,
    local,
    seed_acknowledgement,
    seed_directive,
    seed_person,
    seed_report,
    seed_unit,
)
from tests.support.chat import joined

PLAN = ("669/KH-SGDĐT", "V/v tiếp tục triển khai Đề án Xây dựng xã hội học tập")
EAST, WEST, NORTH, SCHOOL = "Thôn Đông", "Thôn Tây", "Thôn Bắc", "Trường TH An Hưng"
REMIND = "Nhắc các đơn vị chưa báo cáo"
NO_PRINCIPAL = f"Chưa có đầu mối: {SCHOOL}."


def news(database: Engine, after: int = 0) -> list[tuple[str, OutboxMessage]]:
    """(name, row) of every message to a focal point queued after row `after`."""
    with Session(database) as session:
        query = (
            select(Person.name, OutboxMessage)
            .join(Person, col(Person.id) == OutboxMessage.person_id)
            .where(Person.role == Role.FOCAL.value, col(OutboxMessage.id) > after)
            .order_by(col(OutboxMessage.id))
        )
        return [(name, row) for name, row in session.exec(query)]


def last_id(database: Engine) -> int:
    """The newest outbox row's id."""
    with Session(database) as session:
        return max(session.exec(select(OutboxMessage.id)).all(), default=None) or 0


def keys(database: Engine) -> list[str]:
    """Keys of everything recorded as queued."""
    with Session(database) as session:
        return list(session.exec(select(Reminder.key).order_by(col(Reminder.id))))


@pytest.fixture
def plan(database) -> SeededDirective:
    """Due 25/03: Thôn Đông (An received it, Bình not), Thôn Tây (Cường, on Zalo), Thôn Bắc
    (Dũng reported 'in progress') and the school, which has no principal in the bot yet."""
    seed_unit(database, SCHOOL, "school")
    directive = seed_directive(
        database, *PLAN, [EAST, WEST, NORTH, SCHOOL], deadline=dt.date(2026, 3, 25)
    )
    an = seed_person(database, "Nguyễn Văn An", unit=EAST)
    seed_person(database, "Phạm Thị Bình", unit=EAST)
    seed_person(database, "Lê Văn Cường", unit=WEST, channels=("zalo",))
    dung = seed_person(database, "Đỗ Văn Dũng", unit=NORTH)
    seed_acknowledgement(database, directive.assignments[EAST], an, local(18, 9))
    seed_report(
        database, directive.assignments[NORTH], dung, ProgressStatus.IN_PROGRESS, local(19, 9)
    )
    return directive


async def test_the_admin_reminds_the_units_that_have_not_reported(engine, database, plan):
    """From the unit list, one tap reminds Thôn Đông and Thôn Tây, not Thôn Bắc; no principal."""
    admin = await joined(engine, Role.ADMIN, "Trần Thị Hoa", external_id="9001")
    units, _chart = await admin.send(f"/tinhhinh {plan.id}")
    assert units.startswith(f"📄 {PLAN[0]} — {PLAN[1]}\nHạn: 25/03/2026\n\n")
    north = unit_id(database, NORTH)
    # Thôn Bắc reported: its reports can be opened too.
    assert admin.choices == [
        [f"/tinhhinh {plan.id} nhacnho", REMIND],
        [f"/tinhhinh {plan.id} donvi {north}", NORTH],
    ]
    before = last_id(database)

    assert await admin.tap(REMIND) == [f"Đã nhắc 2 đơn vị, 3 người.\n{NO_PRINCIPAL}"]

    east, west = plan.assignments[EAST], plan.assignments[WEST]
    sent = news(database, before)
    assert [(name, row.channel) for name, row in sent] == [
        ("Nguyễn Văn An", "telegram"),
        ("Phạm Thị Bình", "telegram"),
        ("Lê Văn Cường", "zalo"),
    ]
    assert sent[0][1].text == "\n".join(
        [
            f"⏰ Nhắc việc: Công văn số {PLAN[0]}, ngày 10/03/2026",
            PLAN[1],
            "Hạn: 25/03/2026 (còn 5 ngày)",
            f"Đơn vị: {EAST}",
            "",
            "Đơn vị chưa báo cáo hoàn thành. Đề nghị báo cáo tiến độ thực hiện.",
        ]
    )
    assert [row.choices for _name, row in sent] == [
        [[f"/baocao {east}", "Báo cáo"]],
        [[f"/ack {east}", "Đã nhận"], [f"/baocao {east}", "Báo cáo"]],
        [[f"/ack {west}", "Đã nhận"], [f"/baocao {west}", "Báo cáo"]],
    ]
    assert {row.not_before for _name, row in sent} == {local(20, 8)}
    assert keys(database) == [
        f"assignment:{east}:manual:2026-03-20",
        f"assignment:{west}:manual:2026-03-20",
    ]


async def test_a_second_tap_the_same_day_reminds_nobody_again(engine, database, plan, clock):
    """A double tap, then the leader on Zalo: told it was done at 08:00; the next day, again."""
    admin = await joined(engine, Role.ADMIN, "Trần Thị Hoa", external_id="9001")
    leader = await joined(engine, Role.LEADER, "Hoàng Văn Hùng", channel="zalo", external_id="zl")
    await admin.send(f"/tinhhinh {plan.id}")
    await admin.tap(REMIND)
    before = last_id(database)
    already = f"Đã nhắc lúc 08:00 ngày 20/03/2026: {EAST}, {WEST}.\n{NO_PRINCIPAL}"

    clock.advance(minutes=1)
    assert await admin.tap(REMIND) == [already]
    clock.advance(hours=3)
    await leader.send(f"/tinhhinh {plan.id}")
    assert await leader.send("1") == [already]
    assert news(database, before) == []

    clock.now = local(21, 8, 15)
    await leader.send(f"/tinhhinh {plan.id}")
    assert await leader.send("1") == [f"Đã nhắc 2 đơn vị, 3 người.\n{NO_PRINCIPAL}"]
    assert [name for name, _row in news(database, before)] == [
        "Nguyễn Văn An",
        "Phạm Thị Bình",
        "Lê Văn Cường",
    ]


async def test_reminders_asked_for_at_night_wait_for_the_morning(database, plan, clock):
    """At 22:00 the admin is told the reminders go out at 07:00, and they are held until then."""
    quiet = QuietHours.parse("21:00-07:00")
    engine = DialogEngine(database, clock=clock, quiet_hours=quiet)
    admin = await joined(engine, Role.ADMIN, "Trần Thị Hoa", external_id="9001")
    clock.now = local(20, 22)
    before = last_id(database)
    assert await admin.press(f"/tinhhinh {plan.id} nhacnho") == [
        "Đã nhắc 2 đơn vị, 3 người.\n"
        "Đang trong giờ nghỉ, tin nhắc việc sẽ được gửi lúc 07:00 ngày 21/03/2026.\n" + NO_PRINCIPAL
    ]
    sent = news(database, before)
    assert {row.not_before for _name, row in sent} == {local(21, 7)}
    # Read at 07:00 on the 21st, the deadline is four days away, not five.
    assert {row.text.split("\n")[2] for _name, row in sent} == {"Hạn: 25/03/2026 (còn 4 ngày)"}


async def test_when_every_unit_has_reported_there_is_no_button(engine, database, plan):
    """Once all units reported, the list offers no reminder, and the command says why."""
    for unit in (EAST, WEST, SCHOOL):
        person = seed_person(database, f"Đầu mối {unit}", unit=unit)
        seed_report(
            database, plan.assignments[unit], person, ProgressStatus.IN_PROGRESS, local(20, 7)
        )
    admin = await joined(engine, Role.ADMIN, "Trần Thị Hoa", external_id="9001")
    await admin.send(f"/tinhhinh {plan.id}")
    # Only the units' own reports are offered: nobody is left to remind.
    # The chart follows the list: the list's message carries the choices.
    assert [label for _cid, label in admin.last[0].choices] == [NORTH, EAST, WEST, SCHOOL]
    assert await admin.send(f"/tinhhinh {plan.id} nhacnho") == [
        "Tất cả đơn vị đã báo cáo, không còn đơn vị nào cần nhắc."
    ]


async def test_units_without_anyone_to_remind(engine, database):
    """A directive only to units with no focal point: nobody is reminded, and they are named."""
    seed_unit(database, SCHOOL, "school")
    directive = seed_directive(database, *PLAN, [SCHOOL, "Thôn Nam"])
    admin = await joined(engine, Role.ADMIN, "Trần Thị Hoa", external_id="9001")
    assert await admin.press(f"/tinhhinh {directive.id} nhacnho") == [
        f"Không nhắc được ai.\nChưa có đầu mối: Thôn Nam, {SCHOOL}."
    ]
    assert keys(database) == []


async def test_wrong_words_after_the_id_and_focal_points_are_turned_away(engine, database, plan):
    """Only 'nhacnho' follows the id; a focal point may not use the command at all."""
    admin = await joined(engine, Role.ADMIN, "Trần Thị Hoa", external_id="9001")
    assert await admin.send(f"/tinhhinh {plan.id} xoa") == [
        "Không tìm thấy công văn này. Gửi /tinhhinh để xem danh sách."
    ]
    head = await joined(engine, Role.FOCAL, "Ngô Văn Nam", unit=EAST, external_id="5009")
    assert await head.press(f"/tinhhinh {plan.id} nhacnho") == [
        "Anh/chị không có quyền dùng lệnh này. Gửi /menu để xem các việc anh/chị có thể làm."
    ]
    assert keys(database) == []


def unit_id(database: Engine, name: str) -> int:
    """The id of a unit, by its name."""
    with Session(database) as session:
        found = session.exec(select(Unit.id).where(Unit.name == name)).first()
        assert found is not None
        return found
