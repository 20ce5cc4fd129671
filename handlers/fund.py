"""/quy: record a contribution to the study-promotion fund and give its receipt number."""

from __future__ import annotations

import datetime as dt
from typing import Any

from handlers.context import Context
from handlers.dates import DateError, parse_date
from handlers.i18n import N_, Translator
from handlers.money import MAX_AMOUNT, AmountError, amount_in_words, parse_amount
from handlers.registry import Step, choice_step, command, step
from storage.ledger import record_contribution
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


def recording_unit(ctx: Context) -> int | None:
    """Return the unit a contribution is booked to: the focal point's, none for an admin."""
    return ctx.person.unit_id if ctx.person.role == Role.FOCAL.value else None


def contribution_summary(_: Translator, data: dict[str, Any]) -> str:
    """Name the contribution being entered: its donor and, once typed, its amount."""
    name = str(data.get("donor_name", ""))
    if not name:
        return ""
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
    ctx.ask(ctx._("What is the name of the donor (person, family or organisation)?"))
    return receive_donor_name


@step
async def receive_donor_name(ctx: Context) -> Step | None:
    """Take the donor's name and ask what kind of donor it is."""
    name = " ".join(ctx.text.split())
    if not NAME_MIN <= len(name) <= NAME_MAX or not any(ch.isalpha() for ch in name):
        ctx.reask(
            ctx._("Please send the donor's name in letters, {low} to {high} characters.").format(
                low=NAME_MIN, high=NAME_MAX
            )
        )
        return receive_donor_name
    ctx.data["donor_name"] = name
    choices = [(kind, ctx._(label)) for kind, label in DONOR_KINDS.items()]
    ctx.ask(ctx._("Who is the donor?"), choices)
    return receive_donor_kind


@choice_step
async def receive_donor_kind(ctx: Context) -> Step | None:
    """Take the donor kind and ask the amount."""
    ctx.data["donor_kind"] = ctx.choice
    ask_amount(ctx)
    return receive_amount


def ask_amount(ctx: Context) -> None:
    """Ask how much was given, with examples of how to type it."""
    ctx.ask(ctx._("How much was given? For example: 500000, 500k, 1,5 triệu, 2tr."))


def amount_problem(_: Translator, reason: str) -> str:
    """Explain in the person's language why a typed amount was refused."""
    problems = {
        "empty": _("Please type the amount in numbers."),
        "no_number": _("There is no number in that. Please type the amount, e.g. 500000 or 500k."),
        "zero": _("The amount must be more than 0."),
        "negative": _(
            "The amount cannot be negative. To undo a recorded contribution, "
            "ask the commune office to reverse its receipt."
        ),
        "too_large": _(
            "That is more than {limit}, the most one entry may record. "
            "Please check the number of zeros."
        ).format(limit=_.money(MAX_AMOUNT)),
        "ambiguous": _(
            "The amount is unclear: is 1,5 one and a half million or 1,500 dong? "
            "Please write it plainly, e.g. 1,5 triệu or 1.500.000."
        ),
        "fraction": _("The amount must be whole dong, with no fraction of a dong."),
    }
    return problems.get(reason, problems["ambiguous"])


@step
async def receive_amount(ctx: Context) -> Step | None:
    """Take the amount; then ask the date, or go back to the summary when correcting it."""
    try:
        amount = parse_amount(ctx.text)
    except AmountError as error:
        ctx.reask(amount_problem(ctx._, error.reason))
        return receive_amount
    ctx.data["amount"] = amount
    if "note" in ctx.data:
        return confirm(ctx)
    ask_date(ctx)
    return receive_date


def ask_date(ctx: Context) -> None:
    """Ask the day the money was given, today being the usual answer."""
    ctx.ask(
        ctx._("On what date was it given? Choose Today or type the date, e.g. 15/03."),
        [("today", ctx._("Today"))],
    )


def earliest_date(today: dt.date) -> dt.date:
    """Return the oldest date a contribution may carry: the same day one year back."""
    try:
        return today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28)


@step
async def receive_date(ctx: Context) -> Step | None:
    """Take the date (not in the future, at most a year back) and ask for a note."""
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
    ctx.ask(
        ctx._("Any note (e.g. the purpose, or a bank transfer)? Type it, or choose Skip."),
        [("skip", ctx._("Skip"))],
    )
    return receive_note


@step
async def receive_note(ctx: Context) -> Step | None:
    """Take the optional note and show the summary to confirm."""
    note = "" if ctx.choice == "skip" else " ".join(ctx.text.split())
    # A bare number is more likely a mistyped choice than a note.
    words = any(ch.isalnum() for ch in note) and not note.replace(" ", "").isdigit()
    if ctx.choice != "skip" and (len(note) > NOTE_MAX or not words):
        ctx.reask(
            ctx._(
                "Please type a note in words, at most {limit} characters, or choose Skip."
            ).format(limit=NOTE_MAX)
        )
        return receive_note
    ctx.data["note"] = note
    return confirm(ctx)


def confirm(ctx: Context) -> Step:
    """Show everything entered, the amount in figures and in words, and ask to confirm."""
    _ = ctx._
    amount = int(ctx.data["amount"])
    lines = [
        _("Please check the contribution:"),
        _("Donor: {name} ({kind})").format(
            name=ctx.data["donor_name"], kind=donor_kind_label(_, ctx.data["donor_kind"])
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
        ("amount", _("Correct the amount")),
        ("cancel", _("Cancel")),
    ]
    ctx.ask("\n".join(lines), choices)
    return receive_confirmation


@choice_step
async def receive_confirmation(ctx: Context) -> Step | None:
    """Record the contribution and give its receipt number, or correct the amount, or cancel."""
    if ctx.choice == "amount":
        ask_amount(ctx)
        return receive_amount
    if ctx.choice == "cancel":
        ctx.say(ctx._("Cancelled. Nothing was recorded."))
        return None
    amount = int(ctx.data["amount"])
    contribution = record_contribution(
        ctx.session,
        recorded_by=ctx.person.id or 0,
        unit_id=recording_unit(ctx),
        donor_name=ctx.data["donor_name"],
        donor_kind=ctx.data["donor_kind"],
        amount=amount,
        contributed_on=dt.date.fromisoformat(ctx.data["contributed_on"]),
        note=ctx.data["note"],
        now=ctx.now,
        timezone=ctx.timezone,
    )
    ctx.say(
        ctx._(
            "Recorded. Receipt number: {receipt}. Amount: {amount} ({words}) from {name}."
        ).format(
            receipt=contribution.receipt_no,
            amount=ctx._.money(amount),
            words=amount_in_words(amount),
            name=contribution.donor_name,
        )
    )
    return None
