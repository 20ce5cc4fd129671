"""A directive sent from its file without a chat: `hoctap directive import FILE --send`.

The fields are read as /congvan reads a document (handlers.directive_import.read_fields), the
same fields are required before it may be sent (handlers.directive_review.missing_fields),
and it is stored and pushed as confirming /congvan does (store_directive, directive_notices).
The pushes go to the outbox like a chat turn's, and the running bot's sender delivers them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from handlers.directive_push import (
    UnitPart,
    directive_notices,
    part_groups,
    task_heading,
    unit_deadline_line,
    unit_parts,
)
from handlers.directive_review import field_names, store_directive
from handlers.i18n import N_, Translator
from handlers.outbox import deliver_notice
from handlers.quiet import QuietHours
from storage.directives import units_by_id
from storage.models import Directive, Unit, UnitKind

KIND_NAMES = {
    UnitKind.VILLAGE.value: N_("Village"),
    UnitKind.SCHOOL.value: N_("School"),
    UnitKind.OFFICE.value: N_("Office"),
}
READ_FROM_DOCUMENT = ("number", "issued_on", "subject")
"""Fields only the document can give: a signed directive always prints them."""


@dataclass(frozen=True)
class SentDirective:
    """A directive stored and pushed: to whom, what each unit was asked, who has no one."""

    directive: Directive
    units: list[Unit]
    parts: dict[int, UnitPart]
    reached: int
    without: list[Unit]
    delivery: dt.datetime
    """When the pushes go out: now, or at the end of quiet hours."""


def send_directive(
    session: Session,
    data: dict[str, Any],
    *,
    now: dt.datetime,
    timezone: str,
    quiet: QuietHours | None,
) -> SentDirective:
    """Store the directive of these (complete) fields and queue its push to every focal point
    of its units, in the caller's transaction."""
    units = units_by_id(session, data["unit_ids"])
    directive, assignments = store_directive(session, data, units, created_by=None, now=now)
    today = Translator("vi", timezone).today(now)
    notices, without = directive_notices(session, directive, assignments, units, today)
    for notice in notices:
        deliver_notice(session, notice, timezone, now, quiet)
    return SentDirective(
        directive=directive,
        units=units,
        parts=unit_parts(session, directive, units, today),
        reached=len(notices),
        without=without,
        delivery=quiet.next_allowed(now) if quiet is not None else now,
    )


def refusal_lines(_: Translator, missing: list[str], printed: dt.date | None) -> list[str]:
    """Say why a directive cannot be sent: the fields missing and how to give each."""
    lines = [
        _("Not sent, nothing stored: not found in the document: {fields}.").format(
            fields=field_names(_, missing)
        )
    ]
    if printed is not None and "issued_on" in missing:
        lines.append(_("The issue date {date} is after today.").format(date=_.date(printed)))
    if any(name in READ_FROM_DOCUMENT for name in missing):
        lines.append(
            _(
                "What the document leaves blank is never guessed: import the signed copy, "
                "or enter the directive in the chat."
            )
        )
    # The options are the command's own words: kept out of the text translated.
    if "unit_ids" in missing:
        lines.append(
            _("Choose the units with {kinds} (or {all}).").format(
                kinds="--units village,school", all="--units all"
            )
        )
    if "deadline" in missing:
        lines.append(
            _("Give the deadline with {date}, or {none}.").format(
                date="--deadline dd/mm/yyyy", none="--deadline none"
            )
        )
    return lines


def sent_lines(_: Translator, sent: SentDirective, now: dt.datetime) -> list[str]:
    """Say what was sent: the directive's number and id, then its units kind by kind, each
    group with its task and deadline, and how many people it went to."""
    directive = sent.directive
    lines = [
        _("Saved directive no. {number} (id {id}).").format(
            number=directive.number, id=directive.id
        )
    ]
    for kind, label in KIND_NAMES.items():
        units = [unit for unit in sent.units if unit.kind == kind]
        for part, members in part_groups(units, lambda unit: sent.parts[unit.id or 0]):
            names = ", ".join(unit.name for unit in members)
            lines.append(f"{_(label)} ({_.number(len(members))}): {names}")
            if part.task is None:
                lines.append("  " + _("The whole text"))
            else:
                heading = task_heading(_, part.task, members[0].name)
                lines.append(f"  {heading} {part.task.heading}")
            lines.append("  " + unit_deadline_line(_, part))
    lines.append(
        _("Sent the directive to {units} units, {people} people.").format(
            units=_.number(len(sent.units)), people=_.number(sent.reached)
        )
    )
    if sent.without:
        names = ", ".join(unit.name for unit in sent.without)
        lines.append(_("No focal point yet: {units}.").format(units=names))
    if sent.delivery > now:
        lines.append(
            _("It is quiet hours now: people will receive it at {time}.").format(
                time=_.when(sent.delivery)
            )
        )
    lines.append(_("The running bot delivers the messages; if it is stopped, once it starts."))
    return lines
