"""Typed replies mapped to the offered choices: by number, by label, diacritics ignored."""

from __future__ import annotations

import pytest

from handlers.matching import match_choice, normalize, parse_id

CHOICES = [("person", "Cá nhân"), ("family", "Gia đình"), ("clan", "Dòng họ")]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1", "person"),
        (" 3 ", "clan"),
        ("2.", "family"),
        ("Gia đình", "family"),
        ("gia dinh", "family"),
        ("DÒNG HỌ", "clan"),
        ("dong  ho", "clan"),
        ("clan", "clan"),
    ],
)
def test_a_reply_names_a_choice(typed, expected):
    """Number, label in any case with or without diacritics, or the id itself."""
    assert match_choice(typed, CHOICES) == expected


@pytest.mark.parametrize("typed", ["0", "4", "-1", "1" * 5000, "gia", "😀", "", "١"])
def test_a_reply_that_names_no_choice_matches_nothing(typed):
    """Out of range, partial, emoji, foreign digits and huge numbers match nothing."""
    assert match_choice(typed, CHOICES) == ""


def test_with_no_choices_offered_nothing_matches():
    """A number typed where nothing was offered is just text."""
    assert match_choice("1", []) == ""


def test_normalize_folds_d_with_stroke_and_spacing():
    """Đ becomes d, marks go, runs of spaces and dots become one space."""
    assert normalize("  Đã   NHẬN. ") == "da nhan"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12", 12), ("2147483647", 2147483647), ("2147483648", None), ("0", None), ("1" * 5000, None)],
)
def test_parse_id_takes_only_ids_a_table_can_hold(text, expected):
    """Ids are positive and fit a 32-bit column; longer numbers are refused, not parsed."""
    assert parse_id(text) == expected
