"""Escalation: after a deadline, admins and leaders learn once which units have not finished."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from handlers.context import Notice, Render
from handlers.directive_push import deadline_line
from handlers.i18n import Translator
from handlers.messages import Choice
from handlers.outbox import deliver_notice
from handlers.reminder_policy import ReminderPolicy
from handlers.report_news import status_label
from handlers.report_text import shorten
from storage.directive_tasks import (
    milestones_done,
    milestones_due_by,
    milestones_for,
    milestones_of,
    open_unit_kinds,
)
from storage.escalations import LateUnit, late_units
from storage.models import Directive, Milestone, OutboxMessage, Role
from storage.people import people_with_roles
from storage.reminders import Due, claim, directives_by_id, overdue_directives, sent_keys

OVERSEERS = {Role.ADMIN.value, Role.LEADER.value}
"""Who hears about overdue units and reads the weekly digest."""


WHAT_LIMIT = 120
"""How much of what a milestone wants the message shows."""
LISTED = 30
"""Late units named in one message; the rest are counted, and the button shows them all."""


def unit_state(_: Translator, row: LateUnit) -> str:
    """Say where one unit stands: not reported, or its latest status and when it was reported."""
    if row.reported_at is None:
        text = _("{unit}: not reported yet").format(unit=row.unit_name)
    else:
        text = _("{unit}: {status}, reported {time}").format(
            unit=row.unit_name, status=status_label(_, row.status), time=_.when(row.reported_at)
        )
    if not row.staffed:
        text = f"{text} — " + _("no focal point yet")
    return text


def escalation_notice(
    directive: Directive, late: list[LateUnit], milestone: Milestone | None = None
) -> Render:
    """Build the overdue message of one directive, or of one of its milestones, naming its
    first unfinished units."""
    number, issued_on, subject = directive.number, directive.issued_on, directive.subject
    deadline, directive_id = directive.deadline, directive.id
    what = ""
    if milestone is not None:
        deadline, what = milestone.due_on, milestone.what
    listed, more = late[:LISTED], len(late) - LISTED

    def render(_: Translator) -> tuple[str, list[Choice]]:
        lines = [
            "⚠️ "
            + _("Overdue: directive no. {number}, dated {date}").format(
                number=number, date=_.date(issued_on)
            ),
            subject,
        ]
        if what:
            lines.append(_("Due then: {what}").format(what=shorten(what, WHAT_LIMIT)))
        lines += [
            deadline_line(_, deadline),
            "",
            _("Units not completed ({count}):").format(count=_.number(len(late))),
            *("- " + unit_state(_, row) for row in listed),
        ]
        if more > 0:
            lines.append(_("… and {count} more units.").format(count=_.number(more)))
        return "\n".join(lines), [(f"/tinhhinh {directive_id}", _("See each unit"))]

    return render


def due_escalations(session: Session, policy: ReminderPolicy, now: dt.datetime) -> list[Due]:
    """List the directives, and the milestones, past their escalation moment with a unit not
    done, not yet escalated."""
    if policy.escalation is None:
        return []
    offset = policy.escalation
    deadline_by = policy.local_date(now) - dt.timedelta(days=offset.days)
    milestones = milestones_due_by(session, deadline_by)
    kinds = open_unit_kinds(session, list(milestones))
    items = []
    for directive in overdue_directives(session, deadline_by):
        assert directive.deadline is not None and directive.id is not None
        if directive.id in milestones and not _uncovered(
            milestones[directive.id], kinds.get(directive.id, set())
        ):
            continue  # Every unit still at work has milestones of its own, escalated below.
        moment = offset.moment(directive.deadline, policy.zone)
        if moment <= now:
            key = f"directive:{directive.id}:overdue"
            items.append(Due("escalation", key, "overdue", moment, directive.id))
    for directive_id, found in sorted(milestones.items()):
        open_kinds = kinds.get(directive_id, set())
        for milestone in found:
            moment = offset.moment(milestone.due_on, policy.zone)
            if moment > now or not any(milestones_for([milestone], k) for k in open_kinds):
                continue
            key = f"directive:{directive_id}:m{milestone.id}:overdue"
            items.append(
                Due("escalation", key, "overdue", moment, directive_id, None, milestone.id)
            )
    sent = sent_keys(session, [item.key for item in items])
    return [item for item in items if item.key not in sent]


def _uncovered(milestones: list[Milestone], kinds: set[str]) -> set[str]:
    """The kinds of unit no milestone applies to: the directive's deadline is theirs."""
    return {kind for kind in kinds if not milestones_for(milestones, kind)}


def late_for(session: Session, item: Due, units: list[LateUnit]) -> list[LateUnit]:
    """The late units an escalation names: for a milestone, those it applies to that have not
    finished it; for a directive with milestones, those of kinds no milestone applies to."""
    milestones = milestones_of(session, item.directive_id or 0)
    if not milestones:
        return units
    if item.milestone_id is None:
        uncovered = _uncovered(milestones, {row.unit_kind for row in units})
        return [row for row in units if row.unit_kind in uncovered]
    milestone = next((m for m in milestones if m.id == item.milestone_id), None)
    if milestone is None:
        return []
    applying = [row for row in units if milestones_for([milestone], row.unit_kind)]
    done = milestones_done(session, [row.assignment_id for row in applying])
    return [row for row in applying if item.milestone_id not in done.get(row.assignment_id, ())]


def queue_escalations(
    session: Session, policy: ReminderPolicy, now: dt.datetime, items: list[Due]
) -> dict[str, list[OutboxMessage]]:
    """Tell every admin and leader, once per directive or milestone, which of its units are
    not done.

    Returns the rows queued per escalation key; an escalation with nothing late, or taken
    by another pass, is left out (and not recorded: a later pass may find otherwise).
    """
    overseers = people_with_roles(session, OVERSEERS)
    if not overseers:
        return {}
    wanted = [item.directive_id for item in items if item.directive_id is not None]
    late = late_units(session, wanted)
    directives = directives_by_id(session, set(late))
    queued: dict[str, list[OutboxMessage]] = {}
    for item in items:
        units = late_for(session, item, late.get(item.directive_id or 0, []))
        if not units or not claim(session, item, now):
            continue
        milestone = session.get(Milestone, item.milestone_id) if item.milestone_id else None
        notice = escalation_notice(directives[item.directive_id or 0], units, milestone)
        queued[item.key] = [
            row
            for person in overseers
            for row in deliver_notice(
                session,
                Notice(person.id or 0, notice, key=f"{item.key}:person:{person.id}"),
                policy.timezone,
                now,
                policy.quiet,
            )
        ]
    return queued
