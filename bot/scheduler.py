"""The reminder trigger: every minute, one pass over the database, then wake the outbox sender."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine as Database

from bot.config import Settings
from handlers.reminder_policy import ReminderPolicy
from handlers.reminders import PassSummary, run_reminders
from storage.models import utcnow

log = logging.getLogger(__name__)

JOB_ID = "reminders"


def policy_from_settings(settings: Settings) -> ReminderPolicy:
    """Build the reminder policy from the settings; ValueError names a malformed one."""
    return ReminderPolicy.parse(
        timezone=settings.timezone,
        quiet_hours=settings.quiet_hours,
        reminder_schedule=settings.reminder_schedule,
        escalation_at=settings.escalation_at,
        weekly_digest=settings.weekly_digest,
    )


async def reminder_job(
    database: Database,
    policy: ReminderPolicy,
    wake: asyncio.Event,
    clock: Callable[[], dt.datetime] = utcnow,
) -> PassSummary:
    """Run one reminder pass as of now and wake the sender when it queued anything."""
    # The pass is blocking database work: keep it off the loop that serves the chats.
    summary = await asyncio.to_thread(run_reminders, database, policy, clock())
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


def start_scheduler(
    database: Database,
    policy: ReminderPolicy,
    wake: asyncio.Event,
    *,
    every: dt.timedelta = dt.timedelta(minutes=1),
    clock: Callable[[], dt.datetime] = utcnow,
) -> AsyncIOScheduler:
    """Start, on the running loop, the job that runs a reminder pass every `every` (now first)."""
    scheduler = AsyncIOScheduler(timezone=dt.UTC)
    scheduler.add_job(
        reminder_job,
        IntervalTrigger(seconds=every.total_seconds(), timezone=dt.UTC),
        kwargs={"database": database, "policy": policy, "wake": wake, "clock": clock},
        id=JOB_ID,
        name="reminder pass",
        # State lives in the database: runs missed while busy or asleep collapse into one.
        coalesce=True,
        max_instances=1,
        misfire_grace_time=None,
        next_run_time=dt.datetime.now(dt.UTC),
    )
    scheduler.start()
    return scheduler
