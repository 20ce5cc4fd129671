"""/xuat: admins and leaders ask for a file (directives' status, the fund ledger, a unit's
public notice of contributions); the background job (bot/export_jobs.py) builds and sends it.

The request is written in the turn that completes it, so nothing is lost if the bot stops
before building it. Zalo takes no files: there the files come as one-day links when the bot
has a public address, and without one the person is told at once where exports are to be had.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from handlers.context import Context
from handlers.dates import MAX_YEAR, MIN_YEAR, DateError, parse_date
from handlers.export_texts import export_subject
from handlers.file_refs import public_links
from handlers.i18n import N_
from handlers.matching import normalize
from handlers.registry import Step, choice_step, command, step
from handlers.report_text import directive_title
from handlers.roster import chosen_id
from storage.directives import open_directive_page, units_for_target
from storage.export_requests import add_request
from storage.models import Directive, ExportKind, Role, Unit

FILE_CHANNELS = frozenset({"telegram"})
"""Apps that take a file as a document; the others get links to it, if the bot has an address."""
EXPORT_LABEL = N_("Export reports")
SHOWN = 10
"""Open directives offered one by one; the others are in the file of all open directives."""
CHOICE_LABEL_LIMIT = 40
ALL = "all"
THIS_YEAR, LAST_YEAR = "this", "last"
DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?")
"""A date inside a typed period: 31/03/2026, 31.03, or 2026-03-31 (day-first dates take no
dashes here, as a dash separates the two dates)."""
BETWEEN = frozenset({"tu", "ngay", "den", "from", "to"})
"""Words that may stand around the two dates of a period, folded: 'từ ngày 01/01 đến ngày
31/03/2026', 'from 1/1 to 31/3'; dashes and commas may too."""


@command(
    "xuat",
    roles={Role.ADMIN.value, Role.LEADER.value},
    menu_label=EXPORT_LABEL,
    menu_order=57,
)
async def start_export(ctx: Context) -> Step | None:
    """Ask which file to make; where no file or link can reach the chat, say where instead."""
    _ = ctx._
    if ctx.inbound.channel not in FILE_CHANNELS and not public_links():
        ctx.say(
            _(
                "Zalo cannot receive files, so exports are not sent here. On Telegram, choose "
                "“{label}” in the menu; on the server, run hoctap export status or hoctap "
                "export ledger."
            ).format(label=_(EXPORT_LABEL))
        )
        return None
    choices = [
        (ExportKind.STATUS.value, _("Status of directives")),
        (ExportKind.LEDGER.value, _("Study-promotion fund ledger")),
        (ExportKind.DISCLOSURE.value, _("Public notice of a unit's contributions")),
    ]
    ctx.ask(_("What do you want to export?"), choices)
    return receive_kind


@choice_step
async def receive_kind(ctx: Context) -> Step | None:
    """Ask what the chosen file should cover: a directive, a period or a unit."""
    if ctx.choice == ExportKind.STATUS.value:
        return ask_directive(ctx)
    if ctx.choice == ExportKind.LEDGER.value:
        return ask_period(ctx)
    return ask_unit(ctx)


def ask_directive(ctx: Context) -> Step | None:
    """Offer every open directive's file and the newest open directives one by one."""
    _ = ctx._
    shown, open_count = open_directive_page(ctx.session, SHOWN)
    if not shown:
        ctx.say(_("There is no open directive: every unit has completed its tasks."))
        return None
    choices = [(ALL, _("All open directives"))]
    choices += [(f"d{d.id}", directive_title(d, CHOICE_LABEL_LIMIT)) for d in shown]
    question = _("Which directive?")
    if open_count > SHOWN:
        more = _("The {count} older open directives are in the file of all open directives.")
        question += "\n" + more.format(count=_.number(open_count - SHOWN))
    ctx.ask(question, choices)
    return receive_directive


@choice_step
async def receive_directive(ctx: Context) -> Step | None:
    """Request the status of the directive chosen, or of every open one."""
    if ctx.choice == ALL:
        return request(ctx, ExportKind.STATUS, {"directive_id": None})
    directive_id = chosen_id(ctx, "d")
    directive = ctx.session.get(Directive, directive_id) if directive_id else None
    if directive is None:
        ctx.say(ctx._("That directive was not found."))
        return ask_directive(ctx)
    return request(ctx, ExportKind.STATUS, {"directive_id": directive.id})


