"""Admins keep the roster current in chat: list people, remove one, move a focal point.

Reached from /donvi. A removed person's chat is told once and then answered as a stranger's.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from handlers.context import Context
from handlers.i18n import N_, Translator
from handlers.joining import ROLE_NAMES, code_in
from handlers.matching import parse_id
from handlers.messages import PRIORITY_FANOUT, Choice, Inbound, Outbound, Recipient
from handlers.outbox import enqueue
from handlers.quiet import QuietHours
from handlers.registry import Step, choice_step
from handlers.words import command_word
from storage.directives import units_for_target
from storage.models import Identity, OutboxMessage, Person, Role, Unit
from storage.roster import (
    list_people,
    move_person,
    move_problem,
    removal_problem,
    remove_person,
)

MAX_CHOICES = 20
"""Longest list of people offered at once; beyond it the admin first picks a unit."""
OFFICE = "office"
YES, NO = "yes", "no"

FAREWELL = N_(
    "You are no longer on the list of people using the commune office's bot, "
    "so you will receive nothing more from it. If this is a mistake, please contact "
    "the commune office."
)

REMOVAL_PROBLEMS = {
    "removed": N_("{name} has already been removed."),
    "self": N_("You cannot remove yourself. Another administrator can."),
    "last_admin": N_("{name} is the last administrator and cannot be removed."),
}
MOVE_PROBLEMS = {
    "removed": N_("{name} has been removed."),
    "not_focal": N_("Only focal points belong to a unit; {name} is not one."),
    "archived": N_("{unit} has been archived. Please choose another unit."),
    "same": N_("{name} is already a focal point of {unit}."),
}


# --- what the engine asks -------------------------------------------------------------------


def removed_chat(session: Session, person: Person, identity: Identity, inbound: Inbound) -> bool:
    """Tell whether this chat belongs to a removed person, to be answered as a stranger's.

    When it sends an invite code, the chat account is let go so it can join afresh;
    the removed person's records stay with them.
    """
    if person.removed_at is None:
        return False
    if code_in(inbound.text):
        session.delete(identity)
        session.flush()
    return True


def farewell(
    session: Session,
    person: Person,
    identities: list[Identity],
    timezone: str,
    now: dt.datetime,
    quiet: QuietHours | None = None,
) -> list[OutboxMessage]:
    """Queue, once per chat, the message telling a removed person they are off the list."""
    _ = Translator(person.locale, timezone)
    rows = []
    for identity in identities:
        message = Outbound(
            Recipient(identity.channel, identity.chat_id, person.id),
            _(FAREWELL),
            idempotency_key=f"person:{person.id}:removed:{identity.channel}:{identity.id}",
            priority=PRIORITY_FANOUT,
        )
        row = enqueue(session, message, person.locale, now, quiet)
        if row is not None:
            rows.append(row)
    return rows


# --- words ------------------------------------------------------------------------------------


def person_label(_: Translator, person: Person, unit: Unit | None) -> str:
    """Name a person with their unit (focal points) or role, e.g. 'Nguyễn Văn An — Thôn Đông'."""
    name = person.name or _("(no name yet)")
    if person.role == Role.FOCAL.value and unit is not None:
        return f"{name} — {unit.name}"
    return f"{name} — {_(ROLE_NAMES[Role(person.role)])}"


def people_text(_: Translator, rows: list[tuple[Person, Unit | None]]) -> str:
    """Render the people on the roster: admins, leaders, then each unit's focal points."""
    if not rows:
        return _("Nobody has joined yet.")
    lines = [_("People ({count}):").format(count=_.number(len(rows)))]
    headings = {
        Role.ADMIN.value: _("Administrators"),
        Role.LEADER.value: _("Commune leaders"),
        Role.FOCAL.value: _("Focal points"),
    }
    shown = ""
    for person, unit in rows:
        if person.role != shown:
            shown = person.role
            lines += ["", headings.get(person.role, person.role) + ":"]
        lines.append("• " + person_label(_, person, unit))
    return "\n".join(lines)


def _people_choices(_: Translator, rows: list[tuple[Person, Unit | None]]) -> list[Choice]:
    return [(f"p{person.id}", person_label(_, person, unit)) for person, unit in rows]


def chosen_id(ctx: Context, prefix: str) -> int | None:
    """Return the id in a choice such as 'u12' (prefix 'u'), or None."""
    return parse_id(ctx.choice.removeprefix(prefix)) if ctx.choice.startswith(prefix) else None


def confirm(ctx: Context, question: str, action: str) -> None:
    """Ask a yes/no question whose yes is labelled `action`."""
    ctx.ask(question, [(YES, action), (NO, ctx._("Cancel"))])


def cancelled(ctx: Context) -> None:
    """Say that the admin cancelled and nothing changed."""
    ctx.say(ctx._("Cancelled. Nothing was changed."))


# --- /donvi → People --------------------------------------------------------------------------


def show_people(ctx: Context) -> None:
    """List everyone on the roster."""
    ctx.say(people_text(ctx._, list_people(ctx.session)))


# --- picking a person, by unit when there are many ---------------------------------------------


def _candidates(ctx: Context) -> list[tuple[Person, Unit | None]]:
    """The people the dialog can act on: everyone else to remove, focal points to move."""
    if ctx.data["purpose"] == "move":
        return list_people(ctx.session, role=Role.FOCAL.value)
    return [row for row in list_people(ctx.session) if row[0].id != ctx.person.id]


def _ask_person(ctx: Context, rows: list[tuple[Person, Unit | None]]) -> Step:
    question = (
        ctx._("Which focal point do you want to move?")
        if ctx.data["purpose"] == "move"
        else ctx._("Who do you want to remove?")
    )
    ctx.ask(question, _people_choices(ctx._, rows))
    return receive_person


