"""Quiet hours: when the bot must not start a conversation, in the commune's time zone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class QuietHours:
    """A daily window (e.g. 21:00–07:00 local time) in which proactive messages wait."""

    start: dt.time
    end: dt.time
    timezone: str = "Asia/Ho_Chi_Minh"

    @classmethod
    def parse(cls, spec: str, timezone: str = "Asia/Ho_Chi_Minh") -> QuietHours | None:
        """Read '21:00-07:00'; return None for '' or 'off' (no quiet hours)."""
        spec = spec.strip().lower()
        if spec in ("", "off", "none"):
            return None
        try:
            first, second = (part.strip() for part in spec.split("-"))
            start, end = dt.time.fromisoformat(first), dt.time.fromisoformat(second)
        except ValueError:
            raise ValueError(f"quiet hours must look like 21:00-07:00, not {spec!r}") from None
        if start == end:
            return None
        ZoneInfo(timezone)  # fail at start, not at the first message
        return cls(start, end, timezone)

    def contains(self, moment: dt.datetime) -> bool:
        """Whether `moment` (aware) falls inside the quiet window."""
        local = moment.astimezone(ZoneInfo(self.timezone)).time()
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def next_allowed(self, moment: dt.datetime) -> dt.datetime:
        """Return `moment` itself outside quiet hours, else the end of the window, in UTC."""
        if not self.contains(moment):
            return moment
        zone = ZoneInfo(self.timezone)
        local = moment.astimezone(zone)
        end = dt.datetime.combine(local.date(), self.end, tzinfo=zone)
        if end <= local:
            end = dt.datetime.combine(local.date() + dt.timedelta(days=1), self.end, tzinfo=zone)
        return end.astimezone(dt.UTC)
