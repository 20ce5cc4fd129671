"""The weekly digest for leaders and admins: new directives, rates, overdue units, the fund."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from handlers.context import Notice, Render
from handlers.escalation import OVERSEERS
from handlers.i18n import Translator
from handlers.messages import Choice
from handlers.outbox import deliver_notice
from handlers.reminder_policy import ReminderPolicy
from handlers.report_text import directive_title
from storage.directives import directive_summaries
from storage.models import Contribution, OutboxMessage, ProgressReport, Setting
from storage.people import people_with_roles, read_setting
from storage.progress import open_directives
from storage.reminders import (
    Due,
    claim,
    directives_created,
    fund_total,
    sent_keys,
)

WINDOW = dt.timedelta(days=7)
MAX_LISTED = 10
TITLE_LIMIT = 80
FIRST_RUN = "first_run_at"
"""Setting holding when the bot first ran: digests start with the week after it."""


@dataclass
class WeekFacts:
    """What the digest reports, gathered once and rendered in each reader's language."""

    start: dt.date
    end: dt.date
    new: list[str] = field(default_factory=list)
    open_count: int = 0
    acknowledged: int = 0
    focal_points: int = 0
    reported: int = 0
    units: int = 0
    overdue: list[tuple[str, list[str]]] = field(default_factory=list)
    """(directive number, names of its overdue units) for each directive with any."""
    fund: int = 0
    reports: int = 0
    """Progress reports sent in the seven days."""
    entries: int = 0
    """Fund entries (reversals included) recorded in the seven days."""

    def is_empty(self) -> bool:
        """Tell a week with nothing to say: no directive open or new, no report, no fund entry."""
        return not (self.new or self.open_count or self.reports or self.entries)


def _count_between(session: Session, at: object, since: dt.datetime, until: dt.datetime) -> int:
    column = col(at)
    query = select(func.count()).where(column > since, column <= until)
    return int(session.exec(query).one())


def gather(session: Session, policy: ReminderPolicy, now: dt.datetime) -> WeekFacts:
    """Collect the digest's facts for the seven days up to `now`."""
    since = now - WINDOW
    facts = WeekFacts(start=policy.local_date(since), end=policy.local_date(now))
    facts.new = [directive_title(d, TITLE_LIMIT) for d in directives_created(session, since, now)]
    today = policy.local_date(now)
    for totals in directive_summaries(session, open_directives(session), today):
        facts.open_count += 1
        facts.acknowledged += totals.acknowledged
        facts.focal_points += totals.focal_points
        facts.reported += totals.reported
        facts.units += totals.unit_count
        if totals.overdue:
            facts.overdue.append((totals.directive.number, totals.overdue))
    facts.fund = fund_total(session, since, now)
    facts.reports = _count_between(session, ProgressReport.at, since, now)
    facts.entries = _count_between(session, Contribution.created_at, since, now)
    return facts


def _rate(_: Translator, done: int, total: int) -> str:
    return f"{_.number(round(100 * done / total))}%" if total else "—"


def _listed(_: Translator, items: list[str]) -> list[str]:
    lines = ["- " + item for item in items[:MAX_LISTED]]
    if len(items) > MAX_LISTED:
        lines.append(_("… and {count} more").format(count=_.number(len(items) - MAX_LISTED)))
    return lines


def digest_text(_: Translator, facts: WeekFacts) -> str:
    """Render the digest in one reader's language."""
    lines = [
        "📊 "
        + _("Weekly summary, {start} – {end}").format(
            start=_.date(facts.start), end=_.date(facts.end)
        ),
        "",
        _("New directives in the last 7 days: {count}").format(count=_.number(len(facts.new))),
        *_listed(_, facts.new),
        "",
        _("Open directives: {count}").format(count=_.number(facts.open_count)),
    ]
    if facts.open_count:
        lines += [
            _("Acknowledged: {done}/{total} people ({percent})").format(
                done=_.number(facts.acknowledged),
                total=_.number(facts.focal_points),
                percent=_rate(_, facts.acknowledged, facts.focal_points),
            ),
            _("Reported: {done}/{total} units ({percent})").format(
                done=_.number(facts.reported),
                total=_.number(facts.units),
                percent=_rate(_, facts.reported, facts.units),
            ),
        ]
    lines.append("")
    if facts.overdue:
        lines.append(_("Overdue units:"))
        lines += _listed(_, [f"{number}: {', '.join(names)}" for number, names in facts.overdue])
    else:
        lines.append(_("No unit is overdue."))
    lines += ["", _("Fund this week: {amount}").format(amount=_.money(facts.fund))]
    return "\n".join(lines)


def digest_notice(facts: WeekFacts) -> Render:
    """Build the digest message, with a way to the status of each directive."""

    def render(_: Translator) -> tuple[str, list[Choice]]:
        return digest_text(_, facts), [("/tinhhinh", _("Status of directives"))]

    return render


def record_first_run(session: Session, now: dt.datetime) -> dt.datetime:
    """Remember, once, when the bot first ran; return that moment."""
    stored = read_setting(session, FIRST_RUN)
    if stored:
        return dt.datetime.fromisoformat(stored)
    try:
        # Two processes starting together: the key lets one write; the other keeps its value.
        with session.begin_nested():
            session.add(Setting(key=FIRST_RUN, value=now.astimezone(dt.UTC).isoformat()))
    except IntegrityError:
        return dt.datetime.fromisoformat(read_setting(session, FIRST_RUN))
    return now


def week_start(moment: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """Return the start (Monday 00:00 in the commune) of the ISO week holding `moment`."""
    day = moment.astimezone(zone).date()
    monday = day - dt.timedelta(days=day.weekday())
    return dt.datetime.combine(monday, dt.time(0), tzinfo=zone)


def due_digest(session: Session, policy: ReminderPolicy, now: dt.datetime) -> list[Due]:
    """Return this week's digest once its moment has passed, unless it was already queued.

    The week the bot first ran gets none: installed on a Wednesday, it would otherwise greet
    the leaders at once with a summary of days it never saw.
    """
    if policy.digest is None:
        return []
    moment = policy.digest.moment_in_week(now, policy.zone)
    if moment > now:
        return []
    first_run = read_setting(session, FIRST_RUN)
    if first_run and week_start(moment, policy.zone) < dt.datetime.fromisoformat(first_run):
        return []
    # Keyed by the ISO week of the moment: a late start sends it later that week, never the next.
    year, week, _day = moment.astimezone(policy.zone).isocalendar()
    item = Due("digest", f"digest:{year}-W{week:02d}", "digest", moment)
    return [] if sent_keys(session, [item.key]) else [item]


def queue_digest(
    session: Session, policy: ReminderPolicy, now: dt.datetime, item: Due
) -> list[OutboxMessage] | None:
    """Send the weekly digest to every admin and leader, once per week, unless it is empty."""
    readers = people_with_roles(session, OVERSEERS)
    if not readers or not claim(session, item, now):
        return None
    facts = gather(session, policy, now)
    if facts.is_empty():
        # The week stays claimed: a contribution on Wednesday does not make Monday's digest due.
        return None
    render = digest_notice(facts)
    rows: list[OutboxMessage] = []
    for person in readers:
        assert person.id is not None
        notice = Notice(person.id, render, key=f"{item.key}:person:{person.id}")
        rows += deliver_notice(session, notice, policy.timezone, now, policy.quiet)
    return rows
