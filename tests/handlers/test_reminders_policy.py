"""Reading the reminder settings: schedule, escalation, digest day, quiet hours, time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from handlers.quiet import QuietHours
from handlers.reminder_policy import Offset, ReminderPolicy, Weekly, parse_schedule

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_the_default_settings():
    """The shipped settings: four reminders at 08:00, escalation the day after, Monday 07:30."""
    policy = ReminderPolicy.parse(
        timezone="Asia/Ho_Chi_Minh",
        quiet_hours="21:00-07:00",
        reminder_schedule="-3d 08:00, -1d 08:00, 0d 08:00, +1d 08:00",
        escalation_at="+1d 08:00",
        weekly_digest="mon 07:30",
    )
    assert policy == ReminderPolicy()
    assert [entry.kind for entry in policy.schedule] == [
        "before-3d",
        "before-1d",
        "due-day",
        "after-1d",
    ]
    assert policy.escalation == Offset(1, dt.time(8))
    assert policy.digest == Weekly(0, dt.time(7, 30))
    assert policy.quiet == QuietHours(dt.time(21), dt.time(7), "Asia/Ho_Chi_Minh")


def test_entries_are_sorted_and_forgiving_about_spaces():
    """Written in any order, with or without '+' and with spare spaces."""
    assert parse_schedule(" 1d 8:00,-2d 17:30 ,0d 08:00") == (
        Offset(-2, dt.time(17, 30)),
        Offset(0, dt.time(8)),
        Offset(1, dt.time(8)),
    )
    assert parse_schedule("off") == parse_schedule("") == ()


def test_an_offset_is_a_local_moment_stored_in_utc():
    """'-3d 08:00' for a deadline of 27/03 is 08:00 on 24/03 in Vietnam, 01:00 UTC."""
    assert Offset.parse("-3d 08:00").moment(dt.date(2026, 3, 27), VN) == dt.datetime(
        2026, 3, 24, 1, 0, tzinfo=dt.UTC
    )


SHAPE = "must look like -3d 08:00, 0d 08:00 or +1d 08:00"


@pytest.mark.parametrize(
    ("schedule", "problem"),
    [
        ("-3 08:00", f"'-3 08:00' {SHAPE}"),
        ("-3d", f"'-3d' {SHAPE}"),
        ("-3d 8h", f"'-3d 8h' {SHAPE}"),
        ("-3d 25:00", "'-3d 25:00' has no valid time of day; write it like '-1d 08:00'"),
        ("-1d 08:00, , 0d 08:00", f"'' {SHAPE}"),
        (
            "-1d 08:00, -1d 17:00",
            "reminder schedule '-1d 08:00, -1d 17:00' names the same day twice",
        ),
    ],
)
def test_a_bad_schedule_is_refused_with_the_culprit(schedule, problem):
    """A typo in REMINDER_SCHEDULE stops the bot at start with the offending entry named."""
    with pytest.raises(ValueError) as refused:
        ReminderPolicy.parse(reminder_schedule=schedule)
    assert str(refused.value) == problem


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("mon 07:30", Weekly(0, dt.time(7, 30))),
        ("Friday 16:00", Weekly(4, dt.time(16))),
        ("sun 22:00", Weekly(6, dt.time(22))),
        ("off", None),
    ],
)
def test_digest_day_and_time(spec, expected):
    """The digest's weekday by short or full English name, or switched off."""
    assert Weekly.parse(spec) == expected


@pytest.mark.parametrize("spec", ["thu2 07:30", "monday", "mon 7h30", "mon 24:00", "07:30"])
def test_a_bad_digest_day_is_refused(spec):
    """WEEKLY_DIGEST must name a weekday and a time."""
    with pytest.raises(ValueError):
        ReminderPolicy.parse(weekly_digest=spec)


def test_the_digest_moment_is_in_the_week_of_now():
    """On Wednesday 25/03 the digest of that week was due on Monday 23/03 at 07:30."""
    wednesday = dt.datetime(2026, 3, 25, 3, 0, tzinfo=dt.UTC)
    assert Weekly(0, dt.time(7, 30)).moment_in_week(wednesday, VN) == dt.datetime(
        2026, 3, 23, 0, 30, tzinfo=dt.UTC
    )
    # Sunday evening in Vietnam is still Sunday's week, though it is Sunday in UTC too.
    sunday = dt.datetime(2026, 3, 29, 15, 0, tzinfo=dt.UTC)
    assert Weekly(6, dt.time(22)).moment_in_week(sunday, VN) == sunday


def test_other_settings_are_checked_too():
    """An unknown zone, bad quiet hours or a bad escalation are refused; 'off' disables."""
    with pytest.raises(ValueError, match="unknown time zone 'Asia/Hanoi_City'"):
        ReminderPolicy.parse(timezone="Asia/Hanoi_City")
    with pytest.raises(ValueError, match="quiet hours"):
        ReminderPolicy.parse(quiet_hours="9pm-7am")
    with pytest.raises(ValueError, match="'tomorrow' must look like"):
        ReminderPolicy.parse(escalation_at="tomorrow")
    quiet = ReminderPolicy.parse(escalation_at="off", quiet_hours="off", weekly_digest="none")
    assert (quiet.escalation, quiet.quiet, quiet.digest) == (None, None, None)


def test_delivery_time_waits_out_quiet_hours():
    """At 22:00 a proactive message is due at 07:00 the next day; at noon, at once."""
    policy = ReminderPolicy()
    night = dt.datetime(2026, 3, 20, 15, 0, tzinfo=dt.UTC)
    noon = dt.datetime(2026, 3, 20, 5, 0, tzinfo=dt.UTC)
    assert policy.delivery_time(night) == dt.datetime(2026, 3, 21, 0, 0, tzinfo=dt.UTC)
    assert policy.delivery_time(noon) == noon
    assert ReminderPolicy.parse(quiet_hours="off").delivery_time(night) == night
