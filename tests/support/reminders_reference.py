"""The per-item reminder pass as it was before it became set-based: the reference for tests.

One transaction and a dozen statements per assignment, and a whole status matrix per overdue
directive; kept only to compare against.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from sqlalchemy import Engine as Database
from sqlmodel import Session

from handlers.context import Notice
from handlers.digest import due_digest, queue_digest
from handlers.escalation import OVERSEERS, due_escalations, escalation_notice
from handlers.outbox import deliver_notice
from handlers.reminder_policy import ReminderPolicy

# What the pass counts, when an item falls due and how a reminder reads are shared; how the
# pass plans and queues is not.
from handlers.reminders import PassSummary, latest_due, reminder_notice
from storage.db import transaction
from storage.directives import focal_points
from storage.escalations import LateUnit
from storage.models import (
    Assignment,
    Directive,
    OutboxMessage,
    ProgressStatus,
    Unit,
)
from storage.people import focal_counts, people_with_roles
from storage.progress import directive_status
from storage.reminders import Due, acknowledged_by, claim, open_with_deadline, sent_keys

log = logging.getLogger(__name__)


def remind_unit(
    session: Session,
    policy: ReminderPolicy,
    now: dt.datetime,
    assignment: Assignment,
    directive: Directive,
    key: str,
) -> list[OutboxMessage]:
    """Queue a reminder of an assignment to each focal point of its unit, under `key`."""
    unit = session.get(Unit, assignment.unit_id)
    assert assignment.id is not None and unit is not None
    # Relative words ('tomorrow') must hold when the message is read, after any quiet hours.
    on = policy.local_date(policy.delivery_time(now))
    acknowledged = acknowledged_by(session, assignment.id)
    rows: list[OutboxMessage] = []
    for person in focal_points(session, assignment.unit_id):
        assert person.id is not None
        render = reminder_notice(
            directive, assignment.id, unit.name, acknowledged=person.id in acknowledged, on=on
        )
        notice = Notice(person.id, render, key=f"{key}:person:{person.id}")
        rows += deliver_notice(session, notice, policy.timezone, now, policy.quiet)
    return rows


def due_reminders(session: Session, policy: ReminderPolicy, now: dt.datetime) -> list[Due]:
    """List the assignments whose latest due reminder has not been queued yet."""
    if not policy.schedule:
        return []
    # The earliest entry (e.g. 3 days before) bounds which deadlines can have anything due.
    due_by = policy.local_date(now) - dt.timedelta(days=policy.schedule[0].days)
    staffed = focal_counts(session)
    items = []
    for assignment, directive in open_with_deadline(session, due_by):
        entry = latest_due(policy, directive, now)
        # A unit without focal points is left unrecorded, so whoever joins later is reminded.
        if entry is None or assignment.unit_id not in staffed or directive.deadline is None:
            continue
        items.append(
            Due(
                "reminder",
                f"assignment:{assignment.id}:{entry.kind}",
                entry.kind,
                entry.moment(directive.deadline, policy.zone),
                directive.id,
                assignment.id,
            )
        )
    sent = sent_keys(session, [item.key for item in items])
    return [item for item in items if item.key not in sent]


def queue_reminder(
    session: Session, policy: ReminderPolicy, now: dt.datetime, item: Due
) -> list[OutboxMessage] | None:
    """Queue one planned reminder unless its unit finished meanwhile or another pass has it."""
    assignment = session.get(Assignment, item.assignment_id)
    directive = session.get(Directive, item.directive_id)
    if assignment is None or directive is None or assignment.status == ProgressStatus.DONE:
        return None
    if not claim(session, item, now):
        return None
    return remind_unit(session, policy, now, assignment, directive, item.key)


def queue_escalation(
    session: Session, policy: ReminderPolicy, now: dt.datetime, item: Due
) -> list[OutboxMessage] | None:
    """Tell every admin and leader, once, which units of the directive are not done."""
    assert item.directive_id is not None
    status = directive_status(session, item.directive_id, policy.local_date(now))
    late = [
        LateUnit(row.unit_name, row.status, row.reported_at, row.focal_points > 0)
        for row in status.units
        if row.status != ProgressStatus.DONE.value
    ]
    overseers = people_with_roles(session, OVERSEERS)
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


Queue = Callable[[Session, ReminderPolicy, dt.datetime, Due], "list[OutboxMessage] | None"]


def run_reference(database: Database, policy: ReminderPolicy, now: dt.datetime) -> PassSummary:
    """Queue, once, every reminder, escalation and digest due at `now`; return what was queued.

    Safe to run again and in parallel: each item is recorded under a unique key before its
    messages are queued, in a transaction of its own, and a pass that loses the key skips it.
    """
    now = now.astimezone(dt.UTC)
    with Session(database) as session:
        plan = [
            *due_reminders(session, policy, now),
            *due_escalations(session, policy, now),
            *due_digest(session, policy, now),
        ]
    queues: dict[str, Queue] = {
        "reminder": queue_reminder,
        "escalation": queue_escalation,
        "digest": queue_digest,
    }
    summary = PassSummary()
    for item in plan:
        try:
            with transaction(database) as session:
                rows = queues[item.category](session, policy, now, item)
        except Exception:
            # One broken item must not stop the others; it is retried on the next pass.
            log.exception("could not queue %s", item.key)
            summary.failed += 1
            continue
        if rows is not None:
            summary.count(item.category, rows, now)
    return summary
