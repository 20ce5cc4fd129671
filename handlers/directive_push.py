"""Describing a directive: the preview for the admin, and the push to each unit's focal points."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import TypeVar

from sqlmodel import Session

from handlers.context import Context, Notice, Render
from handlers.i18n import N_, Translator
from handlers.messages import Choice, Outbound
from handlers.words import command_word, spoken
from storage.directive_tasks import (
    done_by_unit,
    milestones_of,
    task_for,
    tasks_of,
    unit_deadline,
)
from storage.directives import focal_points
from storage.models import Assignment, Directive, DirectiveTask, Milestone, Role, Unit, UnitKind
from storage.progress import open_assignments

PREVIEW_CHARS = 300
"""How much of the content the admin sees before sending."""
MAX_CATCH_UP = 10
"""Open directives listed to a newcomer; the rest are in /baocao."""
Item = TypeVar("Item")


def deadline_line(_: Translator, deadline: dt.date | None) -> str:
    """Return 'Deadline: 30/04/2026' or 'Deadline: none' in the reader's language."""
    if deadline is None:
        return _("Deadline: none")
    return _("Deadline: {date}").format(date=_.date(deadline))


def due_line(_: Translator, deadline: dt.date | None, today: dt.date) -> str:
    """Say the deadline and how far it is from `today`: (còn 3 ngày), (ngày mai), (hôm nay),
    (quá hạn 2 ngày)."""
    if deadline is None:
        return deadline_line(_, None)
    date, days = _.date(deadline), (deadline - today).days
    if days > 1:
        return _("Deadline: {date} ({days} days left)").format(date=date, days=_.number(days))
    if days == 1:
        return _("Deadline: {date} (tomorrow)").format(date=date)
    if days == 0:
        return _("Deadline: {date} (today)").format(date=date)
    if days == -1:
        return _("Deadline: {date} (1 day overdue)").format(date=date)
    return _("Deadline: {date} ({days} days overdue)").format(date=date, days=_.number(-days))


def preview(_: Translator, draft: Directive, units: list[Unit]) -> str:
    """Describe an unsent directive for the admin to check, ending with the question."""
    content = draft.content
    if len(content) > PREVIEW_CHARS:
        content = content[:PREVIEW_CHARS].rstrip() + "…"
    lines = [
        _("Please check the directive:"),
        _("Number: {number}").format(number=draft.number),
        _("Issued: {date}").format(date=_.date(draft.issued_on)),
        _("Subject: {subject}").format(subject=draft.subject),
        _("Content: {content}").format(content=content),
    ]
    if draft.file_ref:
        lines.append(_("File: {name}").format(name=draft.file_name))
    names = ", ".join(unit.name for unit in units)
    lines.append(_("To ({count}): {units}").format(count=_.number(len(units)), units=names))
    lines += [deadline_line(_, draft.deadline), "", _("Send it now?")]
    return "\n".join(lines)


TASK_LABELS = {
    UnitKind.VILLAGE.value: N_("Tasks of the village:"),
    UnitKind.SCHOOL.value: N_("Tasks of the school:"),
    UnitKind.OFFICE.value: N_("Tasks of the office:"),
}
"""What leads a unit's own part of a directive, by the kind of unit it is addressed to."""


@dataclass(frozen=True)
class UnitPart:
    """What a directive asks of one unit: its task (None: the whole content) and deadline."""

    task: DirectiveTask | None = None
    deadline: dt.date | None = None
    due: str = ""
    """What is due by the deadline, when the document says ('gửi báo cáo kết quả')."""


def task_heading(_: Translator, task: DirectiveTask, unit_name: str) -> str:
    """'Nhiệm vụ của thôn:' for a kind's task, 'Nhiệm vụ của Trường THCS An Hưng:' for a unit's."""
    if task.unit_id is None and task.unit_kind in TASK_LABELS:
        return _(TASK_LABELS[task.unit_kind])
    return _("Tasks of {unit}:").format(unit=unit_name)


def unit_deadline_line(_: Translator, part: UnitPart) -> str:
    """'Hạn: 28/03/2026 (gửi báo cáo kết quả)', or the plain deadline line."""
    if part.deadline is not None and part.due:
        return _("Deadline: {date} ({what})").format(date=_.date(part.deadline), what=part.due)
    return deadline_line(_, part.deadline)


def assignment_notice(
    directive: Directive, assignment_id: int, unit_name: str, part: UnitPart | None = None
) -> Render:
    """Build the pushed message of one assignment, with its Received and Report choices.

    A unit with a task of its own reads that task first, with the full text one tap away.
    """
    number, issued_on, subject = directive.number, directive.issued_on, directive.subject
    content, file_name = directive.content, directive.file_name
    part = part or UnitPart(deadline=directive.deadline)

    def render(_: Translator) -> tuple[str, list[Choice]]:
        header = [
            "🔔 "
            + _("Directive no. {number}, dated {date}").format(
                number=number, date=_.date(issued_on)
            ),
            subject,
            unit_deadline_line(_, part),
            _("Unit: {unit}").format(unit=unit_name),
        ]
        if file_name:
            # Channels without files (Zalo) still learn that there is one to ask for.
            header.append(_("Attached file: {name}").format(name=file_name))
        choices = [
            (f"/ack {assignment_id}", _("Received")),
            (f"/baocao {assignment_id}", _("Report")),
        ]
        if part.task is None:
            return "\n".join(header) + "\n\n" + content, choices
        body = task_heading(_, part.task, unit_name) + "\n" + part.task.body
        choices.append((f"/toanvan {assignment_id}", _("Full text")))
        return "\n".join(header) + "\n\n" + body, choices

    return render