def start_picking(ctx: Context, purpose: str) -> Step | None:
    """Begin removing ('remove') or moving ('move') someone: ask who, by unit if many."""
    ctx.data["purpose"] = purpose
    rows = _candidates(ctx)
    if not rows:
        if purpose == "move":
            ctx.say(ctx._("There is no focal point to move."))
        else:
            ctx.say(ctx._("There is nobody else to remove."))
        return None
    if len(rows) <= MAX_CHOICES:
        return _ask_person(ctx, rows)
    groups: list[Choice] = []
    if any(person.role != Role.FOCAL.value for person, _unit in rows):
        groups.append((OFFICE, ctx._("Administrators and leaders")))
    units = {unit.id: unit for _person, unit in rows if unit is not None}
    groups += [(f"u{unit.id}", unit.name) for unit in units.values()]
    ctx.ask(ctx._("Which unit is the person in?"), groups)
    return receive_person_group


@choice_step
async def receive_person_group(ctx: Context) -> Step | None:
    """Offer the people of the chosen unit (or of the office)."""
    unit_id = chosen_id(ctx, "u")
    rows = [
        (person, unit)
        for person, unit in _candidates(ctx)
        if (unit_id is None and person.role != Role.FOCAL.value)
        or (unit_id is not None and person.unit_id == unit_id)
    ]
    if not rows:
        ctx.say(
            ctx._("Nobody is left there. Send {donvi} to start again.").format(
                donvi=command_word(ctx._, "donvi")
            )
        )
        return None
    return _ask_person(ctx, rows)


@choice_step
async def receive_person(ctx: Context) -> Step | None:
    """Ask to confirm the removal, or ask which unit the focal point moves to."""
    _ = ctx._
    person_id = chosen_id(ctx, "p")
    person = ctx.session.get(Person, person_id) if person_id is not None else None
    if person is None:
        ctx.say(
            _("That person was not found. Send {donvi} to start again.").format(
                donvi=command_word(_, "donvi")
            )
        )
        return None
    ctx.data["person_id"] = person.id
    unit = ctx.session.get(Unit, person.unit_id) if person.unit_id else None
    label = person_label(_, person, unit)
    if ctx.data["purpose"] == "move":
        units = [u for u in units_for_target(ctx.session, "all") if u.id != person.unit_id]
        if not units:
            ctx.say(
                _("There is no other unit to move to. Add one with {donvi} first.").format(
                    donvi=command_word(_, "donvi")
                )
            )
            return None
        choices = [(f"u{u.id}", u.name) for u in units]
        ctx.ask(_("Which unit does {person} move to?").format(person=label), choices)
        return receive_new_unit
    problem = removal_problem(ctx.session, person, ctx.person.id)
    if problem:
        ctx.say(_(REMOVAL_PROBLEMS[problem]).format(name=person.name))
        return None
    question = _(
        "Remove {person}? They will receive nothing more from the bot. "
        "Their reports, acknowledgements and contributions are kept."
    ).format(person=label)
    confirm(ctx, question, _("Remove"))
    return receive_removal


@choice_step
async def receive_removal(ctx: Context) -> Step | None:
    """Remove the person and tell their chats, or cancel."""
    _ = ctx._
    if ctx.choice != YES:
        cancelled(ctx)
        return None
    person = ctx.session.get(Person, int(ctx.data["person_id"]))
    assert person is not None
    problem = removal_problem(ctx.session, person, ctx.person.id)
    if problem:
        # Another admin acted in the meantime.
        ctx.say(_(REMOVAL_PROBLEMS[problem]).format(name=person.name))
        return None
    identities = remove_person(ctx.session, person, actor_id=ctx.person.id, now=ctx.now)
    farewell(ctx.session, person, identities, ctx.timezone, ctx.now, ctx.quiet)
    ctx.say(
        _("Removed {name}. They have been told, and their records are kept.").format(
            name=person.name or "—"
        )
    )
    return None


@choice_step
async def receive_new_unit(ctx: Context) -> Step | None:
    """Ask to confirm moving the focal point to the chosen unit."""
    _ = ctx._
    unit_id = chosen_id(ctx, "u")
    unit = ctx.session.get(Unit, unit_id) if unit_id is not None else None
    person = ctx.session.get(Person, int(ctx.data["person_id"]))
    if unit is None or person is None:
        ctx.say(
            _("That unit no longer exists. Send {command} to start again.").format(
                command=command_word(_, "donvi")
            )
        )
        return None
    ctx.data["unit_id"] = unit.id
    old = ctx.session.get(Unit, person.unit_id) if person.unit_id else None
    question = _(
        "Move {name} from {old} to {new}? From now on they receive the directives of {new} "
        "and report for it."
    ).format(name=person.name or "—", old=old.name if old else "—", new=unit.name)
    confirm(ctx, question, _("Move"))
    return receive_move


@choice_step
async def receive_move(ctx: Context) -> Step | None:
    """Move the focal point, or cancel."""
    _ = ctx._
    if ctx.choice != YES:
        cancelled(ctx)
        return None
    person = ctx.session.get(Person, int(ctx.data["person_id"]))
    unit = ctx.session.get(Unit, int(ctx.data["unit_id"]))
    assert person is not None and unit is not None
    problem = move_problem(person, unit)
    if problem:
        ctx.say(_(MOVE_PROBLEMS[problem]).format(name=person.name or "—", unit=unit.name))
        return None
    move_person(ctx.session, person, unit, actor_id=ctx.person.id, now=ctx.now)
    ctx.say(_("{name} is now a focal point of {unit}.").format(name=person.name, unit=unit.name))
    return None
