"""The body of a directive: its list items, the tasks per kind of unit, deadlines, signer."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from handlers.document_lines import Paragraph, fold, is_caps, is_role, key
from storage.models import UnitKind

_BULLET_MARK = re.compile(r"^[-+•*–—]\s*")
_ITEM_END = re.compile(r"[\s;,.]+$")
_HEADING = re.compile(r"^(\d{1,2})\s*[.)]\s+")
# Who a numbered heading may address, after "Đề nghị", "Giao" or "Các" (keys: đ = d, p = d).
_LEAD = re.compile(r"^(?:(?:de nghi|giao|cac ong \(ba\)|ong \(ba\)|ong/ba|cac)\s+)+")
_KIND_WORDS: tuple[tuple[UnitKind | None, str], ...] = (
    (UnitKind.VILLAGE, r"truong (?:cac )?(?:thon|xom|ad)|thon|xom|to dan dho|khu dho|ad\b"),
    (
        UnitKind.SCHOOL,
        r"(?:hieu )?truong|nha truong|co so giao duc|mam non|tieu hoc|thcs|thdt|"
        r"truong hoc",
    ),
    (UnitKind.OFFICE, r"dhong|trung tam|van dhong|co quan"),
    (
        None,
        r"ban|hoi|doan|cong an|tram|uy ban|ubnd|mat tran|bo dhan|cong chuc|dang uy|"
        r"cac don vi|hdnd|quan su",
    ),
)
_CLOSING = re.compile(
    r"^(?:can cu noi dung|tren day la|trong qua trinh|nhan duoc|ubnd xa yeu cau|"
    r"uy ban nhan dan xa yeu cau|yeu cau cac|de nghi cac (?:don vi|bo dhan))"
)
_NUMERIC_DATE = re.compile(
    r"(?<![\d/])(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}))?(?![\d/])"
)
_WORDED_DATE = re.compile(r"ngay\s*(\d{1,2})\s*thang\s*(\d{1,2})(?:\s*nam\s*(\d{4}))?")
_CUE = re.compile(r"\b(?:cham nhat|truoc|han|den|hoan thanh|xong|trong|nod)\s*(?:ngay)?\s*:?\s*$")
_SENTENCE_END = re.compile(r"[.;!?](?=\s)")
_NAME_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_SIGNED = re.compile(r"^[(\[].*[)\]]$|^(?:da ky|ky ten|dong dau)")


@dataclass(frozen=True)
class PartialDate:
    """A date as printed; a part left blank in a draft ("ngày   tháng 03") is None."""

    text: str
    day: int | None
    month: int | None
    year: int | None

    @property
    def date(self) -> dt.date | None:
        """The date, when day, month and year are all printed and make a real date."""
        if self.day is None or self.month is None or self.year is None:
            return None
        try:
            return dt.date(self.year, self.month, self.day)
        except ValueError:
            return None


@dataclass(frozen=True)
class Deadline:
    """A date the document sets for something, with the sentence that says what."""

    when: PartialDate
    sentence: str
    section: int | None
    """Index in ExtractedDirective.sections of the task section it is in, if any."""


@dataclass(frozen=True)
class TaskSection:
    """A numbered part addressed to one kind of recipient ("4. Các ông (bà) Trưởng thôn")."""

    heading: str
    addressee: str
    body: str
    unit_kind: UnitKind | None


def list_item(text: str) -> str:
    """Return a list item without its dash and closing semicolon or full stop."""
    return _ITEM_END.sub("", _BULLET_MARK.sub("", text)).strip()


def list_items(block: list[Paragraph], inline: str) -> tuple[str, ...]:
    """Return the items of a "Kính gửi:" or "Nơi nhận:" list: the inline text, then dashes."""
    items = [list_item(inline)] if list_item(inline) else []
    items += [list_item(p.text) for p in block if p.shape == "bullet" and list_item(p.text)]
    return tuple(items)


def unit_kind(addressee: str) -> tuple[bool, UnitKind | None]:
    """Tell whether a heading names recipients, and the kind of unit they are, if one is."""
    words = _LEAD.sub("", " ".join(key(addressee).split()))
    for kind, pattern in _KIND_WORDS:
        if re.match(rf"(?:{pattern})\b", words):
            return True, kind
    return False, None


def task_sections(body: list[Paragraph]) -> list[tuple[TaskSection, list[Paragraph]]]:
    """Find the numbered headings addressed to recipients, each with the paragraphs it holds."""
    found: list[tuple[TaskSection, list[Paragraph]]] = []
    index = 0
    while index < len(body):
        paragraph = body[index]
        index += 1
        heading = _HEADING.match(fold(paragraph.text))
        if paragraph.shape != "heading" or heading is None or len(paragraph.text) > 160:
            continue
        addressee = paragraph.text[heading.end() :].rstrip(" :.")
        addressed, kind = unit_kind(addressee)
        if not addressed:
            continue
        held: list[Paragraph] = []
        while index < len(body) and not _ends_section(body[index], held):
            held.append(body[index])
            index += 1
        text = "\n".join(p.text for p in held)
        found.append((TaskSection(paragraph.text, addressee, text, kind), held))
    return found


def _ends_section(paragraph: Paragraph, held: list[Paragraph]) -> bool:
    """Tell whether a paragraph is past the end of the section holding `held`."""
    if paragraph.shape in {"heading", "roman", "caps"}:
        return True
    if paragraph.shape != "plain":
        return False
    if _CLOSING.match(" ".join(paragraph.key.split())):
        return True
    # Tasks are listed as dashes: plain text after them is the closing of the document.
    return any(p.shape in {"bullet", "sub"} for p in held)


def deadlines(body: list[Paragraph], sections: list[list[Paragraph]]) -> list[Deadline]:
    """Find every date the text sets as a time limit ("chậm nhất ngày…", "trước 15/4")."""
    owner = {id(p): number for number, held in enumerate(sections) for p in held}
    found: list[Deadline] = []
    for paragraph in body:
        text = _BULLET_MARK.sub("", paragraph.text)
        folded = fold(text)
        matches = [*_WORDED_DATE.finditer(folded), *_NUMERIC_DATE.finditer(folded)]
        taken: list[tuple[int, int]] = []
        for match in sorted(matches, key=lambda m: m.start()):
            if any(start <= match.start() < end for start, end in taken):
                continue
            taken.append(match.span())
            before = " ".join(key(text[max(0, match.start() - 30) : match.start()]).split())
            when = _partial(text[match.start() : match.end()], match)
            if when is None or not _CUE.search(before):
                continue
            sentence = _sentence(text, match.start())
            found.append(Deadline(when, sentence, owner.get(id(paragraph))))
    return found


def _partial(text: str, match: re.Match[str]) -> PartialDate | None:
    """Read a matched date; None when its day or month cannot be one."""
    day, month = int(match.group(1)), int(match.group(2))
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    year = int(match.group(3)) if match.group(3) else None
    return PartialDate(" ".join(text.split()), day, month, year)


def _sentence(text: str, at: int) -> str:
    """Return the sentence (or clause between semicolons) of `text` around position `at`."""
    start = 0
    for end in _SENTENCE_END.finditer(text):
        if end.end() <= at:
            start = end.end()
        else:
            return text[start : end.end()].strip()
    return text[start:].strip()


def signature(tail: list[Paragraph]) -> tuple[str, str]:
    """Return the signer's name and role lines from the paragraphs after the body."""
    name_at = None
    for index in range(len(tail) - 1, -1, -1):
        text = tail[index].text
        if _SIGNED.match(" ".join(key(text).split())) or tail[index].shape == "bullet":
            continue
        if _is_name(text):
            name_at = index
        break
    if name_at is None:
        return "", ""
    roles = [p.text for p in tail[:name_at] if is_role(p.text)]
    return tail[name_at].text, " / ".join(roles)


def _is_name(text: str) -> bool:
    """Tell whether a line is a person's name: 2 to 7 capitalised words, nothing else."""
    words = text.split()
    if not 2 <= len(words) <= 7 or is_role(text):
        return False
    return all(_NAME_WORD.fullmatch(word) and word[0].isupper() for word in words) and (
        not is_caps(text) or not is_role(text)
    )
