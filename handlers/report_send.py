"""The last step of /baocao: notes, photos and files in any order, then Send report."""

from __future__ import annotations

import datetime as dt

from handlers.context import Context, Render
from handlers.difficulty_thread import difficulty_choices
from handlers.i18n import Translator
from handlers.matching import normalize
from handlers.messages import PRIORITY_REPLY, Choice
from handlers.registry import Step, step
from handlers.report_milestones import milestone_label, milestone_line, unit_milestones
from handlers.report_news import status_label, tell_colleagues
from handlers.report_text import (
    LONG_NOTE,
    attachments_line,
    directive_title,
    echo_note,
    files_of,
    photos_elsewhere,
)
from storage.directives import acknowledge, find_assignment
from storage.media import keep as keep_media
from storage.models import Assignment, Directive, ProgressReport, ProgressStatus, Role, Unit
from storage.progress import record_report

_SKIP_WORDS = frozenset({"bo qua", "skip"})
"""What people typed at the old note and photo steps; never a note."""


def own_assignment(ctx: Context, assignment_id: int | None) -> tuple[Assignment, Directive] | None:
    """Return the assignment and directive if it is one of this person's unit, else None."""
    if assignment_id is None or ctx.person.unit_id is None:
        return None
    found = find_assignment(ctx.session, assignment_id)
    if found is None or found[0].unit_id != ctx.person.unit_id:
        return None
    return found


def ask_extras(ctx: Context) -> Step:
    """Ask for the optional note, photos and files; a difficulty must be described."""
    _ = ctx._
    if _difficulty(ctx):
        prompt = (
            _(
                "What difficulty is the unit facing? Describe it (photos or files may go with "
                "it), then choose Send report."
            )
            if _.buttons
            else _(
                "What difficulty is the unit facing? Describe it (photos or files may go with "
                "it), then reply 1 to send the report."
            )
        )
    else:
        prompt = (
            _("Send a note or photos if you have any, then choose Send report.")
            if _.buttons
            else _("Send a note or photos if you have any, then reply 1 to send the report.")
        )
    ctx.ask(prompt, _choices(ctx._))
    return receive_extras


def _choices(_: Translator) -> list[Choice]:
    # Send report first: the texts on Zalo say "reply 1" for it.
    return [("send", _("Send report")), ("cancel", _("Cancel"))]


def _difficulty(ctx: Context) -> bool:
    return ctx.data.get("status") == ProgressStatus.DIFFICULTY.value


@step
async def receive_extras(ctx: Context) -> Step | None:
    """Keep each note, photo or file as it comes; store the report on Send report."""
    _ = ctx._
    # Taken before the choice, so a photo captioned like a choice ('1') is not lost.
    received = _take_attachment(ctx)
    if ctx.choice == "send":
        return _send_report(ctx)
    if ctx.choice == "cancel":
        ctx.say(_("Cancelled. The report was not sent."))
        return None
    if ctx.text:
        problem = _note_problem(ctx, ctx.text)
        if problem and not received:
            ctx.reask(problem)
            return receive_extras
        # A caption that is no note (an emoji, 'Bỏ qua') is dropped; its photo is kept.
        if not problem:
            ctx.data["notes"] = [*ctx.data.get("notes", []), ctx.text]
            received.append(_note_received(_, ctx.text))
    if not received:
        ctx.reask(
            _("Please send a note, a photo or a file, or choose Send report.")
            if _.buttons
            else _("Please send a note, a photo or a file, or reply 1 to send the report.")
        )
        return receive_extras
    more = (
        _("Send more, or choose Send report.")
        if _.buttons
        else _("Send more, or reply 1 to send the report.")
    )
    ctx.ask("\n".join([*received, more]), _choices(_))
    return receive_extras


def _take_attachment(ctx: Context) -> list[str]:
    """Keep the photo or file of this message; return what to say about it."""
    inbound, said = ctx.inbound, []
    kept = list(ctx.data.get("attachments", []))
    if inbound.photo:
        kept.append(["photo", inbound.photo, "", _kept(ctx, "photo", inbound.photo, "")])
        said.append(ctx._("Photo received."))
    if inbound.document:
        name = inbound.document_name
        kept.append(["file", inbound.document, name, _kept(ctx, "file", inbound.document, name)])
        said.append(ctx._("File received."))
    ctx.data["attachments"] = kept
    return said


def _kept(ctx: Context, kind: str, ref: str, name: str) -> str:
    """Keep the photo or file for download in this same turn; return its media id."""
    media_id = keep_media(
        ctx.session,
        channel=ctx.inbound.channel,
        platform_ref=ref,
        kind=kind,
        file_name=name,
        person_id=ctx.person.id,
        now=ctx.now,
    )
    return str(media_id)


def _note_problem(ctx: Context, text: str) -> str:
    """Say why `text` cannot be a note, or '' when it can (any length: nothing is cut)."""
    _ = ctx._
    if normalize(text) in _SKIP_WORDS:
        if _difficulty(ctx):
            return _("Please describe the difficulty, so the commune office can help.")
        if _.buttons:
            return _("There is nothing to skip: if you have no note, choose Send report.")
        return _("There is nothing to skip: if you have no note, reply 1 to send the report.")
    if not any(ch.isalpha() for ch in text):
        return _("Please write the note in words.")
    return ""


