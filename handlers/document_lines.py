"""A document's text as lines and paragraphs, each with a folded twin for matching.

Text copied from a PDF, a scan or a draft is damaged: accents lost, letters misread by OCR,
sentences broken over lines, page numbers in the middle. Matching is done on a folded copy
of the same length (no accents, lower case, đ = d, common OCR swaps undone), so a match's
position in the folded text is its position in the original, which is what is returned.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from storage.text import clean_text

# OCR reads ố as 6, ư as w and đ as p: the key maps them back, on both sides of a comparison.
_OCR = str.maketrans({"6": "o", "w": "u", "p": "d"})
_PAGE_MARK = re.compile(
    r"(?:(?:trang|page)\s*\d{1,3}(?:\s*(?:/|of|tren)\s*\d{1,3})?"
    r"|-?\s*\d{1,3}\s*-?|\d{1,3}\s*/\s*\d{1,3})"
)
_SEPARATOR = re.compile(r"[-_=–—.*~ ]{3,}")
_BLANK_BEFORE = re.compile(r"(?:\bs\s?o\s*:|\bngay|\bthang)$")
_COLUMNS = re.compile(r"[ \t]{3,}|\t")
_BULLET = re.compile(r"[-+•*–—]\s*(?=[^\W\d_]|\()")
_HEADING = re.compile(r"(\d{1,2})\s*[.)]\s+(?=\S)")
_ROMAN = re.compile(r"[ivx]{1,4}\s*[.)]\s+(?=\S)")
_SUB_ITEM = re.compile(r"(?:[a-zđ]\)|\d{1,2}\.\d{1,2}\.?)\s+(?=\S)")
_ENDS_SENTENCE = re.compile(r"[.;:!?][\"'”’)\]]*$")
_ROLE = re.compile(
    r"(?:tm|kt|tl|tuq|q)\s*\.|chu tich|giam doc|truong dhong|hieu truong|chanh van dhong"
    r"|uy ban nhan dan|bi thu"
)
# How a directive's paragraphs begin: after a full stop such a line is never carried over.
_OPENING = re.compile(
    r"(?:tren day la|can cu|thuc hien|trong qua trinh|nhan duoc|de nghi|yeu cau|ubnd|uy ban)\b"
)
_MOTTO_START = re.compile(r"\bcong hoa xa hoi\b|\bdoc lad\s*-?\s*tu do\b")
_ROLE_AFTER = re.compile(r"[;:)]\s+")
_MOTTOS = ("conghoaxahoichunghiavietnam", "doclad", "tudo", "hanhdhuc")


def fold(text: str) -> str:
    """Fold `text` char by char (no accents, lower case, đ = d), keeping its length."""
    return "".join(_fold_char(char) for char in text)


def _fold_char(char: str) -> str:
    lower = char.lower()
    if len(lower) != 1:
        return char
    if lower == "đ":
        return "d"
    return unicodedata.normalize("NFD", lower)[0]


def key(text: str) -> str:
    """Fold `text` and undo common OCR swaps (6 → o, w → u, p → d), keeping its length."""
    return fold(text).translate(_OCR)


def letters_key(text: str) -> str:
    """Return the key of `text` with only its letters, to compare fixed phrases."""
    return re.sub(r"[^a-z]", "", key(text))


def is_caps(text: str) -> bool:
    """Tell whether a line is printed in capitals: two words or more, no small letter."""
    letters = [char for char in text if char.isalpha()]
    return len(text.split()) >= 2 and len(letters) >= 4 and not any(c.islower() for c in letters)


def is_motto(text: str) -> bool:
    """Tell whether a line is the national motto (Cộng hòa xã hội… / Độc lập - Tự do…)."""
    bare = letters_key(text)
    return bare.startswith(_MOTTOS[0]) or all(word in bare for word in _MOTTOS[1:])


def is_role(text: str) -> bool:
    """Tell whether a capitalised line names a signer's role (KT. CHỦ TỊCH, PHÓ CHỦ TỊCH)."""
    return is_caps(text) and bool(_ROLE.search(" ".join(key(text).split())))


def is_separator(text: str) -> bool:
    """Tell whether a line is only a rule drawn under a heading (-----, ____)."""
    return bool(_SEPARATOR.fullmatch(text))


@dataclass(frozen=True)
class Line:
    """One line of the document, whitespace normalised, and the gap before it."""

    text: str
    gap: str
    """What came before: "blank" (an empty line), "page" (a page number) or "none"."""

    @property
    def key(self) -> str:
        """The line's key for matching."""
        return key(self.text)


