"""/congvan's summary of a document read: change a milestone's date, or drop one read wrongly.

A milestone is [date, what is due, kind of unit] in the dialog's data until the directive is
sent; the directive's deadline follows the latest one, as when the document was read.
"""

from __future__ import annotations

import datetime as dt

from handlers.context import Context
from handlers.i18n import N_, Translator
from handlers.matching import parse_id
from handlers.registry import Step, choice_step, step
from handlers.report_text import shorten
from storage.models import UnitKind

FOR_KINDS = {
    "": N_("every unit"),
    UnitKind.VILLAGE.value: N_("the villages"),
    UnitKind.SCHOOL.value: N_("the schools"),
    UnitKind.OFFICE.value: N_("the offices"),
}
"""Whom a milestone binds, as the summary and the choices say it."""
LABEL_LIMIT = 40
"""How much of what is due a milestone's choice shows."""


def milestone_summary_line(_: Translator, milestone: list[str]) -> str:
    """'- 28/03/2026, các trường: chậm nhất ngày 28/03/2026 gửi báo cáo …' for the summary."""
    date, what, kind = milestone
    whom = _(FOR_KINDS.get(kind, FOR_KINDS[""]))
    return f"- {_.date(dt.date.fromisoformat(date))}, {whom}: {what}"


def ask_milestones(ctx: Context) -> Step:
    """List the milestones read, each one tap from being changed or dropped."""
    _ = ctx._
    choices = []
    for number, (date, what, kind) in enumerate(ctx.data.get("milestones", []), start=1):
        whom = _(FOR_KINDS.get(kind, FOR_KINDS[""]))
        label = f"{_.day_month(dt.date.fromisoformat(date))}, {whom}: {shorten(what, LABEL_LIMIT)}"
        choices.append((f"m{number}", label.rstrip(": ")))
    ctx.ask(_("Which deadline should be changed?"), [*choices, ("back", _("Back"))])
    return pick_milestone


@choice_step
async def pick_milestone(ctx: Context) -> Step | None:
    """Take the milestone to change, or go back to the summary unchanged."""
    from handlers.directive_review import ask_confirmation

    number = parse_id(ctx.choice.removeprefix("m"))
    milestones = ctx.data.get("milestones", [])
    if ctx.choice == "back" or number is None or number > len(milestones):
        return ask_confirmation(ctx)
    ctx.data["milestone"] = number - 1
    date = dt.date.fromisoformat(milestones[number - 1][0])
    ctx.ask(
        ctx._("Type the new date of the deadline {date} (dd/mm/yyyy), or drop it.").format(
            date=ctx._.date(date)
        ),
        [("drop", ctx._("Drop this deadline")), ("back", ctx._("Back"))],
    )
    return receive_milestone_date


@step
async def receive_milestone_date(ctx: Context) -> Step | None:
    """Move the milestone to the date typed, or drop it; then show the summary again."""
    from handlers.directive_review import ask_confirmation
    from handlers.directives import read_date

    milestones: list[list[str]] = [list(m) for m in ctx.data.get("milestones", [])]
    index = ctx.data.pop("milestone", None)
    if ctx.choice == "back" or index is None or index >= len(milestones):
        return ask_confirmation(ctx)
    if ctx.choice == "drop":
        removed = milestones.pop(index)
        ctx.say(
            ctx._("Dropped the deadline {date}.").format(
                date=ctx._.date(dt.date.fromisoformat(removed[0]))
            )
        )
    else:
        moved = read_date(ctx, allow_past=False, allow_future=True)
        if moved is None:
            ctx.data["milestone"] = index
            return receive_milestone_date
        milestones[index][0] = moved.isoformat()
    _follow_latest(ctx, milestones)
    return ask_confirmation(ctx)


def _follow_latest(ctx: Context, milestones: list[list[str]]) -> None:
    """Keep the milestones in date order and the deadline on the latest, as when read."""
    read_deadline = max((m[0] for m in ctx.data.get("milestones", [])), default=None)
    milestones.sort()
    ctx.data["milestones"] = milestones
    # A deadline the admin typed (not the latest milestone's) is theirs, and stays.
    if ctx.data.get("deadline") == read_deadline and milestones:
        ctx.data["deadline"] = milestones[-1][0]
