"""/congvan's last steps: ask what is still missing, show the whole directive, send it.

A directive read from its document arrives here with some fields filled; each missing one is
asked in turn, then the summary offers to send it or to change any field with one tap.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session

from handlers.context import Context
from handlers.directive_push import TASK_LABELS, preview, push_directive, report_sent
from handlers.i18n import Translator
from handlers.messages import Choice
from handlers.milestone_review import ask_milestones, milestone_summary_line
from handlers.registry import Step, choice_step
from storage.directive_tasks import MilestoneDraft, TaskDraft, add_tasks
from storage.directives import create_directive, units_by_id
from storage.models import Assignment, Directive, Unit

EDIT_MILESTONES = "edit:milestones"
"""The summary's choice that lists the milestones read, to change or drop one."""
FIELDS = ("number", "issued_on", "subject", "unit_ids", "deadline")
"""The fields a directive needs, in the order they are asked."""


def ask_missing(ctx: Context) -> Step:
    """Ask the first field the document did not give, or show the summary when none is left."""
    from handlers import directives

    missing = missing_fields(ctx.data)
    if not missing:
        return ask_confirmation(ctx)
    _ = ctx._
    if not ctx.data.get("told"):
        ctx.data["told"] = True
        ctx.say(_read_note(_, ctx.data, missing))
    ask = {
        "number": directives.ask_number,
        "issued_on": directives.ask_issue_date,
        "subject": directives.ask_subject,
        "unit_ids": directives.ask_target,
        "deadline": directives.ask_deadline,
    }[missing[0]]
    return ask(ctx)


def missing_fields(data: dict[str, Any]) -> list[str]:
    """The fields of FIELDS still to be asked, in order."""
    return [name for name in FIELDS if name not in data]


def field_names(_: Translator, fields: list[str]) -> str:
    """Name these fields in the reader's words: 'số, ngày ban hành'."""
    names = {
        "number": _("number"),
        "issued_on": _("issue date"),
        "subject": _("subject"),
        "unit_ids": _("units"),
        "deadline": _("deadline"),
    }
    return ", ".join(names[name] for name in fields)


def _read_note(_: Translator, data: dict[str, object], missing: list[str]) -> str:
    """'Đã đọc công văn; chưa tìm thấy: số, ngày ban hành.' — before the first question."""
    text = _("Read the document. Not found, please enter: {fields}.").format(
        fields=field_names(_, missing)
    )
    if "number" in missing and data.get("symbol"):
        text += "\n" + _("The number is left blank before {symbol}.").format(symbol=data["symbol"])
    return text


def draft(ctx: Context) -> Directive:
    """The directive as entered so far, not stored."""
    return draft_of(ctx.data)


def draft_of(data: dict[str, Any]) -> Directive:
    """The directive these fields describe, not stored."""
    return Directive(
        number=data["number"],
        issued_on=dt.date.fromisoformat(data["issued_on"]),
        subject=data["subject"],
        content=data["content"],
        file_ref=data.get("file_ref", ""),
        file_name=data.get("file_name", ""),
        deadline=dt.date.fromisoformat(data["deadline"]) if data.get("deadline") else None,
    )


def ask_confirmation(ctx: Context) -> Step:
    """Show the whole directive and ask to send it (or, for a read one, to change a field)."""
    _ = ctx._
    text = preview(_, draft(ctx), units_by_id(ctx.session, ctx.data["unit_ids"]))
    choices: list[Choice] = [("send", _("Send"))]
    if ctx.data.get("review"):
        extra = _parts(_, ctx)
        if extra:
            # The parts read from the document go before the closing question.
            head, _sep, question = text.rpartition("\n\n")
            text = f"{head}\n{extra}\n\n{question}"
        choices += [
            ("edit:number", _("Change the number")),
            ("edit:issued_on", _("Change the issue date")),
            ("edit:subject", _("Change the subject")),
            ("edit:unit_ids", _("Change the units")),
            ("edit:deadline", _("Change the deadline")),
        ]
        if ctx.data.get("milestones"):
            choices.append((EDIT_MILESTONES, _("Change the deadlines read")))
    else:
        choices.append(("restart", _("Start over")))
    ctx.ask(text, [*choices, ("cancel", _("Cancel"))])
    return receive_confirmation


def _parts(_: Translator, ctx: Context) -> str:
    """The tasks per kind of unit and the milestones read from the document."""
    lines: list[str] = []
    units = {unit.id: unit.name for unit in units_by_id(ctx.session, ctx.data["unit_ids"])}
    tasks = ctx.data.get("tasks", [])
    if tasks:
        lines.append(_("Tasks per unit:"))
        for heading, _body, kind, unit_id in tasks:
            whom = _(TASK_LABELS[kind]).rstrip(":") if kind else units.get(unit_id, "")
            lines.append(f"- {whom} ({heading})")
    milestones = ctx.data.get("milestones", [])
    if milestones:
        lines.append(_("Deadlines in the document:"))
        lines += [milestone_summary_line(_, milestone) for milestone in milestones]
    return "\n".join(lines)


@choice_step
async def receive_confirmation(ctx: Context) -> Step | None:
    """Send the directive, change one field, start over from the number, or cancel."""
    from handlers import directives

    if ctx.choice == "cancel":
        ctx.data = {}
        ctx.say(ctx._("Cancelled. The directive was not sent and nothing was saved."))
        return None
    if ctx.choice == "restart":
        ctx.data = {"command": ctx.data["command"]}
        ctx.say(ctx._("Let's start again."))
        return directives.ask_number(ctx)
    if ctx.choice == EDIT_MILESTONES:
        return ask_milestones(ctx)
    if ctx.choice.startswith("edit:"):
        field = ctx.choice.removeprefix("edit:")
        ctx.data.pop(field, None)
        ctx.data["told"] = True
        if field == "unit_ids":
            ctx.data.pop("picked", None)
        return ask_missing(ctx)
    units = units_by_id(ctx.session, ctx.data["unit_ids"])
    if not units:
        ctx.say(ctx._("The chosen units no longer exist. Please choose again."))
        return directives.ask_target(ctx)
    directive, assignments = store_directive(
        ctx.session, ctx.data, units, created_by=ctx.person.id, now=ctx.now
    )
    reached, without = push_directive(ctx, directive, assignments, units)
    report_sent(ctx, len(assignments), reached, without)
    return None


def store_directive(
    session: Session,
    data: dict[str, Any],
    units: list[Unit],
    *,
    created_by: int | None,
    now: dt.datetime,
) -> tuple[Directive, list[Assignment]]:
    """Store the directive these fields describe, its assignments to `units`, its tasks and
    milestones: what confirming /congvan (or `directive import --send`) keeps."""
    entered = draft_of(data)
    directive, assignments = create_directive(
        session,
        number=entered.number,
        issued_on=entered.issued_on,
        subject=entered.subject,
        content=entered.content,
        file_ref=entered.file_ref,
        file_name=entered.file_name,
        deadline=entered.deadline,
        unit_ids=[unit.id for unit in units if unit.id is not None],
        created_by=created_by,
        now=now,
    )
    assert directive.id is not None
    tasks = [TaskDraft(*task) for task in data.get("tasks", [])]
    milestones = [
        MilestoneDraft(dt.date.fromisoformat(date), what, kind)
        for date, what, kind in data.get("milestones", [])
    ]
    typed = entered.deadline
    if milestones and typed is not None and typed not in {m.due_on for m in milestones}:
        # A deadline the admin typed over the document's binds every unit: a milestone too.
        milestones.append(MilestoneDraft(typed))
    add_tasks(session, directive.id, tasks, milestones)
    return directive, assignments
