"""Tests for handlers.dates: day-first dates typed by officials."""

import unicodedata
from datetime import date

import pytest

from handlers.dates import DateError, parse_date

TODAY = date(2026, 3, 20)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("28/3", date(2026, 3, 28)),
        ("28/03", date(2026, 3, 28)),
        ("28-03", date(2026, 3, 28)),
        ("28.3", date(2026, 3, 28)),
        ("28/03/2026", date(2026, 3, 28)),
        ("28-03-2026", date(2026, 3, 28)),
        ("28.03.2026", date(2026, 3, 28)),
        ("28/3/26", date(2026, 3, 28)),
        ("1/2/2025", date(2025, 2, 1)),
        ("29/02/2028", date(2028, 2, 29)),
        ("2026-03-28", date(2026, 3, 28)),
        ("  28/03/2026  ", date(2026, 3, 28)),
        ("\u00a028/3\u00a0", date(2026, 3, 28)),
        ("hôm nay", TODAY),
        ("hom nay", TODAY),
        ("today", TODAY),
        ("Hôm Nay", TODAY),
        ("hôm qua", date(2026, 3, 19)),
        ("hom qua", date(2026, 3, 19)),
        ("yesterday", date(2026, 3, 19)),
        ("1/1/2000", date(2000, 1, 1)),
        ("31/12/2100", date(2100, 12, 31)),
    ],
)
def test_parse_date_accepts(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


def test_parse_date_accepts_decomposed_unicode() -> None:
    assert parse_date(unicodedata.normalize("NFD", "hôm qua"), TODAY) == date(2026, 3, 19)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("32/1", "invalid"),
        ("31/02/2026", "invalid"),
        ("29/02/2025", "invalid"),
        ("3/28/2026", "invalid"),
        ("0/3", "invalid"),
        ("2026-02-30", "invalid"),
        ("abc", "format"),
        ("28", "format"),
        ("28/03/20266", "format"),
        ("28/03/202", "format"),
        ("28/03-2026", "format"),
        ("28 03 2026", "format"),
        ("28/3/1999", "out_of_range"),
        ("28/3/2101", "out_of_range"),
        ("1999-03-28", "out_of_range"),
    ],
)
def test_parse_date_refuses(text: str, reason: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_date(text, TODAY)
    assert caught.value.reason == reason


@pytest.mark.parametrize("text", ["19/3", "hôm qua", "1/1/2026"])
def test_parse_date_refuses_past_when_not_allowed(text: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_date(text, TODAY, allow_past=False)
    assert caught.value.reason == "out_of_range"


@pytest.mark.parametrize("text", ["21/3", "28/03/2026", "1/1/2027"])
def test_parse_date_refuses_future_when_not_allowed(text: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_date(text, TODAY, allow_future=False)
    assert caught.value.reason == "out_of_range"


def test_parse_date_today_passes_both_restrictions() -> None:
    assert parse_date("20/3", TODAY, allow_past=False, allow_future=False) == TODAY
    assert parse_date("hôm nay", TODAY, allow_past=False, allow_future=False) == TODAY


def test_date_error_is_value_error() -> None:
    error = DateError("format")
    assert isinstance(error, ValueError)
    assert error.reason == "format"
