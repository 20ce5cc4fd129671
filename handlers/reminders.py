"""Deadline reminders to focal points, and one pass that queues every reminder due at a moment."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import Engine as Database
from sqlmodel import Session

from handlers.context import Render
from handlers.digest import due_digest, queue_digest
from handlers.directive_push import due_line, task_heading
from handlers.escalation import due_escalations, queue_escalations
from handlers.i18n import Translator
from handlers.messages import Choice
from handlers.reminder_batch import ReminderRun, queue_reminders
from handlers.reminder_policy import Offset, ReminderPolicy
from handlers.report_text import shorten
from storage.db import transaction
from storage.directive_tasks import milestones_due_by, milestones_for, open_unit_kinds
from storage.models import Directive, DirectiveTask, Milestone, OutboxMessage
from storage.reminder_queue import Plan, due_assignments
from storage.reminders import directives_by_id, directives_due_by

log = logging.getLogger(__name__)

WHAT_LIMIT = 120
"""How much of what a milestone wants a reminder shows."""
TASK_LIMIT = 200
"""How much of the unit's task a reminder shows: enough to recall it; the push has it all."""
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
    milestone: Milestone | None = None,
    task: DirectiveTask | None = None,
) -> Render:
    """Build a reminder of one assignment: directive, the milestone due (or the deadline), the
    unit's task, Report (and Received)."""
    number, issued_on, subject = directive.number, directive.issued_on, directive.subject
    deadline = milestone.due_on if milestone is not None else directive.deadline
    report = f"/baocao {assignment_id}" + (f" m{milestone.id}" if milestone is not None else "")

    def render(_: Translator) -> tuple[str, list[Choice]]:
        lines = [
            "⏰ "
            + _("Reminder: directive no. {number}, dated {date}").format(
                number=number, date=_.date(issued_on)
            ),
            subject,
        ]
        if milestone is not None and milestone.what:
            lines.append(_("Due then: {what}").format(what=shorten(milestone.what, WHAT_LIMIT)))
        lines.append(due_line(_, deadline, on))
        if task is not None:
            lines.append(task_heading(_, task, unit_name) + " " + shorten(task.body, TASK_LIMIT))
        lines += [_("Unit: {unit}").format(unit=unit_name), ""]
        if milestone is not None:
            lines.append(
                _("Your unit has not reported this milestone done yet. Please report its progress.")
            )
        else:
            lines.append(
                _("Your unit has not reported completion yet. Please report its progress.")
            )
        choices = [] if acknowledged else [(f"/ack {assignment_id}", _("Received"))]
        choices.append((report, _("Report")))
        return "\n".join(lines), choices

    return render


def latest_due(policy: ReminderPolicy, directive: Directive, now: dt.datetime) -> Offset | None:
    """Return the latest schedule entry due by `now` for the directive's deadline."""
    if directive.deadline is None:
        return None
    return latest_entry(policy, directive.deadline, directive.created_at, now)


def latest_entry(
    policy: ReminderPolicy, deadline: dt.date, created_at: dt.datetime, now: dt.datetime
) -> Offset | None:
    """Return the latest schedule entry of a deadline due by `now`, not before the directive
    existed, and not so long ago that reminding now would only be noise."""
    found = None
    for entry in policy.schedule:
        moment = entry.moment(deadline, policy.zone)
        if created_at <= moment <= now:
            found = entry if now - moment <= CATCH_UP else None
    return found


def due_plans(session: Session, policy: ReminderPolicy, now: dt.datetime) -> list[Plan]:
    """List the reminders open assignments are due now: per directive, or for a directive
    with milestones, per kind of unit and milestone."""
    if not policy.schedule:
        return []
    # The earliest entry (e.g. 3 days before) bounds which deadlines can have anything due.
    due_by = policy.local_date(now) - dt.timedelta(days=policy.schedule[0].days)
    directives = directives_due_by(session, due_by)
    milestones = milestones_due_by(session, due_by)
    directives.update(directives_by_id(session, set(milestones) - set(directives)))
    kinds = open_unit_kinds(session, list(milestones))
    plans = []
    for directive_id, directive in sorted(directives.items()):
        if directive_id not in milestones:
            entry = latest_due(policy, directive, now)
            if entry is not None and directive.deadline is not None:
                moment = entry.moment(directive.deadline, policy.zone)
                plans.append(Plan(directive_id, entry.kind, moment))
            continue
        for kind in sorted(kinds.get(directive_id, ())):
            plans += _milestone_plans(policy, directive, milestones[directive_id], kind, now)
    return plans


def _milestone_plans(
    policy: ReminderPolicy,
    directive: Directive,
    milestones: list[Milestone],
    unit_kind: str,
    now: dt.datetime,
) -> list[Plan]:
    """The reminders due for one kind of unit: one per milestone of it with a reminder due,
    or the directive's deadline's when no milestone applies to that kind."""
    applying = milestones_for(milestones, unit_kind)
    dates = [(m.due_on, m.id or 0) for m in applying]
    if not applying and directive.deadline is not None:
        dates = [(directive.deadline, 0)]
    plans = []
    for deadline, milestone_id in dates:
        entry = latest_entry(policy, deadline, directive.created_at, now)
        if entry is not None:
            moment = entry.moment(deadline, policy.zone)
            plans.append(Plan(directive.id or 0, entry.kind, moment, milestone_id, unit_kind))
    return plans


def plan_rounds(plans: list[Plan]) -> list[list[Plan]]:
    """Split the plans so that in each round one plan at most fits any assignment: a kind of
    unit with two milestones due is reminded of both, one round after the other."""
    rounds: list[list[Plan]] = []
    taken: dict[tuple[int, str], int] = {}
    for plan in plans:
        key = (plan.directive_id, plan.unit_kind)
        number = taken.get(key, 0)
        taken[key] = number + 1
        if number == len(rounds):
            rounds.append([])
        rounds[number].append(plan)
    return rounds


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
        rounds = [
            (plans, due_assignments(session, plans))
            for plans in plan_rounds(due_plans(session, policy, now))
        ]
        escalations = due_escalations(session, policy, now)
        digests = due_digest(session, policy, now)
    summary = PassSummary()
    run = ReminderRun(policy, now, reminder_notice)
    for plans, units in rounds:
        _queue_round(database, run, plans, units, summary)
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


def _queue_round(
    database: Database,
    run: ReminderRun,
    plans: list[Plan],
    units: dict[int, int],
    summary: PassSummary,
) -> None:
    """Queue one round's reminders, a range of assignments per transaction."""
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
        summary.deferred += sum(moment > run.now for moment in batch.not_before)
