"""Describing a directive: the preview for the admin, and the push to each unit's focal points."""

from __future__ import annotations

import datetime as dt

from handlers.context import Context, Render
from handlers.i18n import Translator
from handlers.messages import Choice
from storage.directives import focal_points
from storage.models import Assignment, Directive, Unit

PREVIEW_CHARS = 300
"""How much of the content the admin sees before sending."""


def deadline_line(_: Translator, deadline: dt.date | None) -> str:
    """Return 'Deadline: 30/04/2026' or 'Deadline: none' in the reader's language."""
    if deadline is None:
        return _("Deadline: none")
    return _("Deadline: {date}").format(date=_.date(deadline))


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


def assignment_notice(directive: Directive, assignment_id: int, unit_name: str) -> Render:
    """Build the pushed message of one assignment, with its Received and Report choices."""
    number, issued_on, subject = directive.number, directive.issued_on, directive.subject
    deadline, content, file_name = directive.deadline, directive.content, directive.file_name

    def render(_: Translator) -> tuple[str, list[Choice]]:
        header = [
            "🔔 "
            + _("Directive no. {number}, dated {date}").format(
                number=number, date=_.date(issued_on)
            ),
            subject,
            deadline_line(_, deadline),
            _("Unit: {unit}").format(unit=unit_name),
        ]
        if file_name:
            # Channels without files (Zalo) still learn that there is one to ask for.
            header.append(_("Attached file: {name}").format(name=file_name))
        choices = [
            (f"/ack {assignment_id}", _("Received")),
            (f"/baocao {assignment_id}", _("Report")),
        ]
        return "\n".join(header) + "\n\n" + content, choices

    return render


def push_directive(
    ctx: Context, directive: Directive, assignments: list[Assignment], units: list[Unit]
) -> tuple[int, list[Unit]]:
    """Notify every focal point of every assigned unit; return people reached, units without."""
    names = {unit.id: unit for unit in units}
    reached = 0
    without: list[Unit] = []
    for assignment in assignments:
        unit = names[assignment.unit_id]
        people = focal_points(ctx.session, assignment.unit_id)
        if not people:
            without.append(unit)
        for person in people:
            assert assignment.id is not None and person.id is not None
            ctx.notify(
                person.id,
                assignment_notice(directive, assignment.id, unit.name),
                key=f"assignment:{assignment.id}:person:{person.id}",
                document=directive.file_ref,
            )
            reached += 1
    return reached, without


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
