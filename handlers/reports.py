"""/baocao: a focal point reports progress on one of their unit's assignments."""

from __future__ import annotations

import datetime as dt

from handlers.context import Context, Render
from handlers.i18n import N_, Translator
from handlers.matching import normalize, parse_id
from handlers.messages import PRIORITY_REPLY, Choice
from handlers.registry import Step, choice_step, command, step
from handlers.report_news import STATUS_LABELS, latest_report_text, status_label, tell_colleagues
from storage.directives import find_assignment
from storage.models import Assignment, Directive, ProgressStatus, Role, Unit
from storage.progress import open_assignments, record_report
from storage.unit_reports import recently_done

MAX_NOTE = 500
LABEL_LIMIT = 60
"""Largest id a PostgreSQL integer column holds; a bigger one cannot exist (and would fail)."""
ADD_MORE_DAYS = 30
"""How long a finished assignment stays in the /baocao list, for corrections and evidence."""

_SKIP_WORDS = frozenset({"bo qua", "skip"})


def shorten(text: str, limit: int) -> str:
    """Collapse spaces and cut `text` to at most `limit` characters, ending in '…'."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    # Prefer a word boundary, unless that throws away more than half the room.
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:—-") + "…"


def directive_title(directive: Directive, limit: int) -> str:
    """Return 'number — subject', shortened to `limit` characters."""
    return shorten(f"{directive.number} — {directive.subject}", limit)


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


def _own_assignment(ctx: Context, assignment_id: int | None) -> tuple[Assignment, Directive] | None:
    """Return the assignment and directive if it is one of this person's unit, else None."""
    if assignment_id is None or ctx.person.unit_id is None:
        return None
    found = find_assignment(ctx.session, assignment_id)
    if found is None or found[0].unit_id != ctx.person.unit_id:
        return None
    return found


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
        found = _own_assignment(ctx, parse_id(ctx.args))
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
    found = _own_assignment(ctx, parse_id(ctx.choice.removeprefix("a")))
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
    """Take the status; a difficulty needs a note, any other status may skip it."""
    ctx.data["status"] = ctx.choice
    if ctx.choice == ProgressStatus.DIFFICULTY.value:
        ctx.ask(
            ctx._(
                "What difficulty is the unit facing? Please describe it briefly "
                "(at most {limit} characters)."
            ).format(limit=MAX_NOTE)
        )
        return receive_note
    ctx.ask(
        ctx._("Add a short note (at most {limit} characters), or tap Skip.").format(limit=MAX_NOTE),
        [("skip", ctx._("Skip"))],
    )
    return receive_note


@step
async def receive_note(ctx: Context) -> Step | None:
    """Take the note (or Skip, unless the status is a difficulty), then ask for a photo."""
    _ = ctx._
    required = ctx.data.get("status") == ProgressStatus.DIFFICULTY.value
    if ctx.choice == "skip" and not required:
        ctx.data["note"] = ""
        return _ask_photo(ctx)
    note = ctx.text
    if required and normalize(note) in _SKIP_WORDS:
        ctx.reask(_("Please describe the difficulty, so the commune office can help."))
        return receive_note
    if len(note) > MAX_NOTE:
        problem = _("The note is too long ({length} characters). Please keep it to {limit}.")
        ctx.reask(problem.format(length=_.number(len(note)), limit=MAX_NOTE))
        return receive_note
    if not any(ch.isalpha() for ch in note):
        ctx.reask(_("Please write the note in words."))
        return receive_note
    ctx.data["note"] = note
    return _ask_photo(ctx)


def _ask_photo(ctx: Context) -> Step:
    ctx.ask(ctx._("Send a photo as evidence (if any), or tap Skip."), [("skip", ctx._("Skip"))])
    return receive_photo


@step
async def receive_photo(ctx: Context) -> Step | None:
    """Take the photo (a channel file reference) or Skip, then show the summary."""
    if ctx.choice == "skip":
        ctx.data["photo"] = ""
    elif ctx.inbound.photo:
        ctx.data["photo"] = ctx.inbound.photo
    else:
        ctx.reask(ctx._("Please send a photo, or tap Skip."))
        return receive_photo
    return _ask_confirm(ctx)


def _ask_confirm(ctx: Context) -> Step | None:
    _ = ctx._
    found = _own_assignment(ctx, ctx.data.get("assignment_id"))
    if found is None:
        ctx.say(_("That task is not one of your unit's, or it does not exist."))
        return None
    assignment, directive = found
    unit = ctx.session.get(Unit, assignment.unit_id)
    note = ctx.data.get("note", "")
    lines = [
        _("Please check your report:"),
        "📄 " + directive_title(directive, 120),
        _("Unit: {unit}").format(unit=unit.name if unit else "—"),
        _("Status: {status}").format(status=status_label(_, ctx.data["status"])),
        _("Note: {note}").format(note=note) if note else _("Note: none"),
        _("Photo: attached") if ctx.data.get("photo") else _("Photo: none"),
    ]
    ctx.ask("\n".join(lines), [("send", _("Send")), ("cancel", _("Cancel"))])
    return confirm_report


@choice_step
async def confirm_report(ctx: Context) -> Step | None:
    """Store the report on Send (telling the admins of a difficulty), or drop it on Cancel."""
    _ = ctx._
    if ctx.choice != "send":
        ctx.say(_("Cancelled. The report was not sent."))
        return None
    found = _own_assignment(ctx, ctx.data.get("assignment_id"))
    if found is None or ctx.person.id is None:
        ctx.say(_("That task is not one of your unit's, or it does not exist."))
        return None
    assignment, directive = found
    report = record_report(
        ctx.session,
        assignment_id=assignment.id or 0,
        person_id=ctx.person.id,
        status=ctx.data["status"],
        note=ctx.data.get("note", ""),
        photo_ref=ctx.data.get("photo", ""),
        now=ctx.now,
    )
    sent = _("Report sent: {status}, {number}, at {time}.").format(
        status=status_label(_, report.status), number=directive.number, time=_.when(ctx.now)
    )
    unit = ctx.session.get(Unit, assignment.unit_id)
    unit_name = unit.name if unit else "—"
    if report.status == ProgressStatus.DIFFICULTY.value:
        render = difficulty_notice(directive, unit_name, ctx.person.name, report.note, ctx.now)
        for admin in ctx.people(Role.ADMIN.value):
            ctx.notify(
                admin.id or 0,
                render,
                key=f"difficulty:{report.id}:admin:{admin.id}",
                photo=report.photo_ref,
                media_channel=ctx.inbound.channel,
                priority=PRIORITY_REPLY,
            )
        sent += "\n" + _("The commune office has been told about the difficulty.")
    if told := tell_colleagues(ctx, report, directive, assignment.unit_id, unit_name):
        sent += "\n" + _("The other focal points of {unit} have been told ({count}).").format(
            unit=unit_name, count=_.number(told)
        )
    ctx.say(sent)
    return None


def difficulty_notice(
    directive: Directive, unit_name: str, reporter: str, note: str, at: dt.datetime
) -> Render:
    """Build the message telling an admin, in their language, that a unit has a difficulty."""
    title = directive_title(directive, 160)

    def render(_: Translator) -> tuple[str, list[Choice]]:
        text = _(
            "⚠️ {unit} reports a difficulty\n📄 {directive}\nDifficulty: {note}\n"
            "Reported by {name} at {time}."
        ).format(unit=unit_name, directive=title, note=note, name=reporter or "—", time=_.when(at))
        return text, []

    return render
