"""Parse dates typed by Vietnamese officials: always day first, year optional."""

from __future__ import annotations

import datetime
import re
import unicodedata

MIN_YEAR = 2000
MAX_YEAR = 2100

_TODAY_WORDS = frozenset({"hôm nay", "hom nay", "today"})
_YESTERDAY_WORDS = frozenset({"hôm qua", "hom qua", "yesterday"})

# ISO is checked first: a 4-digit leading field can never be a day, so it is unambiguous.
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
# The backreference forces one separator per date, so "28/03-2026" is a format error.
_DAY_FIRST = re.compile(r"([0-9]{1,2})\s*([/.\-])\s*([0-9]{1,2})(?:\s*\2\s*([0-9]{4}|[0-9]{2}))?")


class DateError(ValueError):
    """Why a typed date was refused."""

    reason: str  # "empty", "format", "invalid", "out_of_range"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _normalise(text: str) -> str:
    # NFD input would otherwise not match "hôm nay"; split() also eats non-breaking spaces.
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


def _read(text: str, today: datetime.date) -> datetime.date:
    if text in _TODAY_WORDS:
        return today
    if text in _YESTERDAY_WORDS:
        return today - datetime.timedelta(days=1)
    if iso := _ISO.fullmatch(text):
        year, month, day = (int(part) for part in iso.groups())
    elif day_first := _DAY_FIRST.fullmatch(text):
        day_text, _, month_text, year_text = day_first.groups()
        day, month = int(day_text), int(month_text)
        if year_text is None:
            year = today.year
        elif len(year_text) == 2:
            year = 2000 + int(year_text)
        else:
            year = int(year_text)
    else:
        raise DateError("format")
    # Range before validity: date() cannot even represent year 0.
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DateError("out_of_range")
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise DateError("invalid") from None


def parse_date(
    text: str,
    today: datetime.date,
    *,
    allow_past: bool = True,
    allow_future: bool = True,
) -> datetime.date:
    """Turn "28/3", "28.03.2026", "2026-03-28" or "hôm nay" into a date, day first."""
    normalised = _normalise(text)
    if not normalised:
        raise DateError("empty")
    parsed = _read(normalised, today)
    if not allow_past and parsed < today:
        raise DateError("out_of_range")
    if not allow_future and parsed > today:
        raise DateError("out_of_range")
    return parsed
