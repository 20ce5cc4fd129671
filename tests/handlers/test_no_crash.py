"""No dialog step crashes on junk: every command, every role, the inputs people really send."""

from __future__ import annotations

import json
import unicodedata

import pytest
from sqlmodel import Session, select

from handlers.features import load_features
from handlers.registry import commands_for
from storage.models import (
    Broadcast,
    Contribution,
    Conversation,
    Directive,
    Person,
    ProgressReport,
    Role,
    Unit,
)
from tests.support.chat import joined

load_features()
APOLOGY = "Xin lỗi, hệ thống gặp sự cố."
JUNK = [
    "😀",
    "x" * 5000,
    "1" * 5000,
    "12345",
    "-1",
    "0",
    "99",
    "/",
    "\u0000",
    "ﷺ" * 50,
    "  ",
    "1.000.000.000.000.000.000 tỷ",
    "31/02/2026",
    # Pasted from other apps and consoles: invisible, reordering, unstorable.
    "\u200b",
    "Thôn\u200b Đông",
    "\u202eĐông\u202c",
    "\x1b[31mđỏ\x1b[0m",
    "\ud800",
    "ab\udfffcd",
    "x\x00y",
    "\u2066\u2069\ufeff",
]
UNCLEAN = {"Cc", "Cf", "Cs"}
"""Character categories nothing stored may contain (but for line breaks)."""
ONE_SHOT = {
    *("menu", "help", "start", "ack", "tinhhinh", "quytonghop", "lienket", "baocao", "mamoi"),
    *("traloi", "daxuly"),
    "bienlai",
    "toanvan",
}
"""Commands that answer at once (or, for a focal point with no task or a unit of his own to
list, end at once; with no difficulty to answer, /traloi and /daxuly: their junk is swept in
test_difficulty_thread)."""
CASES = [
    (role, found.name)
    for role in (Role.ADMIN, Role.LEADER, Role.FOCAL)
    for found in commands_for(role.value)
    if found.start.__module__.startswith("handlers.")  # not the test modules' own commands
]


def _state(database, chat) -> tuple[str, list[list[str]]]:
    with Session(database) as session:
        found = session.exec(
            select(Conversation).where(Conversation.external_id == chat.external_id)
        ).one()
        return found.step, found.choices


@pytest.mark.parametrize(("role", "name"), CASES, ids=[f"{r.value}-{n}" for r, n in CASES])
async def test_junk_at_every_step_never_crashes(engine, database, role, name):
    """Walk each dialog by its first choice; at every step junk is refused, never a crash."""
    unit = "Thôn Đông" if role == Role.FOCAL else None
    chat = await joined(engine, role, "Lê Thị Hoa", unit=unit)
    assert await chat.send(f"/{name}"), name
    visited = []
    for _depth in range(6):
        step, choices = _state(database, chat)
        if not step:
            break
        visited.append(step)
        for junk in JUNK:
            replies = await chat.send(junk)
            assert not any(APOLOGY in reply for reply in replies), (step, junk[:20], replies)
            if _state(database, chat)[0] != step:
                break
        step_now, choices = _state(database, chat)
        if step_now != step or not choices:
            continue
        replies = await chat.send("1")
        assert not any(APOLOGY in reply for reply in replies), (step, replies)
    assert visited or name in ONE_SHOT, name
    _assert_stored_clean(database)


def _assert_stored_clean(database) -> None:  # type: ignore[no-untyped-def]
    """Nothing kept from the junk: every stored text is free of invisible characters."""
    with Session(database) as session:
        tables = (Unit, Person, Contribution, Directive, ProgressReport, Broadcast, Conversation)
        for table in tables:
            for row in session.exec(select(table)):
                text = json.dumps(row.model_dump(mode="json"), ensure_ascii=False)
                bad = [c for c in text if c != "\n" and unicodedata.category(c) in UNCLEAN]
                assert not bad, (table.__name__, text[:200])


def test_every_role_has_commands_to_sweep():
    """The sweep above reaches the real commands of each role."""
    names = {name for _role, name in CASES}
    assert {"congvan", "baocao", "quy", "tinhhinh", "moi", "donvi", "huybienlai"} <= names
