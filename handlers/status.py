"""/tinhhinh: where each open directive stands, and unit by unit on request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from handlers.context import Context
from handlers.directive_push import deadline_line
from handlers.file_refs import chart_ref, photos_reach
from handlers.i18n import N_, Translator
from handlers.matching import normalize, parse_id
from handlers.registry import Step, command
from handlers.remind_now import remind_unreported
from handlers.report_news import status_label
from handlers.report_text import directive_title, shorten
from handlers.unit_history import unit_action, unit_choice
from handlers.words import command_word
from storage.difficulties import ThreadState, thread_states
from storage.directive_tasks import (
    milestones_done,
    milestones_of,
    next_milestone,
    task_for,
    tasks_of,
    unit_kinds,
)
from storage.directives import DirectiveSummary, directive_summaries, open_directive_page
from storage.models import Directive, DirectiveTask, Milestone, ProgressStatus, Role, Unit
from storage.progress import UnitProgress, directive_status

MAX_SHOWN = 10
UNITS_PER_PAGE = 20
"""Units per message of `/tinhhinh <id>`: a province's directive may go to thousands."""
CHOICE_LABEL_LIMIT = 40
REMIND = "nhacnho"
"""`/tinhhinh <id> nhacnho`: the choice under the unit list reminding units not reported."""


@command(
    "tinhhinh",
    roles={Role.ADMIN.value, Role.LEADER.value},
    menu_label=N_("Status of directives"),
    menu_order=30,
)
async def show_status(ctx: Context) -> Step | None:
    """Summarise every open directive, or one directive unit by unit when given its id."""
    if ctx.args:
        return _show_units(ctx)
    _ = ctx._
    # Only the directives shown are loaded and counted; the rest is one number.
    shown, open_count = open_directive_page(ctx.session, MAX_SHOWN)
    if not shown:
        ctx.say(_("There is no open directive: every unit has completed its tasks."))
        return None
    blocks = [_("Open directives, as of {date}:").format(date=_.date(ctx.today))]
    for status in directive_summaries(ctx.session, shown, ctx.today):
        blocks.append(summary(_, status))
    if open_count > MAX_SHOWN:
        more = _("{count} more open directives are not shown.")
        blocks.append(more.format(count=_.number(open_count - MAX_SHOWN)))
    ctx.say("\n\n".join(blocks))
    # Command choices, so the buttons keep working after the admin has done something else.
    choices = [(f"/tinhhinh {d.id}", directive_title(d, CHOICE_LABEL_LIMIT)) for d in shown]
    ctx.ask(_("Choose a directive to see each unit."), choices)
    return None


def summary(_: Translator, status: DirectiveSummary) -> str:
    """Render one directive's counts: acknowledged, reported, completed, overdue, deadline."""
    units = status.unit_count
    lines = [
        "📄 " + directive_title(status.directive, 80),
        _("Acknowledged: {done}/{total} people").format(
            done=status.acknowledged, total=status.focal_points
        ),
        _("Reported: {done}/{total} units").format(done=status.reported, total=units),
        _("Completed: {done}/{total} units").format(done=status.done, total=units),
    ]
    if status.overdue:
        lines.append(_("Overdue: {units}").format(units=", ".join(status.overdue)))
    lines.append(deadline_line(_, status.directive.deadline))
    return "\n".join(lines)


