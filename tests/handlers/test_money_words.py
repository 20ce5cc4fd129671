"""Amounts said the way people say them: Vietnamese number words, with or without marks."""

import unicodedata

import pytest

from handlers.money import AmountError, parse_amount
from handlers.money_words import digits_from_words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the examples
        ("1 triệu rưỡi", 1_500_000),
        ("1 triệu 2", 1_200_000),
        ("1tr500", 1_500_000),
        ("năm trăm nghìn", 500_000),
        ("một triệu", 1_000_000),
        ("hai trăm năm mươi nghìn", 250_000),
        ("300 ngàn", 300_000),
        ("5 trăm", 500),
        ("1,2 tỷ", 1_200_000_000),
        # without diacritics
        ("mot trieu", 1_000_000),
        ("nam tram nghin", 500_000),
        ("mot trieu ruoi", 1_500_000),
        ("hai muoi lam nghin", 25_000),
        ("ba tram ngan", 300_000),
        ("mot ty", 1_000_000_000),
        # every digit word, and the tens
        ("không trăm linh một nghìn", 1_000),
        ("hai nghìn", 2_000),
        ("ba nghìn", 3_000),
        ("bốn nghìn", 4_000),
        ("bốn mươi tư nghìn", 44_000),
        ("năm mươi lăm nghìn", 55_000),
        ("sáu nghìn", 6_000),
        ("bảy trăm nghìn", 700_000),
        ("tám mươi nghìn", 80_000),
        ("chín trăm chín mươi chín nghìn", 999_000),
        ("mười nghìn", 10_000),
        ("mười lăm nghìn", 15_000),
        ("mười một nghìn", 11_000),
        ("hai mươi mốt nghìn", 21_000),
        ("một trăm linh năm nghìn", 105_000),
        ("một trăm lẻ năm nghìn", 105_000),
        ("một trăm mười nghìn", 110_000),
        ("mười triệu", 10_000_000),
        ("một trăm triệu", 100_000_000),
        ("hai tỉ", 2_000_000_000),
        # rưỡi: half of the unit just named
        ("1 nghìn rưỡi", 1_500),
        ("1k rưỡi", 1_500),
        ("2 trăm rưỡi nghìn", 250_000),
        ("hai trăm rưỡi", 250),
        ("1 tỷ rưỡi", 1_500_000_000),
        ("một triệu rưởi", 1_500_000),
        # a group after the last unit fills the places below it, as people say it
        ("một triệu hai", 1_200_000),
        ("một triệu tư", 1_400_000),
        ("một triệu hai trăm năm mươi", 1_250_000),
        ("một triệu không trăm năm mươi nghìn", 1_050_000),
        ("một nghìn không trăm linh năm", 1_005),
        ("một tỷ hai trăm triệu", 1_200_000_000),
        ("một triệu 200 nghìn", 1_200_000),
        # case, currency and the longest amount there is
        ("Một Triệu Rưỡi đồng", 1_500_000),
        ("năm trăm nghìn vnd", 500_000),
        (
            "chín tỷ chín trăm chín mươi chín triệu chín trăm chín mươi chín nghìn "
            "chín trăm chín mươi chín đồng",
            9_999_999_999,
        ),
    ],
)
def test_amounts_in_words_are_read(text: str, expected: int) -> None:
    assert parse_amount(text) == expected


def test_words_typed_in_decomposed_unicode_are_read() -> None:
    text = unicodedata.normalize("NFD", "hai trăm năm mươi nghìn")
    assert parse_amount(text) == 250_000


@pytest.mark.parametrize(
    "text",
    [
        "hai trăm năm",  # 205 or the colloquial 250?
        "một triệu năm mươi",  # 1.050.000 or 1.500.000?
        "1 triệu mười",
        "một triệu không trăm linh năm",  # 1.005.000 or, said in full, 1.000.005?
        "trăm nghìn",  # how many hundreds?
        "hai ba",
        "ba lăm nghìn",
        "hai rưỡi",  # half of what?
        "nghìn rưỡi",
        "1 triệu rưỡi nghìn",
        "1,5 triệu rưỡi",
        "15 trăm",
        "2 trăm 50",
        "5 mươi",
        "một mươi nghìn",
        "năm trăm linh nghìn",
        "năm trăm nghìn cho quỹ",
        "một triệu và năm trăm",
    ],
)
def test_words_that_could_mean_two_amounts_are_refused(text: str) -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount(text)
    assert caught.value.reason == "words"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("không", "zero"),
        ("không nghìn", "zero"),
        ("âm năm trăm nghìn", "negative"),
        ("mười một tỷ", "too_large"),
        ("cho quỹ", "no_number"),
    ],
)
def test_words_get_the_same_refusals_as_digits(text: str, reason: str) -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount(text)
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    ("body", "digits"),
    [
        ("1 triệu rưỡi", "1 triệu 5"),
        ("hai trăm năm mươi nghìn", "250 nghìn"),
        ("một nghìn không trăm linh năm", "1 nghìn 005"),
        ("1tr500", None),
        ("500k", None),
    ],
)
def test_words_become_the_digit_form_money_reads(body: str, digits: str | None) -> None:
    assert digits_from_words(body) == digits
