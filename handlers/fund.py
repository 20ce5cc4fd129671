"""/quy: record a contribution to the study-promotion fund and give its receipt number.

Five inputs as a rule: /quy, the donor's name, the amount, a note or Skip, Confirm. The donor
kind (an individual) and the date (today) have their usual answers; the summary offers to
change any of them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from handlers import fund_donor as donor
from handlers.context import Context
from handlers.dates import DateError, parse_date
from handlers.fund_receipt import record_unless_repeated, recording_unit
from handlers.i18n import N_, Translator
from handlers.money import (
    AmountError,
    amount_in_words,
    amount_problem,
    parse_amount,
    unusual_amount,
)
from handlers.registry import Step, choice_step, command, step
from storage.models import DonorKind, Role, Unit

NAME_MIN, NAME_MAX = 2, 120
NOTE_MAX = 300

DONOR_KINDS = {
    DonorKind.PERSON.value: N_("Individual"),
    DonorKind.FAMILY.value: N_("Family"),
    DonorKind.CLAN.value: N_("Clan"),
    DonorKind.ORGANISATION.value: N_("Organisation"),
}
OFFICE = N_("Commune People's Committee office")
"""How contributions recorded with no unit (by an admin) are named."""


def donor_kind_label(_: Translator, kind: str) -> str:
    """Return the translated name of a donor kind."""
    return _(DONOR_KINDS[kind]) if kind in DONOR_KINDS else kind


def unit_label(ctx: Context, unit_id: int | None) -> str:
    """Return the name of a unit, or the commune office for none."""
    unit = ctx.session.get(Unit, unit_id) if unit_id else None
    return unit.name if unit is not None else ctx._(OFFICE)


def contribution_summary(_: Translator, data: dict[str, Any]) -> str:
    """Name the contribution being entered: its donor and, once typed, its amount."""
    if not data.get("donor_name"):
        return ""
    name = donor.donor_shown(_, data)
    if "amount" not in data:
        return _("a contribution from {name}").format(name=name)
    return _("a contribution of {amount} from {name}").format(
        amount=_.money(int(data["amount"])), name=name
    )


@command(
    "quy",
    roles={Role.FOCAL.value, Role.ADMIN.value},
    menu_label=N_("Fund contribution"),
    menu_order=40,
    summary=contribution_summary,
)
async def start_contribution(ctx: Context) -> Step | None:
    """Start recording a contribution: ask the donor's name."""
    ask_name(ctx)
    return receive_donor_name


def ask_next(ctx: Context) -> Step:
    """Ask for the first answer still missing, or show the summary once all are given."""
    # Kind and date are rarely other than these, so they are not asked; the summary shows
    # them and offers to change them.
    ctx.data.setdefault("donor_kind", DonorKind.PERSON.value)
    ctx.data.setdefault("contributed_on", ctx.today.isoformat())
    if "amount" not in ctx.data:
        ask_amount(ctx)
        return receive_amount
    if "note" not in ctx.data:
        ask_note(ctx)
        return receive_note
    return confirm(ctx)


def ask_name(ctx: Context) -> None:
    """Ask who gave the money."""
    ctx.ask(
        ctx._("What is the name of the donor (person, family or organisation)?"),
        donor.name_choices(ctx._),
    )


@step
async def receive_donor_name(ctx: Context) -> Step | None:
    """Take the donor's name, or Anonymous, and go on to what is still missing."""
    if ctx.choice == "anonymous" or donor.means_anonymous(ctx.text):
        donor.take_name(ctx.data, None)
        return ask_next(ctx)
    name = " ".join(ctx.text.split())
    if not NAME_MIN <= len(name) <= NAME_MAX or not any(ch.isalpha() for ch in name):
        ctx.reask(
            ctx._("Please send the donor's name in letters, {low} to {high} characters.").format(
                low=NAME_MIN, high=NAME_MAX
            )
        )
        return receive_donor_name
    donor.take_name(ctx.data, name)
    return ask_next(ctx)


def ask_kind(ctx: Context) -> None:
    """Ask what kind of donor it is: individual, family, clan or organisation."""
    choices = [(kind, ctx._(label)) for kind, label in DONOR_KINDS.items()]
    ctx.ask(ctx._("Who is the donor?"), choices)


@choice_step
async def receive_donor_kind(ctx: Context) -> Step | None:
    """Take the donor kind and go on to what is still missing."""
    ctx.data["donor_kind"] = ctx.choice
    return ask_next(ctx)


def ask_amount(ctx: Context) -> None:
    """Ask how much was given, with examples of how to type it."""
    ctx.ask(ctx._("How much was given? For example: 500000, 500k, 1 triệu rưỡi, 2tr."))


@step
async def receive_amount(ctx: Context) -> Step | None:
    """Take the amount; a very small or very large one is asked back first."""
    try:
        amount = parse_amount(ctx.text)
    except AmountError as error:
        ctx.reask(amount_problem(ctx._, error.reason))
        return receive_amount
    unusual = unusual_amount(amount)
    if not unusual:
        ctx.data["amount"] = amount
        return ask_next(ctx)
    ctx.data["unchecked_amount"] = amount
    question = (
        ctx._("A very small amount: {amount}. Is that right?")
        if unusual == "small"
        else ctx._("A very large amount: {amount}. Is that right?")
    )
    ctx.ask(
        question.format(amount=ctx._.money(amount)),
        [("right", ctx._("That's right")), ("retype", ctx._("Type it again"))],
    )
    return receive_amount_check


