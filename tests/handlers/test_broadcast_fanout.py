"""A broadcast queued in bulk gives exactly the outbox rows of queuing each notice on its own."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from handlers.broadcast_fanout import queue_broadcast
from handlers.context import Notice
from handlers.i18n import Translator
from handlers.messages import PRIORITY_BROADCAST, Choice
from handlers.outbox import deliver_notice
from handlers.quiet import QuietHours
from storage.broadcasts import create_broadcast
from storage.models import Conversation, Identity, OutboxMessage, Person

NOW = dt.datetime(2026, 3, 20, 3, 0, tzinfo=dt.UTC)  # 10:00 in the commune
NIGHT = dt.datetime(2026, 3, 20, 15, 0, tzinfo=dt.UTC)  # 22:00
ZONE = "Asia/Ho_Chi_Minh"
QUIET = QuietHours.parse("21:00-07:00")
EARLIER, LATER = NOW - dt.timedelta(days=2), NOW - dt.timedelta(hours=1)


def render(_: Translator) -> tuple[str, list[Choice]]:
    """The announcement as each person reads it, in their language."""
    heading = _("📢 Announcement from the commune office ({name}):").format(name="Chị Hoa")
    return f"{heading}\n\nHọp dân 19:30 tại nhà văn hoá.", []


def commune(session: Session) -> list[int]:
    """People on one app or two, chosen, last used, blocked, busy, English-speaking, removed."""
    people: list[tuple[dict[str, Any], list[tuple[str, str, bool, dt.datetime | None]]]] = [
        ({"name": "Chị Hoa", "role": "admin"}, [("telegram", "100", True, NOW)]),
        ({"name": "Anh Hùng"}, [("telegram", "101", True, None)]),
        ({"name": "Cô Bình"}, [("zalo", "z102", True, LATER)]),
        # On both apps: the one chosen, else the one written from last.
        (
            {"name": "Anh An", "preferred_channel": "zalo"},
            [("telegram", "103", True, LATER), ("zalo", "z103", True, EARLIER)],
        ),
        ({"name": "Chị Cúc"}, [("telegram", "104", True, EARLIER), ("zalo", "z104", True, LATER)]),
        ({"name": "Anh Dũng"}, [("telegram", "105", True, LATER), ("zalo", "z105", True, EARLIER)]),
        # Telegram blocked the bot: Zalo, though Telegram was used last.
        ({"name": "Chị Mai"}, [("telegram", "106", False, LATER), ("zalo", "z106", True, EARLIER)]),
        ({"name": "Mr Tom", "locale": "en"}, [("telegram", "107", True, LATER)]),
        ({"name": "Ông Tư", "removed_at": EARLIER}, [("telegram", "108", True, LATER)]),
        ({"name": "Bà Năm"}, []),
        # Halfway through a dialog: the question is asked again after the announcement.
        ({"name": "Anh Sáu"}, [("telegram", "109", True, LATER)]),
        ({"name": "Chị Bảy"}, [("zalo", "z110", True, LATER)]),
        # Already sent this broadcast on Telegram, now preferring Zalo: nothing more.
        (
            {"name": "Anh Tám", "preferred_channel": "zalo"},
            [("telegram", "111", True, LATER), ("zalo", "z111", True, LATER)],
        ),
    ]
    ids = []
    for fields, accounts in people:
        person = Person(role=fields.pop("role", "focal"), **fields)
        session.add(person)
        session.flush()
        assert person.id is not None
        ids.append(person.id)
        for channel, external_id, reachable, seen in accounts:
            session.add(
                Identity(
                    person_id=person.id,
                    channel=channel,
                    external_id=external_id,
                    chat_id=external_id,
                    reachable=reachable,
                    last_seen_at=seen,
                )
            )
    session.add(
        Conversation(
            channel="telegram",
            external_id="109",
            step="fund.receive_amount",
            prompt="Anh/chị đóng góp bao nhiêu?",
            choices=[["500000", "500.000 ₫"]],
            offer=4,
        )
    )
    session.add(
        Conversation(
            channel="zalo",
            external_id="z110",
            step="reports.receive_text",
            prompt="Anh/chị gửi nội dung báo cáo.",
            choices=[],
            offer=2,
        )
    )
    session.add(Conversation(channel="telegram", external_id="101", step="", prompt="", offer=1))
    return ids


def queued(database: Engine, *, bulk: bool, now: dt.datetime, photo: str = "") -> list[Any]:
    """The outbox rows one broadcast to the whole commune leaves, old path or bulk."""
    with Session(database) as session, session.begin():
        admin, *audience = commune(session)
        broadcast = create_broadcast(
            session,
            author_id=admin,
            text="Họp dân",
            photo=photo,
            media_channel="telegram" if photo else "",
            audience={"kind": "everyone"},
            recipients=len(audience),
            now=now,
        )
        assert broadcast.id is not None
        prefix = f"broadcast:{broadcast.id}:person:"
        session.add(
            OutboxMessage(
                channel="telegram",
                chat_id="111",
                person_id=audience[-1],
                text="earlier copy",
                idempotency_key=f"{prefix}{audience[-1]}:telegram",
                created_at=now,
                not_before=now,
            )
        )
        session.flush()
        if bulk:
            queue_broadcast(
                session,
                [session.get(Person, person_id) for person_id in audience],  # type: ignore[misc]
                render,
                broadcast_id=broadcast.id,
                priority=PRIORITY_BROADCAST,
                now=now,
                timezone=ZONE,
                quiet=QUIET,
                photo=photo,
                media_channel="telegram" if photo else "",
            )
        else:
            for person_id in audience:
                notice = Notice(
                    person_id,
                    render,
                    key=f"{prefix}{person_id}",
                    priority=PRIORITY_BROADCAST,
                    broadcast_id=broadcast.id,
                    photo=photo,
                    media_channel="telegram" if photo else "",
                )
                deliver_notice(session, notice, ZONE, now, QUIET, broadcast.id)
        session.flush()
        rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
        shown = [row.model_dump(exclude={"id"}) for row in rows]
        session.rollback()
    # Ids differ between the two runs (sequences do not roll back): compare by position.
    names = {person_id: f"#{place}" for place, person_id in enumerate([admin, *audience])}
    return [_comparable(row, broadcast.id, names) for row in shown]


def _comparable(row: dict[str, Any], broadcast: int, names: dict[int, str]) -> dict[str, Any]:
    row["person_id"] = names.get(row["person_id"], row["person_id"])
    if row["broadcast_id"] is not None:
        row["broadcast_id"] = "B" if row["broadcast_id"] == broadcast else row["broadcast_id"]
    if row["idempotency_key"]:
        parts = row["idempotency_key"].split(":")
        parts[1], parts[3] = "B", names[int(parts[3])]
        row["idempotency_key"] = ":".join(parts)
    # SQLite hands back naive datetimes; every stored time is UTC.
    return {
        name: value.replace(tzinfo=dt.UTC) if isinstance(value, dt.datetime) else value
        for name, value in row.items()
    }


@pytest.mark.parametrize("photo", ["", "AgACAgIAAxkBAAIBQ2Yx"])
@pytest.mark.parametrize("now", [NOW, NIGHT], ids=["day", "quiet hours"])
def test_the_bulk_path_queues_the_same_rows_as_one_notice_at_a_time(
    database: Engine, now: dt.datetime, photo: str
) -> None:
    one_by_one = queued(database, bulk=False, now=now, photo=photo)
    bulk = queued(database, bulk=True, now=now, photo=photo)

    assert bulk == one_by_one
    chats = [(row["channel"], row["chat_id"]) for row in bulk]
    # Not the removed, not the one without a chat, not the one sent it before.
    assert chats[:10] == [
        ("telegram", "111"),
        ("telegram", "101"),
        ("zalo", "z102"),
        ("zalo", "z103"),
        ("zalo", "z104"),
        ("telegram", "105"),
        ("zalo", "z106"),
        ("telegram", "107"),
        ("telegram", "109"),
        *([("telegram", "109")] if now == NOW else [("zalo", "z110")]),
    ]
    english = next(row for row in bulk if row["chat_id"] == "107")
    assert english["text"].startswith("📢 Announcement from the commune office (Chị Hoa):")
