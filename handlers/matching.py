"""Matching a typed reply to the offered choices: by digit, id or label."""

from __future__ import annotations

import unicodedata

from handlers.messages import Choice


def normalize(text: str) -> str:
    """Fold case, diacritics (đ → d) and spacing, so 'Đã nhận' matches 'da nhan'."""
    folded = unicodedata.normalize("NFD", text.strip().lower().replace("đ", "d"))
    bare = "".join(ch for ch in folded if unicodedata.category(ch) != "Mn")
    return " ".join(bare.replace(".", " ").split())


def match_choice(text: str, choices: list[Choice]) -> str:
    """Return the id of the choice a typed reply names, or '' when it names none."""
    if not choices:
        return ""
    number = parse_id(text.strip().rstrip(".)"))
    if number is not None and number <= len(choices):
        return choices[number - 1][0]
    wanted = normalize(text)
    for cid, label in choices:
        if wanted and wanted in (normalize(label), normalize(cid)):
            return cid
    return ""


MAX_ID = 2**31 - 1


def parse_id(text: str) -> int | None:
    """Return the positive number (a choice's or a row's id) in `text`, or None."""
    # Length first: int() raises on numbers of thousands of digits.
    if not (text.isascii() and text.isdigit() and len(text) <= 10):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None
