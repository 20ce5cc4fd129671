"""Asking before a new command throws away a dialog's unsaved input, and going back to it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from handlers.context import Context
from handlers.i18n import Translator
from handlers.menu import show_menu
from handlers.registry import Step, choice_step, find_command, find_step

PAUSED = "_paused"
"""Key in the dialog's data holding where it stood (step, question, choices) and what waits."""


@dataclass(frozen=True)
class Discard:
    """The person chose to drop the dialog and run `command` (e.g. '/baocao 8') instead."""

    command: str


def entered(data: dict[str, Any]) -> dict[str, Any]:
    """Return what the person typed or chose in the dialog, without the engine's own keys."""
    return {key: value for key, value in data.items() if key not in {"command", PAUSED}}


def in_progress(_: Translator, data: dict[str, Any]) -> str:
    """Say in one line what unsaved work the dialog holds, or '' when there is none to lose."""
    owner = find_command(str(data.get("command", "")))
    answers = entered(data)
    if owner is None or not owner.summary or not answers:
        return ""
    if callable(owner.summary):
        return owner.summary(_, answers)
    return _(owner.summary)


def ask(
    ctx: Context, step: str, prompt: str, choices: list[list[str]], what: str, new: str
) -> Step:
    """Ask whether to drop the dialog standing at `step` for the command `new`."""
    paused = ctx.data.get(PAUSED) or {"step": step, "prompt": prompt, "choices": choices}
    ctx.data[PAUSED] = {**paused, "next": new}
    # Nothing was chosen yet: a button tapped for `new` (on a push) stays where it is.
    ctx.tap_settled = True
    _ = ctx._
    ctx.ask(
        _("You have not finished: {what}. Its answers are not saved yet.").format(what=what),
        [
            ("discard", _("Discard and start the new one")),
            ("continue", _("Continue what I was doing")),
        ],
    )
    return receive_decision


@choice_step
async def receive_decision(ctx: Context) -> Step | Discard | None:
    """Run the new command, or ask the dialog's own question again, exactly as before."""
    paused = ctx.data.pop(PAUSED, None) or {}
    if ctx.choice == "discard":
        return Discard(str(paused.get("next", "/menu")))
    step = find_step(str(paused.get("step", "")))
    if step is None:
        ctx.data = {}
        ctx.say(ctx._("That dialog has ended."))
        show_menu(ctx)
        return None
    ctx.ask(str(paused.get("prompt", "")), [(cid, label) for cid, label in paused["choices"]])
    return step
