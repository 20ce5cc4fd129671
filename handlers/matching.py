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
    answer = text.strip().rstrip(".)")
    if answer.isdigit() and 1 <= int(answer) <= len(choices):
        return choices[int(answer) - 1][0]
    wanted = normalize(text)
    for cid, label in choices:
        if wanted and wanted in (normalize(label), normalize(cid)):
            return cid
    return ""
