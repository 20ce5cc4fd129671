"""/huybienlai reverses a fund receipt with a new negative entry; /quytonghop shows totals."""

from __future__ import annotations

from handlers.context import Context, Render
from handlers.fund import OFFICE, donor_kind_label, unit_label
from handlers.i18n import N_, Translator
from handlers.messages import Choice
from handlers.registry import Step, choice_step, command, step
from handlers.words import command_word
from storage.ledger import (
    RECEIPT_PATTERN,
    LedgerError,
    UnitTotal,
    check_reversible,
    find_receipt,
    fund_totals,
    normalise_receipt,
    reversal_of,
    reverse_contribution,
)
from storage.models import Contribution, Person, Role

REASON_MIN, REASON_MAX = 3, 300


@command(
    "huybienlai",
    roles={Role.ADMIN.value},
    menu_label=N_("Reverse a receipt"),
    menu_order=60,
    summary=N_("reversing a receipt"),
)
async def start_reversal(ctx: Context) -> Step | None:
    """Start reversing a receipt, taking the receipt number and reason from the command."""
    receipt, _, reason = ctx.args.partition(" ")
    problem = receipt_problem(ctx, receipt) if receipt else ""
    # A reason belongs to the receipt it was typed with; a wrong number takes it along.
    if reason.strip() and receipt and not problem:
        ctx.data["pending_reason"] = reason.strip()
    if not receipt or problem:
        if problem:
            ctx.say(problem)
        ctx.ask(ctx._("Which receipt do you want to reverse? Send its number, e.g. KH2026-00042."))
        return receive_receipt
    return accept_receipt(ctx, receipt)


def receipt_problem(ctx: Context, typed: str) -> str:
    """Explain why this receipt cannot be reversed, or return '' when it can."""
    wanted = normalise_receipt(typed)
    if not RECEIPT_PATTERN.match(wanted):
        return ctx._("That is not a receipt number. Receipt numbers look like KH2026-00042.")
    original = find_receipt(ctx.session, wanted)
    if original is None:
        return ctx._("There is no receipt {receipt}. Please check the number.").format(
            receipt=wanted
        )
    try:
        check_reversible(ctx.session, original)
    except LedgerError as error:
        if error.reason == "reversal":
            return ctx._(
                "{receipt} is itself the reversal of receipt {original}; it cannot be reversed."
            ).format(receipt=wanted, original=_receipt_of(ctx, original.reverses_id))
        reversal = reversal_of(ctx.session, original)
        return ctx._("Receipt {receipt} was already reversed by {reversal}.").format(
            receipt=wanted, reversal=reversal.receipt_no if reversal else "?"
        )
    return ""


def _receipt_of(ctx: Context, contribution_id: int | None) -> str:
    found = ctx.session.get(Contribution, contribution_id) if contribution_id else None
    return found.receipt_no if found else "?"


@step
async def receive_receipt(ctx: Context) -> Step | None:
    """Take the receipt number, or explain why it cannot be reversed and ask again."""
    problem = receipt_problem(ctx, ctx.text)
    if problem:
        ctx.reask(problem)
        return receive_receipt
    return accept_receipt(ctx, ctx.text)


def accept_receipt(ctx: Context, typed: str) -> Step:
    """Keep the receipt; confirm at once when the command already gave a good reason."""
    ctx.data["receipt"] = normalise_receipt(typed)
    pending = str(ctx.data.pop("pending_reason", ""))
    problem = reason_problem(ctx, pending) if pending else ""
    if pending and not problem:
        ctx.data["reason"] = " ".join(pending.split())
        return show_reversal(ctx)
    if problem:
        ctx.say(problem)
    ctx.ask(ctx._("Why is receipt {receipt} reversed?").format(receipt=ctx.data["receipt"]))
    return receive_reason


def reason_problem(ctx: Context, typed: str) -> str:
    """Explain what is wrong with a typed reason, or return '' when it will do."""
    reason = " ".join(typed.split())
    if REASON_MIN <= len(reason) <= REASON_MAX and any(ch.isalpha() for ch in reason):
        return ""
    return ctx._("Please give the reason in words, {low} to {high} characters.").format(
        low=REASON_MIN, high=REASON_MAX
    )


@step
async def receive_reason(ctx: Context) -> Step | None:
    """Take the reason and show the original entry to confirm the reversal."""
    problem = reason_problem(ctx, ctx.text)
    if problem:
        ctx.reask(problem)
        return receive_reason
    ctx.data["reason"] = " ".join(ctx.text.split())
    return show_reversal(ctx)


