"""Every dialog, begun again after a cancel, a discard or a refused start, keeps nothing of the
first attempt: only the second attempt's answers are held and stored."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlmodel import Session, select

from handlers.features import load_features
from handlers.registry import commands_for, wants_choice
from storage.db import transaction
from storage.ledger import record_contribution
from storage.models import (
    AuditEntry,
    Broadcast,
    Contribution,
    Conversation,
    Directive,
    InviteCode,
    Person,
    ProgressReport,
    Role,
    Unit,
)
from tests.support.assignments import seed_directive
from tests.support.chat import Chat, joined

load_features()

FIRST = ["Một Nguyễn Văn", "111k", "11/03/2026", "KH2026-00001", "111/UBND-MOT"]
SECOND = ["Hai Trần Thị", "222k", "12/03/2026", "KH2026-00001", "222/UBND-HAI"]
FIRST_MARKS = ("Một", "111", "2026-03-11")
"""What of the first attempt's answers would show, in any form, in held or stored data."""
STORED = [AuditEntry, Broadcast, Contribution, Directive, InviteCode, Person, ProgressReport, Unit]
BETWEEN = ["cancel", "discard", "refused start"]
ONE_SHOT = {"tinhhinh", "quytonghop", "lienket", "mamoi", "traloi", "bienlai"}
"""Commands that answer at once (/mamoi has no open code here, /traloi no difficulty to answer,
/bienlai asks an admin only whose receipts, nothing typed): no second step to carry into."""
CASES = [
    (role, found.name, between)
    for role in (Role.ADMIN, Role.FOCAL)
    for found in commands_for(role.value)
    if found.start.__module__.startswith("handlers.")
    and not found.keeps_dialog
    and found.name not in ONE_SHOT
    for between in BETWEEN
]


def _dialog(database, chat: Chat) -> Conversation:  # type: ignore[no-untyped-def]
    with Session(database) as session:
        return session.exec(
            select(Conversation).where(Conversation.external_id == chat.external_id)
        ).one()


def _stored(database) -> set[str]:  # type: ignore[no-untyped-def]
    with Session(database) as session:
        return {
            json.dumps(row.model_dump(mode="json"), ensure_ascii=False)
            for table in STORED
            for row in session.exec(select(table))
        }


async def _walk(chat: Chat, answers: list[str], steps: int, seen: list[str]) -> None:
    """Answer up to `steps` questions: typed answers where text is taken, else the first choice."""
    for _depth in range(steps):
        dialog = _dialog(chat.database, chat)
        if not dialog.step or dialog.step.startswith("interruptions."):
            return
        seen.append(json.dumps(dialog.data, ensure_ascii=False))
        if not wants_choice(dialog.step):
            for answer in answers:
                await chat.send(answer)
                if _dialog(chat.database, chat).step != dialog.step:
                    break
            else:
                if not dialog.choices:
                    return
                await chat.send("1")
        elif dialog.choices:
            await chat.send("1")
        seen.append(json.dumps(_dialog(chat.database, chat).data, ensure_ascii=False))


@pytest.mark.parametrize(
    ("role", "name", "between"), CASES, ids=[f"{r.value}-{n}-{b}" for r, n, b in CASES]
)
async def test_a_second_attempt_keeps_nothing_of_the_first(engine, database, role, name, between):
    """Two answers into the first attempt, then a cancel, a discard, or a start refused for its
    arguments; the second attempt holds and stores none of the first's answers."""
    unit = "Thôn Đông" if role == Role.FOCAL else None
    chat = await joined(engine, role, "Lê Thị Hoa", unit=unit)
    seed_directive(database, "5/UBND", "V/v họp", ["Thôn Đông"])
    with transaction(database) as session:
        record_contribution(
            session,
            recorded_by=1,
            unit_id=None,
            donor_name="Bà Lan",
            donor_kind="person",
            amount=500_000,
            contributed_on=dt.date(2026, 3, 1),
            note="",
            now=engine.clock(),
            timezone="Asia/Ho_Chi_Minh",
        )
    seen: list[str] = []
    if between == "refused start":
        await chat.send(f"/{name} KH2026-09999 {FIRST[0]}")
        if not _dialog(database, chat).step:
            await chat.send(f"/{name}")
    else:
        await chat.send(f"/{name}")
        await _walk(chat, FIRST, 2, [])
        if between == "cancel":
            await chat.send("/huy")
            await chat.send(f"/{name}")
        else:
            await chat.send(f"/{name}")
            if _dialog(database, chat).step.startswith("interruptions."):
                assert chat.labels()[0] == "Bỏ và làm việc mới"
                await chat.send("1")
    before = _stored(database)
    await _walk(chat, SECOND, 10, seen)
    added = _stored(database) - before
    assert seen, "the second attempt was walked"
    for held in seen + sorted(added):
        assert not any(mark in held for mark in FIRST_MARKS), held
