"""A clock the tests move by hand."""

from __future__ import annotations

import datetime as dt


class FakeClock:
    """Returns a fixed UTC time until moved."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        """Return the current fake time."""
        return self.now

    def advance(self, **delta: float) -> None:
        """Move the clock forward."""
        self.now += dt.timedelta(**delta)