def _note_received(_: Translator, note: str) -> str:
    if len(note) <= LONG_NOTE:
        return _("Note received.")
    return _(
        "Note received. It is long ({length} characters): it is stored in full, and "
        "messages to others show its beginning."
    ).format(length=_.number(len(note)))


def _send_report(ctx: Context) -> Step | None:
    """Store the report, count it as Received, tell the overseers of a difficulty and colleagues."""
    _ = ctx._
    notes: list[str] = ctx.data.get("notes", [])
    if _difficulty(ctx) and not notes:
        ctx.reask(_("Please describe the difficulty, so the commune office can help."))
        return receive_extras
    found = own_assignment(ctx, ctx.data.get("assignment_id"))
    if found is None or ctx.person.id is None:
        ctx.say(_("That task is not one of your unit's, or it does not exist."))
        return None
    assignment, directive = found
    attachments: list[list[str]] = ctx.data.get("attachments", [])
    report = record_report(
        ctx.session,
        assignment_id=assignment.id or 0,
        person_id=ctx.person.id,
        status=ctx.data["status"],
        note="\n\n".join(notes),
        # The bot's copy: a Zalo image URL is longer than the column, and expires.
        photo_ref=files_of(attachments, ctx.inbound.channel)["photo"],
        attachments=attachments,
        now=ctx.now,
        milestone_id=ctx.data.get("milestone_id"),
    )
    # A report shows the directive arrived: it counts as Received, exactly as the tap would.
    _received, newly = acknowledge(ctx.session, assignment.id or 0, ctx.person.id, ctx.now)
    lines = [
        _("Report sent: {status}, {number}, at {time}.").format(
            status=status_label(_, report.status), number=directive.number, time=_.when(ctx.now)
        )
    ]
    if with_line := attachments_line(_, attachments, note=bool(report.note)):
        lines.append(with_line)
    lines += milestone_lines(ctx, assignment, report)
    if newly:
        lines.append(_("Your Received for this directive is recorded too."))
    unit = ctx.session.get(Unit, assignment.unit_id)
    unit_name = unit.name if unit else "—"
    if report.status == ProgressStatus.DIFFICULTY.value:
        render = difficulty_notice(
            directive,
            unit_name,
            ctx.person.name,
            report.note,
            attachments,
            ctx.now,
            assignment_id=assignment.id or 0,
        )
        for admin in ctx.people(Role.ADMIN.value, Role.LEADER.value):
            ctx.notify(
                admin.id or 0,
                render,
                key=f"difficulty:{report.id}:admin:{admin.id}",
                **files_of(attachments, ctx.inbound.channel),
                priority=PRIORITY_REPLY,
            )
        lines.append(_("The commune office has been told about the difficulty."))
    if told := tell_colleagues(ctx, report, directive, assignment.unit_id, unit_name):
        lines.append(
            _("The other focal points of {unit} have been told ({count}).").format(
                unit=unit_name, count=_.number(told)
            )
        )
    ctx.say("\n".join(lines))
    return None


def milestone_lines(ctx: Context, assignment: Assignment, report: ProgressReport) -> list[str]:
    """Say the milestone a report answered, when there are several, and what comes next
    after a Done that does not finish the unit's work."""
    _ = ctx._
    milestones = unit_milestones(ctx.session, assignment)
    answered = milestones.find(report.milestone_id)
    if answered is None or len(milestones.applying) < 2:
        return []
    lines = [milestone_line(_, answered)]
    if report.status == ProgressStatus.DONE.value:
        following = milestones.after(answered)
        if assignment.status == ProgressStatus.DONE.value:
            lines.append(_("That was the last milestone: your unit's work on it is complete."))
        elif following is not None:
            lines.append(
                _("Next milestone: {milestone}").format(
                    milestone=milestone_label(_, following, done=False)
                )
            )
    return lines


def difficulty_notice(
    directive: Directive,
    unit_name: str,
    reporter: str,
    note: str,
    attachments: list[list[str]],
    at: dt.datetime,
    *,
    assignment_id: int,
) -> Render:
    """Build the message telling an admin or leader, in their language, that a unit has a
    difficulty, with the choices to answer it and to mark it resolved."""
    title = directive_title(directive, 160)

    def render(_: Translator) -> tuple[str, list[Choice]]:
        text = _(
            "⚠️ {unit} reports a difficulty\n📄 {directive}\nDifficulty: {note}\n"
            "Reported by {name} at {time}."
        ).format(
            unit=unit_name,
            directive=title,
            note=echo_note(_, note),
            name=reporter or "—",
            time=_.when(at),
        )
        if with_line := attachments_line(_, attachments):
            text += "\n" + with_line
        if elsewhere := photos_elsewhere(_, attachments):
            text += "\n" + elsewhere
        return text, difficulty_choices(_, assignment_id, office=True)

    return render
