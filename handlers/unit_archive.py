"""Admins archive a unit from /donvi: it leaves pickers, status and reminders; records stay."""

from __future__ import annotations

from handlers.context import Context
from handlers.registry import Step, choice_step
from handlers.roster import YES, cancelled, chosen_id, confirm
from handlers.words import command_word
from storage.directives import units_for_target
from storage.models import Unit
from storage.people import focal_counts
from storage.roster import archive_unit


def start_archiving(ctx: Context) -> Step | None:
    """Ask which unit to archive."""
    units = units_for_target(ctx.session, "all")
    if not units:
        ctx.say(ctx._("No units yet."))
        return None
    ctx.ask(ctx._("Which unit do you want to archive?"), [(f"u{u.id}", u.name) for u in units])
    return receive_unit_to_archive


@choice_step
async def receive_unit_to_archive(ctx: Context) -> Step | None:
    """Ask to confirm archiving the chosen unit, saying what happens to its focal points."""
    _ = ctx._
    unit_id = chosen_id(ctx, "u")
    unit = ctx.session.get(Unit, unit_id) if unit_id is not None else None
    if unit is None or unit.archived_at is not None:
        ctx.say(
            _("That unit no longer exists. Send {command} to start again.").format(
                command=command_word(_, "donvi")
            )
        )
        return None
    ctx.data["unit_id"] = unit.id
    lines = [
        _(
            "Archive {unit}? It leaves the unit lists, the status of directives and the "
            "reminders; its records are kept."
        ).format(unit=unit.name)
    ]
    count = focal_counts(ctx.session).get(unit.id or 0, 0)
    if count:
        lines.append(
            _(
                "Its {count} focal points will receive nothing more for it; "
                "move them to another unit or remove them."
            ).format(count=_.number(count))
        )
    confirm(ctx, "\n".join(lines), _("Archive"))
    return receive_archiving


@choice_step
async def receive_archiving(ctx: Context) -> Step | None:
    """Archive the unit, or cancel."""
    _ = ctx._
    if ctx.choice != YES:
        cancelled(ctx)
        return None
    unit = ctx.session.get(Unit, int(ctx.data["unit_id"]))
    assert unit is not None
    if unit.archived_at is None:
        archive_unit(ctx.session, unit, actor_id=ctx.person.id, now=ctx.now)
    ctx.say(_("Archived {unit}.").format(unit=unit.name))
    return None