def document_lines(text: str) -> list[Line]:
    """Split a document into lines: columns apart, page numbers out, spaces normalised."""
    lines: list[Line] = []
    gap = "none"
    for raw in clean_text(text).replace("\u00a0", " ").split("\n"):
        # A PDF's two columns (the issuer beside the motto, the copies beside the signer)
        # come out on one line with a wide gap between them.
        parts = [" ".join(part.split()) for part in _COLUMNS.split(raw)]
        parts = [piece for part in _glued([p for p in parts if p]) for piece in _unmerged(part)]
        if not parts:
            gap = "page" if gap == "page" else "blank"
            continue
        if len(parts) == 1 and _PAGE_MARK.fullmatch(fold(parts[0])):
            gap = "page"
            continue
        for part in parts:
            lines.append(Line(part, gap))
            gap = "none"
    return lines


def _glued(parts: list[str]) -> list[str]:
    """Join back what a wide gap separated inside one field: a draft's "Số:      /UBND"."""
    joined: list[str] = []
    for part in parts:
        if joined and (_BLANK_BEFORE.search(key(joined[-1])) or part.startswith("/")):
            joined[-1] += " " + part
        else:
            joined.append(part)
    return joined


def _unmerged(text: str) -> list[str]:
    """Split a line where a PDF put two columns one space apart: the motto after the issuer,
    the signer's role after "Nơi nhận:" or after a copy's semicolon."""
    motto = _MOTTO_START.search(key(text))
    if motto and motto.start() > 0 and is_caps(text[: motto.start()]):
        return [text[: motto.start()].strip(), text[motto.start() :]]
    for gap in _ROLE_AFTER.finditer(text):
        left, right = text[: gap.start() + 1], text[gap.end() :]
        if is_role(right) and any(char.islower() for char in left):
            return [left, right]
    return [text]


@dataclass(frozen=True)
class Paragraph:
    """Lines joined back into the paragraph they were broken from."""

    text: str
    shape: str
    """bullet, heading (1.), roman (II.), sub (a), 1.1.), caps, or plain."""
    first_line: int

    @property
    def key(self) -> str:
        """The paragraph's key for matching."""
        return key(self.text)


def shape_of(text: str) -> str:
    """Name the shape of a line as it starts: a list item, a numbered heading, capitals…"""
    folded = fold(text)
    if _BULLET.match(text):
        return "bullet"
    if _ROMAN.match(folded) and text[:1].isupper():
        return "roman"
    if _HEADING.match(folded):
        return "heading"
    if _SUB_ITEM.match(folded):
        return "sub"
    if is_caps(text):
        return "caps"
    return "plain"


def paragraphs(lines: list[Line], labels: set[int]) -> list[Paragraph]:
    """Join broken lines into paragraphs; `labels` are line indexes that stand alone."""
    width = _line_width(lines)
    result: list[Paragraph] = []
    current: list[str] = []
    shape, first = "plain", 0
    for index, line in enumerate(lines):
        if current and _continues(current, shape, line, width, index in labels, first in labels):
            current.append(line.text)
            continue
        if current:
            result.append(Paragraph(" ".join(current), shape, first))
        current, shape, first = [line.text], shape_of(line.text), index
    if current:
        result.append(Paragraph(" ".join(current), shape, first))
    return result


def _line_width(lines: list[Line]) -> int:
    """Estimate the width a wrapped document was broken at; 0 when lines are paragraphs."""
    lengths = sorted(len(line.text) for line in lines)
    if len(lengths) < 10:
        return 0
    width = lengths[int(len(lengths) * 0.9)]
    return width if 30 <= width <= 130 else 0


def _continues(
    current: list[str], shape: str, line: Line, width: int, is_label: bool, in_label: bool
) -> bool:
    """Tell whether `line` carries on the paragraph made of `current` lines."""
    last = current[-1]
    if is_label or in_label or shape == "caps" or is_caps(line.text):
        return False
    if line.text.lstrip("\"'“‘(")[:1].islower():
        return True
    if line.gap == "blank":
        return False
    ended = bool(_ENDS_SENTENCE.search(last))
    if shape_of(line.text) != "plain" and (
        ended or last.endswith(",") or shape in {"heading", "roman"}
    ):
        return False
    if ended or shape in {"heading", "roman"}:
        # A wrapped paragraph's lines are all about full; only its last line is short.
        full = bool(width) and len(last) >= 0.85 * width and not last.endswith(":")
        return full and not _OPENING.match(" ".join(line.key.split()))
    return True
