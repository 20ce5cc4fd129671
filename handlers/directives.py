"""/congvan: an admin enters a directive, picks the units that must act, and sends it."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable

from handlers.context import Context
from handlers.dates import DateError, parse_date
from handlers.i18n import N_
from handlers.registry import Step, choice_step, command, step
from handlers.unit_picker import show_units, take_units
from storage.directives import units_for_target
from storage.models import Role

MAX_NUMBER = 60
MIN_SUBJECT, MAX_SUBJECT = 3, 500
MAX_CONTENT = 20_000
MAX_FILE_REF, MAX_FILE_NAME = 300, 200

_NUMBER_PREFIX = re.compile(r"^(?:số|so)\s*:?\s*(?=[\d/])", re.IGNORECASE)
_NUMBER_MARKS = frozenset("/-–._()")


def _has_letter(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


@command(
    "congvan",
    roles={Role.ADMIN.value},
    menu_label=N_("New directive"),
    menu_order=10,
    summary=N_("entering a new directive"),
)
async def new_directive(ctx: Context) -> Step:
    """Start entering a directive with its number."""
    return ask_number(ctx)


def ask_number(ctx: Context) -> Step:
    ctx.ask(ctx._("What is the directive's number? For example: 669/KH-SGDĐT"))
    return receive_number


@step
async def receive_number(ctx: Context) -> Step:
    """Take the number (số hiệu), such as 12/UBND-VHXH; or the whole directive, as a file or
    pasted text, to read its fields from."""
    if not ctx.data.get("review"):
        from handlers.directive_import import import_document, is_pasted_directive, take_pasted

        if ctx.inbound.document:
            return import_document(ctx)
        if is_pasted_directive(ctx.text):
            return take_pasted(ctx)
    # Officials often copy the "Số:" label along with the number itself.
    number = _NUMBER_PREFIX.sub("", " ".join(unicodedata.normalize("NFC", ctx.text).split()))
    readable = all(ch.isalnum() or ch == " " or ch in _NUMBER_MARKS for ch in number)
    marked = any(ch.isdigit() or ch == "/" for ch in number)
    if not (0 < len(number) <= MAX_NUMBER and readable and marked):
        ctx.reask(
            ctx._("The number has 1 to 60 characters with a digit or a slash, e.g. 12/UBND-VHXH.")
        )
        return receive_number
    ctx.data["number"] = number
    return _after(ctx, ask_issue_date)


def ask_issue_date(ctx: Context) -> Step:
    ctx.ask(
        ctx._("What is the issue date? Choose Today or type it as dd/mm/yyyy."),
        [("today", ctx._("Today"))],
    )
    return receive_issue_date


def _after(ctx: Context, ask_next: Callable[[Context], Step]) -> Step:
    """Ask the next question; when checking a read document, the next one still missing."""
    if ctx.data.get("review"):
        from handlers.directive_review import ask_missing

        return ask_missing(ctx)
    return ask_next(ctx)


def read_date(ctx: Context, *, allow_past: bool, allow_future: bool) -> dt.date | None:
    """Parse the typed date, or explain what is wrong with it and ask again."""
    _ = ctx._
    try:
        return parse_date(ctx.text, ctx.today, allow_past=allow_past, allow_future=allow_future)
    except DateError as error:
        problem = {
            "empty": _("Please type the date, for example 20/03/2026."),
            "format": _(
                "I could not read that date. Type the day first: dd/mm/yyyy, dd/mm or "
                "dd-mm-yyyy, for example 20/03/2026."
            ),
            "invalid": _("That date does not exist. Please check the day and the month."),
            "out_of_range": _("The year must be between 2000 and 2100."),
        }[error.reason]
        if error.reason == "out_of_range" and _in_calendar(ctx):
            problem = (
                _("The issue date cannot be in the future.")
                if not allow_future
                else _("The deadline cannot be in the past.")
            )
        ctx.reask(problem)
        return None


def _in_calendar(ctx: Context) -> bool:
    # Tells "too early/late for this question" apart from a year outside 2000–2100.
    try:
        parse_date(ctx.text, ctx.today)
    except DateError:
        return False
    return True


@step
async def receive_issue_date(ctx: Context) -> Step:
    """Take the issue date: today, or a typed date not in the future."""
    issued = ctx.today if ctx.choice == "today" else None
    issued = issued or read_date(ctx, allow_past=True, allow_future=False)
    if issued is None:
        return receive_issue_date
    ctx.data["issued_on"] = issued.isoformat()
    return _after(ctx, ask_subject)


def ask_subject(ctx: Context) -> Step:
    ctx.ask(ctx._("What is the subject? For example: V/v triển khai Đề án …"))
    return receive_subject


@step
async def receive_subject(ctx: Context) -> Step:
    """Take the subject (trích yếu, "V/v …")."""
    subject = " ".join(ctx.text.split())
    if not (MIN_SUBJECT <= len(subject) <= MAX_SUBJECT and _has_letter(subject)):
        ctx.reask(ctx._("The subject is text of 3 to 500 characters."))
        return receive_subject
    ctx.data["subject"] = subject
    return _after(ctx, _ask_content)


def _ask_content(ctx: Context) -> Step:
    if ctx.data.get("file_ref"):
        # The file came first (a scan the bot could not read): only its text is missing.
        return ask_note(ctx)
    ctx.ask(ctx._("Send the content of the directive as text, or send its file (PDF, Word)."))
    return receive_content


def ask_note(ctx: Context) -> Step:
    ctx.ask(
        ctx._("File received: {name}. Type a short text to send with it, or choose Skip.").format(
            name=ctx.data["file_name"]
        ),
        [("skip", ctx._("Skip"))],
    )
    return receive_note


def _content_problem(ctx: Context) -> str:
    """Return why the typed content cannot be sent, or '' when it can."""
    if 0 < len(ctx.text) <= MAX_CONTENT and _has_letter(ctx.text):
        return ""
    return ctx._("The content is text of at most {limit} characters.").format(
        limit=ctx._.number(MAX_CONTENT)
    )


@step
async def receive_content(ctx: Context) -> Step:
    """Take the content as text, or a document file followed by an optional text."""
    document = ctx.inbound.document
    if document and len(document) <= MAX_FILE_REF:
        name = " ".join(ctx.inbound.document_name.split())[:MAX_FILE_NAME]
        ctx.data.update(file_ref=document, file_name=name or ctx._("attached file"))
        return ask_note(ctx)
    problem = _content_problem(ctx) if not document else ""
    if document or problem:
        ctx.reask(problem or ctx._("That file cannot be used. Please send it again."))
        return receive_content
    ctx.data.update(content=ctx.text, file_ref="", file_name="")
    return ask_target(ctx)


@step
async def receive_note(ctx: Context) -> Step:
    """Take the text that goes with the file; skipping sends the subject as the text."""
    if ctx.choice == "skip":
        ctx.data["content"] = ctx.data["subject"]
        return ask_target(ctx)
    if problem := _content_problem(ctx):
        ctx.reask(problem)
        return receive_note
    ctx.data["content"] = ctx.text
    return ask_target(ctx)


def ask_target(ctx: Context) -> Step:
    _ = ctx._
    ctx.ask(
        _("Which units must carry it out?"),
        [
            ("villages", _("All villages")),
            ("schools", _("All schools")),
            ("all", _("All units")),
            ("pick", _("Choose units")),
        ],
    )
    return receive_target


@choice_step
async def receive_target(ctx: Context) -> Step:
    """Resolve the target to units, or start the pick-units list."""
    _ = ctx._
    units = units_for_target(ctx.session, "all" if ctx.choice == "pick" else ctx.choice)
    if not units:
        missing = {
            "villages": _("There are no villages yet."),
            "schools": _("There are no schools yet."),
        }.get(ctx.choice, _("There are no units yet."))
        how = _("An administrator adds units on the server with: hoctap units import FILE.csv")
        ctx.reask(f"{missing}\n{how}")
        return receive_target
    if ctx.choice == "pick":
        ctx.data["picked"] = []
        return ask_units(ctx)
    ctx.data["unit_ids"] = [unit.id for unit in units]
    return _after(ctx, ask_deadline)


_UNITS_PROMPT = N_("Choose the units (choose again to remove), then choose Done.")


def ask_units(ctx: Context) -> Step:
    show_units(ctx, ctx._(_UNITS_PROMPT))
    return receive_units


@step
async def receive_units(ctx: Context) -> Step:
    """Tick or untick units on the pick list, one or several at once, or finish it."""
    picked = take_units(ctx, ctx._(_UNITS_PROMPT))
    if picked is None:
        return receive_units
    ctx.data["unit_ids"] = picked
    return _after(ctx, ask_deadline)


def ask_deadline(ctx: Context) -> Step:
    ctx.ask(
        ctx._("What is the deadline? Type it as dd/mm/yyyy, or choose No deadline."),
        [("none", ctx._("No deadline"))],
    )
    return receive_deadline


@step
async def receive_deadline(ctx: Context) -> Step:
    """Take the deadline, not in the past, or none."""
    if ctx.choice == "none":
        ctx.data["deadline"] = None
    else:
        deadline = read_date(ctx, allow_past=False, allow_future=True)
        if deadline is None:
            return receive_deadline
        ctx.data["deadline"] = deadline.isoformat()
    from handlers.directive_review import ask_confirmation

    return ask_confirmation(ctx)
