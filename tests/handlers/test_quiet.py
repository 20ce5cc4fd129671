"""Quiet hours: which moments are quiet, and when a held message may go."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers.quiet import QuietHours


def vn(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in March 2026 in the commune (UTC+7), as UTC."""
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=dt.UTC) - dt.timedelta(hours=7)


NIGHT = QuietHours.parse("21:00-07:00")


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [(vn(20, 20, 59), False), (vn(20, 21), True), (vn(21, 3), True), (vn(21, 7), False)],
)
def test_the_night_window_crosses_midnight(moment, quiet):
    """21:00 is quiet, 06:59 is quiet, 07:00 and 20:59 are not."""
    assert NIGHT is not None and NIGHT.contains(moment) is quiet


def test_a_message_held_at_night_goes_at_seven_the_next_morning():
    """At 22:15 and at 05:00 the next allowed moment is 07:00 of the coming morning."""
    assert NIGHT is not None
    assert NIGHT.next_allowed(vn(20, 22, 15)) == vn(21, 7)
    assert NIGHT.next_allowed(vn(21, 5)) == vn(21, 7)
    assert NIGHT.next_allowed(vn(21, 9)) == vn(21, 9)


def test_a_midday_window_and_no_window():
    """'12:00-13:30' holds lunch time; 'off' and an empty value mean no quiet hours."""
    lunch = QuietHours.parse("12:00-13:30")
    assert lunch is not None and lunch.contains(vn(20, 12, 45))
    assert lunch.next_allowed(vn(20, 12, 45)) == vn(20, 13, 30)
    assert QuietHours.parse("off") is None
    assert QuietHours.parse("") is None


def test_a_malformed_window_is_refused_with_an_example():
    """'9pm to 7am' is not understood: the error shows the expected form."""
    with pytest.raises(ValueError, match="21:00-07:00"):
        QuietHours.parse("9pm to 7am")
