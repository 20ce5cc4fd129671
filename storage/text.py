"""Text as the bot stores it: one Unicode form, nothing invisible or unstorable."""

from __future__ import annotations

import functools
import re
import unicodedata

# Terminal colour codes and cursor moves pasted from a console.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]")
_KEEP_CONTROLS = {"\n"}


def clean_text(text: str) -> str:
    """Return `text` in NFC without control, format (zero-width, bidi) or lone surrogate chars.

    Look-alike names ("Thôn\\u200b Đông") must not become a second unit, and a NUL or a lone
    surrogate cannot be stored in PostgreSQL or encoded as UTF-8 at all.
    """
    text = _ANSI.sub("", text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))
    kept = [
        char
        for char in text
        if char in _KEEP_CONTROLS or unicodedata.category(char) not in {"Cc", "Cf", "Cs"}
    ]
    return unicodedata.normalize("NFC", "".join(kept))


# The Vietnamese alphabet: ă, â, đ, ê, ô, ơ and ư are letters of their own, each after its
# base letter (Dương before Đông); f, j, w and z are there for foreign names.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {letter: chr(0xE000 + rank) for rank, letter in enumerate(_ALPHABET)}
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: part of the letter
# Tones in dictionary order: none, huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}


def _letter_groups(name: str) -> list[tuple[str, str, str]]:
    """Split a folded name into (base letter, letter marks, tone) groups, other chars alone."""
    groups: list[tuple[str, str, str]] = []
    for char in unicodedata.normalize("NFD", name):
        if unicodedata.combining(char) and groups:
            base, marks, tone = groups[-1]
            if char in _LETTER_MARKS:
                groups[-1] = (base, marks + char, tone)
            elif char in _TONES:
                groups[-1] = (base, marks, _TONES[char])
            continue
        groups.append((char, "", "0"))
    return groups


@functools.lru_cache(maxsize=65_536)
def unit_sort_key(name: str) -> str:
    """Key a name (of a unit or a person) for sorting in Vietnamese alphabetical order."""
    # Letters first (a < ă < â, d < đ), then tones, then case, as a Vietnamese dictionary
    # does; numbers by value, so Thôn 2 comes before Thôn 10. One string rather than a
    # tuple: sorting 10,000 units compares these keys a hundred thousand times.
    # Cached: the same few thousand names are sorted again for every status and report.
    letters: list[str] = []
    tones: list[str] = []
    digits = ""
    for base, marks, tone in _letter_groups(" ".join(name.casefold().split())):
        if "0" <= base <= "9":
            digits += base
            continue
        if digits:
            letters.append(_number(digits))
            digits = ""
        letter = unicodedata.normalize("NFC", base + marks)
        if letter in _LETTER_RANK:
            letters.append(_LETTER_RANK[letter])
            tones.append(tone)
        else:
            letters.append(base)
    if digits:
        letters.append(_number(digits))
    cases = "".join("1" if char.isupper() else "0" for char in name)
    return "\x00".join(["".join(letters), "".join(tones), cases, name])


def _number(digits: str) -> str:
    """Encode a run of digits so that string order is numeric order (2 before 10)."""
    value = digits.lstrip("0") or "0"
    return "\x01" + chr(0x20 + len(value)) + value


def fold_name(name: str) -> str:
    """Fold a name to what remains without case, accents (đ = d) and extra spaces.

    Two unit names that fold alike ("Thon Dong", "Thôn Đông") are one unit typed twice.
    """
    folded = unicodedata.normalize("NFD", clean_text(name).casefold().replace("đ", "d"))
    return " ".join("".join(ch for ch in folded if not unicodedata.combining(ch)).split())
