"""Translations and locale-aware formatting of money, numbers and dates."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
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

ADDRESS_FORMS = ("anh/chị", "đồng chí", "ông/bà")
"""How the office may address people; the catalog is written with the first."""
DEFAULT_OFFICE = "Phòng Văn hóa – Xã hội"
"""The office the catalog names; a commune may call its own otherwise."""
_ADDRESS = re.compile(r"(?<!\w)([Aa])nh/chị(?!\w)")


@dataclass(frozen=True)
class Voice:
    """How the office writes in Vietnamese: the form of address and the office's own name."""

    address: str = ADDRESS_FORMS[0]
    office: str = DEFAULT_OFFICE

    def speak(self, text: str) -> str:
        """Put this voice's address and office name in a translation written with the defaults."""

        def address(found: re.Match[str]) -> str:
            # At the start of a sentence the catalog capitalises: so does the replacement.
            return self.address[:1].upper() + self.address[1:] if found[1] == "A" else self.address

        # The address first: an office name holding 'anh/chị' must come out as configured.
        return _ADDRESS.sub(address, text).replace(DEFAULT_OFFICE, self.office)


_voice = Voice()


def use_voice(voice: Voice) -> Voice:
    """Make `voice` the one every Translator speaks with from now on; return the previous one.

    Set once at start from the settings, so that dialogs, reminders, digests and broadcasts,
    whoever creates their Translator, all address people and name the office alike.
    """
    global _voice
    previous, _voice = _voice, voice
    return previous


def current_voice() -> Voice:
    """Return the voice Translators speak with unless given another."""
    return _voice


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


@lru_cache
def voiced(locale: str, voice: Voice) -> dict[str, str]:
    """Return the catalog of `locale` spoken with `voice` (Vietnamese only), built once."""
    messages = catalog(locale)
    if locale != "vi" or voice == Voice():
        return messages
    # Only the translations are rewritten, before anything is filled in: names people typed
    # and other user data never pass through here.
    return {msgid: voice.speak(text) for msgid, text in messages.items()}


class Translator:
    """Translates and formats for one person's locale, the commune's time zone and the chat app.

    `channel` is the app the text goes to: where it has no buttons (Zalo), texts name the
    words to type instead of slash commands and numbers instead of buttons (handlers.words).
    Left empty where the app does not matter, it is taken as one with buttons. `voice` is the
    form of address and office name the Vietnamese speaks with (the settings' by default).
    """

    def __init__(
        self,
        locale: str,
        timezone: str = "Asia/Ho_Chi_Minh",
        voice: Voice | None = None,
        *,
        channel: str = "",
    ) -> None:
        self.locale = locale if locale in SUPPORTED else "vi"
        self.channel = channel
        self.zone = ZoneInfo(timezone)
        self.voice = voice or _voice
        self._messages = voiced(self.locale, self.voice)
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
        """Format a stored UTC time in the commune's zone: 12:17 ngày 01/12/2026 (vi).

        The catalog writes 'lúc' before it where the sentence needs it ('lúc {time}').
        """
        local = value.astimezone(self.zone)
        pattern = "HH:mm 'ngày' dd/MM/yyyy" if self.locale == "vi" else "d MMM yyyy, HH:mm"
        return format_datetime(local, pattern, locale=self._babel)

    def today(self, now: dt.datetime) -> dt.date:
        """Return the commune's calendar date at the UTC instant `now`."""
        return now.astimezone(self.zone).date()
