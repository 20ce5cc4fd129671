"""Directives as they reach the office damaged: accents lost, OCR misreads, lines broken,
page numbers in the middle; each with the fields a reader must still find in it.

The damage is deterministic. A variant's expected fields are the clean document's, written
out here by hand, with the same letter damage applied to the text they quote.
"""

from __future__ import annotations

import dataclasses
import re
import textwrap
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from handlers.document_fields import ExtractedDirective
from handlers.document_sections import PartialDate
from storage.models import UnitKind
from tests.support.directive_documents import DOCUMENTS, fixture

Damage = Callable[[str], str]


# --- letter damage: applied to the document and to the expected fields alike ---


def strip_diacritics(text: str) -> str:
    """Drop every accent and write đ as d, as text typed on a keyboard without Vietnamese."""
    text = text.replace("đ", "d").replace("Đ", "D")
    bare = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in bare if not unicodedata.combining(c)))


def swap(pairs: dict[str, str]) -> Damage:
    """Return a damage that swaps letters as OCR misreads them (đ → p, ố → 6, ư → w)."""
    table = str.maketrans(pairs)
    return lambda text: text.translate(table)


D_AS_D = swap({"đ": "d", "Đ": "D"})
D_AS_P = swap({"đ": "p", "Đ": "P"})
O_AS_6 = swap({"ố": "6", "Ố": "6", "ơ": "o", "Ơ": "O"})
U_AS_U = swap({"ư": "u", "Ư": "U"})
U_AS_W = swap({"ư": "w", "Ư": "W"})


def both(*damages: Damage) -> Damage:
    """Apply several damages one after the other."""

    def apply(text: str) -> str:
        for damage in damages:
            text = damage(text)
        return text

    return apply


# --- layout damage: the expected fields stay as in the clean document ---


def wrapped(width: int) -> Damage:
    """Break every line longer than `width` at spaces, as a narrow PDF or a scan does."""

    def apply(text: str) -> str:
        lines = []
        for line in text.split("\n"):
            if len(line) <= width or "   " in line:
                lines.append(line)
                continue
            lines += textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False)
        return "\n".join(lines)

    return apply


def without_blank_lines(text: str) -> str:
    """Drop the empty lines between paragraphs, as text taken from a PDF comes."""
    return "\n".join(line for line in text.split("\n") if line.strip())


def page_break(text: str) -> str:
    """Cut the middle line in two with a page footer, and end the text with another."""
    lines = text.split("\n")
    middle = max(
        (i for i in range(len(lines) // 2) if lines[i].count(" ") > 4), default=len(lines) // 2
    )
    words = lines[middle].split(" ")
    half = len(words) // 2
    cut = [" ".join(words[:half]), "", "Trang 1/2", "", " ".join(words[half:])]
    return "\n".join([*lines[:middle], *cut, *lines[middle + 1 :], "", "- 2 -"])


def doubled_spaces(text: str) -> str:
    """Double every space, as a justified line pasted from a PDF has."""
    return text.replace(" ", "  ")


def spaced_number(text: str) -> str:
    """Put spaces around the slash and dash of the number: "Số: 45 / KH - VHXH"."""
    return re.sub(r"(Số:\s*\d*)/(\w+)-", r"\1 / \2 - ", text, count=1)


def misread_label(text: str) -> str:
    """Write "Số:" as OCR read it from a blurred stamp: "Só:"."""
    return text.replace("Số:", "Só:", 1)


def windows_lines(text: str) -> str:
    """End lines with CR LF, as a file saved on Windows."""
    return text.replace("\n", "\r\n")


def blank_number_and_day(text: str) -> str:
    """Empty the number and the day, as in a draft not yet registered."""
    text = re.sub(r"Số: \d+/", "Số:     /", text, count=1)
    return re.sub(r"ngày \d+ tháng", "ngày     tháng", text, count=1)


def damaged_fields(fields: Any, letters: Damage) -> Any:
    """Apply letter damage to every quoted text of the expected fields (not kind, not dates)."""
    if isinstance(fields, str):
        return letters(fields)
    if isinstance(fields, tuple):
        return tuple(damaged_fields(item, letters) for item in fields)
    if dataclasses.is_dataclass(fields) and not isinstance(fields, type):
        changes = {
            field.name: damaged_fields(getattr(fields, field.name), letters)
            for field in dataclasses.fields(fields)
            if field.name != "kind" and not isinstance(getattr(fields, field.name), UnitKind)
        }
        return dataclasses.replace(fields, **changes)
    return fields


@dataclass(frozen=True)
class Variant:
    """A damaged copy of a document and the fields that must be read from it."""

    name: str
    text: str
    expected: ExtractedDirective


def make_variant(
    name: str, document: str, letters: Damage | None = None, layout: Damage | None = None
) -> Variant:
    """Damage a test document's letters, then its layout; expect the letter damage only."""
    text = fixture(document)
    expected = DOCUMENTS[document]
    if letters:
        text, expected = letters(text), damaged_fields(expected, letters)
    return Variant(name, layout(text) if layout else text, expected)


def _draft() -> Variant:
    plan = make_variant("kế hoạch, number and day blank", "kehoach-an-hung-2025.txt")
    issued = PartialDate("ngày tháng 3 năm 2025", None, 3, 2025)
    expected = dataclasses.replace(plan.expected, number="", issued=issued)
    return Variant(plan.name, blank_number_and_day(plan.text), expected)


def variants() -> list[Variant]:
    """Every damaged variant of the two documents, each with its expected fields."""
    letter, plan = "congvan-an-hung-2026.txt", "kehoach-an-hung-2025.txt"
    return [
        make_variant("công văn without diacritics", letter, strip_diacritics),
        make_variant("công văn, OCR đ → p", letter, D_AS_P),
        make_variant("công văn, OCR ố → 6, ơ → o, ư → w", letter, both(O_AS_6, U_AS_W)),
        make_variant(
            "công văn wrapped at 50 with a page footer", letter, None, both(wrapped(50), page_break)
        ),
        make_variant(
            "công văn as from a PDF (wrapped at 72, no blank lines)",
            letter,
            None,
            both(wrapped(72), without_blank_lines),
        ),
        make_variant("công văn with doubled spaces", letter, None, doubled_spaces),
        make_variant(
            "kế hoạch without diacritics, wrapped at 60", plan, strip_diacritics, wrapped(60)
        ),
        make_variant("kế hoạch, OCR đ → d, ư → u", plan, both(D_AS_D, U_AS_U)),
        make_variant("kế hoạch, OCR ố → 6 (S6:), ơ → o", plan, O_AS_6),
        make_variant(
            "kế hoạch with a page footer mid-sentence", plan, None, both(wrapped(70), page_break)
        ),
        _draft(),
        make_variant(
            "kế hoạch, Só: and 45 / KH - VHXH, CR LF",
            plan,
            None,
            both(misread_label, spaced_number, windows_lines),
        ),
        make_variant(
            "kế hoạch as from a PDF (wrapped at 65, no blank lines)",
            plan,
            None,
            both(wrapped(65), without_blank_lines),
        ),
        make_variant("kế hoạch, OCR đ → p, doubled spaces", plan, D_AS_P, doubled_spaces),
        make_variant(
            "kế hoạch without diacritics as from a PDF, with a page footer",
            plan,
            strip_diacritics,
            both(wrapped(55), without_blank_lines, page_break),
        ),
    ]
