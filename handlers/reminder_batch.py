"""Queue a batch of due reminders with a few statements, exactly as deliver_notice would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from handlers.i18n import Translator
from handlers.messages import PRIORITY_FANOUT
from handlers.outbox import BUTTON_CHANNELS, callback, destination, typed_commands
from handlers.reminder_policy import ReminderPolicy
from storage.models import Directive, OutboxMessage, OutboxStatus
from storage.outbox_bulk import (
    conversations_of,
    focal_points_of,
    identities_of,
    insert_new,
    queued_keys,
    save_prompts,
)
from storage.reminders import (
    Due,
    acknowledgements_of,
    claim_all,
    directives_by_id,
    still_open,
)

Reminding = Callable[..., Any]
"""handlers.reminders.reminder_notice, passed in so the two modules do not import each other."""

_UNIT = "\x00unit\x00"
_ASSIGNMENT = "\x00assignment\x00"
"""Stand-ins rendered once per (locale, directive, acknowledged) and filled per assignment;
control characters never reach stored names (clean_text strips them)."""


@dataclass
class Batch:
    """What one batch queued: reminders recorded and the not_before of every outbox row."""

    reminders: int = 0
    not_before: list[dt.datetime] = field(default_factory=list)


@dataclass
class _Message:
    row: dict[str, Any]
    chat: tuple[str, str]
    prompt: tuple[str, list[list[str]]] | None
    again: dict[str, Any] | None


class _Texts:
    """Translators per locale and reminder texts per (locale, directive, acknowledged)."""

    def __init__(self, notice: Reminding, timezone: str, on: dt.date) -> None:
        self.notice, self.timezone, self.on = notice, timezone, on
        self.translators: dict[str, Translator] = {}
        self.rendered: dict[tuple[str, int, bool], tuple[str, list[tuple[str, str]]]] = {}

    def translator(self, locale: str) -> Translator:
        """Return the person's translator, made once per locale."""
        if locale not in self.translators:
            self.translators[locale] = Translator(locale, self.timezone)
        return self.translators[locale]

    def render(
        self, locale: str, directive: Directive, assignment_id: int, unit: str, acknowledged: bool
    ) -> tuple[str, list[tuple[str, str]]]:
        """Return the reminder's text and choices for one assignment in one language."""
        key = (locale, directive.id or 0, acknowledged)
        if key not in self.rendered:
            render = self.notice(
                directive, _ASSIGNMENT, _UNIT, acknowledged=acknowledged, on=self.on
            )
            self.rendered[key] = render(self.translator(locale))
        text, choices = self.rendered[key]
        number = str(assignment_id)
        return text.replace(_UNIT, unit), [
            (cid.replace(_ASSIGNMENT, number), label) for cid, label in choices
        ]


def _outbox_row(identity: Any, locale: str, text: str, choices: list[Any], key: str,
                now: dt.datetime, due: dt.datetime) -> dict[str, Any]:
    return {
        "channel": identity.channel, "chat_id": identity.chat_id,
        "person_id": identity.person_id, "text": text,
        "choices": [[cid, label] for cid, label in choices], "photo": "", "document": "",
        "locale": locale, "priority": PRIORITY_FANOUT, "broadcast_id": None,
        "idempotency_key": key, "status": OutboxStatus.PENDING.value, "attempts": 0,
        "parts_sent": 0, "first_attempt_at": None, "not_before": due, "leased_until": None,
        "last_error": "", "created_at": now, "sent_at": None,
    }


def queue_reminders(
    session: Session, policy: ReminderPolicy, now: dt.datetime, items: list[Due],
    notice: Reminding,
) -> Batch:
    """Record and queue planned reminders, skipping units done meanwhile or items another
    pass has; each focal point gets one message on the chat deliver_notice would pick."""
    units = still_open(session, [item.assignment_id for item in items if item.assignment_id])
    wanted = {item.directive_id for item in items if item.directive_id}
    directives = directives_by_id(session, wanted)
    candidates = [
        item for item in items
        if item.assignment_id in units and item.directive_id in directives
    ]
    claimed = claim_all(session, candidates, now)
    mine = [item for item in candidates if item.key in claimed]
    batch = Batch(reminders=len(mine))
    if not mine:
        return batch
    people = focal_points_of(session, {units[item.assignment_id or 0][0] for item in mine})
    assignment_ids = [item.assignment_id or 0 for item in mine]
    acknowledged = acknowledgements_of(session, assignment_ids)
    persons = [person for unit in people.values() for person in unit]
    accounts = identities_of(session, [person.id for person in persons])
    # Relative words ('tomorrow') must hold when the message is read, after any quiet hours.
    on = policy.local_date(policy.delivery_time(now))
    # A reminder is no reply (PRIORITY_FANOUT): like enqueue, it waits out quiet hours.
    due = policy.quiet.next_allowed(now) if policy.quiet is not None else now
    pairs = [
        (item, person) for item in mine for person in people[units[item.assignment_id or 0][0]]
    ]
    taken = queued_keys(session, [
        f"{item.key}:person:{person.id}:{identity.channel}"
        for item, person in pairs for identity in accounts[person.id]
    ])
    chosen = {person.id: destination(person, accounts[person.id]) for person in persons}
    chats = {(i.channel, i.external_id) for i in chosen.values() if i is not None}
    conversations = conversations_of(session, chats)
    texts = _Texts(notice, policy.timezone, on)
    messages: list[_Message] = []
    for item, person in pairs:
        identity = chosen[person.id]
        base = f"{item.key}:person:{person.id}"
        if identity is None or (taken and any(
            f"{base}:{other.channel}" in taken for other in accounts[person.id]
        )):
            continue
        assert item.assignment_id is not None and item.directive_id is not None
        text, choices = texts.render(
            person.locale, directives[item.directive_id], item.assignment_id,
            units[item.assignment_id][1], (item.assignment_id, person.id) in acknowledged,
        )
        key = f"{base}:{identity.channel}"
        buttons = identity.channel in BUTTON_CHANNELS
        chat = (identity.channel, identity.external_id)
        conversation = conversations.get(chat)
        busy = conversation is not None and bool(conversation.step)
        shown, offered = text, choices
        if choices and not buttons and busy:
            # Numbers already answer the dialog in progress: spell the commands out.
            shown = typed_commands(texts.translator(person.locale), text, choices)
            offered = []
        row = _outbox_row(identity, person.locale, shown, offered, key, now, due)
        prompt = again = None
        if offered and not buttons:
            # A numbered reply ("1") to this message must map to its choices.
            prompt = (text, [[cid, label] for cid, label in offered])
        elif conversation is not None and busy and conversation.prompt and due <= now:
            # The push came between the dialog's question and its answer: ask that again.
            asked = callback([(c, label) for c, label in conversation.choices], conversation.offer)
            again = _outbox_row(
                identity, person.locale, conversation.prompt, asked, f"{key}:again", now, due
            )
        messages.append(_Message(row, chat, prompt, again))
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    inserted = insert_new(session, table, [m.row for m in messages], "idempotency_key")
    queued = [m for m in messages if m.row["idempotency_key"] in inserted]
    repeats = [m.again for m in queued if m.again is not None]
    inserted_again = insert_new(session, table, repeats, "idempotency_key")
    # The last message to a chat holds its numbered choices, as one-by-one queueing left it.
    prompts = {m.chat: m.prompt for m in queued if m.prompt is not None}
    save_prompts(session, prompts, now)
    batch.not_before = [due] * (len(queued) + len(inserted_again))
    return batch
