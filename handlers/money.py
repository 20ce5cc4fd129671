"""Parse and spell Vietnamese money amounts, always in whole đồng.

Rules for digit separators (``.`` and ``,`` are both used for thousands *and* decimals
in Vietnam, so the unit decides):

* Mixed ``.`` and ``,`` in one number -> "ambiguous".
* Two or more separators -> thousands grouping; every group after the first must
  have exactly 3 digits (``1.000.000``), else "ambiguous" (``1.50.000``, ``1.5.000``).
* Exactly one separator followed by exactly 3 digits:
  - no multiplier unit (plain number, or only đ/đồng/vnd) -> thousands (``500.000``);
  - with a multiplier unit (k/nghìn/tr/triệu/tỷ) -> "ambiguous": ``1.500 triệu`` may
    mean 1,5 triệu or 1.500 triệu (= 1,5 tỷ), and guessing wrong costs 1000x.
* Exactly one separator followed by any other digit count:
  - with a multiplier unit -> decimal (``1,5 triệu``, ``1,2345 triệu``);
  - with only a currency marker and 1–2 digits -> decimal, so ``1,5đ`` -> "fraction";
  - plain number -> "ambiguous" (``1,5`` is more likely a slip than 1,5 đồng).
* Compound amounts (``3 tỷ 500 triệu``) need strictly falling units, each part smaller
  than the unit before it, and only the last part may carry separators.
* Bare digits after a unit fill the next unit down, read like decimals of that unit:
  ``1tr5`` = 1.500.000, ``1tr200`` = 1.200.000, ``5k5`` = 5.500 (at most 3 digits).
* Number words ("một triệu rưỡi", "5 trăm") are first rewritten in digits by
  ``handlers.money_words``; what it cannot read one way only is refused as "words".
"""

from __future__ import annotations

import re
import unicodedata
from fractions import Fraction
from typing import NamedTuple

from num2words import num2words

from handlers.i18n import Translator
from handlers.money_words import (
    THOUSAND,
    UNITS,
    NumberWordsError,
    digits_from_words,
    has_number_words,
)

MAX_AMOUNT = 10_000_000_000  # 10 tỷ

# No real amount is this long; refusing early also keeps int() far from CPython's
# 4300-digit conversion limit.
_MAX_INPUT_CHARS = 100
_MAX_WORDS_CHARS = 200

# Below or above these an amount is asked back: a slip of a few zeros is the likely cause.
SMALL_AMOUNT = 10_000
LARGE_AMOUNT = 1_000_000_000

# Leftmost match wins, so "dong"/"vnd" are taken whole rather than just their last "d".
_CURRENCY_SUFFIX = re.compile(r"\s*(?:đồng|dong|vnđ|vnd|đ|d|₫)$")
_NEGATIVE_PREFIX = re.compile(r"^(?:[-\u2212\u2013]|âm(?=[\s0-9])|am(?=[\s0-9]))")
# [0-9] rather than \d: other scripts' digits would be silently accepted by int().
_TOKEN = re.compile(r"([0-9]+(?:[.,][0-9]+)*)\s*([^\W\d_]*)\s*")
_DIGITS = frozenset("0123456789")
# Copy-paste from Telegram/Zalo sometimes carries zero-width characters.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


class AmountError(ValueError):
    """Why a typed amount was refused."""

    # "empty", "no_number", "zero", "negative", "too_large", "ambiguous", "fraction", or
    # "words": number words that cannot be read one way only (see handlers.money_words).
    reason: str

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Token(NamedTuple):
    raw: str  # digits with any separators, e.g. "1.000" or "1,5"
    unit: int | None  # multiplier, None for bare digits


def _normalise(text: str) -> str:
    # NFD input (macOS, some Android keyboards) would otherwise not match "triệu".
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE).lower()
    # str.split() also splits on non-breaking and other Unicode spaces.
    return " ".join(text.split())


