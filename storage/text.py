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


@functools.lru_cache(maxsize=65_536)
def unit_sort_key(name: str) -> str:
    """Key a unit's name for sorting in Vietnamese order, marks folded away."""
    # Code-point order would put "Thôn Đông" after "Thôn Tây" (Đ after Z); fold Đ into D.
    # Cached: the same few thousand names are sorted again for every status and report.
    folded = unicodedata.normalize("NFD", name.casefold().replace("đ", "d"))
    return "".join(ch for ch in folded if not unicodedata.combining(ch))