def show_reversal(ctx: Context) -> Step:
    """Show the original entry and the reason, and ask to confirm the reversal."""
    original = find_receipt(ctx.session, ctx.data["receipt"])
    assert original is not None
    _ = ctx._
    lines = [
        _("Reverse receipt {receipt}?").format(receipt=original.receipt_no),
        _("Donor: {name} ({kind})").format(
            name=original.donor_name, kind=donor_kind_label(_, original.donor_kind)
        ),
        _("Amount: {amount}").format(amount=_.money(original.amount)),
        _("Date: {date}").format(date=_.date(original.contributed_on)),
        _("Unit: {unit}").format(unit=unit_label(ctx, original.unit_id)),
        _("Reason: {reason}").format(reason=ctx.data["reason"]),
    ]
    choices = [("reverse", _("Reverse the receipt")), ("keep", _("Keep it"))]
    ctx.ask("\n".join(lines), choices)
    return receive_reversal_confirmation


@choice_step
async def receive_reversal_confirmation(ctx: Context) -> Step | None:
    """Append the reversal entry and its audit record, or leave the receipt as it is."""
    if ctx.choice == "keep":
        ctx.say(
            ctx._("Nothing was changed. Receipt {receipt} stands.").format(
                receipt=ctx.data["receipt"]
            )
        )
        return None
    original = find_receipt(ctx.session, ctx.data["receipt"])
    assert original is not None
    try:
        reversal = reverse_contribution(
            ctx.session,
            original,
            by=ctx.person.id or 0,
            reason=ctx.data["reason"],
            now=ctx.now,
            timezone=ctx.timezone,
        )
    except LedgerError:
        # Another admin reversed it while this one was confirming.
        ctx.say(receipt_problem(ctx, original.receipt_no))
        return None
    lines = [
        ctx._("Receipt {receipt} reversed by entry {reversal} ({amount}).").format(
            receipt=original.receipt_no,
            reversal=reversal.receipt_no,
            amount=ctx._.money(reversal.amount),
        )
    ]
    recorder = tell_recorder(ctx, original, reversal.id or 0, ctx.data["reason"])
    if recorder is not None:
        lines.append(
            ctx._("{name}, who recorded it, has been told.").format(name=recorder.name or "—")
        )
        lines.append(ctx.quiet_note())
    ctx.say("\n".join(filter(None, lines)))
    return None


def tell_recorder(
    ctx: Context, original: Contribution, reversal_id: int, reason: str
) -> Person | None:
    """Queue the reversal notice for whoever recorded the receipt; return them, or None.

    Nobody is told when the admin reverses their own receipt or the recorder was removed.
    """
    recorder = ctx.session.get(Person, original.recorded_by)
    if recorder is None or recorder.id is None or recorder.removed_at is not None:
        return None
    if recorder.id == ctx.person.id:
        return None
    ctx.notify(
        recorder.id,
        reversal_notice(original, reason),
        key=f"reversal:{reversal_id}:recorder:{recorder.id}",
    )
    return recorder


def reversal_notice(original: Contribution, reason: str) -> Render:
    """Build the message telling a recorder, in their language, that their receipt was reversed."""
    receipt, name, amount = original.receipt_no, original.donor_name, original.amount
    # The sentence ends with its own full stop.
    reason = reason.rstrip(" .")

    def render(_: Translator) -> tuple[str, list[Choice]]:
        lines = [
            _("Receipt {receipt} ({name}, {amount}) has been reversed. Reason: {reason}.").format(
                receipt=receipt, name=name, amount=_.money(amount), reason=reason
            ),
            _("If it should be recorded again, send {quy}.").format(quy=command_word(_, "quy")),
        ]
        return "\n".join(lines), []

    return render


@command(
    "quytonghop",
    roles={Role.ADMIN.value, Role.LEADER.value},
    menu_label=N_("Fund totals"),
    menu_order=50,
)
async def show_fund_totals(ctx: Context) -> Step | None:
    """Show the fund's net totals and standing contributions per unit, this year and overall."""
    year = ctx.today.year
    this_year = fund_totals(ctx.session, year=year)
    overall = fund_totals(ctx.session, year=None)
    if this_year == overall:
        # Two identical blocks would only make the reader compare them line by line.
        title = ctx._("Study-promotion fund, year {year} (also everything so far):")
        ctx.say(totals_text(ctx, title.format(year=year), overall))
        return None
    title = ctx._("Study-promotion fund, year {year}:").format(year=year)
    ctx.say(totals_text(ctx, title, this_year))
    ctx.say(totals_text(ctx, ctx._("Study-promotion fund, all years:"), overall))
    return None


def totals_text(ctx: Context, title: str, totals: list[UnitTotal]) -> str:
    """Render one period's totals: a line per unit and the grand total."""
    _: Translator = ctx._
    if not totals:
        return "\n".join([title, _("No contributions yet.")])
    lines = [title]
    for row in totals:
        name = row.unit_name if row.unit_id is not None else _(OFFICE)
        lines.append(_line(_, name, row.total, row.count))
    grand = sum(row.total for row in totals)
    count = sum(row.count for row in totals)
    lines.append(_line(_, _("Total"), grand, count))
    return "\n".join(lines)


def _line(_: Translator, name: str, total: int, count: int) -> str:
    return _("{name}: {amount} ({count} contributions)").format(
        name=name, amount=_.money(total), count=_.number(count)
    )
