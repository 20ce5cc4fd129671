"""/toanvan: the whole text of a directive, for a unit that was shown only its own tasks."""

from __future__ import annotations

from handlers.context import Context
from handlers.directive_push import deadline_line
from handlers.matching import parse_id
from handlers.registry import command
from storage.directives import find_assignment
from storage.models import Role


@command("toanvan", roles={Role.FOCAL.value}, keeps_dialog=True)
async def show_full_text(ctx: Context) -> None:
    """Send the whole directive, every unit's tasks included, to a focal point of its unit."""
    _ = ctx._
    assignment_id = parse_id(ctx.args)
    found = find_assignment(ctx.session, assignment_id) if assignment_id else None
    if found is None:
        ctx.say(_("That directive was not found. Please ask the commune office."))
        return None
    assignment, directive = found
    if ctx.person.unit_id != assignment.unit_id:
        ctx.say(_("This directive was sent to another unit."))
        return None
    lines = [
        _("Directive no. {number}, dated {date}").format(
            number=directive.number, date=_.date(directive.issued_on)
        ),
        directive.subject,
        deadline_line(_, directive.deadline),
        "",
        directive.content,
    ]
    ctx.ask("\n".join(lines), [(f"/baocao {assignment_id}", _("Report"))])
    return None
