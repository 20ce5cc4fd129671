"""Tests for handlers.money: parsing and spelling Vietnamese amounts."""

import unicodedata

import pytest

from handlers.money import (
    MAX_AMOUNT,
    AmountError,
    amount_in_words,
    parse_amount,
    unusual_amount,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # plain numbers and thousands grouping
        ("500000", 500_000),
        ("500.000", 500_000),
        ("500,000", 500_000),
        ("1.000.000", 1_000_000),
        ("1,000,000", 1_000_000),
        # thousands units
        ("500k", 500_000),
        ("500K", 500_000),
        ("500 k", 500_000),
        ("500 nghìn", 500_000),
        ("500 ngàn", 500_000),
        ("500n", 500_000),
        # millions with decimals and shorthand
        ("1,5 triệu", 1_500_000),
        ("1.5 triệu", 1_500_000),
        ("1,5tr", 1_500_000),
        ("1.5tr", 1_500_000),
        ("1.5 tr", 1_500_000),
        ("1,5 trieu", 1_500_000),
        ("1tr5", 1_500_000),
        ("1 triệu 5", 1_500_000),
        ("2tr", 2_000_000),
        ("2 triệu", 2_000_000),
        # compound amounts
        ("1 triệu 200 nghìn", 1_200_000),
        ("1 triệu 200k", 1_200_000),
        ("1tr200", 1_200_000),
        ("3 tỷ 500 triệu", 3_500_000_000),
        # currency markers
        ("1.000.000đ", 1_000_000),
        ("1.000.000 đ", 1_000_000),
        ("1.000.000 đồng", 1_000_000),
        ("1.000.000 vnd", 1_000_000),
        ("1.000.000VNĐ", 1_000_000),
        ("1000000d", 1_000_000),
        ("1.000.000 dong", 1_000_000),
        # billions, up to and including the maximum
        ("1 tỷ", 1_000_000_000),
        ("1 tỉ", 1_000_000_000),
        ("1ty", 1_000_000_000),
        ("10 tỷ", 10_000_000_000),
        # decimals of a unit
        ("0,5 triệu", 500_000),
        ("2,75 triệu", 2_750_000),
        ("1,25 tỷ", 1_250_000_000),
        ("1,2345 triệu", 1_234_500),
        # spacing and case
        ("  500k  ", 500_000),
        ("\u00a0500\u00a0nghìn\u00a0", 500_000),
        ("500\u202fk", 500_000),
        ("1,5 TRIỆU", 1_500_000),
        ("1 TỶ", 1_000_000_000),
        ("500.000đ", 500_000),
        ("5k5", 5_500),
    ],
)
def test_parse_amount_accepts(text: str, expected: int) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text", ["1,5 triệu", "1 tỷ", "500 nghìn đồng", "3 tỷ 500 triệu"])
def test_parse_amount_accepts_decomposed_unicode(text: str) -> None:
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text
    assert parse_amount(decomposed) == parse_amount(text)


def test_max_amount_is_ten_billion() -> None:
    assert MAX_AMOUNT == 10_000_000_000
    assert parse_amount("10.000.000.000") == MAX_AMOUNT


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("\u00a0", "empty"),
        ("abc", "no_number"),
        ("😀", "no_number"),
        ("đ", "no_number"),
        ("0", "zero"),
        ("0đ", "zero"),
        ("0 triệu", "zero"),
        ("-500000", "negative"),
        ("-1tr", "negative"),
        ("âm 500k", "negative"),
        ("10.000.000.001", "too_large"),
        ("11 tỷ", "too_large"),
        ("99999999999", "too_large"),
        # a lone separator with no unit: 1,5 đồng or a slip?
        ("1,5", "ambiguous"),
        ("1.5", "ambiguous"),
        # bad grouping and mixed separators
        ("1.50.000", "ambiguous"),
        ("1,000.000", "ambiguous"),
        ("1.5.000", "ambiguous"),
        # with a unit, one separator + exactly 3 digits: 1,5 triệu or 1500 triệu?
        ("1.500 triệu", "ambiguous"),
        ("1,500 tr", "ambiguous"),
        ("500 000 000 000 000 000 000 000", "ambiguous"),
        ("1 2 3", "ambiguous"),
        # units must fall strictly and each part must fit under the previous unit
        ("5tr 3tr", "ambiguous"),
        ("500k 1tr", "ambiguous"),
        ("1 triệu 2 triệu", "ambiguous"),
        ("1 triệu 1500 nghìn", "ambiguous"),
        ("1,5tr 200", "ambiguous"),
        ("1tr2000", "ambiguous"),
        ("12abc34", "ambiguous"),
        ("1" * 101, "ambiguous"),
        ("1,5đ", "fraction"),
        ("1.5 đồng", "fraction"),
        ("1,2345678 triệu", "fraction"),
    ],
)
def test_parse_amount_refuses(text: str, reason: str) -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount(text)
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    ("amount", "kind"),
    [
        (1, "small"),
        (9_999, "small"),
        (10_000, ""),
        (1_000_000_000, ""),
        (1_000_000_001, "large"),
        (MAX_AMOUNT, "large"),
    ],
)
def test_unusual_amounts_are_under_ten_thousand_or_over_one_billion(amount: int, kind: str) -> None:
    assert unusual_amount(amount) == kind


def test_amount_error_is_value_error() -> None:
    error = AmountError("zero")
    assert isinstance(error, ValueError)
    assert error.reason == "zero"


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (1_500_000, "một triệu năm trăm nghìn đồng"),
        (1_200_000, "một triệu hai trăm nghìn đồng"),
        (105_000, "một trăm lẻ năm nghìn đồng"),
        (2_000_000_000, "hai tỷ đồng"),
    ],
)
def test_amount_in_words(amount: int, words: str) -> None:
    assert amount_in_words(amount) == words


def test_amount_in_words_refuses_negative() -> None:
    with pytest.raises(ValueError):
        amount_in_words(-5)
