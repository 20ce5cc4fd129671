"""Admin registry in chat: invite codes (/moi) and the list of units (/donvi)."""

from __future__ import annotations

from handlers import roster, unit_archive
from handlers.context import Context
from handlers.i18n import N_, Translator
from handlers.joining import ROLE_NAMES
from handlers.matching import parse_id
from handlers.registry import Step, choice_step, command, step
from handlers.words import command_word
from storage.models import AuditEntry, InviteCode, Role, Unit, UnitKind
from storage.people import (
    add_unit,
    create_invite,
    find_look_alike,
    focal_counts,
    list_units,
    telegram_link,
)
from storage.units_import import MAX_NAME, MIN_NAME, clean_name

ADMINS = {Role.ADMIN.value}

INVITE_ROLES = [
    (Role.FOCAL.value, N_("Unit focal point")),
    (Role.LEADER.value, N_("Commune leader")),
    (Role.ADMIN.value, N_("Administrator")),
]

KIND_NAMES = {
    UnitKind.VILLAGE.value: N_("Village"),
    UnitKind.SCHOOL.value: N_("School"),
    UnitKind.OFFICE.value: N_("Office"),
}

UNIT_ACTIONS = [
    ("add", N_("Add a unit")),
    ("rename", N_("Rename")),
    ("archive", N_("Archive a unit")),
    ("people", N_("People")),
    ("remove", N_("Remove a person")),
    ("move", N_("Move a focal point")),
]
UNIT_ONLY_ACTIONS = {"rename", "archive", "move"}
"""Actions that need at least one unit to act on."""


def _unit_choices(units: list[Unit]) -> list[tuple[str, str]]:
    return [(f"unit{unit.id}", unit.name) for unit in units]


def _chosen_unit(ctx: Context) -> Unit | None:
    """Return the unit behind a choice id such as 'unit12'."""
    unit_id = parse_id(ctx.choice.removeprefix("unit"))
    return ctx.session.get(Unit, unit_id) if unit_id is not None else None


def _audit(ctx: Context, action: str, **detail: object) -> None:
    ctx.session.add(AuditEntry(at=ctx.now, person_id=ctx.person.id, action=action, detail=detail))


# --- /moi: invite codes ---------------------------------------------------------------------


@command("moi", roles=ADMINS, menu_label=N_("Invite someone"), menu_order=70)
async def invite_someone(ctx: Context) -> Step | None:
    """Ask which role the new invite code is for."""
    choices = [(role, ctx._(label)) for role, label in INVITE_ROLES]
    ctx.ask(ctx._("Who is the invite code for?"), choices)
    return receive_invite_role


@choice_step
async def receive_invite_role(ctx: Context) -> Step | None:
    """Create the code for a leader or admin; for a focal point, ask the unit first."""
    if ctx.choice != Role.FOCAL.value:
        _issue_invite(ctx, ctx.choice, None)
        return None
    units = list_units(ctx.session)
    if not units:
        ctx.say(
            ctx._("There are no units yet. Add one with {donvi}, then send {moi} again.").format(
                donvi=command_word(ctx._, "donvi"), moi=command_word(ctx._, "moi")
            )
        )
        return None
    ctx.data["role"] = ctx.choice
    ctx.ask(ctx._("Which unit is the focal point for?"), _unit_choices(units))
    return receive_invite_unit


@choice_step
async def receive_invite_unit(ctx: Context) -> Step | None:
    """Create the focal point's code for the chosen unit."""
    unit = _chosen_unit(ctx)
    if unit is None:
        ctx.say(_gone(ctx, "moi"))
        return None
    _issue_invite(ctx, Role.FOCAL.value, unit)
    return None


def _issue_invite(ctx: Context, role: str, unit: Unit | None) -> None:
    """Create a one-time code, record who made it, and show it with how to use it."""
    unit_id = unit.id if unit else None
    invite = create_invite(ctx.session, role, ctx.now, unit_id=unit_id, created_by=ctx.person.id)
    _audit(ctx, "invite.create", code=invite.code, role=role, unit_id=unit_id)
    ctx.say(invite_text(ctx._, invite, unit, telegram_link(ctx.session, invite.code)))


def invite_text(_: Translator, invite: InviteCode, unit: Unit | None, link: str) -> str:
    """Describe an invite code: who it is for, until when, and how to redeem it."""
    role = _(ROLE_NAMES[Role(invite.role)])
    who = _("{role} of {unit}").format(role=role, unit=unit.name) if unit else role
    lines = [
        _("Invite code: {code}").format(code=invite.code),
        _("For: {who}").format(who=who),
        _("Valid until {expiry}, for one person only.").format(expiry=_.when(invite.expires_at)),
    ]
    if link:
        how = _(
            "On Telegram: open the link {link} or send /start {code}; "
            "on Zalo: send the code {code} to the bot."
        )
    else:
        how = _(
            "On Telegram: send /start {code} to the bot; on Zalo: send the code {code} to the bot."
        )
    lines.append(how.format(link=link, code=invite.code))
    return "\n".join(lines)


# --- /donvi: units ---------------------------------------------------------------------------


