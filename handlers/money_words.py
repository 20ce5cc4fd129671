"""Amounts said in Vietnamese words ("một triệu rưỡi", "5 trăm") rewritten in digits.

The words become the digit form `handlers.money` already reads, so one set of rules decides
what an amount is: "hai trăm năm mươi nghìn" -> "250 nghìn", "một triệu rưỡi" -> "1 triệu 5",
"5 trăm" -> "500". Diacritics may be left out ("mot trieu", "nam tram nghin").

A group below a thousand is read as it is spoken: [digit trăm] then "mười [digit]",
"digit mươi [digit]", "linh/lẻ digit" (after trăm only) or a lone digit. Anything a
person could mean two ways is refused, never guessed:

* "hai trăm năm": 205 or the colloquial 250?
* "một triệu năm mươi": 1.050.000 or 1.500.000? ("một triệu không trăm linh năm" too)
* "trăm nghìn": how many hundreds?
* two groups in a row ("hai ba"), "rưỡi" not right after a unit, unknown words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

THOUSAND, MILLION, BILLION = 1_000, 1_000_000, 1_000_000_000

UNITS: dict[str, int] = {
    "k": THOUSAND,
    "n": THOUSAND,
    "nghìn": THOUSAND,
    "nghin": THOUSAND,
    "ngàn": THOUSAND,
    "ngan": THOUSAND,
    "tr": MILLION,
    "triệu": MILLION,
    "trieu": MILLION,
    "tỷ": BILLION,
    "tỉ": BILLION,
    "ty": BILLION,
    "ti": BILLION,
}
"""Multiplier words and their shorthand, as typed after a number."""

# Only the correct spelling and the one without any marks: a word with some marks wrong
# ("tâm", "bà") is more likely not a number at all.
_DIGITS: dict[str, int] = {
    "không": 0,
    "khong": 0,
    "một": 1,
    "mốt": 1,  # after mươi: "hai mươi mốt"
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bốn": 4,
    "bon": 4,
    "tư": 4,
    "tu": 4,
    "năm": 5,
    "nam": 5,
    "lăm": 5,  # after mười/mươi: "mười lăm"
    "lam": 5,
    "sáu": 6,
    "sau": 6,
    "bảy": 7,
    "bay": 7,
    "tám": 8,
    "tam": 8,
    "chín": 9,
    "chin": 9,
}
# "mười" (ten) and "mươi" (tens) lose the same marks; their place tells them apart.
_TEN = frozenset({"mười", "mươi", "muoi"})
_HUNDRED = frozenset({"trăm", "tram"})
_ZERO_TENS = frozenset({"linh", "lẻ", "le"})
# "rưởi" is the common misspelling of "rưỡi".
_HALF = frozenset({"rưỡi", "rưởi", "ruoi"})
_WORDS = frozenset(_DIGITS) | _TEN | _HUNDRED | _ZERO_TENS | _HALF
_PIECE = re.compile(r"[0-9]+(?:[.,][0-9]+)*|[^\W\d_]+|\S")


class NumberWordsError(ValueError):
    """An amount in words that cannot be read one way only."""


@dataclass(frozen=True)
class _Group:
    value: int  # 0..999
    hundreds: bool  # said with "trăm"
    lone_digit: bool  # a single digit word, e.g. the "hai" of "một triệu hai"


class _Reader:
    """The pieces of a typed amount, read left to right."""

    def __init__(self, pieces: list[str]) -> None:
        self.pieces = pieces
        self.pos = 0

    def peek(self, ahead: int = 0) -> str:
        """The piece `ahead` places on, '' past the end."""
        index = self.pos + ahead
        return self.pieces[index] if index < len(self.pieces) else ""

    def take(self) -> str:
        """The current piece, moving past it."""
        piece = self.peek()
        self.pos += 1
        return piece

    def done(self) -> bool:
        """Whether every piece has been read."""
        return self.pos >= len(self.pieces)


def has_number_words(text: str) -> bool:
    """Tell whether lower-cased `text` says a number in Vietnamese words."""
    return not _WORDS.isdisjoint(_PIECE.findall(text))


def digits_from_words(body: str) -> str | None:
    """Rewrite an amount said in words in digits; None when it has no number words."""
    pieces = _PIECE.findall(body)
    if _WORDS.isdisjoint(pieces):
        return None
    reader = _Reader(pieces)
    out: list[str] = []
    while not reader.done():
        piece = reader.peek()
        after_unit = bool(out) and out[-1] in UNITS
        if piece in UNITS:
            out.append(reader.take())
        elif piece in _HALF:
            reader.take()
            # Half of the unit just named, and the end: "1 triệu rưỡi" is "1 triệu 5".
            if not after_unit or not reader.done():
                raise NumberWordsError(body)
            out.append("5")
        elif piece[0].isdigit() and reader.peek(1) not in _HUNDRED:
            out.append(reader.take())
        else:
            group = _read_group(reader, body)
            last = after_unit and reader.done()
            out.append(_trailing(group, UNITS[out[-1]], body) if last else str(group.value))
    return " ".join(out)


def _trailing(group: _Group, unit: int, body: str) -> str:
    """Digits for a group ending an amount after `unit`, which fill the next place down."""
    if group.lone_digit and group.value:
        return str(group.value)  # "một triệu hai": 1.200.000
    if group.hundreds and (group.value >= 100 or unit == THOUSAND):
        # "một triệu hai trăm" is 1.200.000; "một nghìn không trăm linh năm" is 1.005.
        return f"{group.value:03d}"
    # "một triệu năm mươi", "một triệu không trăm linh năm": the thousands or the đồng?
    raise NumberWordsError(body)


def _digit(piece: str, body: str) -> int:
    if piece in _DIGITS:
        return _DIGITS[piece]
    if len(piece) == 1 and piece.isdigit():
        return int(piece)  # "5 trăm"
    raise NumberWordsError(body)


def _read_group(reader: _Reader, body: str) -> _Group:
    """Read one group below a thousand, e.g. "hai trăm năm mươi" or "5 trăm"."""
    if reader.peek() in _HUNDRED:
        raise NumberWordsError(body)  # "trăm nghìn": how many hundreds?
    if reader.peek(1) not in _HUNDRED:
        value, lone_digit = _read_tens(reader, body, after_hundred=False)
        return _Group(value, hundreds=False, lone_digit=lone_digit)
    hundreds = _digit(reader.take(), body)
    reader.take()
    if reader.peek() in _HALF:
        reader.take()
        return _Group(hundreds * 100 + 50, hundreds=True, lone_digit=False)
    value, _lone = _read_tens(reader, body, after_hundred=True)
    return _Group(hundreds * 100 + value, hundreds=True, lone_digit=False)


def _read_tens(reader: _Reader, body: str, *, after_hundred: bool) -> tuple[int, bool]:
    """Read the part of a group below a hundred; return it and whether it was one digit."""
    piece = reader.peek()
    if piece in _ZERO_TENS and after_hundred:
        reader.take()
        unit = _unit_digit(reader)
        if not unit:
            raise NumberWordsError(body)
        return unit, False
    if piece in _TEN:
        reader.take()
        return 10 + _unit_digit(reader), False
    if piece in _DIGITS:
        digit = _DIGITS[reader.take()]
        if reader.peek() in _TEN:
            reader.take()
            if digit < 2:
                raise NumberWordsError(body)
            return digit * 10 + _unit_digit(reader), False
        if after_hundred:
            raise NumberWordsError(body)  # "hai trăm năm": 205 or 250?
        return digit, True
    if after_hundred and (not piece or piece in UNITS):
        return 0, False  # "năm trăm", "năm trăm nghìn"
    raise NumberWordsError(body)


def _unit_digit(reader: _Reader) -> int:
    """Take a closing digit word (1–9) if one follows, else 0."""
    value = _DIGITS.get(reader.peek(), 0)
    if value:
        reader.take()
    return value