def unit_part(
    directive: Directive,
    tasks: list[DirectiveTask],
    milestones: list[Milestone],
    unit: Unit,
    today: dt.date,
    done: Collection[int] = frozenset(),
) -> UnitPart:
    """What a directive asks of one unit as of `today`, past the milestones it finished."""
    deadline, due = unit_deadline(directive, milestones, unit.kind, today, done)
    return UnitPart(task_for(tasks, unit) if tasks else None, deadline, due)


def unit_parts(
    session: Session, directive: Directive, units: list[Unit], today: dt.date
) -> dict[int, UnitPart]:
    """What a directive asks of each of these units as of `today`, by unit id."""
    assert directive.id is not None
    tasks = tasks_of(session, directive.id)
    milestones = milestones_of(session, directive.id)
    done = done_by_unit(session, directive.id) if milestones else {}
    return {
        unit.id or 0: unit_part(
            directive, tasks, milestones, unit, today, done.get(unit.id or 0, ())
        )
        for unit in units
    }


def part_groups(
    items: Iterable[Item], part_of: Callable[[Item], UnitPart]
) -> list[tuple[UnitPart, list[Item]]]:
    """Units (or their rows) grouped by what is asked of them, same task and same deadline,
    in list order: the villages under the villages' task, the schools under theirs, each
    office given a task of its own."""
    groups: dict[tuple[int | None, dt.date | None, str], tuple[UnitPart, list[Item]]] = {}
    for item in items:
        part = part_of(item)
        key = (part.task.id if part.task else None, part.deadline, part.due)
        groups.setdefault(key, (part, []))[1].append(item)
    return list(groups.values())


def directive_notices(
    session: Session,
    directive: Directive,
    assignments: list[Assignment],
    units: list[Unit],
    today: dt.date,
) -> tuple[list[Notice], list[Unit]]:
    """The push of a new directive to every focal point of every assigned unit, each led by
    its unit's part; and the units that have no focal point to push it to."""
    names = {unit.id: unit for unit in units}
    parts = unit_parts(session, directive, units, today)
    notices: list[Notice] = []
    without: list[Unit] = []
    for assignment in assignments:
        unit = names[assignment.unit_id]
        people = focal_points(session, assignment.unit_id)
        if not people:
            without.append(unit)
        for person in people:
            assert assignment.id is not None and person.id is not None
            notice = assignment_notice(directive, assignment.id, unit.name, parts[unit.id or 0])
            notices.append(
                Notice(
                    person.id,
                    notice,
                    key=f"assignment:{assignment.id}:person:{person.id}",
                    document=directive.file_ref,
                )
            )
    return notices, without


def push_directive(
    ctx: Context, directive: Directive, assignments: list[Assignment], units: list[Unit]
) -> tuple[int, list[Unit]]:
    """Notify every focal point of every assigned unit; return people reached, units without."""
    notices, without = directive_notices(ctx.session, directive, assignments, units, ctx.today)
    ctx.notices.extend(notices)
    return len(notices), without


def report_sent(ctx: Context, unit_count: int, reached: int, without: list[Unit]) -> None:
    """Tell the admin how many units and people the directive went to, and who has no one."""
    _ = ctx._
    lines = [
        _("Sent the directive to {units} units, {people} people.").format(
            units=_.number(unit_count), people=_.number(reached)
        )
    ]
    if without:
        names = ", ".join(unit.name for unit in without)
        lines.append(_("No focal point yet: {units}.").format(units=names))
    if note := ctx.quiet_note():
        lines.append(note)
    ctx.say("\n".join(lines))


def catch_up(ctx: Context) -> None:
    """Show a focal point who just joined their unit's open directives, in one message."""
    _ = ctx._
    unit_id = ctx.person.unit_id
    if ctx.person.role != Role.FOCAL.value or unit_id is None:
        return
    open_work = open_assignments(ctx.session, unit_id)
    if not open_work:
        return
    buttons = _.buttons
    if len(open_work) == 1:
        blocks = [_("Your unit has one directive still open:")]
    else:
        heading = _("Your unit has {count} directives still open:")
        blocks = [heading.format(count=_.number(len(open_work)))]
    choices: list[Choice] = []
    for index, (assignment, directive) in enumerate(open_work[:MAX_CATCH_UP], start=1):
        lines = [
            f"{index}. "
            + _("Directive no. {number}, dated {date}").format(
                number=directive.number, date=_.date(directive.issued_on)
            ),
            directive.subject,
            due_line(_, directive.deadline, ctx.today),
        ]
        ack, report = f"/ack {assignment.id}", f"/baocao {assignment.id}"
        if buttons:
            choices += [
                (ack, _("Received {number}").format(number=directive.number)),
                (report, _("Report {number}").format(number=directive.number)),
            ]
        else:
            # Numbered replies belong to the menu just shown: spell the words out.
            words = " / ".join([spoken(_, ack), spoken(_, report)])
            lines.append(_("Reply: {words}").format(words=words))
        blocks.append("\n".join(lines))
    if len(open_work) > MAX_CATCH_UP:
        more = len(open_work) - MAX_CATCH_UP
        rest = _("And {count} more: send {baocao} to see them all.")
        blocks.append(rest.format(count=_.number(more), baocao=command_word(_, "baocao")))
    # Not ctx.ask: the menu's choices stay the ones a numbered reply answers.
    ctx.replies.append(Outbound(ctx.here, "\n\n".join(blocks), choices))