@command("donvi", roles=ADMINS, menu_label=N_("Units"), menu_order=80)
async def show_units(ctx: Context) -> Step | None:
    """List the units by kind with their focal points, and offer what can be done with them
    and with the people on the roster."""
    units = list_units(ctx.session)
    ctx.say(units_text(ctx._, units, focal_counts(ctx.session)))
    actions = [(a, label) for a, label in UNIT_ACTIONS if units or a not in UNIT_ONLY_ACTIONS]
    choices = [(action, ctx._(label)) for action, label in actions]
    ctx.ask(ctx._("What do you want to do with the units?"), choices)
    return receive_unit_action


def units_text(_: Translator, units: list[Unit], counts: dict[int, int]) -> str:
    """Render the units grouped by kind, each with its number of focal points."""
    if not units:
        return _("No units yet.")
    lines = [_("Units ({count}):").format(count=_.number(len(units)))]
    for kind, label in KIND_NAMES.items():
        of_kind = [unit for unit in units if unit.kind == kind]
        if not of_kind:
            continue
        lines.append("")
        lines.append(_(label) + ":")
        for unit in of_kind:
            count = counts.get(unit.id or 0, 0)
            if count:
                line = _("• {name}: {count} focal points").format(
                    name=unit.name, count=_.number(count)
                )
            else:
                line = _("• {name}: no focal point yet").format(name=unit.name)
            lines.append(line)
    return "\n".join(lines)


@choice_step
async def receive_unit_action(ctx: Context) -> Step | None:
    """Start adding a unit, renaming or archiving one, or listing, removing or moving people."""
    if ctx.choice == "add":
        ctx.ask(ctx._("Send the name of the new unit (for example: Thôn Đông, Trường TH An Hưng)."))
        return receive_unit_name
    if ctx.choice == "archive":
        return unit_archive.start_archiving(ctx)
    if ctx.choice == "people":
        roster.show_people(ctx)
        return None
    if ctx.choice in {"remove", "move"}:
        return roster.start_picking(ctx, ctx.choice)
    ctx.ask(ctx._("Which unit do you want to rename?"), _unit_choices(list_units(ctx.session)))
    return receive_unit_to_rename


def _name_problem(ctx: Context, name: str, current: Unit | None = None) -> str:
    """Say what is wrong with a unit name, or '' when it can be used."""
    if not MIN_NAME <= len(name) <= MAX_NAME or not any(ch.isalpha() for ch in name):
        return ctx._("Please send a name of {low} to {high} characters, with letters.").format(
            low=MIN_NAME, high=MAX_NAME
        )
    if current is not None and name == current.name:
        return ctx._("That is already the unit's name. Please send a different name.")
    taken = find_look_alike(ctx.session, name)
    if taken is not None and taken.id != (current.id if current else None):
        return ctx._("There is already a unit named {name}. Please send another name.").format(
            name=taken.name
        )
    return ""


@step
async def receive_unit_name(ctx: Context) -> Step | None:
    """Check the new unit's name is usable and free, then ask its kind."""
    name = clean_name(ctx.text)
    problem = _name_problem(ctx, name)
    if problem:
        ctx.reask(problem)
        return receive_unit_name
    ctx.data["name"] = name
    choices = [(kind, ctx._(label)) for kind, label in KIND_NAMES.items()]
    ctx.ask(ctx._("What kind of unit is {name}?").format(name=name), choices)
    return receive_unit_kind


@choice_step
async def receive_unit_kind(ctx: Context) -> Step | None:
    """Add the unit and record who added it."""
    name = str(ctx.data["name"])
    problem = _name_problem(ctx, name)
    if problem:
        # Someone else took the name while this admin was choosing the kind.
        ctx.say(problem)
        return None
    unit = add_unit(ctx.session, name, ctx.choice)
    _audit(ctx, "unit.add", unit_id=unit.id, name=unit.name, kind=unit.kind)
    ctx.say(
        ctx._("Unit {name} ({kind}) added. Send {moi} to invite its focal point.").format(
            name=unit.name, kind=ctx._(KIND_NAMES[unit.kind]), moi=command_word(ctx._, "moi")
        )
    )
    return None


@choice_step
async def receive_unit_to_rename(ctx: Context) -> Step | None:
    """Ask the new name of the chosen unit."""
    unit = _chosen_unit(ctx)
    if unit is None:
        ctx.say(_gone(ctx, "donvi"))
        return None
    ctx.data["unit_id"] = unit.id
    ctx.ask(ctx._("Send the new name for {name}.").format(name=unit.name))
    return receive_new_unit_name


@step
async def receive_new_unit_name(ctx: Context) -> Step | None:
    """Rename the unit when the new name is usable and free."""
    unit = ctx.session.get(Unit, int(ctx.data["unit_id"]))
    if unit is None:
        ctx.say(_gone(ctx, "donvi"))
        return None
    name = clean_name(ctx.text)
    problem = _name_problem(ctx, name, unit)
    if problem:
        ctx.reask(problem)
        return receive_new_unit_name
    old = unit.name
    unit.name = name
    ctx.session.add(unit)
    _audit(ctx, "unit.rename", unit_id=unit.id, old=old, new=name)
    ctx.say(ctx._("Renamed {old} to {new}.").format(old=old, new=name))
    return None


def _gone(ctx: Context, command: str) -> str:
    """Say the chosen unit was removed meanwhile, and how to start the command again."""
    return ctx._("That unit no longer exists. Send {command} to start again.").format(
        command=command_word(ctx._, command)
    )
