"""Directive files as the office receives them: a PDF from the e-office system with its text
layer, a scanned PDF with none, a DOCX draft with its heading in a table."""

from __future__ import annotations

import io
import re
from pathlib import Path

import matplotlib
from docx import Document
from fpdf import FPDF
from PIL import Image, ImageDraw

# A font with every Vietnamese letter; matplotlib (a test dependency) ships it everywhere.
FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
_COLUMNS = re.compile(r" {3,}")


class _Pages(FPDF):
    """A4 pages numbered "Trang n/m" at the foot, as e-office PDFs are."""

    def footer(self) -> None:
        self.set_y(-15)
        self.cell(0, 10, f"Trang {self.page_no()}/{{nb}}", align="C")


def text_pdf(text: str) -> bytes:
    """Lay a document's text out on numbered PDF pages, two-column lines side by side."""
    pdf = _Pages()
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_font("DejaVu", size=11)
    pdf.add_page()
    for line in text.split("\n"):
        columns = _COLUMNS.split(line)
        if not line.strip():
            pdf.ln(4)
        elif len(columns) == 2:
            y = pdf.get_y()
            if columns[0]:
                pdf.set_xy(pdf.l_margin, y)
                pdf.cell(90, 6, columns[0])
            pdf.set_xy(110, y)
            pdf.cell(90, 6, columns[1])
            pdf.set_xy(pdf.l_margin, y + 6)
        else:
            pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def scanned_pdf() -> bytes:
    """A PDF whose only page is a picture of a document, as a scanner makes."""
    picture = Image.new("L", (620, 877), 255)
    drawing = ImageDraw.Draw(picture)
    for top in range(80, 800, 24):
        drawing.rectangle((60, top, 560, top + 10), fill=40)
    image = io.BytesIO()
    picture.save(image, format="PNG")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(image, x=0, y=0, w=210)
    return bytes(pdf.output())


def locked_pdf() -> bytes:
    """A PDF that opens only with a password."""
    pdf = FPDF()
    pdf.set_encryption(owner_password="chu-tich", user_password="123456")
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.cell(0, 10, "Ke hoach so 45/KH-VHXH")
    return bytes(pdf.output())


def docx_of(text: str) -> bytes:
    """Write a document as a DOCX: the lines before the title and the signature block in
    two-column tables, as drafts are; every other line a paragraph of its own."""
    lines = text.split("\n")
    title = next(i for i, line in enumerate(lines) if line.strip() in {"KẾ HOẠCH", "Kính gửi:"})
    copies = next(i for i, line in enumerate(lines) if line.startswith("Nơi nhận:"))
    document = Document()
    _two_columns(document, lines[:title])
    for line in lines[title:copies]:
        if line.strip():
            document.add_paragraph(line)
    _two_columns(document, lines[copies:])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _two_columns(document: object, lines: list[str]) -> None:
    """Put lines "left      right" into a one-row table, each side a cell of paragraphs."""
    left: list[str] = []
    right: list[str] = []
    for line in lines:
        if not line.strip():
            continue
        columns = _COLUMNS.split(line.strip()) if line.startswith(" ") else _COLUMNS.split(line)
        if line.startswith(" "):
            right.append(columns[-1])
            continue
        left.append(columns[0])
        if len(columns) == 2:
            right.append(columns[1])
    table = document.add_table(rows=1, cols=2)  # type: ignore[attr-defined]
    for cell, texts in zip(table.rows[0].cells, (left, right), strict=True):
        cell.paragraphs[0].text = texts[0] if texts else ""
        for text in texts[1:]:
            cell.add_paragraph(text)
