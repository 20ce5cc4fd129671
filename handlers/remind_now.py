"""Reminding, on an admin's or leader's tap, the units of a directive that have not reported."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from handlers.context import Context
from handlers.reminders import reminder_notice
from storage.directive_tasks import (
    milestones_done,
    milestones_of,
    next_milestone,
    task_for,
    tasks_of,
)
from storage.directives import focal_points, units_by_id
from storage.models import Directive
from storage.progress import directive_status
from storage.reminders import Due, acknowledged_by, claim, find_reminder


def remind_unreported(ctx: Context, directive: Directive) -> None:
    """Remind now the focal points of units with no report yet, at most once a day per unit."""
    _ = ctx._
    assert directive.id is not None
    today = ctx.today
    status = directive_status(ctx.session, directive.id, today)
    waiting = [row for row in status.units if not row.reported]
    if not waiting:
        ctx.say(_("Every unit has reported; there is no one to remind."))
        return
    delivery = ctx.delivery_time()
    on = _.today(delivery)
    tasks, milestones = (
        tasks_of(ctx.session, directive.id),
        milestones_of(ctx.session, directive.id),
    )
    unit_rows = {u.id: u for u in units_by_id(ctx.session, [row.unit_id for row in waiting])}
    finished = milestones_done(ctx.session, [row.assignment_id for row in waiting])
    units = people = 0
    earlier: dict[dt.datetime, list[str]] = defaultdict(list)
    without: list[str] = []
    for row in waiting:
        people_here = focal_points(ctx.session, row.unit_id)
        if not people_here:
            # Not recorded: once someone joins the unit, the next tap reaches them.
            without.append(row.unit_name)
            continue
        key = f"assignment:{row.assignment_id}:manual:{today.isoformat()}"
        item = Due("manual", key, "manual", ctx.now, directive.id, row.assignment_id)
        if not claim(ctx.session, item, ctx.now):
            found = find_reminder(ctx.session, key)
            earlier[found.at if found else ctx.now].append(row.unit_name)
            continue
        acknowledged = acknowledged_by(ctx.session, row.assignment_id)
        unit = unit_rows.get(row.unit_id)
        kind = unit.kind if unit is not None else ""
        # The unit's own part: its task, and the first milestone it has not finished.
        task = task_for(tasks, unit) if tasks and unit is not None else None
        done = finished.get(row.assignment_id, set())
        milestone = next_milestone(milestones, kind, today, done) if milestones else None
        for person in people_here:
            assert person.id is not None
            render = reminder_notice(
                directive,
                row.assignment_id,
                row.unit_name,
                acknowledged=person.id in acknowledged,
                on=on,
                milestone=milestone,
                task=task,
            )
            ctx.notify(person.id, render, key=f"{key}:person:{person.id}")
        units += 1
        people += len(people_here)
    lines = []
    if units:
        lines.append(
            _("Reminded {units} units, {people} people.").format(
                units=_.number(units), people=_.number(people)
            )
        )
        if delivery > ctx.now:
            text = _("It is quiet hours now: the reminders will go out at {time}.")
            lines.append(text.format(time=_.when(delivery)))
    for at, names in sorted(earlier.items()):
        text = _("Already reminded today at {time}: {units}.")
        lines.append(text.format(time=_.when(at), units=", ".join(names)))
    if not units and not earlier:
        lines.append(_("Nobody was reminded."))
    if without:
        lines.append(_("No focal point yet: {units}.").format(units=", ".join(without)))
    ctx.say("\n".join(lines))
