"""Writing outgoing messages to the outbox, inside the caller's transaction."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from handlers.context import Notice
from handlers.i18n import Translator
from handlers.messages import PRIORITY_REPLY, Outbound, Recipient
from handlers.quiet import QuietHours
from storage.models import Conversation, Identity, OutboxMessage, Person

BUTTON_CHANNELS = frozenset({"telegram"})
"""Channels that show choices as buttons; the others get a numbered list."""


def enqueue(
    session: Session,
    message: Outbound,
    locale: str,
    now: dt.datetime,
    quiet: QuietHours | None = None,
    broadcast_id: int | None = None,
) -> OutboxMessage | None:
    """Add one message to the outbox; None when its key was queued before.

    A reply is due at once; a message the person did not ask for waits out quiet hours.
    """
    due = now
    if quiet is not None and message.priority > PRIORITY_REPLY:
        due = quiet.next_allowed(now)
    row = OutboxMessage(
        channel=message.to.channel,
        chat_id=message.to.chat_id,
        person_id=message.to.person_id,
        text=message.text,
        choices=[[cid, label] for cid, label in message.choices],
        photo=message.photo,
        document=message.document,
        locale=locale,
        priority=message.priority,
        broadcast_id=broadcast_id,
        idempotency_key=message.idempotency_key,
        created_at=now,
        not_before=due,
    )
    try:
        # The unique key decides; the savepoint makes a repeat cost this row, not the event.
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return None
    return row


def deliver_notice(
    session: Session,
    notice: Notice,
    timezone: str,
    now: dt.datetime,
    quiet: QuietHours | None = None,
    broadcast_id: int | None = None,
) -> list[OutboxMessage]:
    """Render a notice in its person's language and queue it to each of their chats."""
    person = session.get(Person, notice.person_id)
    if person is None:
        return []
    _ = Translator(person.locale, timezone)
    text, choices = notice.render(_)
    rows: list[OutboxMessage] = []
    identities = session.exec(select(Identity).where(Identity.person_id == person.id))
    for identity in identities:
        key = f"{notice.key}:{identity.channel}" if notice.key else None
        # A platform's file id means nothing on another platform.
        usable = not notice.media_channel or notice.media_channel == identity.channel
        shown, offered = text, choices
        if choices and identity.channel not in BUTTON_CHANNELS:
            conversation = _conversation(session, identity)
            if conversation.step:
                # Numbers already answer the dialog in progress: spell the commands out.
                shown, offered = _typed_commands(_, text, choices), []
        outbound = Outbound(
            to=_recipient(identity),
            text=shown,
            choices=offered,
            photo=notice.photo if usable else "",
            document=notice.document if usable and identity.channel in BUTTON_CHANNELS else "",
            idempotency_key=key,
            priority=notice.priority,
        )
        row = enqueue(session, outbound, person.locale, now, quiet, broadcast_id)
        if row is None:
            continue
        rows.append(row)
        if offered and identity.channel not in BUTTON_CHANNELS:
            # A numbered reply ("1") to this message must map to its choices.
            conversation.prompt = text
            conversation.choices = [[cid, label] for cid, label in offered]
            session.add(conversation)
    return rows


def _recipient(identity: Identity) -> Recipient:
    return Recipient(identity.channel, identity.chat_id, identity.person_id)


def _conversation(session: Session, identity: Identity) -> Conversation:
    found = session.exec(
        select(Conversation).where(
            Conversation.channel == identity.channel,
            Conversation.external_id == identity.external_id,
        )
    ).first()
    return found or Conversation(channel=identity.channel, external_id=identity.external_id)


def _typed_commands(_: Translator, text: str, choices: list[tuple[str, str]]) -> str:
    lines = [
        _("{label}: send {command}").format(label=label, command=cid)
        for cid, label in choices
        if cid.startswith("/")
    ]
    return "\n\n".join([text, "\n".join(lines)]) if lines else text
