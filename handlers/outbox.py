"""Writing outgoing messages to the outbox, inside the caller's transaction."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from handlers.context import Notice
from handlers.file_refs import split_ref
from handlers.i18n import Translator
from handlers.messages import BUTTON_CHANNELS, INERT, PRIORITY_REPLY, Choice, Outbound, Recipient
from handlers.quiet import QuietHours
from handlers.words import spoken
from storage.models import Conversation, Identity, OutboxMessage, Person

CHANNELS = ("telegram", "zalo")
"""Every chat app the bot speaks on."""


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
        edit_message_id=message.edit_message_id,
        created_at=now,
        not_before=due,
    )
    if message.idempotency_key is None:
        # Nothing unique to collide with: no savepoint needed.
        session.add(row)
        return row
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
    """Render a notice in its person's language and queue it to one of their chats.

    That chat is the app the person chose, else the one they wrote from last, skipping
    accounts that cannot be reached; the key holds across apps, so a repeat sends nothing.
    """
    person = session.get(Person, notice.person_id)
    if person is None or person.removed_at is not None:
        # Whatever query picked them, a removed person is sent nothing more.
        return []
    identities = list(session.exec(select(Identity).where(Identity.person_id == person.id)))
    identity = destination(person, identities)
    if identity is None or _queued_before(session, notice.key, identities):
        return []
    _ = Translator(person.locale, timezone, channel=identity.channel)
    text, choices = notice.render(_)
    key = f"{notice.key}:{identity.channel}" if notice.key else None
    # A platform's file id means nothing on another platform.
    usable = not notice.media_channel or notice.media_channel == identity.channel
    buttons = identity.channel in BUTTON_CHANNELS
    conversation = _conversation(session, identity)
    busy = conversation is not None and bool(conversation.step)
    shown, offered = text, choices
    if choices and not buttons and busy:
        # Numbers already answer the dialog in progress: spell the commands out.
        shown, offered = typed_commands(_, text, choices), []
    outbound = Outbound(
        to=_recipient(identity),
        text=shown,
        choices=offered,
        photo=notice.photo if usable else "",
        # Apps without documents get the bot's own files as links (bot.attachments).
        document=notice.document if usable and (buttons or split_ref(notice.document)[0]) else "",
        idempotency_key=key,
        priority=notice.priority,
    )
    row = enqueue(session, outbound, person.locale, now, quiet, broadcast_id)
    if row is None:
        return []
    rows = [row]
    if offered and not buttons:
        # A numbered reply ("1") to this message must map to its choices.
        conversation = conversation or _new_conversation(session, identity)
        conversation.prompt = text
        conversation.choices = [[cid, label] for cid, label in offered]
        session.add(conversation)
    elif conversation is not None and busy and conversation.prompt and row.not_before <= now:
        # The push came between the dialog's question and its answer: ask that again.
        again = _question(identity, conversation, key, notice.priority)
        repeated = enqueue(session, again, person.locale, now, quiet, broadcast_id=None)
        rows += [repeated] if repeated is not None else []
    return rows


def destination(person: Person, identities: list[Identity]) -> Identity | None:
    """Pick the chat for a message the person did not ask for: chosen, else last used."""
    reachable = [identity for identity in identities if identity.reachable] or identities
    if not reachable:
        return None
    preferred = person.preferred_channel
    chosen = [identity for identity in reachable if preferred and identity.channel == preferred]
    if chosen:
        return chosen[0]
    never = dt.datetime.min.replace(tzinfo=dt.UTC)
    return max(
        reachable,
        # On a tie the newer account wins: it was linked later.
        key=lambda i: (_aware(i.last_seen_at) if i.last_seen_at else never, i.id or 0),
    )


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; every stored time is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _queued_before(session: Session, key: str | None, identities: list[Identity]) -> bool:
    """Tell whether this notice went to any of the person's chats already."""
    if not key:
        return False
    keys = [f"{key}:{identity.channel}" for identity in identities]
    found = session.exec(
        select(OutboxMessage.id).where(col(OutboxMessage.idempotency_key).in_(keys))
    ).first()
    return found is not None


def _question(
    identity: Identity, conversation: Conversation, key: str | None, priority: int
) -> Outbound:
    choices = [(cid, label) for cid, label in conversation.choices]
    return Outbound(
        to=_recipient(identity),
        text=conversation.prompt,
        choices=callback(choices, conversation.offer),
        idempotency_key=f"{key}:again" if key else None,
        priority=priority,
    )


def _recipient(identity: Identity) -> Recipient:
    return Recipient(identity.channel, identity.chat_id, identity.person_id)


def _conversation(session: Session, identity: Identity) -> Conversation | None:
    return session.exec(
        select(Conversation).where(
            Conversation.channel == identity.channel,
            Conversation.external_id == identity.external_id,
        )
    ).first()


def _new_conversation(session: Session, identity: Identity) -> Conversation:
    """Create the chat's conversation row, or take the one another transaction just made."""
    conversation = Conversation(channel=identity.channel, external_id=identity.external_id)
    try:
        # Two passes may reach an idle chat at once; the unique row decides, not the read.
        with session.begin_nested():
            session.add(conversation)
    except IntegrityError:
        found = _conversation(session, identity)
        assert found is not None
        return found
    return conversation


def typed_commands(_: Translator, text: str, choices: list[tuple[str, str]]) -> str:
    """Spell out a message's command choices ('Trả lời: nhận 8 / báo cáo 8') for a numbered chat."""
    words = [spoken(_, cid) for cid, _label in choices if cid.startswith("/")]
    if not words:
        return text
    return "\n\n".join([text, _("Reply: {words}").format(words=" / ".join(words))])


def callback(choices: list[Choice], offer: int) -> list[Choice]:
    """Number a question's choices with its offer, so buttons of older questions go stale."""
    return [
        (cid, label) if cid.startswith("/") or cid == INERT else (f"{offer}.{cid}", label)
        for cid, label in choices
    ]
