"""The commune office sending directives from the server: `hoctap directive import --send` on
the example công văn as signed and on the kế hoạch, with villages, a school and the centre."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.config import get_settings
from storage.db import transaction
from storage.models import Identity, Person, Role
from storage.people import add_unit
from tests.support.directive_documents import fixture

NOW = dt.datetime(2026, 3, 20, 1, 0, tzinfo=dt.UTC)
"""08:00 on 20/03/2026 in the commune: outside quiet hours."""
EAST, WEST, SCHOOL = "Thôn Đông", "Thôn Tây", "Trường THCS An Hưng"
CENTRE = "Trung tâm Dịch vụ sự nghiệp công xã"
UNITS = [(EAST, "village"), (WEST, "village"), (SCHOOL, "school"), (CENTRE, "office")]
PEOPLE = [
    ("Nguyễn Văn An", EAST, "telegram", "5001"),
    ("Lê Thị Bình", WEST, "zalo", "zbinh"),
    ("Phạm Văn Cường", SCHOOL, "telegram", "5003"),
]
"""Đông's head and the principal on Telegram, Tây's head on Zalo; the centre has no one yet."""
SIGNED = (
    fixture("congvan-an-hung-2026.txt")
    .replace("Số: /UBND-VHXH", "Số: 12/UBND-VHXH")
    .replace("ngày tháng 03 năm 2026", "ngày 16 tháng 03 năm 2026")
)
"""The example công văn as signed: its number and day filled in."""
PLAN = fixture("kehoach-an-hung-2025.txt").replace("2025", "2026")
"""The kế hoạch moved to this year, so that its dates lie ahead of 20/03/2026."""


def open_office(monkeypatch: pytest.MonkeyPatch, folder: Path, database: Engine) -> Engine:
    """Point the CLI at `database` from `folder` at NOW, and register the commune."""
    monkeypatch.chdir(folder)
    monkeypatch.setenv("DATABASE_URL", database.url.render_as_string(hide_password=False))
    for name in ("TIMEZONE", "QUIET_HOURS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("bot.cli_directive.utcnow", lambda: NOW)
    get_settings.cache_clear()
    with transaction(database) as session:
        units = {name: add_unit(session, name, kind).id for name, kind in UNITS}
        for name, unit, channel, chat in PEOPLE:
            person = Person(name=name, role=Role.FOCAL.value, unit_id=units[unit])
            session.add(person)
            session.flush()
            session.add(
                Identity(person_id=person.id or 0, channel=channel, external_id=chat, chat_id=chat)
            )
    return database


def saved(folder: Path, content: bytes, name: str) -> str:
    """Write a file the officer will import; return its path."""
    path = folder / name
    path.write_bytes(content)
    return str(path)
