"""A commune of 200 units and ten thousand assignments, seeded fast and the same each time.

Every case the reminder pass distinguishes shows up many times: deadlines due today, tomorrow,
in three days, yesterday and too long ago; a directive entered after its reminder's moment;
archived units, units without focal points, removed people, Vietnamese and English readers,
Telegram, Zalo and both (preferred, last used, unreachable), chats idle or mid-dialog,
acknowledgements, finished units, reminders recorded before and messages queued before.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import Engine, String, cast, insert, text
from sqlmodel import Session, SQLModel, col, select

from storage.models import (
    Acknowledgement,
    Assignment,
    Conversation,
    Directive,
    Identity,
    OutboxMessage,
    Person,
    Reminder,
    Unit,
)
from tests.support.assignments import local

MORNING = local(27, 8, 30)
"""The first pass: 08:30 on 27/03, out of quiet hours."""
NIGHT = local(28, 22, 0)
"""The second pass: 22:00 on 28/03, in quiet hours."""

# (deadline, entered): what falls due at MORNING and NIGHT differs per directive.
DIRECTIVES = [
    (dt.date(2026, 3, 27), local(10, 9)),  # due-day now, after-1d at night
    (dt.date(2026, 3, 28), local(10, 9)),  # before-1d now, due-day at night
    (dt.date(2026, 3, 30), local(10, 9)),  # before-3d now
    (dt.date(2026, 3, 26), local(10, 9)),  # after-1d now
    (dt.date(2026, 3, 20), local(10, 9)),  # after-1d a week ago: too late for anything
    (dt.date(2026, 3, 27), local(27, 7)),  # entered this morning, before due-day 08:00
    (dt.date(2026, 3, 28), local(27, 8, 15)),  # entered after before-1d 08:00: skip it
    (None, local(10, 9)),  # no deadline, never reminded
    (dt.date(2026, 3, 31), local(10, 9)),  # nothing yet; before-3d at night
]
# Most of the commune's directives have nothing due: done long ago, far off, or open-ended.
DIRECTIVES += [
    (None if n % 3 == 0 else dt.date(2026, 2 if n % 3 == 1 else 5, 1 + n % 28), local(1, 9))
    for n in range(41)
]


def _table(model: type[SQLModel]) -> Any:
    return model.__table__  # type: ignore[attr-defined]


def seed_crowd(database: Engine, units: int = 200, seed: int = 7) -> None:
    """Seed the crowd: `units` units, each assigned every directive."""
    pick = random.Random(seed)
    made = local(1, 9)
    unit_rows = [
        {"id": n, "name": f"Thôn {n}", "kind": "village", "created_at": made,
         "archived_at": made if pick.random() < 0.03 else None}
        for n in range(1, units + 1)
    ]
    directive_rows = [
        {"id": n, "number": f"{n}/UBND", "issued_on": dt.date(2026, 1, 1) + dt.timedelta(days=n),
         "subject": f"Việc {n}",
         "content": "", "file_ref": "", "file_name": "", "deadline": deadline,
         "created_by": None, "created_at": entered}
        for n, (deadline, entered) in enumerate(DIRECTIVES, start=1)
    ]
    statuses = ["not_started"] * 8 + ["in_progress", "done"]
    assignment_rows = [
        {"id": (unit - 1) * len(DIRECTIVES) + directive, "directive_id": directive,
         "unit_id": unit, "status": pick.choice(statuses), "reported_at": None}
        for unit in range(1, units + 1)
        for directive in range(1, len(DIRECTIVES) + 1)
    ]
    people, identities, conversations, acks = [], [], [], []
    for unit in range(1, units + 1):
        for _ in range(pick.choice([0, 1, 1, 2, 2, 3]) if unit % 20 else 0):
            pid = len(people) + 1
            people.append(
                {"id": pid, "name": f"Người {pid}", "role": "focal", "unit_id": unit,
                 "locale": "en" if pick.random() < 0.2 else "vi", "created_at": made,
                 "removed_at": made if pick.random() < 0.04 else None,
                 "preferred_channel": pick.choice(["", "", "telegram", "zalo"])}
            )
            channels = pick.choice([["telegram"]] * 3 + [["zalo"]] * 2 + [["telegram", "zalo"]])
            for channel in channels:
                external = f"{channel[0]}{pid}"
                identities.append(
                    {"id": len(identities) + 1, "person_id": pid, "channel": channel,
                     "external_id": external, "chat_id": external,
                     "reachable": pick.random() > 0.05, "unreachable_reason": "",
                     "created_at": made,
                     "last_seen_at": pick.choice([None, local(20, 9), local(25, 9)])}
                )
                mood = pick.random()
                if mood < 0.3:
                    # Mid-dialog: a question waits for its answer.
                    conversations.append(
                        {"channel": channel, "external_id": external, "step": "fund_amount",
                         "data": {}, "prompt": "Số tiền?", "choices": [["yes", "Có"]],
                         "offer": 4, "updated_at": made}
                    )
                elif mood < 0.45:
                    conversations.append(
                        {"channel": channel, "external_id": external, "step": "", "data": {},
                         "prompt": "Cũ", "choices": [["/menu", "Menu"]], "offer": 2,
                         "updated_at": made}
                    )
            for directive in range(1, len(DIRECTIVES) + 1):
                if pick.random() < 0.3:
                    acks.append(
                        {"assignment_id": (unit - 1) * len(DIRECTIVES) + directive,
                         "person_id": pid, "at": made}
                    )
    # Recorded before: some reminders, and messages to the other app of a linked person.
    recorded = [
        {"key": f"assignment:{row['id']}:before-1d", "kind": "before-1d",
         "directive_id": 2, "assignment_id": row["id"], "due_at": local(27, 8), "at": local(27, 8)}
        for row in assignment_rows if row["directive_id"] == 2 and pick.random() < 0.05
    ]
    staff: dict[int, list[int]] = {}
    for person in people:
        staff.setdefault(person["unit_id"], []).append(person["id"])
    earlier = [
        _sent(f"assignment:{row['id']}:due-day:person:{pid}:zalo", pid)
        for row in assignment_rows if row["directive_id"] == 1
        for pid in staff.get(row["unit_id"], []) if pick.random() < 0.05
    ]
    with Session(database) as session:
        for model, rows in [
            (Unit, unit_rows), (Directive, directive_rows), (Assignment, assignment_rows),
            (Person, people), (Identity, identities), (Conversation, conversations),
            (Acknowledgement, acks), (Reminder, recorded), (OutboxMessage, earlier),
        ]:
            if rows:
                session.execute(insert(_table(model)), rows)
        session.commit()


def _sent(key: str, person_id: int) -> dict[str, Any]:
    return {
        "channel": "zalo", "chat_id": f"z{person_id}", "person_id": person_id, "text": "…",
        "choices": [], "photo": "", "document": "", "locale": "vi", "priority": 10,
        "broadcast_id": None, "idempotency_key": key, "status": "sent", "attempts": 1,
        "parts_sent": 1, "first_attempt_at": None, "not_before": local(27, 8),
        "leased_until": None, "last_error": "", "created_at": local(27, 8), "sent_at": None,
    }


def empty(database: Engine) -> None:
    """Delete every row, restarting ids, so the crowd can be seeded again identically."""
    tables = [table.name for table in SQLModel.metadata.sorted_tables]
    with database.begin() as connection:
        if database.dialect.name == "postgresql":
            names = ", ".join(f'"{name}"' for name in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            return
        for name in reversed(tables):
            connection.execute(text(f'DELETE FROM "{name}"'))
        found = connection.execute(text("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'"))
        if found.first():
            connection.execute(text("DELETE FROM sqlite_sequence"))


def queued(database: Engine) -> dict[str, set[tuple[Any, ...]]]:
    """Everything a pass leaves behind: reminder records, outbox rows and chats' prompts.

    Times are compared as the database stores them, so a differently written time shows.
    """
    stored = {name: cast(column, String).label(name) for name, column in [
        ("due_at", col(Reminder.due_at)), ("at", col(Reminder.at)),
        ("not_before", col(OutboxMessage.not_before)),
        ("created_at", col(OutboxMessage.created_at)),
    ]}
    with Session(database) as session:
        reminders = set(session.exec(select(
            Reminder.key, Reminder.kind, Reminder.directive_id, Reminder.assignment_id,
            stored["due_at"], stored["at"],
        )))
        outbox = {
            (m.idempotency_key, m.channel, m.chat_id, m.person_id, m.text,
             tuple(tuple(choice) for choice in m.choices), m.photo, m.document, m.locale,
             m.priority, m.status, not_before, created_at)
            for m, not_before, created_at in session.exec(
                select(OutboxMessage, stored["not_before"], stored["created_at"])
            )
        }
        chats = {
            (c.channel, c.external_id, c.step, c.prompt,
             tuple(tuple(choice) for choice in c.choices), c.offer)
            for c in session.exec(select(Conversation))
        }
    return {"reminders": reminders, "outbox": outbox, "chats": chats}
