"""/baocao: a focal point picks one of their unit's assignments and its status."""

from __future__ import annotations

import datetime as dt

from handlers.context import Context
from handlers.i18n import N_, Translator
from handlers.matching import parse_id
from handlers.registry import Step, choice_step, command
from handlers.report_news import STATUS_LABELS, latest_report_text
from handlers.report_send import ask_extras, own_assignment
from handlers.report_text import directive_title
from storage.models import Assignment, Directive, Role
from storage.progress import open_assignments
from storage.unit_reports import recently_done

LABEL_LIMIT = 60
"""Longest label of an assignment choice, so a list of them stays readable on a phone."""
ADD_MORE_DAYS = 30
"""How long a finished assignment stays in the /baocao list, for corrections and evidence."""


def assignment_label(_: Translator, directive: Directive, *, done: bool = False) -> str:
    """Label an assignment choice: 'number — subject… (due dd/mm)' in about 60 characters.

    A finished one reads 'number — subject… (done — add more)': its unit may still send a
    correction or evidence.
    """
    if done:
        tail = _("(done — add more)")
    elif directive.deadline is not None:
        tail = _("(due {date})").format(date=_.day_month(directive.deadline))
    else:
        return directive_title(directive, LABEL_LIMIT)
    return f"{directive_title(directive, LABEL_LIMIT - len(tail) - 1)} {tail}"


@command(
    "baocao",
    roles={Role.FOCAL.value},
    menu_label=N_("Progress report"),
    menu_order=20,
    summary=N_("a progress report"),
)
async def start_report(ctx: Context) -> Step | None:
    """Start a report: on the given assignment, the only open one, or one the person picks."""
    _ = ctx._
    if ctx.args:
        found = own_assignment(ctx, parse_id(ctx.args))
        if found is None:
            ctx.say(_("That task is not one of your unit's, or it does not exist."))
            return None
        return _ask_status(ctx, found)
    unit_id = ctx.person.unit_id
    open_work = open_assignments(ctx.session, unit_id) if unit_id is not None else []
    since = ctx.now - dt.timedelta(days=ADD_MORE_DAYS)
    done = recently_done(ctx.session, unit_id, since) if unit_id is not None else []
    if not open_work and not done:
        ctx.say(_("Your unit has no open directive to report on."))
        return None
    if len(open_work) == 1 and not done:
        return _ask_status(ctx, open_work[0])
    choices = [(f"a{a.id}", assignment_label(_, d)) for a, d in open_work]
    choices += [(f"a{a.id}", assignment_label(_, d, done=True)) for a, d in done]
    ctx.ask(_("Which directive are you reporting on?"), choices)
    return pick_assignment


@choice_step
async def pick_assignment(ctx: Context) -> Step | None:
    """Take the assignment picked from the list of open ones."""
    found = own_assignment(ctx, parse_id(ctx.choice.removeprefix("a")))
    if found is None:
        ctx.say(ctx._("That task is not one of your unit's, or it does not exist."))
        return None
    return _ask_status(ctx, found)


def _ask_status(ctx: Context, found: tuple[Assignment, Directive]) -> Step:
    assignment, directive = found
    ctx.data["assignment_id"] = assignment.id
    # Several focal points may share a unit: each starts from what the others last said.
    if latest := latest_report_text(ctx, assignment.id or 0):
        ctx.say(latest)
    choices = [(status, ctx._(label)) for status, label in STATUS_LABELS.items()]
    title = directive_title(directive, 120)
    ctx.ask(
        ctx._("Report on {directive}.\nWhat is the progress now?").format(directive=title), choices
    )
    return pick_status


@choice_step
async def pick_status(ctx: Context) -> Step | None:
    """Take the status, then ask for the optional note, photos and files."""
    ctx.data["status"] = ctx.choice
    return ask_extras(ctx)
