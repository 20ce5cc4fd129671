"""/ack: focal points confirm, once each, that they received a directive for their unit."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, col, select

from storage.db import transaction
from storage.directives import acknowledge
from storage.models import Acknowledgement, Assignment, Person, Unit
from tests.support.chat import Chat
from tests.support.directives import (
    EAST,
    EXAMPLE_NUMBER,
    REFUSED,
    SCHOOL,
    WEST,
    Commune,
    commune,
    enter_directive,
    person_named,
)

FIRST = f"Đã xác nhận anh/chị nhận công văn số {EXAMPLE_NUMBER} lúc 08:00 ngày 20/03/2026."
AGAIN = "Anh/chị đã xác nhận nhận công văn này lúc 08:00 ngày 20/03/2026."
NOT_FOUND = "Không tìm thấy công văn này. Đề nghị liên hệ Phòng Văn hóa – Xã hội."
NOT_A_REFERENCE = "Mã công văn không hợp lệ. Gửi /ack để xác nhận công văn mới nhất."
OTHER_UNIT = "Công văn này giao cho đơn vị khác, anh/chị không xác nhận được."


async def directive_sent(engine) -> tuple[Commune, dict[str, int]]:  # type: ignore[no-untyped-def]
    """The admin sends the example directive to everyone; return the assignment per unit."""
    town = await commune(engine)
    await enter_directive(town.admin)
    await town.admin.tap("Gửi")
    # Each focal point reads the push, so its choices are the ones offered to them last.
    for chat in [town.east, town.east_deputy, town.west, town.school]:
        assert chat.inbox()[0].startswith("🔔")
    with Session(engine.database) as session:
        units = {unit.id: unit.name for unit in session.exec(select(Unit))}
        ids = {units[a.unit_id]: a.id or 0 for a in session.exec(select(Assignment))}
    return town, ids


def acknowledgements(database) -> list[tuple[int, str, dt.datetime]]:  # type: ignore[no-untyped-def]
    """Every stored acknowledgement as (assignment, person's name, time in UTC)."""
    query = (
        select(Acknowledgement, Person)
        .join(Person, col(Person.id) == col(Acknowledgement.person_id))
        .order_by(col(Acknowledgement.id))
    )
    with Session(database) as session:
        return [
            (ack.assignment_id, person.name, utc(ack.at)) for ack, person in session.exec(query)
        ]


def utc(at: dt.datetime) -> dt.datetime:
    """A stored time as aware UTC (SQLite gives it back naive)."""
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


AT_EIGHT = dt.datetime(2026, 3, 20, 1, 0, tzinfo=dt.UTC)


async def test_village_head_taps_received_twice_on_telegram(engine, database, clock):
    """The first tap is recorded with its time; the second only reminds when, storing nothing."""
    town, ids = await directive_sent(engine)
    assert town.east.labels() == ["Đã nhận", "Báo cáo"]
    assert await town.east.tap("Đã nhận") == [FIRST]
    assert town.east.choices == [[f"/baocao {ids[EAST]}", "Báo cáo"]]
    clock.advance(hours=2)
    assert await town.east.press(f"/ack {ids[EAST]}") == [AGAIN]
    assert acknowledgements(database) == [(ids[EAST], "Nguyễn Văn An", AT_EIGHT)]


async def test_village_head_replies_1_on_zalo(engine, database, clock):
    """On Zalo the push is a numbered list: "1" acknowledges, and Báo cáo stays offered."""
    town, ids = await directive_sent(engine)
    assert town.west.labels() == ["Đã nhận", "Báo cáo"]
    assert await town.west.send("1") == [FIRST]
    assert town.west.choices == [[f"/baocao {ids[WEST]}", "Báo cáo"]]
    clock.advance(minutes=30)
    assert await town.west.send(f"/ack {ids[WEST]}") == [AGAIN]
    assert acknowledgements(database) == [(ids[WEST], "Lê Thị Bình", AT_EIGHT)]


async def test_each_focal_point_acknowledges_for_themself(engine, database, clock):
    """Two focal points of one village each get their own acknowledgement and time."""
    town, ids = await directive_sent(engine)
    await town.east.press(f"/ack {ids[EAST]}")
    clock.advance(hours=1, minutes=15)
    assert await town.east_deputy.send(f"/ack {ids[EAST]}") == [
        f"Đã xác nhận anh/chị nhận công văn số {EXAMPLE_NUMBER} lúc 09:15 ngày 20/03/2026."
    ]
    assert acknowledgements(database) == [
        (ids[EAST], "Nguyễn Văn An", AT_EIGHT),
        (ids[EAST], "Đỗ Văn Dũng", AT_EIGHT + dt.timedelta(hours=1, minutes=15)),
    ]


async def test_principal_acknowledges_from_zalo_after_telegram(engine, database):
    """The same person on their second channel is told they already acknowledged."""
    town, ids = await directive_sent(engine)
    await town.school.press(f"/ack {ids[SCHOOL]}")
    # The push went to Telegram only, where he wrote from last; on Zalo he types the command.
    assert await town.school_zalo.send(f"/ack {ids[SCHOOL]}") == [AGAIN]
    assert len(acknowledgements(database)) == 1


async def test_focal_point_of_another_unit_is_refused(engine, database):
    """A village head cannot acknowledge the school's assignment; nothing is stored."""
    town, ids = await directive_sent(engine)
    assert await town.east.press(f"/ack {ids[SCHOOL]}") == [OTHER_UNIT]
    assert await town.west.send(f"/ack {ids[EAST]}") == [OTHER_UNIT]
    assert acknowledgements(database) == []


@pytest.mark.parametrize(
    ("typed", "reply"),
    [
        ("/ack 999", NOT_FOUND),
        ("/ack abc", NOT_A_REFERENCE),
        ("/ack -1", NOT_A_REFERENCE),
        ("/ack 0", NOT_A_REFERENCE),
        ("/ack 1 2", NOT_A_REFERENCE),
        ("/ack ١", NOT_A_REFERENCE),
        ("/ack 99999999999999999999", NOT_A_REFERENCE),
    ],
)
async def test_bad_or_unknown_reference(engine, database, typed, reply):
    """A missing, malformed or unknown assignment id gets a clear message."""
    town, _ids = await directive_sent(engine)
    assert await town.east.send(typed) == [reply]
    assert await town.east.press(typed) == [reply]
    assert acknowledgements(database) == []


async def test_leader_and_admin_cannot_acknowledge(engine, database):
    """/ack belongs to focal points: the leader and the admin are refused, typed or pressed."""
    town, ids = await directive_sent(engine)
    for chat in [town.leader, town.admin]:
        assert await chat.send(f"/ack {ids[EAST]}") == [REFUSED]
        assert await chat.press(f"/ack {ids[EAST]}") == [REFUSED]
    stranger = Chat(engine, "telegram", "6666")
    assert "mã mời" in (await stranger.press(f"/ack {ids[EAST]}"))[0]
    assert acknowledgements(database) == []


async def test_ack_has_no_menu_entry(engine):
    """Acknowledging happens from the pushed message, so the menu does not list it."""
    town, _ids = await directive_sent(engine)
    await town.east.send("/menu")
    assert "Đã nhận" not in town.east.labels()
    assert all(not label.startswith("/ack") for label in town.east.labels())


async def test_acknowledge_twice_keeps_the_first(engine, database):
    """storage.acknowledge finds the earlier row instead of adding a second one."""
    _town, ids = await directive_sent(engine)
    later = AT_EIGHT + dt.timedelta(days=1)
    with transaction(database) as session:
        an = person_named(session, "Nguyễn Văn An")
        first, created = acknowledge(session, ids[EAST], an.id or 0, AT_EIGHT)
        assert created
        again, created_again = acknowledge(session, ids[EAST], an.id or 0, later)
        assert (again.id, created_again) == (first.id, False)
    assert acknowledgements(database) == [(ids[EAST], "Nguyễn Văn An", AT_EIGHT)]