def _show_units(ctx: Context) -> None:
    """Show one directive unit by unit, a page at a time: status, report time,
    acknowledgements, reachability."""
    _ = ctx._
    reference, _space, action = ctx.args.partition(" ")
    directive_id = parse_id(reference)
    directive = ctx.session.get(Directive, directive_id) if directive_id else None
    remind = normalize(action) == REMIND
    page = int(action) if action.strip().isdigit() else 1 if not action.strip() else 0
    if directive is not None and directive.id is not None and unit_action(ctx, directive, action):
        return None
    if directive is None or directive.id is None or (not remind and page < 1):
        ctx.say(
            _("That directive was not found. Send {tinhhinh} to see the list.").format(
                tinhhinh=command_word(_, "tinhhinh")
            )
        )
        return None
    if remind:
        remind_unreported(ctx, directive)
        return None
    [counts] = directive_summaries(ctx.session, [directive], ctx.today)
    pages = max(1, -(-counts.unit_count // UNITS_PER_PAGE))
    page = min(page, pages)
    status = directive_status(
        ctx.session,
        directive.id,
        ctx.today,
        offset=(page - 1) * UNITS_PER_PAGE,
        limit=UNITS_PER_PAGE,
    )
    lines = ["📄 " + directive_title(directive, 120), deadline_line(_, directive.deadline), ""]
    if not status.units:
        lines.append(_("This directive was not assigned to any unit."))
    elif pages > 1:
        first = (page - 1) * UNITS_PER_PAGE + 1
        shown = _("Units {first}–{last} of {total}:").format(
            first=_.number(first),
            last=_.number(first + len(status.units) - 1),
            total=_.number(counts.unit_count),
        )
        lines.append(shown)
    threads = thread_states(
        ctx.session,
        [row.assignment_id for row in status.units if row.status == ProgressStatus.DIFFICULTY],
    )
    milestones = milestones_of(ctx.session, directive.id)
    tasks = tasks_of(ctx.session, directive.id)
    wanted = milestones or tasks
    kinds = unit_kinds(ctx.session, [row.unit_id for row in status.units]) if wanted else {}
    finished = (
        milestones_done(ctx.session, [row.assignment_id for row in status.units])
        if milestones
        else {}
    )
    group = -1
    for row in status.units:
        if tasks:
            # Units come grouped by kind: each group of the same task is headed by it.
            task = task_for(tasks, Unit(id=row.unit_id, kind=kinds.get(row.unit_id, "")))
            key = task.id or 0 if task is not None else 0
            if key != group:
                lines.append(task_group_line(_, task))
                group = key
        lines.extend(unit_lines(_, row, threads.get(row.assignment_id)))
        if milestones and row.status != ProgressStatus.DONE.value:
            kind, done = kinds.get(row.unit_id, ""), finished.get(row.assignment_id, set())
            lines.extend(milestone_line(_, milestones, kind, ctx.today, done))
    # Command choices, so the taps still work after the admin has done something else.
    choices = []
    if page < pages:
        choices.append((f"/tinhhinh {directive.id} {page + 1}", _("Next units")))
    if counts.reported < counts.unit_count:
        choices.append((f"/tinhhinh {directive.id} {REMIND}", _("Remind units not yet reported")))
    # Then each unit that reported, to see its reports and photos; last, so the numbers of
    # the choices above stay the same on Zalo.
    choices += [
        (unit_choice(directive.id, row.unit_id), shorten(row.unit_name, CHOICE_LABEL_LIMIT))
        for row in status.units
        if row.reported_at is not None
    ]
    if choices:
        ctx.ask("\n".join(lines), choices)
    else:
        ctx.say("\n".join(lines))
    if page == 1 and status.units and photos_reach(ctx.inbound.channel):
        # After the list: the picture is what the admin sees last, where the chat opens.
        caption = _("Status chart: {done}/{total} units reported").format(
            done=counts.reported, total=counts.unit_count
        )
        ctx.say(caption, photo=chart_ref(directive.id))
    return None


def task_group_line(_: Translator, task: DirectiveTask | None) -> str:
    """'▸ 4. Các ông (bà) Trưởng thôn', heading the units given that task."""
    if task is None:
        return "▸ " + _("The whole text (no task of their own)")
    return "▸ " + shorten(task.heading, 100)


def milestone_line(
    _: Translator,
    milestones: list[Milestone],
    unit_kind: str,
    today: dt.date,
    done: Collection[int] = frozenset(),
) -> list[str]:
    """'   Mốc tới: 28/03/2026 — gửi báo cáo …' for a unit of a directive with milestones,
    past the ones it reported done."""
    found = next_milestone(milestones, unit_kind, today, done)
    if found is None:
        return []
    text = _("Next deadline: {date}").format(date=_.date(found.due_on))
    if found.what:
        text += f" — {shorten(found.what, 100)}"
    return ["   " + text]


def unit_lines(_: Translator, row: UnitProgress, thread: ThreadState | None = None) -> list[str]:
    """Render one unit's line, with who cannot be reached and its difficulty, if any: open
    with its latest answer, or resolved."""
    counts = {"done": row.acknowledged, "total": row.focal_points}
    if row.reported_at is not None:
        text = _("{unit}: {status}, reported {time}; acknowledged {done}/{total}").format(
            unit=row.unit_name,
            status=status_label(_, row.status),
            time=_.when(row.reported_at),
            **counts,
        )
    else:
        text = _("{unit}: not reported yet; acknowledged {done}/{total}").format(
            unit=row.unit_name, **counts
        )
    if not row.focal_points:
        text = f"{text} — " + _("no focal point yet")
    lines = [("⚠️ " if row.overdue else "") + text]
    if row.status == ProgressStatus.DIFFICULTY.value and row.latest_note:
        lines.append("   " + _("Difficulty: {note}").format(note=shorten(row.latest_note, 100)))
        if thread is not None:
            lines.extend("   " + line for line in thread_lines(_, thread))
    if row.unreachable:
        names = ", ".join(row.unreachable)
        lines.append("   " + _("cannot be reached: {names}").format(names=names))
    return lines


def thread_lines(_: Translator, thread: ThreadState) -> list[str]:
    """Say where a difficulty stands: resolved by whom and when, else its latest answer."""
    if thread.resolved_at is not None:
        return [
            _("Resolved by {name}, {time}").format(
                name=thread.resolved_by or "—", time=_.when(thread.resolved_at)
            )
        ]
    if not thread.latest_text:
        return [_("Not answered yet")]
    return [
        _("Latest answer, by {name}: {text}").format(
            name=thread.latest_by or "—", text=shorten(thread.latest_text, 80)
        )
    ]
