"""Deadline reminders to focal points, and one pass that queues every reminder due at a moment."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import Engine as Database
from sqlmodel import Session

from handlers.context import Render
from handlers.digest import due_digest, queue_digest
from handlers.directive_push import due_line
from handlers.escalation import due_escalations, queue_escalations
from handlers.i18n import Translator
from handlers.messages import Choice
from handlers.reminder_batch import ReminderRun, queue_reminders
from handlers.reminder_policy import Offset, ReminderPolicy
from storage.db import transaction
from storage.models import Directive, OutboxMessage
from storage.reminder_queue import Plan, due_assignments
from storage.reminders import directives_due_by

log = logging.getLogger(__name__)

CATCH_UP = dt.timedelta(days=2)
"""How late a reminder may still go out (the bot was down); older ones are noise, not help."""


@dataclass
class PassSummary:
    """What one pass queued: items per category, outbox rows, and rows waiting out quiet hours."""

    reminders: int = 0
    escalations: int = 0
    digests: int = 0
    messages: int = 0
    deferred: int = 0
    failed: int = 0

    def count(self, category: str, rows: list[OutboxMessage], now: dt.datetime) -> None:
        """Add one queued item and its outbox rows."""
        field = {"reminder": "reminders", "escalation": "escalations", "digest": "digests"}
        setattr(self, field[category], getattr(self, field[category]) + 1)
        self.messages += len(rows)
        self.deferred += sum(row.not_before > now for row in rows)


def reminder_notice(
    directive: Directive,
    assignment_id: int | str,
    unit_name: str,
    *,
    acknowledged: bool,
    on: dt.date,
) -> Render:
    """Build a reminder of one assignment: directive, deadline, unit, Report (and Received)."""
    number, issued_on, subject = directive.number, directive.issued_on, directive.subject
    deadline = directive.deadline

    def render(_: Translator) -> tuple[str, list[Choice]]:
        lines = [
            "⏰ "
            + _("Reminder: directive no. {number}, dated {date}").format(
                number=number, date=_.date(issued_on)
            ),
            subject,
            due_line(_, deadline, on),
            _("Unit: {unit}").format(unit=unit_name),
            "",
            _("Your unit has not reported completion yet. Please report its progress."),
        ]
        choices = [] if acknowledged else [(f"/ack {assignment_id}", _("Received"))]
        choices.append((f"/baocao {assignment_id}", _("Report")))
        return "\n".join(lines), choices

    return render


def latest_due(policy: ReminderPolicy, directive: Directive, now: dt.datetime) -> Offset | None:
    """Return the latest schedule entry due by `now`, not before the directive existed, and
    not so long ago that reminding now would only be noise."""
    if directive.deadline is None:
        return None
    found = None
    for entry in policy.schedule:
        moment = entry.moment(directive.deadline, policy.zone)
        if directive.created_at <= moment <= now:
            found = entry if now - moment <= CATCH_UP else None
    return found


def due_plans(session: Session, policy: ReminderPolicy, now: dt.datetime) -> list[Plan]:
    """List, per directive, the reminder its open assignments are due now, if any."""
    if not policy.schedule:
        return []
    # The earliest entry (e.g. 3 days before) bounds which deadlines can have anything due.
    due_by = policy.local_date(now) - dt.timedelta(days=policy.schedule[0].days)
    plans = []
    for directive_id, directive in sorted(directives_due_by(session, due_by).items()):
        entry = latest_due(policy, directive, now)
        if entry is not None and directive.deadline is not None:
            plans.append(
                Plan(directive_id, entry.kind, entry.moment(directive.deadline, policy.zone))
            )
    return plans


BATCH = 10_000
"""Assignments recorded and queued per transaction: a few statements, never a huge one."""
ESCALATION_BATCH = 200
"""Overdue directives escalated per transaction: their late units are read in one query."""


def run_reminders(database: Database, policy: ReminderPolicy, now: dt.datetime) -> PassSummary:
    """Queue, once, every reminder, escalation and digest due at `now`; return what was queued.

    Safe to run again and in parallel: each item is recorded under a unique key in the same
    transaction as its messages, and a pass that finds the key taken skips the item.
    """
    now = now.astimezone(dt.UTC)
    with Session(database) as session:
        plans = due_plans(session, policy, now)
        units = due_assignments(session, plans)
        escalations = due_escalations(session, policy, now)
        digests = due_digest(session, policy, now)
    summary = PassSummary()
    run = ReminderRun(policy, now, reminder_notice)
    due = sorted(units)
    for start in range(0, len(due), BATCH):
        ids = due[start : start + BATCH]
        try:
            with transaction(database) as session:
                batch = queue_reminders(session, run, plans, ids[0], ids[-1], units)
        except Exception:
            # One broken range must not stop the others; it is retried on the next pass.
            log.exception("could not queue reminders of assignments %d–%d", ids[0], ids[-1])
            summary.failed += len(ids)
            continue
        summary.reminders += batch.reminders
        summary.messages += len(batch.not_before)
        summary.deferred += sum(moment > now for moment in batch.not_before)
    for start in range(0, len(escalations), ESCALATION_BATCH):
        items = escalations[start : start + ESCALATION_BATCH]
        try:
            with transaction(database) as session:
                queued = queue_escalations(session, policy, now, items)
        except Exception:
            log.exception("could not queue the escalations from %s on", items[0].key)
            summary.failed += len(items)
            continue
        for rows in queued.values():
            summary.count("escalation", rows, now)
    for item in digests:
        try:
            with transaction(database) as session:
                rows = queue_digest(session, policy, now, item)
        except Exception:
            log.exception("could not queue %s", item.key)
            summary.failed += 1
            continue
        if rows is not None:
            summary.count(item.category, rows, now)
    return summary
