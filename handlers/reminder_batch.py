"""Queue a range of due reminders with a few statements, exactly as deliver_notice would.

The database writes the messages of idle chats from templates rendered once per language and
directive; the few left (a chat mid-dialog, a notice already on another chat) are built here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from handlers.messages import PRIORITY_FANOUT
from handlers.outbox import BUTTON_CHANNELS, CHANNELS, callback, destination, typed_commands
from handlers.reminder_policy import ReminderPolicy
from handlers.reminder_texts import ReminderPart, ReminderTexts, Reminding
from storage.directive_tasks import milestones_of, task_for, tasks_of
from storage.directives import units_by_id
from storage.models import Directive, DirectiveTask, Milestone, OutboxMessage, Unit, UnitKind
from storage.outbox_bulk import (
    conversations_of,
    focal_points_of,
    identities_of,
    insert_new,
    pending_row,
    queued_keys,
    save_prompts,
)
from storage.reminder_queue import (
    Claimed,
    Plan,
    Template,
    claim_range,
    queue_messages,
    save_prompts_of,
)
from storage.reminders import acknowledgements_of, directives_by_id


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


def _outbox_row(
    identity: Any,
    locale: str,
    text: str,
    choices: list[Any],
    key: str,
    now: dt.datetime,
    due: dt.datetime,
) -> dict[str, Any]:
    return pending_row(
        channel=identity.channel,
        chat_id=identity.chat_id,
        person_id=identity.person_id,
        text=text,
        choices=[[cid, label] for cid, label in choices],
        locale=locale,
        priority=PRIORITY_FANOUT,
        key=key,
        due=due,
        now=now,
    )


class ReminderRun:
    """What one pass learns once and reuses for every range: its moments, texts, and the
    focal points of each unit with the chat each is reached on."""

    def __init__(self, policy: ReminderPolicy, now: dt.datetime, notice: Reminding) -> None:
        self.policy, self.now = policy, now
        # Relative words ('tomorrow') must hold when the message is read, after quiet hours.
        on = policy.local_date(policy.delivery_time(now))
        # A reminder is no reply (PRIORITY_FANOUT): like enqueue, it waits out quiet hours.
        self.due = policy.quiet.next_allowed(now) if policy.quiet is not None else now
        self.texts = ReminderTexts(notice, policy.timezone, on)
        self.directives: dict[int, Directive] = {}
        self.tasks: dict[int, list[DirectiveTask]] = {}
        self.milestones: dict[int, dict[int, Milestone]] = {}
        self.people: dict[int, list[Any]] = {}
        self.chosen: dict[int, Any] = {}
        self.reached: dict[int, list[tuple[Any, str]]] = {}
        """Per unit, each focal point with a chat and the end of their message keys."""

    def load(self, session: Session, unit_ids: set[int], directive_ids: set[int]) -> None:
        """Read the units' focal points and chats, and the directives with their tasks and
        milestones, not read before."""
        missing = {d for d in directive_ids if d not in self.directives}
        if missing:
            self.directives.update(directives_by_id(session, missing))
            for directive_id in missing:
                self.tasks[directive_id] = tasks_of(session, directive_id)
                self.milestones[directive_id] = {
                    m.id or 0: m for m in milestones_of(session, directive_id)
                }
        units = {unit for unit in unit_ids if unit not in self.people}
        if not units:
            return
        found = focal_points_of(session, units)
        accounts = identities_of(session, [p.id for unit in found.values() for p in unit])
        for unit in units:
            self.people[unit] = found.get(unit, [])
            for person in self.people[unit]:
                self.chosen[person.id] = destination(person, accounts[person.id])
            self.reached[unit] = [
                (person, f":person:{person.id}:{self.chosen[person.id].channel}")
                for person in self.people[unit]
                if self.chosen[person.id] is not None
            ]

    def part(self, plan: Plan, unit: Unit) -> ReminderPart | None:
        """What the reminder of this plan tells this unit, or None for a directive gone."""
        directive = self.directives.get(plan.directive_id)
        if directive is None:
            return None
        tasks = self.tasks.get(plan.directive_id, [])
        milestone = self.milestones.get(plan.directive_id, {}).get(plan.milestone_id)
        return ReminderPart(directive, milestone, task_for(tasks, unit) if tasks else None)

    def _template_kinds(self, plan: Plan) -> list[str]:
        """The kinds of unit a plan's reminder is rendered for: its own; each kind when the
        directive gives kinds their own tasks; else one text ('') for every kind."""
        if plan.unit_kind:
            return [plan.unit_kind]
        return [kind.value for kind in UnitKind] if self.tasks.get(plan.directive_id) else [""]

    def templates(self, claimed: list[Claimed], plans: list[Plan]) -> list[Template]:
        """Render the reminder once per language, plan, kind of unit and acknowledgement; a
        unit with a task of its own is left to the one-by-one path."""
        locales = sorted({p.locale for item in claimed for p in self.people[item.unit_id]})
        directives = {item.directive_id for item in claimed}
        rendered = []
        for number, plan in enumerate(plans):
            if plan.directive_id not in directives:
                continue
            for kind in self._template_kinds(plan):
                part = self.part(plan, Unit(kind=kind, name=""))
                if part is None:
                    continue
                for locale in locales:
                    for acknowledged in (False, True):
                        text, choices = self.texts.template(locale, part, acknowledged)
                        rendered.append(
                            Template(
                                locale,
                                number,
                                kind,
                                acknowledged,
                                text,
                                [[cid, label] for cid, label in choices],
                            )
                        )
        return rendered


def queue_reminders(
    session: Session,
    run: ReminderRun,
    plans: list[Plan],
    low: int,
    high: int,
    units: dict[int, int],
) -> Batch:
    """Record and queue the reminders due for assignments with ids in [low, high], skipping
    units done meanwhile or items another pass has; each focal point gets one message on
    the chat deliver_notice would pick."""
    now = run.now
    claimed = claim_range(session, plans, low, high, now, units)
    if not claimed:
        return Batch()
    run.load(session, {item.unit_id for item in claimed}, {item.directive_id for item in claimed})
    chats = {identity.id for identity in run.chosen.values() if identity is not None}
    written = queue_messages(
        session,
        plans,
        claimed,
        chats,
        run.templates(claimed, plans),
        CHANNELS,
        priority=PRIORITY_FANOUT,
        due=run.due,
        now=now,
    )
    # The last message to a numbered chat holds its choices, as one-by-one queueing left it.
    last: dict[tuple[str, str], int] = {}
    for row in written:
        chat = (row.channel, row.chat_id)
        if row.channel not in BUTTON_CHANNELS and row.id > last.get(chat, 0):
            last[chat] = row.id
    save_prompts_of(session, last.values(), now)
    extra = 0
    if len(written) < sum(len(run.reached[item.unit_id]) for item in claimed):
        done = {row.idempotency_key for row in written}
        rest = [
            (item, person)
            for item in claimed
            for person, suffix in run.reached[item.unit_id]
            if item.key + suffix not in done
        ]
        extra = _queue_rest(session, run, plans, rest)
    return Batch(reminders=len(claimed), not_before=[run.due] * (len(written) + extra))


def _queue_rest(
    session: Session, run: ReminderRun, plans: list[Plan], rest: list[tuple[Claimed, Any]]
) -> int:
    """Queue, one by one in Python, the messages the templates left: chats mid-dialog and
    the like, read afresh; return how many outbox rows were written."""
    now, due, texts = run.now, run.due, run.texts
    wanted = {(item.assignment_id, person.id) for item, person in rest}
    items = list(dict.fromkeys(item for item, _person in rest))
    units = {u.id: u for u in units_by_id(session, sorted({item.unit_id for item in items}))}
    # A claimed key ends with its plan's tag; a tag may serve several kinds of unit.
    planned = {(plan.directive_id, plan.tag, plan.unit_kind): plan for plan in plans}
    people = focal_points_of(session, {item.unit_id for item in items})
    pairs = [
        (item, person)
        for item in items
        for person in people.get(item.unit_id, [])
        if (item.assignment_id, person.id) in wanted
    ]
    if not pairs:
        return 0
    persons = {person.id: person for _item, person in pairs}
    accounts = identities_of(session, list(persons))
    acknowledged = acknowledgements_of(session, [item.assignment_id for item in items])
    taken = queued_keys(
        session,
        [
            f"{item.key}:person:{person.id}:{identity.channel}"
            for item, person in pairs
            for identity in accounts[person.id]
        ],
    )
    chosen = {pid: destination(person, accounts[pid]) for pid, person in persons.items()}
    chats = {(i.channel, i.external_id) for i in chosen.values() if i is not None}
    conversations = conversations_of(session, chats)
    messages: list[_Message] = []
    for item, person in pairs:
        identity = chosen[person.id]
        base = f"{item.key}:person:{person.id}"
        if identity is None or any(f"{base}:{a.channel}" in taken for a in accounts[person.id]):
            continue
        unit = units.get(item.unit_id)
        tag = item.key.split(":", 2)[2]
        plan = planned.get((item.directive_id, tag, unit.kind if unit else "")) or planned.get(
            (item.directive_id, tag, "")
        )
        part = run.part(plan, unit) if plan is not None and unit is not None else None
        if part is None:
            continue
        text, choices = texts.render(
            person.locale,
            part,
            item.assignment_id,
            unit.name if unit else "",
            (item.assignment_id, person.id) in acknowledged,
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
    save_prompts(session, {m.chat: m.prompt for m in queued if m.prompt is not None}, now)
    return len(queued) + len(inserted_again)
