"""Named dialog steps and slash commands, looked up by the engine."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from handlers.context import Context
    from handlers.i18n import Translator

Step: TypeAlias = Callable[["Context"], Awaitable[Any]]
"""A dialog step: gets the person's answer in the context, returns the next step or None."""

Summary: TypeAlias = "str | Callable[[Translator, dict[str, Any]], str]"
"""What a dialog is doing, for 'you have not finished …': an N_ string, or a function of the
dialog's data giving a translated line ('' when nothing worth keeping was entered yet)."""

_STEPS: dict[str, Step] = {}
_CHOICE_STEPS: set[str] = set()


def step(fn: Step) -> Step:
    """Register `fn` as a step that takes free text (validated by the step itself)."""
    _STEPS[step_name(fn)] = fn
    return fn


def choice_step(fn: Step) -> Step:
    """Register `fn` as a step that only takes one of the offered choices."""
    _STEPS[step_name(fn)] = fn
    _CHOICE_STEPS.add(step_name(fn))
    return fn


def step_name(fn: Step) -> str:
    """Return the name under which a step is stored in the conversation row."""
    return f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}"


def find_step(name: str) -> Step | None:
    """Return the step stored under `name`, if the code still has it."""
    return _STEPS.get(name)


def wants_choice(name: str) -> bool:
    """Tell whether the named step only accepts one of its offered choices."""
    return name in _CHOICE_STEPS


@dataclass(frozen=True)
class Command:
    """A slash command: who may use it and the step that starts it."""

    name: str
    roles: frozenset[str]
    start: Step
    menu_label: str = ""
    menu_order: int = 100
    keeps_dialog: bool = False
    """A one-shot command (a tap on a pushed message) that leaves a dialog in progress as it was."""
    summary: Summary = ""
    """Set on dialogs that gather unsaved input: starting another command asks first."""


_COMMANDS: dict[str, Command] = {}


def command(
    name: str,
    *,
    roles: set[str],
    menu_label: str = "",
    menu_order: int = 100,
    keeps_dialog: bool = False,
    summary: Summary = "",
) -> Callable[[Step], Step]:
    """Register the decorated step as the start of `/name`, open to `roles`."""

    def register(fn: Step) -> Step:
        _COMMANDS[name] = Command(
            name, frozenset(roles), fn, menu_label, menu_order, keeps_dialog, summary
        )
        return fn

    return register


def find_command(name: str) -> Command | None:
    """Return the command called `name`, if any."""
    return _COMMANDS.get(name)


def commands_for(role: str) -> list[Command]:
    """Return the commands a role may use, in menu order."""
    allowed = [c for c in _COMMANDS.values() if role in c.roles]
    return sorted(allowed, key=lambda c: (c.menu_order, c.name))
