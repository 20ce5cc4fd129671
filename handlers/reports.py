"""/baocao: a focal point picks one of their unit's assignments and its status."""

from __future__ import annotations

import datetime as dt

from handlers.context import Context
from handlers.i18n import N_, Translator
from handlers.matching import parse_id
from handlers.registry import Step, choice_step, command
from handlers.report_milestones import milestone_label, milestone_line, unit_milestones
from handlers.report_news import STATUS_LABELS, latest_report_text
from handlers.report_send import ask_extras, own_assignment
from handlers.report_text import directive_title
from storage.models import Assignment, Directive, Role
from storage.progress import open_assignments
from storage.unit_reports import recently_done

LABEL_LIMIT = 60
"""Longest label of an assignment choice, so a list of them stays readable on a phone."""
OTHER_MILESTONE = "milestone"
"""The choice that lists a directive's milestones, to report on another than the next."""
ADD_MORE_DAYS = 30
"""How long a finished assignment stays in the /baocao list, for corrections and evidence."""


def assignment_label(
    _: Translator, directive: Directive, *, done: bool = False, due: dt.date | None = None
) -> str:
    """Label an assignment choice: 'number — subject… (due dd/mm)' in about 60 characters,
    the date being the unit's next milestone's when given, else the directive's deadline.

    A finished one reads 'number — subject… (done — add more)': its unit may still send a
    correction or evidence.
    """
    due = due or directive.deadline
    if done:
        tail = _("(done — add more)")
    elif due is not None:
        tail = _("(due {date})").format(date=_.day_month(due))
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
        # '/baocao 12', or '/baocao 12 m5' from a milestone's reminder.
        first, _space, milestone = ctx.args.partition(" ")
        found = own_assignment(ctx, parse_id(first))
        if found is None:
            ctx.say(_("That task is not one of your unit's, or it does not exist."))
            return None
        return _ask_status(ctx, found, parse_id(milestone.strip().removeprefix("m")))
    unit_id = ctx.person.unit_id
    open_work = open_assignments(ctx.session, unit_id) if unit_id is not None else []
    since = ctx.now - dt.timedelta(days=ADD_MORE_DAYS)
    done = recently_done(ctx.session, unit_id, since) if unit_id is not None else []
    if not open_work and not done:
        ctx.say(_("Your unit has no open directive to report on."))
        return None
    if len(open_work) == 1 and not done:
        return _ask_status(ctx, open_work[0])
    choices = [(f"a{a.id}", assignment_label(_, d, due=_next_due(ctx, a))) for a, d in open_work]
    choices += [(f"a{a.id}", assignment_label(_, d, done=True)) for a, d in done]
    ctx.ask(_("Which directive are you reporting on?"), choices)
    return pick_assignment


def _next_due(ctx: Context, assignment: Assignment) -> dt.date | None:
    """The date of the unit's next milestone of the assignment, if it has milestones."""
    found = unit_milestones(ctx.session, assignment).next(ctx.today)
    return found.due_on if found is not None else None


@choice_step
async def pick_assignment(ctx: Context) -> Step | None:
    """Take the assignment picked from the list of open ones."""
    found = own_assignment(ctx, parse_id(ctx.choice.removeprefix("a")))
    if found is None:
        ctx.say(ctx._("That task is not one of your unit's, or it does not exist."))
        return None
    return _ask_status(ctx, found)


def _ask_status(
    ctx: Context,
    found: tuple[Assignment, Directive],
    milestone_id: int | None = None,
    *,
    again: bool = False,
) -> Step:
    assignment, directive = found
    _ = ctx._
    ctx.data["assignment_id"] = assignment.id
    # Several focal points may share a unit: each starts from what the others last said.
    if not again and (latest := latest_report_text(ctx, assignment.id or 0)):
        ctx.say(latest)
    milestones = unit_milestones(ctx.session, assignment)
    answered = milestones.find(milestone_id) or milestones.next(ctx.today)
    # Recorded even when there is one milestone: its Done is the last one, closing the work.
    ctx.data["milestone_id"] = answered.id if answered is not None else None
    choices = [(status, _(label)) for status, label in STATUS_LABELS.items()]
    title = directive_title(directive, 120)
    if answered is None or len(milestones.applying) < 2:
        ctx.ask(
            _("Report on {directive}.\nWhat is the progress now?").format(directive=title), choices
        )
        return pick_status
    question = _("Report on {directive}.\n{milestone}\nWhat is the progress now?").format(
        directive=title, milestone=milestone_line(_, answered)
    )
    ctx.ask(question, [*choices, (OTHER_MILESTONE, _("Another milestone"))])
    return pick_status


@choice_step
async def pick_status(ctx: Context) -> Step | None:
    """Take the status, then ask for the optional note, photos and files; or list the
    milestones to report on another."""
    if ctx.choice == OTHER_MILESTONE:
        return _ask_milestone(ctx)
    ctx.data["status"] = ctx.choice
    return ask_extras(ctx)


def _ask_milestone(ctx: Context) -> Step | None:
    found = own_assignment(ctx, ctx.data.get("assignment_id"))
    if found is None:
        ctx.say(ctx._("That task is not one of your unit's, or it does not exist."))
        return None
    milestones = unit_milestones(ctx.session, found[0])
    choices = [
        (f"m{m.id}", milestone_label(ctx._, m, done=m.id in milestones.done))
        for m in milestones.applying
    ]
    ctx.ask(ctx._("Which milestone are you reporting on?"), choices)
    return pick_milestone


@choice_step
async def pick_milestone(ctx: Context) -> Step | None:
    """Take the milestone picked, then ask its progress."""
    found = own_assignment(ctx, ctx.data.get("assignment_id"))
    if found is None:
        ctx.say(ctx._("That task is not one of your unit's, or it does not exist."))
        return None
    return _ask_status(ctx, found, parse_id(ctx.choice.removeprefix("m")), again=True)
