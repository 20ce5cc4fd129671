"""A reminder's text per language, directive, milestone, task and acknowledgement, rendered
once per pass with stand-ins for the unit's name and the assignment's id."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from handlers.i18n import Translator
from storage.models import Directive, DirectiveTask, Milestone
from storage.reminder_queue import ASSIGNMENT_MARK, UNIT_MARK

Reminding = Callable[..., Any]
"""handlers.reminders.reminder_notice, passed in so the two modules do not import each other."""


class ReminderTexts:
    """Translators per locale and reminder texts per language, directive, milestone, task and
    acknowledgement."""

    def __init__(self, notice: Reminding, timezone: str, on: dt.date) -> None:
        self.notice, self.timezone, self.on = notice, timezone, on
        self.translators: dict[str, Translator] = {}
        self.rendered: dict[tuple[Any, ...], tuple[str, list[tuple[str, str]]]] = {}

    def translator(self, locale: str) -> Translator:
        """Return the person's translator, made once per locale."""
        if locale not in self.translators:
            self.translators[locale] = Translator(locale, self.timezone)
        return self.translators[locale]

    def template(
        self, locale: str, part: ReminderPart, acknowledged: bool
    ) -> tuple[str, list[tuple[str, str]]]:
        """Return the reminder's text and choices in one language, with stand-ins for the
        unit's name and the assignment's id."""
        task, milestone = part.task, part.milestone
        key = (
            locale,
            part.directive.id,
            milestone.id if milestone else 0,
            task.id if task else 0,
            acknowledged,
        )
        if key not in self.rendered:
            render = self.notice(
                part.directive,
                ASSIGNMENT_MARK,
                UNIT_MARK,
                acknowledged=acknowledged,
                on=self.on,
                milestone=milestone,
                task=task,
            )
            self.rendered[key] = render(self.translator(locale))
        return self.rendered[key]

    def render(
        self, locale: str, part: ReminderPart, assignment_id: int, unit: str, acknowledged: bool
    ) -> tuple[str, list[tuple[str, str]]]:
        """Return the reminder's text and choices for one assignment in one language."""
        text, choices = self.template(locale, part, acknowledged)
        number = str(assignment_id)
        return text.replace(UNIT_MARK, unit), [
            (cid.replace(ASSIGNMENT_MARK, number), label) for cid, label in choices
        ]


@dataclass(frozen=True)
class ReminderPart:
    """What a reminder names: the directive, the milestone due, and the unit's task."""

    directive: Directive
    milestone: Milestone | None = None
    task: DirectiveTask | None = None