def ask_period(ctx: Context) -> Step:
    """Ask which year's ledger, or for a period typed as two dates."""
    _ = ctx._
    year = ctx.today.year
    choices = [
        (THIS_YEAR, _("Year {year}").format(year=year)),
        (LAST_YEAR, _("Year {year}").format(year=year - 1)),
    ]
    question = _("Which period? Choose a year or type two dates, e.g. 01/01/{year}-31/03/{year}.")
    ctx.ask(question.format(year=year), choices)
    return receive_period


@step
async def receive_period(ctx: Context) -> Step | None:
    """Request the ledger of the year chosen or the period typed; explain a period not read."""
    if ctx.choice in (THIS_YEAR, LAST_YEAR):
        year = ctx.today.year - (ctx.choice == LAST_YEAR)
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    else:
        period = read_period(ctx)
        if period is None:
            return receive_period
        first, last = period
    return request(ctx, ExportKind.LEDGER, {"first": first.isoformat(), "last": last.isoformat()})


def read_period(ctx: Context) -> tuple[dt.date, dt.date] | None:
    """Read a typed year ('2025') or two dates ('01/01/2026-31/03/2026'); else say what was
    wrong, ask again and return None."""
    _ = ctx._
    text = ctx.text.strip()
    if text.isascii() and text.isdigit() and MIN_YEAR <= int(text) <= MAX_YEAR:
        return dt.date(int(text), 1, 1), dt.date(int(text), 12, 31)
    found = DATE.findall(text)
    rest = re.sub(r"[-–—,]", " ", normalize(DATE.sub(" ", text))).split()
    if len(found) != 2 or not set(rest) <= BETWEEN:
        unread = _(
            "Please choose a year, or type the period as two dates, e.g. 01/01/{year}-31/03/{year}."
        )
        ctx.reask(unread.format(year=ctx.today.year))
        return None
    try:
        first, last = (parse_date(typed, ctx.today) for typed in found)
    except DateError:
        ctx.reask(
            _("One of those dates does not exist. Please check it and send the period again.")
        )
        return None
    if first > last:
        backwards = _("The period must start before it ends: {first} is after {last}.")
        ctx.reask(backwards.format(first=_.date(first), last=_.date(last)))
        return None
    return first, last


def ask_unit(ctx: Context) -> Step | None:
    """Ask whose contributions to make public: one unit in use."""
    _ = ctx._
    units = units_for_target(ctx.session, "all")
    if not units:
        ctx.say(_("There are no units yet."))
        return None
    question = _("Whose contributions of {year} should be made public?")
    ctx.ask(question.format(year=ctx.today.year), [(f"u{unit.id}", unit.name) for unit in units])
    return receive_unit


@choice_step
async def receive_unit(ctx: Context) -> Step | None:
    """Request the public notice of the unit chosen, for this year."""
    unit_id = chosen_id(ctx, "u")
    unit = ctx.session.get(Unit, unit_id) if unit_id else None
    if unit is None or unit.archived_at is not None:
        ctx.say(ctx._("That unit is no longer in use."))
        return ask_unit(ctx)
    year = ctx.today.year
    params = {"unit_id": unit.id, "first": f"{year}-01-01", "last": f"{year}-12-31"}
    return request(ctx, ExportKind.DISCLOSURE, params)


def request(ctx: Context, kind: ExportKind, params: dict[str, Any]) -> None:
    """Write the request for the background job and say the file is being prepared."""
    _ = ctx._
    add_request(
        ctx.session,
        person_id=ctx.person.id or 0,
        channel=ctx.inbound.channel,
        chat_id=ctx.inbound.chat_id,
        kind=kind.value,
        params=params,
        now=ctx.now,
    )
    subject = export_subject(ctx.session, kind.value, params, _, ctx.today)
    if ctx.inbound.channel in FILE_CHANNELS:
        then = _("It will be sent here as soon as it is ready.")
    else:
        then = _(
            "As soon as it is ready, a link to download it is sent here; it works for one day."
        )
    ctx.say(_("Preparing: {subject}.").format(subject=subject) + "\n" + then)
    return None
