"""/bienlai: a unit's latest fund receipts, reversed ones marked, for checking the ledger.

A focal point sees their own unit's; admins and leaders choose a unit, the office or all.
"""

from __future__ import annotations

from handlers.context import Context
from handlers.fund import OFFICE
from handlers.i18n import N_, Translator
from handlers.registry import Step, choice_step, command
from handlers.roster import chosen_id
from storage.directives import units_for_target
from storage.models import Role, Unit
from storage.receipts import EVERY_UNIT, Receipt, Scope, latest_receipts

SHOWN = 20
"""Receipts listed at once: a chat screen or two; the full ledger is the export."""
ALL, AT_OFFICE = "all", "office"


@command(
    "bienlai",
    roles={Role.FOCAL.value, Role.ADMIN.value, Role.LEADER.value},
    menu_label=N_("Receipts"),
    menu_order=55,
)
async def show_receipts(ctx: Context) -> Step | None:
    """List a focal point's unit's latest receipts; ask admins and leaders whose to list."""
    if ctx.person.role == Role.FOCAL.value:
        list_receipts(ctx, ctx.person.unit_id)
        return None
    _ = ctx._
    choices = [(ALL, _("All units"))]
    choices += [(f"u{unit.id}", unit.name) for unit in units_for_target(ctx.session, "all")]
    choices.append((AT_OFFICE, _(OFFICE)))
    ctx.ask(_("Whose receipts do you want to see?"), choices)
    return receive_scope


@choice_step
async def receive_scope(ctx: Context) -> Step | None:
    """List the receipts of the unit chosen, the office's, or everyone's."""
    if ctx.choice == ALL:
        list_receipts(ctx, EVERY_UNIT)
    elif ctx.choice == AT_OFFICE:
        list_receipts(ctx, None)
    else:
        list_receipts(ctx, chosen_id(ctx, "u"))
    return None


def list_receipts(ctx: Context, scope: Scope) -> None:
    """Say the latest receipts of `scope`, newest first, and how many older ones there are."""
    _ = ctx._
    receipts, count = latest_receipts(ctx.session, scope, SHOWN)
    every = scope == EVERY_UNIT
    unit = ctx.session.get(Unit, scope) if isinstance(scope, int) else None
    name = unit.name if unit is not None else _(OFFICE)
    if not receipts:
        none = _("No receipts yet.") if every else _("{unit} has no receipts yet.")
        ctx.say(none.format(unit=name))
        return
    title = (
        _("Latest receipts, all units:")
        if every
        else _("Latest receipts of {unit}:").format(unit=name)
    )
    lines = [title, *(receipt_line(_, receipt, with_unit=every) for receipt in receipts)]
    if count > len(receipts):
        lines.append(
            _("{count} earlier receipts are not shown.").format(
                count=_.number(count - len(receipts))
            )
        )
    ctx.say("\n".join(lines))


def receipt_line(_: Translator, receipt: Receipt, *, with_unit: bool) -> str:
    """Render one receipt: date, number, (unit,) donor, amount, and what reversed what."""
    entry = receipt.entry
    parts = [_.date(entry.contributed_on), entry.receipt_no]
    if with_unit:
        parts.append(receipt.unit_name or _(OFFICE))
    parts += [entry.donor_name, _.money(entry.amount)]
    line = " · ".join(parts)
    if receipt.reverses:
        return line + " " + _("(reverses {receipt})").format(receipt=receipt.reverses)
    if receipt.reversed_by:
        return line + " " + _("(reversed by {receipt})").format(receipt=receipt.reversed_by)
    return line
