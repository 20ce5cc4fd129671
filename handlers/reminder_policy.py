"""When reminders, escalations and the weekly digest fall due, read from the settings' strings."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from handlers.quiet import QuietHours

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_QUIET_HOURS = "21:00-07:00"
DEFAULT_SCHEDULE = "-3d 08:00, -1d 08:00, 0d 08:00, +1d 08:00"
DEFAULT_ESCALATION = "+1d 08:00"
DEFAULT_DIGEST = "mon 07:30"

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_NAMES = {name: index for index, day in enumerate(WEEKDAYS) for name in (day, day[:3])}
_OFF = frozenset({"", "off", "none"})
_OFFSET = re.compile(r"^([+-]?\d{1,3})\s*d\s+(\d{1,2}):(\d{2})$")
_WEEKLY = re.compile(r"^([a-z]+)\s+(\d{1,2}):(\d{2})$")


def _time(hour: str, minute: str, spec: str, example: str) -> dt.time:
    try:
        return dt.time(int(hour), int(minute))
    except ValueError:
        raise ValueError(f"{spec!r} has no valid time of day; write it like {example!r}") from None


@dataclass(frozen=True, order=True)
class Offset:
    """A moment relative to a deadline: whole days from the deadline's date and a local time."""

    days: int
    at: dt.time

    @classmethod
    def parse(cls, spec: str) -> Offset:
        """Read '-3d 08:00', '0d 08:00' or '+1d 08:00'; raise ValueError on anything else."""
        found = _OFFSET.match(spec.strip().lower())
        if found is None:
            raise ValueError(f"{spec.strip()!r} must look like -3d 08:00, 0d 08:00 or +1d 08:00")
        return cls(int(found[1]), _time(found[2], found[3], spec, "-1d 08:00"))

    @property
    def kind(self) -> str:
        """Name the offset for reminder keys: 'before-3d', 'due-day' or 'after-1d'."""
        if self.days < 0:
            return f"before-{-self.days}d"
        return "due-day" if self.days == 0 else f"after-{self.days}d"

    def moment(self, deadline: dt.date, zone: ZoneInfo) -> dt.datetime:
        """Return the UTC instant this offset names for a deadline, read in the commune's zone."""
        day = deadline + dt.timedelta(days=self.days)
        return dt.datetime.combine(day, self.at, tzinfo=zone).astimezone(dt.UTC)


def parse_schedule(spec: str) -> tuple[Offset, ...]:
    """Read a comma-separated list of offsets, earliest first; '' or 'off' means none."""
    if spec.strip().lower() in _OFF:
        return ()
    entries = sorted(Offset.parse(part) for part in spec.split(","))
    days = [entry.days for entry in entries]
    if len(set(days)) != len(days):
        # Each entry is remembered by its day ('before-1d'); two on one day would share a key.
        raise ValueError(f"reminder schedule {spec!r} names the same day twice")
    return tuple(entries)


@dataclass(frozen=True)
class Weekly:
    """A weekday and local time, such as Monday 07:30, when the weekly digest is due."""

    weekday: int
    at: dt.time

    @classmethod
    def parse(cls, spec: str) -> Weekly | None:
        """Read 'mon 07:30' (weekday mon…sun or its full name); None for '' or 'off'."""
        text = spec.strip().lower()
        if text in _OFF:
            return None
        found = _WEEKLY.match(text)
        if found is None or found[1] not in _DAY_NAMES:
            raise ValueError(f"weekly digest {spec.strip()!r} must look like 'mon 07:30'")
        return cls(_DAY_NAMES[found[1]], _time(found[2], found[3], spec, "mon 07:30"))

    def moment_in_week(self, now: dt.datetime, zone: ZoneInfo) -> dt.datetime:
        """Return this week's moment (the ISO week of `now` in the commune) as a UTC instant."""
        today = now.astimezone(zone).date()
        day = today - dt.timedelta(days=today.weekday() - self.weekday)
        return dt.datetime.combine(day, self.at, tzinfo=zone).astimezone(dt.UTC)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None


def _default_quiet() -> QuietHours | None:
    return QuietHours.parse(DEFAULT_QUIET_HOURS, DEFAULT_TIMEZONE)


@dataclass(frozen=True)
class ReminderPolicy:
    """Who is reminded when: the commune's zone, quiet hours, schedule, escalation and digest."""

    timezone: str = DEFAULT_TIMEZONE
    quiet: QuietHours | None = field(default_factory=_default_quiet)
    schedule: tuple[Offset, ...] = field(default_factory=lambda: parse_schedule(DEFAULT_SCHEDULE))
    escalation: Offset | None = field(default_factory=lambda: Offset.parse(DEFAULT_ESCALATION))
    digest: Weekly | None = field(default_factory=lambda: Weekly.parse(DEFAULT_DIGEST))

    @classmethod
    def parse(
        cls,
        *,
        timezone: str = DEFAULT_TIMEZONE,
        quiet_hours: str = DEFAULT_QUIET_HOURS,
        reminder_schedule: str = DEFAULT_SCHEDULE,
        escalation_at: str = DEFAULT_ESCALATION,
        weekly_digest: str = DEFAULT_DIGEST,
    ) -> ReminderPolicy:
        """Build a policy from the settings' strings; raise ValueError naming a bad one."""
        _zone(timezone)
        escalation = None
        if escalation_at.strip().lower() not in _OFF:
            escalation = Offset.parse(escalation_at)
        return cls(
            timezone=timezone,
            quiet=QuietHours.parse(quiet_hours, timezone),
            schedule=parse_schedule(reminder_schedule),
            escalation=escalation,
            digest=Weekly.parse(weekly_digest),
        )

    @property
    def zone(self) -> ZoneInfo:
        """The commune's time zone."""
        return _zone(self.timezone)

    def local_date(self, moment: dt.datetime) -> dt.date:
        """Return the commune's calendar date at a UTC instant."""
        return moment.astimezone(self.zone).date()

    def delivery_time(self, now: dt.datetime) -> dt.datetime:
        """Return when a proactive message queued at `now` goes out: now, or after quiet hours."""
        return self.quiet.next_allowed(now) if self.quiet is not None else now
