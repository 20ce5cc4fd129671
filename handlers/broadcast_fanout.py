"""A broadcast queued for thousands of people at once, row for row as deliver_notice would.

Queuing each notice on its own costs five statements per person: 10,000 recipients held the
admin's tap, and every chat behind it, for seconds. Here the announcement is rendered once
per language and the rows are written in batches, with the same destination chat, key,
due time and repeated dialog question as handlers.outbox.deliver_notice gives each person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

from handlers.context import Render
from handlers.i18n import Translator
from handlers.messages import PRIORITY_REPLY
from handlers.outbox import callback, destination
from handlers.quiet import QuietHours
from storage.broadcast_fanout import (
    existing_keys,
    identities_by_person,
    insert_outbox,
    waiting_questions,
)
from storage.models import OutboxStatus, Person


def queue_broadcast(
    session: Session,
    audience: Sequence[Person],
    render: Render,
    *,
    broadcast_id: int,
    priority: int,
    now: dt.datetime,
    timezone: str,
    quiet: QuietHours | None = None,
    photo: str = "",
    media_channel: str = "",
) -> int:
    """Queue the announcement to each person's chat; return how many notices were queued."""
    due = now
    if quiet is not None and priority > PRIORITY_REPLY:
        due = quiet.next_allowed(now)
    # Whatever query picked them, a removed person is sent nothing more.
    people = [person for person in audience if person.id is not None and not person.removed_at]
    accounts = identities_by_person(session, [person.id for person in people])
    prefix = f"broadcast:{broadcast_id}:person:"
    taken = existing_keys(
        session,
        [
            f"{prefix}{person.id}:{account.channel}"
            for person in people
            for account in accounts.get(person.id, [])
        ],
    )
    waiting = waiting_questions(session) if due <= now else {}
    texts: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    queued = 0
    for person in people:
        mine = accounts.get(person.id, [])
        # The same rule as deliver_notice: the chosen app, else the one written from last.
        chat = destination(person, mine)
        if chat is None or any(f"{prefix}{person.id}:{a.channel}" in taken for a in mine):
            continue
        if person.locale not in texts:
            text, choices = render(Translator(person.locale, timezone))
            # Buttons would need the per-chat handling of deliver_notice.
            assert not choices, "a broadcast offers no choices"
            texts[person.locale] = text
        key = f"{prefix}{person.id}:{chat.channel}"
        # A platform's file id means nothing on another platform.
        usable = not media_channel or media_channel == chat.channel
        row = _row(chat, person, texts[person.locale], key, priority, due, now, broadcast_id)
        row["photo"] = photo if usable else ""
        rows.append(row)
        queued += 1
        question = waiting.get((chat.channel, chat.external_id))
        if question is not None:
            # The push came between the dialog's question and its answer: ask that again.
            offered = callback([(cid, label) for cid, label in question.choices], question.offer)
            again = _row(chat, person, question.prompt, f"{key}:again", priority, due, now, None)
            again["choices"] = [[cid, label] for cid, label in offered]
            rows.append(again)
    insert_outbox(session, rows)
    return queued


def _row(
    chat: Any,
    person: Any,
    text: str,
    key: str,
    priority: int,
    due: dt.datetime,
    now: dt.datetime,
    broadcast_id: int | None,
) -> dict[str, Any]:
    return {
        "channel": chat.channel,
        "chat_id": chat.chat_id,
        "person_id": person.id,
        "text": text,
        "choices": [],
        "photo": "",
        "document": "",
        "locale": person.locale,
        "priority": priority,
        "broadcast_id": broadcast_id,
        "idempotency_key": key,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "parts_sent": 0,
        "first_attempt_at": None,
        "not_before": due,
        "leased_until": None,
        "last_error": "",
        "created_at": now,
        "sent_at": None,
    }