@choice_step
async def receive_amount_check(ctx: Context) -> Step | None:
    """Keep the very small or very large amount once confirmed, or ask the amount again."""
    unchecked = ctx.data.pop("unchecked_amount", None)
    if ctx.choice != "right" or unchecked is None:
        ask_amount(ctx)
        return receive_amount
    ctx.data["amount"] = int(unchecked)
    return ask_next(ctx)


def ask_date(ctx: Context) -> None:
    """Ask the day the money was given, today being the usual answer."""
    _ = ctx._
    ctx.ask(
        _("On what date was it given? Choose Today or type the date, e.g. 15/03.")
        if _.buttons
        else _("On what date was it given? Reply 1 for today, or type the date, e.g. 15/03."),
        [("today", _("Today"))],
    )


def earliest_date(today: dt.date) -> dt.date:
    """Return the oldest date a contribution may carry: the same day one year back."""
    try:
        return today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28)


@step
async def receive_date(ctx: Context) -> Step | None:
    """Take the date (not in the future, at most a year back) and go on."""
    earliest = earliest_date(ctx.today)
    try:
        given = (
            ctx.today
            if ctx.choice == "today"
            else parse_date(ctx.text, ctx.today, allow_future=False)
        )
        if given < earliest:
            raise DateError("out_of_range")
    except DateError as error:
        if error.reason == "out_of_range":
            ctx.reask(
                ctx._("The date must be between {earliest} and today, {today}.").format(
                    earliest=ctx._.date(earliest), today=ctx._.date(ctx.today)
                )
            )
        elif error.reason == "invalid":
            ctx.reask(ctx._("That date does not exist. Please check the day and month."))
        else:
            ctx.reask(ctx._("Please type the date as day/month, e.g. 15/03 or 15/03/2026."))
        return receive_date
    ctx.data["contributed_on"] = given.isoformat()
    return ask_next(ctx)


def ask_note(ctx: Context) -> None:
    """Ask for an optional note, Skip being the usual answer."""
    _ = ctx._
    ctx.ask(
        _("Any note (e.g. the purpose, or a bank transfer)? Type it, or choose Skip.")
        if _.buttons
        else _("Any note (e.g. the purpose, or a bank transfer)? Type it, or reply 1 to skip."),
        [("skip", _("Skip"))],
    )


@step
async def receive_note(ctx: Context) -> Step | None:
    """Take the optional note and show the summary to confirm."""
    note = "" if ctx.choice == "skip" else " ".join(ctx.text.split())
    # A bare number is more likely a mistyped choice than a note.
    words = any(ch.isalnum() for ch in note) and not note.replace(" ", "").isdigit()
    if ctx.choice != "skip" and (len(note) > NOTE_MAX or not words):
        _ = ctx._
        problem = (
            _("Please type a note in words, at most {limit} characters, or choose Skip.")
            if _.buttons
            else _("Please type a note in words, at most {limit} characters, or reply 1 to skip.")
        )
        ctx.reask(problem.format(limit=NOTE_MAX))
        return receive_note
    ctx.data["note"] = note
    return ask_next(ctx)


def confirm(ctx: Context) -> Step:
    """Show everything entered, the amount in figures and in words, and ask to confirm."""
    _ = ctx._
    amount = int(ctx.data["amount"])
    lines = [
        _("Please check the contribution:"),
        _("Donor: {name} ({kind})").format(
            name=donor.donor_shown(_, ctx.data), kind=donor_kind_label(_, ctx.data["donor_kind"])
        ),
        _("Amount: {amount}").format(amount=_.money(amount)),
        # Receipts are Vietnamese, so the words are too, whatever the person's language.
        _("In words: {words}").format(words=amount_in_words(amount)),
        _("Date: {date}").format(date=_.date(dt.date.fromisoformat(ctx.data["contributed_on"]))),
        _("Unit: {unit}").format(unit=unit_label(ctx, recording_unit(ctx))),
    ]
    if ctx.data["note"]:
        lines.append(_("Note: {note}").format(note=ctx.data["note"]))
    choices = [
        ("confirm", _("Confirm")),
        ("name", _("Change the name")),
        ("amount", _("Change the amount")),
        ("date", _("Change the date")),
        ("kind", _("Change the donor kind")),
        ("note", _("Change the note")),
        *donor.privacy_choices(_, ctx.data),
        ("cancel", _("Cancel")),
    ]
    ctx.ask("\n".join(lines), choices)
    return receive_confirmation


_CHANGES = {
    "name": (ask_name, receive_donor_name),
    "amount": (ask_amount, receive_amount),
    "date": (ask_date, receive_date),
    "kind": (ask_kind, receive_donor_kind),
    "note": (ask_note, receive_note),
}
"""What each 'Change …' of the summary asks again; the answer leads back to the summary."""


@choice_step
async def receive_confirmation(ctx: Context) -> Step | None:
    """Record the contribution (asking first if it repeats a receipt), change a field, or cancel."""
    if ctx.choice in _CHANGES:
        ask, receive = _CHANGES[ctx.choice]
        ask(ctx)
        return receive
    if ctx.choice == "cancel":
        ctx.say(ctx._("Cancelled. Nothing was recorded."))
        return None
    if donor.change_privacy(ctx.data, ctx.choice):
        return confirm(ctx)
    return record_unless_repeated(ctx)
