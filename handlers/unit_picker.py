"""Choosing units one by one from a list, as /congvan and /thongbao both let admins do."""

from __future__ import annotations

from sqlmodel import Session

from handlers.messages import Choice
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