def _tokenise(body: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(body):
        match = _TOKEN.match(body, pos)
        if match is None:
            raise AmountError("ambiguous")
        raw, word = match.groups()
        if word and word not in UNITS:
            raise AmountError("ambiguous")
        tokens.append(_Token(raw, UNITS[word] if word else None))
        pos = match.end()
    if not tokens:
        raise AmountError("ambiguous")
    return tokens


def _is_grouped(head: str, groups: list[str]) -> bool:
    # A leading zero ("0.500") is not how anyone writes thousands.
    return (
        1 <= len(head) <= 3
        and not head.startswith("0")
        and all(len(group) == 3 for group in groups)
    )


def _read_number(raw: str, *, has_unit: bool, has_currency: bool) -> Fraction:
    separators = {char for char in raw if char in ".,"}
    if not separators:
        return Fraction(int(raw))
    if len(separators) > 1:
        raise AmountError("ambiguous")
    head, *groups = raw.split(separators.pop())
    if len(groups) >= 2:
        if not _is_grouped(head, groups):
            raise AmountError("ambiguous")
        return Fraction(int(head + "".join(groups)))
    tail = groups[0]
    if len(tail) == 3:
        if has_unit or not _is_grouped(head, groups):
            raise AmountError("ambiguous")
        return Fraction(int(head + tail))
    if has_unit or (has_currency and len(tail) <= 2):
        return int(head) + Fraction(int(tail), 10 ** len(tail))
    raise AmountError("ambiguous")


def _combine(tokens: list[_Token], has_currency: bool) -> Fraction:
    if len(tokens) == 1 and tokens[0].unit is None:
        return _read_number(tokens[0].raw, has_unit=False, has_currency=has_currency)
    total = Fraction(0)
    prev_unit: int | None = None
    last = len(tokens) - 1
    for index, (raw, unit) in enumerate(tokens):
        if index != last and not raw.isdigit():
            raise AmountError("ambiguous")
        if unit is None:
            if index != last or prev_unit is None or not raw.isdigit() or len(raw) > 3:
                raise AmountError("ambiguous")
            # Pad right so "1tr5" and "1tr500" both mean 500 nghìn, like decimals.
            total += int(raw.ljust(3, "0")) * (prev_unit // THOUSAND)
            break
        value = _read_number(raw, has_unit=True, has_currency=has_currency) * unit
        if prev_unit is not None and (unit >= prev_unit or value >= prev_unit):
            raise AmountError("ambiguous")
        total += value
        prev_unit = unit
    return total


def parse_amount(text: str) -> int:
    """Turn a typed amount such as "1tr5", "500k", "1.000.000đ" or "một triệu rưỡi" into đồng."""
    normalised = _normalise(text)
    if not normalised:
        raise AmountError("empty")
    if not _DIGITS.intersection(normalised) and not has_number_words(normalised):
        raise AmountError("no_number")
    if _NEGATIVE_PREFIX.match(normalised):
        raise AmountError("negative")
    # Words take more room than digits; the digit form is held to the shorter limit below.
    if len(normalised) > _MAX_WORDS_CHARS:
        raise AmountError("ambiguous")
    body = _CURRENCY_SUFFIX.sub("", normalised)
    has_currency = body != normalised
    try:
        spelled = digits_from_words(body)
    except NumberWordsError:
        raise AmountError("words") from None
    if len(spelled or body) > _MAX_INPUT_CHARS:
        raise AmountError("ambiguous")
    try:
        total = _combine(_tokenise(spelled or body), has_currency)
    except AmountError as error:
        # "Is 1,5 one and a half million?" says nothing about "hai ba": words get their own.
        if spelled is not None and error.reason == "ambiguous":
            raise AmountError("words") from None
        raise
    if total == 0:
        raise AmountError("zero")
    if total > MAX_AMOUNT:
        raise AmountError("too_large")
    if total.denominator != 1:
        raise AmountError("fraction")
    return int(total)


def unusual_amount(amount: int) -> str:
    """Say whether an amount should be asked back: "small", "large", or "" when usual."""
    if amount < SMALL_AMOUNT:
        return "small"
    if amount > LARGE_AMOUNT:
        return "large"
    return ""


def amount_problem(_: Translator, reason: str) -> str:
    """Explain in the person's language why a typed amount was refused (AmountError.reason)."""
    problems = {
        "empty": _("Please type the amount in numbers."),
        "no_number": _("There is no number in that. Please type the amount, e.g. 500000 or 500k."),
        "zero": _("The amount must be more than 0."),
        "negative": _(
            "The amount cannot be negative. To undo a recorded contribution, "
            "ask the commune office to reverse its receipt."
        ),
        "too_large": _(
            "That is more than {limit}, the most one entry may record. "
            "Please check the number of zeros."
        ).format(limit=_.money(MAX_AMOUNT)),
        "ambiguous": _(
            "The amount is unclear: is 1,5 one and a half million or 1,500 dong? "
            "Please write it plainly, e.g. 1,5 triệu or 1.500.000."
        ),
        "fraction": _("The amount must be whole dong, with no fraction of a dong."),
        "words": _(
            "The amount in words could mean more than one sum. "
            "Please write it plainly, e.g. 1.500.000, 1,5 triệu or một triệu rưỡi."
        ),
    }
    return problems.get(reason, problems["ambiguous"])


def amount_in_words(amount: int) -> str:
    """Spell a whole-đồng amount in Vietnamese, e.g. "một triệu năm trăm nghìn đồng"."""
    # num2words 0.5.14 silently drops the sign for "vi" (-5 -> "mười lăm").
    if amount < 0:
        raise ValueError("amount must not be negative")
    words = str(num2words(amount, lang="vi"))
    return f"{words[:1].lower()}{words[1:]} đồng"
