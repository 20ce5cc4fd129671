"""Translations and the formats people read: money, dates and times in the commune's zone."""

from __future__ import annotations

import datetime as dt

from handlers.i18n import Translator

NBSP = "\xa0"


def test_money_is_whole_dong_grouped_the_vietnamese_way():
    """1500000 reads 1.500.000 ₫ in Vietnamese and ₫1,500,000 in English."""
    assert Translator("vi").money(1_500_000) == f"1.500.000{NBSP}₫"
    assert Translator("en").money(1_500_000) == "₫1,500,000"
    assert Translator("vi").money(-250_000) == f"-250.000{NBSP}₫"


def test_dates_are_day_first_in_vietnamese():
    """28/03/2026 and 28/03 in Vietnamese; English gets its own medium form."""
    day = dt.date(2026, 3, 28)
    assert (Translator("vi").date(day), Translator("vi").day_month(day)) == ("28/03/2026", "28/03")
    assert (Translator("en").date(day), Translator("en").day_month(day)) == (
        "Mar 28, 2026",
        "Mar 28",
    )


def test_times_are_stored_in_utc_and_shown_in_the_commune_zone():
    """01:00 UTC is 08:00 in Hà Nội; after 17:00 UTC it is already tomorrow there."""
    vi = Translator("vi")
    assert vi.when(dt.datetime(2026, 3, 20, 1, 0, tzinfo=dt.UTC)) == "08:00 ngày 20/03/2026"
    assert vi.today(dt.datetime(2026, 12, 31, 17, 30, tzinfo=dt.UTC)) == dt.date(2027, 1, 1)


def test_source_strings_translate_and_unknown_ones_stay_english():
    """A catalogued string comes back in Vietnamese; an unknown locale falls back to vi."""
    assert Translator("vi")("What is your full name?") == "Anh/chị vui lòng cho biết họ và tên."
    assert Translator("en")("What is your full name?") == "What is your full name?"
    assert Translator("fr").locale == "vi"
