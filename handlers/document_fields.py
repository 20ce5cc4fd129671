"""The fields of a công văn or kế hoạch read from its text: number, date, subject, tasks…

What cannot be found is left empty and named in `missing`, never guessed: the officer is
asked for it, while a wrong number or date would be sent to every village and school.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, fields

from handlers.document_lines import (
    Line,
    Paragraph,
    document_lines,
    fold,
    is_caps,
    is_motto,
    is_role,
    is_separator,
    key,
    letters_key,
    paragraphs,
)
from handlers.document_sections import (
    Deadline,
    PartialDate,
    TaskSection,
    deadlines,
    list_items,
    signature,
    task_sections,
)

# The kinds of document (Nghị định 30/2020/NĐ-CP) with the abbreviation of their symbol;
# a công văn has none: it is told by its "V/v" subject line.
KINDS: tuple[tuple[str, str], ...] = (
    ("Kế hoạch", "KH"),
    ("Quyết định", "QĐ"),
    ("Thông báo", "TB"),
    ("Báo cáo", "BC"),
    ("Tờ trình", "TTr"),
    ("Chỉ thị", "CT"),
    ("Hướng dẫn", "HD"),
    ("Giấy mời", "GM"),
    ("Công điện", "CĐ"),
    ("Chương trình", "CTr"),
    ("Nghị quyết", "NQ"),
    ("Công văn", ""),
)
LETTER = "Công văn"

_NUMBER = re.compile(
    r"s\s?[o06]\s*[:.;]?\s*(\d*)\s*/\s*([a-z0-9][a-z0-9.&]*(?:\s*[-/]\s*[a-z0-9][a-z0-9.&]*)*)"
)
_ISSUED = re.compile(r",\s*ngay\s*(\d{1,2})?\s*thang\s*(\d{1,2})?\s*nam\s*(\d{4})?")
_SUBJECT = re.compile(r"v\s*[/|l1]\s*v\b|ve viec\b")
_KINH_GUI = re.compile(r"kinh\s*gui\b\s*:?")
_NOI_NHAN = re.compile(r"noi\s*nhan\b\s*:?")
_BODY_START = re.compile(r"(?:can cu|thuc hien|theo|nham|trien khai)\b|[ivx]{1,4}\s*[.)]\s")
_HEADER_LINES = 40


@dataclass(frozen=True)
class ExtractedDirective:
    """What a directive's text says about itself; empty where it says nothing readable.

    Onto storage.models.Directive: number = `reference`, issued_on = `issued_on`, subject =
    `subject`, content = `content`, deadline = `deadline`; each None or "" is to be asked.
    """

    kind: str = ""
    """Công văn, Kế hoạch, Quyết định, Thông báo, Báo cáo, Tờ trình, Chỉ thị…"""
    number: str = ""
    """The number alone, "669"; empty in a draft ("Số:   /UBND-VHXH")."""
    symbol: str = ""
    """The symbol after the slash, as printed without spaces: "KH-SGDĐT"."""
    issuer: str = ""
    """The issuing body's lines above "Số:", joined by " / ": "UBND XÃ AN HƯNG"."""
    place: str = ""
    issued: PartialDate | None = None
    subject: str = ""
    """The "V/v …" lines joined, or the title under the kind of a kế hoạch."""
    recipients: tuple[str, ...] = ()
    """The "Kính gửi:" list."""
    distribution: tuple[str, ...] = ()
    """The "Nơi nhận:" list."""
    sections: tuple[TaskSection, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    signer: str = ""
    signer_role: str = ""
    """The role lines above the name, joined by " / ": "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"."""
    content: str = ""
    """The body between the addressees and the "Nơi nhận:", one paragraph a line."""

    @property
    def reference(self) -> str:
        """The number and symbol as a directive is known by ("669/KH-SGDĐT"), or ""."""
        return f"{self.number}/{self.symbol}" if self.number and self.symbol else ""

    @property
    def issued_on(self) -> dt.date | None:
        """The date of issue, when printed whole."""
        return self.issued.date if self.issued else None

    @property
    def deadline(self) -> dt.date | None:
        """The one date every deadline printed whole agrees on; None if none or several."""
        dates = {d.when.date for d in self.deadlines if d.when.date is not None}
        return dates.pop() if len(dates) == 1 else None

    @property
    def missing(self) -> tuple[str, ...]:
        """The names of the fields that were not found (issued_on: not printed whole)."""
        absent: list[str] = []
        for field in fields(self):
            if field.name == "issued":
                if self.issued_on is None:
                    absent.append("issued_on")
            elif not getattr(self, field.name):
                absent.append(field.name)
        return tuple(absent)


def extract_directive(text: str) -> ExtractedDirective:
    """Read the fields of a directive from its text, however damaged."""
    lines = document_lines(text)
    keys = [" ".join(line.key.split()) for line in lines]
    folds = [fold(line.text) for line in lines]
    limit = _header_end(keys)
    number_at = _first(lambda i: _NUMBER.match(folds[i]) is not None, limit)
    issued_at = _first(lambda i: _ISSUED.search(folds[i]) is not None, limit)
    title_at, kind = _title(lines, limit)
    subject_at = _first(lambda i: _SUBJECT.match(keys[i]) is not None, limit)
    kinh_gui_at = _first(lambda i: _KINH_GUI.match(keys[i]) is not None, len(lines))
    noi_nhan_at = _first(lambda i: _NOI_NHAN.match(keys[i]) is not None, len(lines))
    starts = [at for at in (number_at, issued_at, title_at, subject_at) if at is not None]
    labels = {
        at for at in (number_at, issued_at, title_at, kinh_gui_at, noi_nhan_at) if at is not None
    }
    labels |= {i for i in range(limit) if is_motto(lines[i].text)}
    number, symbol, place, issued = "", "", "", None
    if number_at is not None:
        number, symbol = _number(lines[number_at].text, folds[number_at])
    if issued_at is not None:
        place, issued = _issued(lines[issued_at].text, folds[issued_at])
    subject_lines = _subject_lines(lines, keys, subject_at, title_at, limit)
    if subject_at is not None and not kind:
        kind = LETTER
    if not kind:
        kind = _kind_of_symbol(symbol)
    issuer = [
        line.text
        for line in lines[: min(starts, default=0)]
        if is_caps(line.text) and not is_motto(line.text) and not is_role(line.text)
    ]
    found = paragraphs(lines, labels | set(subject_lines))
    # With nothing marking where the text begins, it begins after the last heading line.
    opened = limit < len(lines) and (kinh_gui_at == limit or _BODY_START.match(keys[limit]))
    header = [i + 1 for i in (*starts, *subject_lines)]
    body_from = _body_start(found, kinh_gui_at, max([limit, *header] if opened else [0, *header]))
    body_to = _body_end(found, body_from, noi_nhan_at)
    body = found[body_from:body_to]
    sections = task_sections(body)
    recipients: tuple[str, ...] = ()
    if kinh_gui_at is not None:
        recipients = _list_after(found, lines, kinh_gui_at, _KINH_GUI)
    distribution: tuple[str, ...] = ()
    if noi_nhan_at is not None:
        distribution = _list_after(found, lines, noi_nhan_at, _NOI_NHAN)
    signer, role = signature(found[body_to:])
    return ExtractedDirective(
        kind=kind,
        number=number,
        symbol=symbol,
        issuer=" / ".join(issuer),
        place=place,
        issued=issued,
        subject=" ".join(" ".join(lines[i].text for i in subject_lines).split()),
        recipients=recipients,
        distribution=distribution,
        sections=tuple(section for section, _ in sections),
        deadlines=tuple(deadlines(body, [held for _, held in sections])),
        signer=signer,
        signer_role=role,
        content="\n".join(p.text for p in body),
    )


def _first(test: Callable[[int], bool], limit: int) -> int | None:
    """Return the first line index below `limit` passing `test`, or None."""
    return next((i for i in range(limit) if test(i)), None)


def _header_end(keys: list[str]) -> int:
    """Return where the heading part of the document ends: "Kính gửi", or the text begins."""
    for index, text in enumerate(keys[:_HEADER_LINES]):
        if _KINH_GUI.match(text):
            return index
    for index, text in enumerate(keys[:_HEADER_LINES]):
        if index > 2 and (_BODY_START.match(text) or len(text) > 160):
            return index
    return min(len(keys), _HEADER_LINES)


def _title(lines: list[Line], limit: int) -> tuple[int | None, str]:
    """Find the line naming the kind of document (KẾ HOẠCH) and return it with the kind."""
    names = {letters_key(name): name for name, _ in KINDS}
    for index in range(limit):
        bare = letters_key(lines[index].text)
        if bare in names and len(lines[index].text.split()) <= 3:
            return index, names[bare]
    return None, ""


def _kind_of_symbol(symbol: str) -> str:
    """Name the kind a symbol's first part stands for (KH-UBND: Kế hoạch), or ""."""
    first = key(symbol.split("-")[0].split("/")[-1]) if symbol else ""
    return next((name for name, short in KINDS if short and key(short) == first), "")


def _number(text: str, folded: str) -> tuple[str, str]:
    """Return the number and the symbol printed on a "Số:" line, spaces removed."""
    match = _NUMBER.match(folded)
    if match is None:
        return "", ""
    return match.group(1), "".join(text[match.start(2) : match.end(2)].split())


def _issued(text: str, folded: str) -> tuple[str, PartialDate | None]:
    """Return the place and the date of issue printed on a line "An Hưng, ngày … năm …"."""
    match = _ISSUED.search(folded)
    if match is None:
        return "", None
    number = _NUMBER.match(folded)
    start = number.end() if number and number.end() <= match.start() else 0
    place = text[start : match.start()].strip(" -–:.")
    parts = [int(group) if group else None for group in match.groups()]
    date_text = " ".join(text[match.start() + 1 : match.end()].split())
    when = PartialDate(date_text, parts[0], parts[1], parts[2])
    return (place if any(c.isalpha() for c in place) and len(place) <= 60 else ""), when


def _subject_lines(
    lines: list[Line], keys: list[str], subject_at: int | None, title_at: int | None, limit: int
) -> list[int]:
    """Return the indexes of the subject's lines: "V/v …", or the title under the kind."""
    start = (
        subject_at if subject_at is not None else (title_at + 1 if title_at is not None else None)
    )
    if start is None:
        return []
    taken: list[int] = []
    for index in range(start, min(len(lines), limit + 8)):
        line = lines[index]
        if taken and (line.gap == "blank" or _KINH_GUI.match(keys[index])):
            break
        if is_separator(line.text) or is_motto(line.text) or _ISSUED.search(fold(line.text)):
            if taken:
                continue
            break
        if subject_at is None and taken and _BODY_START.match(keys[index]):
            break
        taken.append(index)
    return taken


def _body_start(found: list[Paragraph], kinh_gui_at: int | None, header_end: int) -> int:
    """Return the index of the body's first paragraph: after the addressees or the header."""
    if kinh_gui_at is not None:
        index = next(i for i, p in enumerate(found) if p.first_line == kinh_gui_at) + 1
        while index < len(found) and found[index].shape == "bullet":
            index += 1
        return index
    return next((i for i, p in enumerate(found) if p.first_line >= header_end), len(found))


def _body_end(found: list[Paragraph], start: int, noi_nhan_at: int | None) -> int:
    """Return the index after the body's last paragraph: before "Nơi nhận:" or the signer."""
    for index in range(start, len(found)):
        if found[index].first_line == noi_nhan_at or is_role(found[index].text):
            return index
    return len(found)


def _list_after(
    found: list[Paragraph], lines: list[Line], at: int, label: re.Pattern[str]
) -> tuple[str, ...]:
    """Return the list under a label line: the text after its colon, then the dashed items."""
    index = next(i for i, p in enumerate(found) if p.first_line == at)
    match = label.match(key(found[index].text))
    inline = found[index].text[match.end() :] if match else ""
    block: list[Paragraph] = []
    for paragraph in found[index + 1 :]:
        if paragraph.shape == "bullet":
            block.append(paragraph)
        elif label is _KINH_GUI or not is_caps(paragraph.text):
            break
    return list_items(block, inline)
