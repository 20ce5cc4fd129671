"""The end of /quy: the contribution goes into the ledger and its receipt number is given,
after asking when the unit already has a receipt for the same donor, amount and day."""

from __future__ import annotations

import datetime as dt

from handlers.context import Context
from handlers.fund_donor import donor_shown, recorded_anonymous
from handlers.money import amount_in_words
from handlers.registry import Step, choice_step
from storage.ledger import record_contribution, same_contribution
from storage.models import Role


def recording_unit(ctx: Context) -> int | None:
    """Return the unit a contribution is booked to: the focal point's, none for an admin."""
    return ctx.person.unit_id if ctx.person.role == Role.FOCAL.value else None


def record_unless_repeated(ctx: Context) -> Step | None:
    """Record the contribution, or first ask when a standing receipt already holds the same."""
    twin = same_contribution(
        ctx.session,
        unit_id=recording_unit(ctx),
        donor_name=ctx.data["donor_name"],
        amount=int(ctx.data["amount"]),
        contributed_on=dt.date.fromisoformat(ctx.data["contributed_on"]),
    )
    if twin is None:
        record(ctx)
        return None
    ctx.data["twin"] = twin.receipt_no
    ctx.ask(
        ctx._(
            "Receipt {receipt} already records the same ({name}, {amount}, {date}). "
            "Record this one too?"
        ).format(
            receipt=twin.receipt_no,
            name=twin.donor_name,
            amount=ctx._.money(twin.amount),
            date=ctx._.date(twin.contributed_on),
        ),
        [("record", ctx._("Record it")), ("drop", ctx._("Do not record"))],
    )
    return receive_twin_decision


@choice_step
async def receive_twin_decision(ctx: Context) -> Step | None:
    """Record a contribution that repeats a receipt, or leave the ledger as it is."""
    if ctx.choice == "record":
        record(ctx)
        return None
    ctx.say(
        ctx._("Not recorded. Receipt {receipt} already holds it.").format(
            receipt=ctx.data.get("twin", "")
        )
    )
    return None


def record(ctx: Context) -> None:
    """Append the contribution to the ledger and give its receipt number."""
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
        anonymous=recorded_anonymous(ctx.data),
    )
    ctx.say(
        ctx._(
            "Recorded. Receipt number: {receipt}. Amount: {amount} ({words}) from {name}."
        ).format(
            receipt=contribution.receipt_no,
            amount=ctx._.money(amount),
            words=amount_in_words(amount),
            name=donor_shown(ctx._, ctx.data),
        )
    )
