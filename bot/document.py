"""What the DOCX reports share: the layout of a Vietnamese administrative document.

A4 with the usual margins (top and bottom 2 cm, left 3 cm, right 2 cm), Times New Roman 14
for the text and 12–13 in the header and tables; a header table without borders (the issuing
body on the left, the national motto on the right), the place and date in italics, a bold
title, and a signature block left blank to sign by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from docx import Document as new_document
from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

FONT = "Times New Roman"
TEXT_SIZE, HEADER_SIZE, TABLE_SIZE, NOTE_SIZE = 14, 13, 12, 11
TEXT_WIDTH = Cm(16)
"""21 cm of A4 less the left (3 cm) and right (2 cm) margins."""
COUNTRY = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
BLANK_NAME = "……………"
"""Where the commune's name is not configured: dots to fill in by hand."""
SIGNING_LINES = 4
"""Empty lines left under a signer's title for the signature and the seal."""


@dataclass(frozen=True)
class Signer:
    """One signature column: its title lines in bold, then room to sign."""

    lines: tuple[str, ...]


def commune_body(commune: str) -> str:
    """Name the commune's People's Committee for the header: 'UBND XÃ AN HƯNG'."""
    return f"UBND XÃ {(commune or BLANK_NAME).upper()}"


def date_line(commune: str, today: dt.date) -> str:
    """Write the place and date: 'An Hưng, ngày 01 tháng 12 năm 2026'."""
    place = commune or BLANK_NAME
    return f"{place}, ngày {today:%d} tháng {today:%m} năm {today:%Y}"


def start_document() -> Document:
    """Open an empty A4 document in Times New Roman 14 with the usual margins."""
    document = new_document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    normal = document.styles["Normal"]
    normal.font.name = FONT  # type: ignore[attr-defined]
    normal.font.size = Pt(TEXT_SIZE)  # type: ignore[attr-defined]
    # Word picks the font per script: the Vietnamese letters must not fall back to another.
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for script in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(script), FONT)
    spacing = normal.paragraph_format  # type: ignore[attr-defined]
    spacing.space_before, spacing.space_after = Pt(0), Pt(0)
    return document


def write(
    paragraph: Paragraph,
    text: str,
    *,
    size: int | None = None,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
) -> Paragraph:
    """Add a run of text to a paragraph in the given style; return the paragraph."""
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline = bold or None, italic or None, underline or None
    if size is not None:
        run.font.size = Pt(size)
    return paragraph


def line(
    container: Document | _Cell,
    text: str = "",
    *,
    align: WD_ALIGN_PARAGRAPH | None = None,
    **style: bool | int,
) -> Paragraph:
    """Add a paragraph holding one run of text."""
    paragraph = container.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    return write(paragraph, text, **style)  # type: ignore[arg-type]


def _first_line(cell: _Cell, text: str, **style: bool | int) -> None:
    """Write into a table cell's own first paragraph (a new cell has one, empty)."""
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    write(paragraph, text, **style)  # type: ignore[arg-type]


def _two_columns(document: Document, left: float, right: float) -> Table:
    """Add a one-row table without borders of two columns this many cm wide."""
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _set_widths(table, (left, right))
    return table


def _set_widths(table: Table, widths: Sequence[float]) -> None:
    """Size the columns in cm: on the grid (LibreOffice reads it) and every cell (Word does)."""
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)


def add_header(
    document: Document, commune: str, *, issuer: str = "", number: str = ""
) -> None:
    """Add the header: the commune (and the issuing unit under it) and the document's
    number on the left, the national name and motto on the right."""
    left, right = _two_columns(document, 6.5, 9.5).rows[0].cells
    if issuer:
        _first_line(left, commune_body(commune), size=HEADER_SIZE)
        line(left, issuer.upper(), align=WD_ALIGN_PARAGRAPH.CENTER, size=HEADER_SIZE, bold=True)
    else:
        _first_line(left, commune_body(commune), size=HEADER_SIZE, bold=True)
    if number:
        line(left, number, align=WD_ALIGN_PARAGRAPH.CENTER, size=HEADER_SIZE)
    _first_line(right, COUNTRY, size=12, bold=True)
    line(right, MOTTO, align=WD_ALIGN_PARAGRAPH.CENTER, size=HEADER_SIZE, bold=True,
         underline=True)  # fmt: skip


def add_date_line(document: Document, commune: str, today: dt.date) -> None:
    """Add the place and date, right-aligned in italics, after a blank line."""
    line(document)
    line(document, date_line(commune, today), align=WD_ALIGN_PARAGRAPH.RIGHT, italic=True)


def add_title(document: Document, *lines: str) -> None:
    """Add the document's title, centred and bold, line by line, after a blank line."""
    line(document)
    for text in lines:
        line(document, text, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    line(document)


def add_text(document: Document, text: str, *, bold: bool = False) -> Paragraph:
    """Add a justified paragraph of the body, its first line indented."""
    paragraph = line(document, text, align=WD_ALIGN_PARAGRAPH.JUSTIFY, bold=bold)
    paragraph.paragraph_format.first_line_indent = Cm(1)
    paragraph.paragraph_format.space_after = Pt(6)
    return paragraph


def add_grid_table(
    document: Document,
    headings: Sequence[str],
    rows: Iterable[Sequence[str]],
    widths: Sequence[float],
    *,
    right: frozenset[int] = frozenset(),
) -> Table:
    """Add a bordered table: bold centred headings repeated on every page, then the rows
    (columns in `right` aligned right, as figures are)."""
    table = document.add_table(rows=1, cols=len(headings))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    heading_row = table.rows[0]
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    heading_row._tr.get_or_add_trPr().append(flag)
    for cell, heading in zip(heading_row.cells, headings, strict=True):
        _first_line(cell, heading, size=TABLE_SIZE, bold=True)
    for values in rows:
        cells = table.add_row().cells
        for column, (cell, value) in enumerate(zip(cells, values, strict=True)):
            _cell_text(cell, value, WD_ALIGN_PARAGRAPH.RIGHT if column in right else None)
    _set_widths(table, widths)
    return table


def _cell_text(cell: _Cell, text: str, align: WD_ALIGN_PARAGRAPH | None) -> None:
    """Fill a table cell, one paragraph per line of the text."""
    first, *more = text.split("\n")
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    write(paragraph, first, size=TABLE_SIZE)
    for text_line in more:
        line(cell, text_line, align=align, size=TABLE_SIZE)


def add_signatures(document: Document, left: Signer | None, right: Signer, *,
                   recipients: Sequence[str] = ()) -> None:  # fmt: skip
    """Add the signature block: 'Nơi nhận:' or a signer on the left, a signer on the right,
    each title in bold with empty lines under it to sign by hand."""
    line(document)
    left_cell, right_cell = _two_columns(document, 7, 9).rows[0].cells
    if recipients:
        left_cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.LEFT
        write(left_cell.paragraphs[0], "Nơi nhận:", size=TABLE_SIZE, bold=True, italic=True)
        for recipient in recipients:
            line(left_cell, recipient, size=NOTE_SIZE)
    elif left is not None:
        _signer(left_cell, left)
    _signer(right_cell, right)


def _signer(cell: _Cell, signer: Signer) -> None:
    first, *more = signer.lines
    _first_line(cell, first, bold=True)
    for title in more:
        line(cell, title, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    for _blank in range(SIGNING_LINES):
        line(cell)
