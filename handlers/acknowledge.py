"""/ack: a focal point confirms receiving a directive sent to their unit.

'/ack 8' (a tap, or 'nhận 8' typed) names the assignment; '/ack' alone ('ok', 'nhận') takes the
newest one this person has not acknowledged yet.
"""

from __future__ import annotations

from handlers.context import Context
from handlers.matching import parse_id
from handlers.registry import command
from handlers.words import command_word
from storage.directives import acknowledge, find_assignment, latest_unacknowledged
from storage.models import Role


@command("ack", roles={Role.FOCAL.value}, keeps_dialog=True)
async def acknowledge_assignment(ctx: Context) -> None:
    """Record, once, that this focal point received the directive assigned to their unit."""
    _ = ctx._
    assignment_id = parse_id(ctx.args) if ctx.args else _newest_waiting(ctx)
    if assignment_id is None:
        if ctx.args:
            ctx.say(
                _("That is not a directive reference. Send {ack} for the newest directive.").format(
                    ack=command_word(_, "ack")
                )
            )
        else:
            ctx.say(_("You have no directive waiting to be acknowledged."))
        return None
    found = find_assignment(ctx.session, assignment_id)
    if found is None:
        ctx.say(_("That directive was not found. Please ask the commune office."))
        return None
    assignment, directive = found
    if ctx.person.unit_id != assignment.unit_id:
        ctx.say(_("This directive was sent to another unit; you cannot acknowledge it."))
        return None
    assert ctx.person.id is not None
    received, created = acknowledge(ctx.session, assignment_id, ctx.person.id, ctx.now)
    if created:
        text = _("Recorded: you received directive no. {number} at {when}.")
    else:
        text = _("You already acknowledged this directive at {when}.")
    # Offered again because on Zalo the numbered choices of the pushed message are now gone.
    ctx.ask(
        text.format(number=directive.number, when=_.when(received.at)),
        [(f"/baocao {assignment_id}", _("Report"))],
    )
    return None


def _newest_waiting(ctx: Context) -> int | None:
    """The newest assignment of the person's unit they have not acknowledged, if any."""
    if ctx.person.unit_id is None or ctx.person.id is None:
        return None
    return latest_unacknowledged(ctx.session, ctx.person.unit_id, ctx.person.id)
