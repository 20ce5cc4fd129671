"""Units files as offices save them: Windows-1258 text, and small .xlsx workbooks."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"

Cell = str | int | None
_LETTER_MARKS = "\u0306\u0302\u031b"


def windows_1258(text: str) -> bytes:
    """Encode in code page 1258, which has ô, ă, ơ… whole but most toned letters only as a
    letter and a separate tone mark (Tổ = T, ô, hook above)."""
    encoded = []
    for char in text:
        base, *marks = unicodedata.normalize("NFD", char)
        letter = unicodedata.normalize(
            "NFC", base + "".join(m for m in marks if m in _LETTER_MARKS)
        )
        tones = "".join(m for m in marks if m not in _LETTER_MARKS)
        encoded.append((letter + tones).encode("cp1258"))
    return b"".join(encoded)


def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def sheet_xml(rows: list[list[Cell]], shared: list[str], *, first_row: int = 1) -> str:
    """A worksheet: text as shared strings (as Excel writes it), numbers as values, None empty."""
    lines = []
    for number, row in enumerate(rows, start=first_row):
        cells = []
        for index, value in enumerate(row):
            ref = f"{_column(index)}{number}"
            if value is None:
                continue
            if isinstance(value, int):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
                continue
            if value not in shared:
                shared.append(value)
            cells.append(f'<c r="{ref}" t="s"><v>{shared.index(value)}</v></c>')
        lines.append(f'<row r="{number}">{"".join(cells)}</row>')
    return f'<worksheet xmlns="{MAIN}"><sheetData>{"".join(lines)}</sheetData></worksheet>'


ZIP_DATE = (2026, 3, 20, 8, 0, 0)
"""When every part of a built workbook was last changed, as far as the zip says."""


def workbook(sheets: dict[str, list[list[Cell]]], *, parts: dict[str, str] | None = None) -> bytes:
    """An .xlsx with these sheets in tab order; each sheet's part is named in reverse order,
    so a reader that takes sheet1.xml instead of the first tab is caught. `parts` replaces or
    adds zip parts."""
    shared: list[str] = []
    count = len(sheets)
    entries = {}
    tabs, rels = [], []
    for position, (name, rows) in enumerate(sheets.items(), start=1):
        part = f"worksheets/sheet{count - position + 1}.xml"
        entries[f"xl/{part}"] = sheet_xml(rows, shared)
        tabs.append(f'<sheet name="{escape(name)}" sheetId="{position}" r:id="rId{position}"/>')
        rels.append(f'<Relationship Id="rId{position}" Type="{RELS}/worksheet" Target="{part}"/>')
    entries["xl/workbook.xml"] = (
        f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>{"".join(tabs)}</sheets></workbook>'
    )
    entries["xl/_rels/workbook.xml.rels"] = (
        f'<Relationships xmlns="{PACKAGE}">{"".join(rels)}</Relationships>'
    )
    items = "".join(f"<si><t>{escape(text)}</t></si>" for text in shared)
    entries["xl/sharedStrings.xml"] = f'<sst xmlns="{MAIN}">{items}</sst>'
    entries.update(parts or {})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in {"[Content_Types].xml": "<Types/>", **entries}.items():
            # A fixed date: the same sheets give the same bytes, and so the same test ids in
            # every pytest-xdist worker (each collects the tests itself).
            part = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            part.external_attr = 0o600 << 16
            archive.writestr(part, text, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
