"""The scheduler: every minute a reminder pass (then wake the sender); every few seconds the
rest of any large broadcast and the files asked for in the chat; every hour housekeeping."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine as Database

from bot.config import Settings, get_settings
from bot.export_jobs import ExportSetup, export_job, remove_old_exports
from handlers.broadcast_fanout import fan_out_pending
from handlers.digest import record_first_run
from handlers.reminder_policy import ReminderPolicy
from handlers.reminders import PassSummary, run_reminders
from storage.db import refresh_statistics, transaction
from storage.fund_totals import check_fund_totals, rebuild_fund_totals
from storage.housekeeping import Pruned, Retention, prune
from storage.models import utcnow

log = logging.getLogger(__name__)

JOB_ID = "reminders"
HOUSEKEEPING_JOB_ID = "housekeeping"
FANOUT_JOB_ID = "fanout"
EXPORT_JOB_ID = "exports"
FANOUT_EVERY = dt.timedelta(seconds=2)
"""How soon the rest of a large broadcast follows its first batch, queued in the author's turn:
the sender needs far longer than this to send that batch."""
HOUSEKEEPING_DELAY = dt.timedelta(minutes=5)
"""The first housekeeping waits out the start, when the reminder pass catches up."""


def policy_from_settings(settings: Settings) -> ReminderPolicy:
    """Build the reminder policy from the settings; ValueError names a malformed one."""
    return ReminderPolicy.parse(
        timezone=settings.timezone,
        quiet_hours=settings.quiet_hours,
        reminder_schedule=settings.reminder_schedule,
        escalation_at=settings.escalation_at,
        weekly_digest=settings.weekly_digest,
    )


def retention_from_settings(settings: Settings) -> Retention:
    """Build the housekeeping retention from the settings; ValueError names a bad one."""
    return Retention.days(
        settings.inbound_key_days, settings.outbox_keep_days, settings.outbox_failed_keep_days
    )


def reminder_pass(database: Database, policy: ReminderPolicy, now: dt.datetime) -> PassSummary:
    """Record the first run if this is it (digests start the week after), then run one pass."""
    with transaction(database) as session:
        record_first_run(session, now)
    return run_reminders(database, policy, now)


async def reminder_job(
    database: Database,
    policy: ReminderPolicy,
    wake: asyncio.Event,
    clock: Callable[[], dt.datetime] = utcnow,
) -> PassSummary:
    """Run one reminder pass as of now and wake the sender when it queued anything."""
    # The pass is blocking database work: keep it off the loop that serves the chats.
    summary = await asyncio.to_thread(reminder_pass, database, policy, clock())
    if summary.messages:
        log.info(
            "queued %d reminders, %d escalations, %d digests (%d messages)",
            summary.reminders,
            summary.escalations,
            summary.digests,
            summary.messages,
        )
        wake.set()
    return summary


def audit_fund_totals(database: Database) -> int:
    """Recount the ledger; if the running totals drifted, say so loudly and rebuild them.

    The append-only ledger is the truth and is never touched; only the totals shown by
    /quytonghop are recomputed from it. Returns how many (unit, year) totals differed.
    """
    with transaction(database) as session:
        drift = check_fund_totals(session)
        if drift:
            for (unit_key, year), (kept, counted) in sorted(drift.items()):
                log.error(
                    "fund totals drifted for unit %s, %s: kept %s, ledger says %s; rebuilding",
                    unit_key or "office",
                    year,
                    kept,
                    counted,
                )
            rebuild_fund_totals(session)
    return len(drift)


async def housekeeping_job(
    database: Database,
    retention: Retention,
    clock: Callable[[], dt.datetime] = utcnow,
    exports: Path | None = None,
) -> Pruned:
    """Prune old message keys and finished outbox rows, check the fund totals and refresh the
    planner's statistics, off the loop that serves the chats; delete files built for the chat
    more than two days ago from `exports`, when given."""
    pruned = await asyncio.to_thread(prune, database, clock(), retention)
    if exports is not None:
        await asyncio.to_thread(remove_old_exports, exports, clock())
    await asyncio.to_thread(audit_fund_totals, database)
    await asyncio.to_thread(refresh_statistics, database)
    if pruned.total:
        log.info(
            "housekeeping deleted %d message keys, %d sent and %d failed messages",
            pruned.inbound_keys,
            pruned.sent,
            pruned.failed,
        )
    return pruned


async def fanout_job(
    database: Database,
    policy: ReminderPolicy,
    wake: asyncio.Event,
    clock: Callable[[], dt.datetime] = utcnow,
) -> int:
    """Queue the rest of large broadcasts in batches, off the loop; wake the sender if any."""
    batches = await asyncio.to_thread(
        fan_out_pending, database, timezone=policy.timezone, quiet=policy.quiet, clock=clock
    )
    if batches:
        wake.set()
    return batches


def _every(
    scheduler: AsyncIOScheduler,
    job: Callable[..., Any],
    period: dt.timedelta,
    job_id: str,
    name: str,
    kwargs: dict[str, Any],
    first: dt.datetime,
) -> None:
    """Run `job` every `period` from `first`, one run at a time."""
    scheduler.add_job(
        job,
        IntervalTrigger(seconds=period.total_seconds(), timezone=dt.UTC),
        kwargs=kwargs,
        id=job_id,
        name=name,
        # State lives in the database: runs missed while busy or asleep collapse into one.
        coalesce=True,
        max_instances=1,
        misfire_grace_time=None,
        next_run_time=first,
    )


def start_scheduler(
    database: Database,
    policy: ReminderPolicy,
    wake: asyncio.Event,
    *,
    every: dt.timedelta = dt.timedelta(minutes=1),
    clock: Callable[[], dt.datetime] = utcnow,
    retention: Retention | None = None,
    housekeeping_every: dt.timedelta = dt.timedelta(hours=1),
    exports: ExportSetup | None = None,
) -> AsyncIOScheduler:
    """Start, on the running loop, the reminder pass every `every` (now first), the broadcast
    fan-out every FANOUT_EVERY, the files asked for in the chat as often when `exports` is
    given, and housekeeping every `housekeeping_every`; the retention defaults to the process
    settings."""
    if retention is None:
        retention = retention_from_settings(get_settings())
    scheduler = AsyncIOScheduler(timezone=dt.UTC)
    now = dt.datetime.now(dt.UTC)
    jobs = {"database": database, "policy": policy, "wake": wake, "clock": clock}
    _every(scheduler, reminder_job, every, JOB_ID, "reminder pass", jobs, now)
    _every(scheduler, fanout_job, FANOUT_EVERY, FANOUT_JOB_ID, "broadcast fan-out", jobs, now)
    if exports is not None:
        files = {"database": database, "setup": exports, "wake": wake, "clock": clock}
        _every(scheduler, export_job, FANOUT_EVERY, EXPORT_JOB_ID, "exports", files, now)
    chores = {
        "database": database,
        "retention": retention,
        "clock": clock,
        "exports": exports.folder if exports is not None else None,
    }
    first_chores = now + HOUSEKEEPING_DELAY
    _every(
        scheduler, housekeeping_job, housekeeping_every, HOUSEKEEPING_JOB_ID, "housekeeping",
        chores, first_chores,
    )
    scheduler.start()
    return scheduler
