"""Reading several choice numbers typed at once: '1 3 5', '1,3,5', '1, 3 và 5', '1-4', 'tất cả'."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

EVERY = frozenset({"tat ca", "chon tat ca", "all"})
"""Replies meaning every item of the list, folded (no accents, lower case)."""
MAX_DIGITS = 4
"""Longer numbers are out of any list's range; they are not turned into huge integers."""

_RANGE = re.compile(r"\s*(?:-|–|—|\.\.|\bden\b)\s*")
_SEPARATORS = re.compile(r"[,;.+&]|\bva\b|\band\b")
_FILLERS = re.compile(r"\b(?:tu|so|chon)\b")
"""Words around the numbers: 'từ 1 đến 4', 'số 2 và 3', 'chọn 1 3'."""
_TOKEN = re.compile(r"^(\d+)(?:-(\d+))?$")


@dataclass(frozen=True)
class Numbers:
    """What a typed list asked for: these numbers, in the order typed, or every item."""

    chosen: tuple[int, ...] = ()
    every: bool = False


class Unreadable(ValueError):
    """The reply is not a list of numbers."""


class OutOfRange(ValueError):
    """A number of the reply is not on the list."""

    def __init__(self, number: str) -> None:
        super().__init__(number)
        self.number = number


def read_numbers(text: str, last: int) -> Numbers:
    """Read a typed list of numbers from 1 to `last`, each once, ranges ('2-4') spelled out.

    Raises Unreadable when it is not such a list, OutOfRange naming the first number
    outside 1..last (as typed).
    """
    folded = _fold(text)
    if folded in EVERY:
        return Numbers(every=True)
    spaced = _SEPARATORS.sub(" ", _RANGE.sub("-", _FILLERS.sub(" ", folded)))
    tokens = spaced.split()
    if not tokens:
        raise Unreadable(text)
    chosen: dict[int, None] = {}
    for token in tokens:
        found = _TOKEN.match(token)
        if found is None:
            raise Unreadable(text)
        first = _number(found[1], last)
        final = _number(found[2], last) if found[2] else first
        low, high = sorted((first, final))
        chosen.update(dict.fromkeys(range(low, high + 1)))
    return Numbers(tuple(chosen))


def _number(digits: str, last: int) -> int:
    value = int(digits) if len(digits) <= MAX_DIGITS else 0
    if not 1 <= value <= last:
        shown = digits.lstrip("0") or "0"
        raise OutOfRange(shown if len(shown) <= 9 else shown[:9] + "…")
    return value


def _fold(text: str) -> str:
    """Lower case, no accents (đ → d), single spaces."""
    folded = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    bare = "".join(ch for ch in folded if unicodedata.category(ch) != "Mn")
    return " ".join(bare.split())
