"""Translations and locale-aware formatting of money, numbers and dates."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

from handlers.messages import BUTTON_CHANNELS

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
SUPPORTED = ("vi", "en")
_BABEL_LOCALE = {"vi": "vi_VN", "en": "en_US"}


def N_(message: str) -> str:
    """Mark a source string for the catalog where it is translated later, at display time."""
    return message


@lru_cache
def catalog(locale: str) -> dict[str, str]:
    """Return msgid → translation for `locale`, read once from its .po file."""
    path = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        po = read_po(handle, locale=locale)
    return {
        str(message.id): str(message.string)
        for message in po
        if message.id and message.string and not message.fuzzy
    }


class Translator:
    """Translates and formats for one person's locale, the commune's time zone and the chat app.

    `channel` is the app the text goes to: where it has no buttons (Zalo), texts name the
    words to type instead of slash commands and numbers instead of buttons (handlers.words).
    Left empty where the app does not matter, it is taken as one with buttons.
    """

    def __init__(
        self, locale: str, timezone: str = "Asia/Ho_Chi_Minh", *, channel: str = ""
    ) -> None:
        self.locale = locale if locale in SUPPORTED else "vi"
        self.channel = channel
        self.zone = ZoneInfo(timezone)
        self._messages = catalog(self.locale)
        self._babel = _BABEL_LOCALE[self.locale]

    def gettext(self, message: str) -> str:
        """Return the translation of an English source string."""
        return self._messages.get(message, message)

    __call__ = gettext

    @property
    def buttons(self) -> bool:
        """Whether the chat shows buttons and takes slash commands (Telegram), or people type."""
        return not self.channel or self.channel in BUTTON_CHANNELS

    def money(self, amount: int) -> str:
        """Format whole đồng the local way, e.g. 1.500.000 ₫."""
        return format_currency(amount, "VND", locale="vi_VN" if self.locale == "vi" else "en_US")

    def number(self, value: int) -> str:
        """Format a count with the local digit grouping."""
        return format_decimal(value, locale=self._babel)

    def date(self, value: dt.date) -> str:
        """Format a date as dd/mm/yyyy (vi) or the English medium form."""
        if self.locale == "vi":
            return format_date(value, "dd/MM/yyyy", locale=self._babel)
        return format_date(value, "medium", locale=self._babel)

    def day_month(self, value: dt.date) -> str:
        """Format a date without its year, for short labels: 28/03 (vi), Mar 28 (en)."""
        return format_date(value, "dd/MM" if self.locale == "vi" else "MMM d", locale=self._babel)

    def when(self, value: dt.datetime) -> str:
        """Format a stored UTC time in the commune's zone."""
        local = value.astimezone(self.zone)
        pattern = "HH:mm dd/MM/yyyy" if self.locale == "vi" else "d MMM yyyy, HH:mm"
        return format_datetime(local, pattern, locale=self._babel)

    def today(self, now: dt.datetime) -> dt.date:
        """Return the commune's calendar date at the UTC instant `now`."""
        return now.astimezone(self.zone).date()
