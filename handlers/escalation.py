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
from storage.models import Directive, OutboxMessage, ProgressStatus, Role
from storage.people import people_with_roles
from storage.progress import UnitProgress, directive_status
from storage.reminders import Due, claim, overdue_directives, sent_keys

OVERSEERS = {Role.ADMIN.value, Role.LEADER.value}
"""Who hears about overdue units and reads the weekly digest."""


def unit_state(_: Translator, row: UnitProgress) -> str:
    """Say where one unit stands: not reported, or its latest status and when it was reported."""
    if row.reported_at is None:
        text = _("{unit}: not reported yet").format(unit=row.unit_name)
    else:
        text = _("{unit}: {status}, reported {time}").format(
            unit=row.unit_name, status=status_label(_, row.status), time=_.when(row.reported_at)
        )
    if not row.focal_points:
        text = f"{text} — " + _("no focal point yet")
    return text


def escalation_notice(directive: Directive, late: list[UnitProgress]) -> Render:
    """Build the overdue message of one directive, listing its unfinished units."""
    number, issued_on, subject = directive.number, directive.issued_on, directive.subject
    deadline, directive_id = directive.deadline, directive.id

    def render(_: Translator) -> tuple[str, list[Choice]]:
        lines = [
            "⚠️ "
            + _("Overdue: directive no. {number}, dated {date}").format(
                number=number, date=_.date(issued_on)
            ),
            subject,
            deadline_line(_, deadline),
            "",
            _("Units not completed ({count}):").format(count=_.number(len(late))),
            *("- " + unit_state(_, row) for row in late),
        ]
        return "\n".join(lines), [(f"/tinhhinh {directive_id}", _("See each unit"))]

    return render


def due_escalations(session: Session, policy: ReminderPolicy, now: dt.datetime) -> list[Due]:
    """List the directives past their escalation moment, with a unit not done, not yet escalated."""
    if policy.escalation is None:
        return []
    offset = policy.escalation
    deadline_by = policy.local_date(now) - dt.timedelta(days=offset.days)
    items = []
    for directive in overdue_directives(session, deadline_by):
        assert directive.deadline is not None
        moment = offset.moment(directive.deadline, policy.zone)
        if moment <= now:
            key = f"directive:{directive.id}:overdue"
            items.append(Due("escalation", key, "overdue", moment, directive.id))
    sent = sent_keys(session, [item.key for item in items])
    return [item for item in items if item.key not in sent]


def queue_escalation(
    session: Session, policy: ReminderPolicy, now: dt.datetime, item: Due
) -> list[OutboxMessage] | None:
    """Tell every admin and leader, once, which units of the directive are not done."""
    assert item.directive_id is not None
    status = directive_status(session, item.directive_id, policy.local_date(now))
    late = [row for row in status.units if row.status != ProgressStatus.DONE.value]
    overseers = people_with_roles(session, OVERSEERS)
    # Nothing is recorded when there is nobody to tell or nothing late: a later pass may have.
    if not late or not overseers or not claim(session, item, now):
        return None
    rows: list[OutboxMessage] = []
    for person in overseers:
        assert person.id is not None
        notice = Notice(
            person.id,
            escalation_notice(status.directive, late),
            key=f"{item.key}:person:{person.id}",
        )
        rows += deliver_notice(session, notice, policy.timezone, now, policy.quiet)
    return rows
