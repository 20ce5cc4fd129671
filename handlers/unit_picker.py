"""Choosing units from a list, as /congvan and /thongbao both let admins do.

A tap (or a number, or a name) ticks one unit or unticks it. Several numbers typed at once
('1 3 5', '1,3,5', '1, 3 và 5', '1-4', '2-4 7') do the same to each unit they name, once: a
typed list toggles, like choosing its units one by one, so it never silently drops a unit
ticked earlier. 'tất cả' ticks every unit. On Telegram the list is changed in place.
"""

from __future__ import annotations

from sqlmodel import Session

from handlers.context import Context
from handlers.messages import Choice
from handlers.number_list import Numbers, OutOfRange, Unreadable, read_numbers
from handlers.outbox import BUTTON_CHANNELS
from storage.directives import units_for_target

PICKED = "✓ "
"""Marks a unit already chosen; choosing it again removes it."""
DONE = "done"


def unit_choices(session: Session, picked: list[int], done_label: str) -> list[Choice]:
    """Every unit as a choice, the chosen ones ticked, then Done."""
    chosen = set(picked)
    choices = [
        (f"u{unit.id}", (PICKED if unit.id in chosen else "") + unit.name)
        for unit in units_for_target(session, "all")
    ]
    return [*choices, (DONE, done_label)]


def toggle(picked: list[int], choice: str) -> list[int]:
    """Return the chosen units after choosing `choice` (a 'u<id>' choice): added or removed."""
    unit_id = int(choice.removeprefix("u"))
    if unit_id in picked:
        return [known for known in picked if known != unit_id]
    return [*picked, unit_id]


def show_units(ctx: Context, prompt: str) -> None:
    """Ask `prompt` over the units, the chosen ones ticked: on the list tapped, if any."""
    if ctx.inbound.channel not in BUTTON_CHANNELS:
        prompt += "\n" + ctx._(
            "You may send several numbers at once, e.g. 1 3 5 or 1-4 (a chosen unit is "
            "removed), or “all” to choose every unit."
        )
    ctx.ask_in_place(prompt, unit_choices(ctx.session, ctx.data["picked"], ctx._("Done")))


def take_units(ctx: Context, prompt: str) -> list[int] | None:
    """Apply the answer to the pick list kept in the dialog's data as 'picked'.

    Returns the chosen unit ids once Done is chosen with at least one; otherwise None, after
    showing the list again (changed, or unchanged after saying what was wrong).
    """
    picked: list[int] = list(ctx.data["picked"])
    if ctx.choice == DONE:
        if picked:
            return picked
        ctx.say(ctx._("Please choose at least one unit, then Done."))
    elif ctx.choice:
        ctx.data["picked"] = toggle(picked, ctx.choice)
    else:
        _take_typed(ctx, picked)
    show_units(ctx, prompt)
    return None


def _take_typed(ctx: Context, picked: list[int]) -> None:
    """Apply a typed list of numbers, or say what is wrong with it and change nothing."""
    # The numbers are those of the list as last shown, even if units changed since.
    listed = [cid for cid, _label in ctx.offered if cid != DONE]
    last = len(listed)
    try:
        numbers: Numbers = read_numbers(ctx.text, last)
    except OutOfRange as error:
        ctx.say(
            ctx._(
                "There is no unit number {number}: the units are numbered 1 to {last}. "
                "Nothing was changed."
            ).format(number=error.number, last=last)
        )
        return
    except Unreadable:
        if ctx.inbound.channel in BUTTON_CHANNELS:
            ctx.say(ctx._("Please choose one of the options."))
        else:
            ctx.say(
                ctx._(
                    "Please send unit numbers from 1 to {last}, e.g. 1 3 5 or 1-4, or “all”. "
                    "Nothing was changed."
                ).format(last=last)
            )
        return
    if numbers.every:
        ids = [int(cid.removeprefix("u")) for cid in listed]
        ctx.data["picked"] = picked + [unit_id for unit_id in ids if unit_id not in picked]
        return
    for number in numbers.chosen:
        picked = toggle(picked, listed[number - 1])
    ctx.data["picked"] = picked
