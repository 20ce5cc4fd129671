"""No admin command works for a focal point or a stranger, whatever they send."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

from handlers.features import load_features
from handlers.registry import commands_for, find_command
from storage.models import Person, Role
from tests.support.chat import Chat, joined

load_features()
ADMIN_ONLY = sorted(
    c.name
    for c in commands_for("admin")
    if "focal" not in c.roles and c.start.__module__.startswith("handlers.")
)
RUNTIME_TABLES = {"conversation", "inboundkey", "outboxmessage"}
REFUSED = "Anh/chị không có quyền dùng lệnh này. Gửi /menu để xem các việc anh/chị có thể làm."


def _domain_rows(database) -> dict[str, int]:
    """Count the rows of every table that records something other than chat traffic."""
    with Session(database) as session:
        return {
            table.name: session.exec(select(func.count()).select_from(table)).one()
            for table in SQLModel.metadata.sorted_tables
            if table.name not in RUNTIME_TABLES
        }


def test_the_admin_commands_exist():
    """The sweep below covers the real admin commands, not an empty list."""
    assert {"congvan", "moi", "donvi", "huybienlai", "quytonghop", "tinhhinh"} <= set(ADMIN_ONLY)
    assert all("admin" in find_command(name).roles for name in ADMIN_ONLY)  # type: ignore[union-attr]


@pytest.mark.parametrize("name", ADMIN_ONLY)
async def test_focal_point_is_refused_typed_or_pressed(engine, database, name):
    """A village head typing or pressing an admin command is refused and nothing is stored."""
    chat = await joined(engine, Role.FOCAL, "An", unit="Thôn Đông")
    before = _domain_rows(database)
    for attempt in (f"/{name}", f"/{name} 1", f"/{name} KH2026-00001 nhầm"):
        assert await chat.send(attempt) == [REFUSED]
        assert await chat.press(attempt) == [REFUSED]
    assert _domain_rows(database) == before


@pytest.mark.parametrize("name", ADMIN_ONLY)
async def test_stranger_gets_only_the_join_explanation(engine, database, name):
    """An unregistered chat sending an admin command learns how to join, nothing more."""
    chat = Chat(engine, "zalo", "stranger")
    before = _domain_rows(database)
    first = await chat.send(f"/{name}")
    assert len(first) == 1 and "mã mời" in first[0]
    assert await chat.press(f"/{name} 1") == []
    assert _domain_rows(database) == before


ADMIN_CHOICES = ["1.send", "2.all", "3.reverse", "1.focal", "4.add", "0.u1", "5.confirm"]


async def test_admin_dialog_choices_do_nothing_for_a_focal_point(engine, database):
    """Callback data of admin dialogs (send, reverse, add …) is an old button to anyone else."""
    chat = await joined(engine, Role.FOCAL, "An", unit="Thôn Đông")
    before = _domain_rows(database)
    for data in ADMIN_CHOICES:
        assert await chat.press(data) == [
            "Nút này thuộc tin nhắn cũ và không còn hiệu lực.",
            "Anh/chị muốn làm gì?",
        ]
    assert _domain_rows(database) == before


async def test_a_demoted_admin_cannot_finish_an_admin_dialog(engine, database):
    """Each turn of an admin dialog checks the role again, not just the command that began it."""
    chat = await joined(engine, Role.ADMIN, "Hoa")
    await chat.send("/congvan")
    with Session(database) as session:
        person = session.exec(select(Person)).one()
        person.role = Role.FOCAL.value
        session.add(person)
        session.commit()
    before = _domain_rows(database)
    assert await chat.send("12/UBND-VHXH") == [
        "Thao tác này đã kết thúc.",
        "Anh/chị muốn làm gì?",
    ]
    assert _domain_rows(database) == before
