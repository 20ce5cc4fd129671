"""A broadcast queued for thousands of people, row for row as deliver_notice would.

The announcement is rendered once per language and the rows are written in bulk, with the same
destination chat, key, due time and repeated dialog question as handlers.outbox.deliver_notice
gives each person. The author's tap queues the first FANOUT_BATCH recipients; the rest go in
batches of their own transactions in the background (`fan_out_pending`), so a broadcast to ten
thousand people holds no other chat for more than a moment. Each batch moves the broadcast's
cursor (`fanned_out_to`) in the same transaction as its rows: a crash resumes where it stopped.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Engine as Database
from sqlmodel import Session

from handlers.context import Render
from handlers.i18n import Translator
from handlers.messages import PRIORITY_BROADCAST, PRIORITY_REPLY, Choice
from handlers.outbox import callback, destination
from handlers.quiet import QuietHours
from storage.broadcast_fanout import insert_outbox, waiting_questions
from storage.broadcasts import audience_people, unfinished_fanouts
from storage.db import transaction
from storage.models import Broadcast, Person
from storage.outbox_bulk import identities_of, pending_row, queued_keys

log = logging.getLogger(__name__)

FANOUT_BATCH = 500
"""Recipients queued per transaction: a small broadcast goes whole in its author's turn."""


def announcement(author: str, text: str) -> Render:
    """Render a broadcast as its recipients read it: who in the office sent it, then the text."""

    def render(_: Translator) -> tuple[str, list[Choice]]:
        heading = _("📢 Announcement from the commune office ({name}):").format(name=author)
        return f"{heading}\n\n{text}", []

    return render


def fan_out(
    session: Session,
    broadcast: Broadcast,
    *,
    now: dt.datetime,
    timezone: str,
    quiet: QuietHours | None,
    limit: int | None = None,
) -> bool:
    """Queue the broadcast to its next `limit` recipients (FANOUT_BATCH unless given); True
    once all of them are queued."""
    assert broadcast.id is not None
    limit = limit or FANOUT_BATCH
    people = audience_people(
        session,
        broadcast.audience,
        exclude=broadcast.author_id,
        after=broadcast.fanned_out_to,
        limit=limit,
    )
    if people:
        author = session.get(Person, broadcast.author_id)
        queue_broadcast(
            session,
            people,
            announcement(author.name if author else "", broadcast.text),
            broadcast_id=broadcast.id,
            priority=PRIORITY_BROADCAST,
            now=now,
            timezone=timezone,
            quiet=quiet,
            photo=broadcast.photo,
            media_channel=broadcast.media_channel,
        )
        broadcast.fanned_out_to = people[-1].id or broadcast.fanned_out_to
    if len(people) < limit:
        broadcast.fanned_out_at = now
    session.add(broadcast)
    return broadcast.fanned_out_at is not None


def fan_out_pending(
    database: Database,
    *,
    timezone: str,
    quiet: QuietHours | None,
    clock: Callable[[], dt.datetime],
    limit: int | None = None,
) -> int:
    """Queue the rest of every broadcast whose fan-out is unfinished, a batch per transaction;
    return how many batches were written. Safe to run twice or side by side: the broadcast's
    row is locked while a batch is written, and each message's key is unique."""
    with Session(database) as session:
        pending = unfinished_fanouts(session)
    batches = 0
    for broadcast_id in pending:
        done = False
        while not done:
            try:
                with transaction(database) as session:
                    broadcast = session.get(Broadcast, broadcast_id, with_for_update=True)
                    if broadcast is None or broadcast.fanned_out_at is not None:
                        break
                    done = fan_out(
                        session, broadcast, now=clock(), timezone=timezone, quiet=quiet,
                        limit=limit,
                    )
            except Exception:
                # Its batch is rolled back and tried again on the next run; others go on.
                log.exception("could not queue the next recipients of broadcast %s", broadcast_id)
                break
            batches += 1
    return batches


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
    accounts = identities_of(session, [person.id for person in people])
    prefix = f"broadcast:{broadcast_id}:person:"
    taken = queued_keys(
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
    return pending_row(
        channel=chat.channel,
        chat_id=chat.chat_id,
        person_id=person.id,
        text=text,
        choices=[],
        locale=person.locale,
        priority=priority,
        key=key,
        due=due,
        now=now,
        broadcast_id=broadcast_id,
    )
