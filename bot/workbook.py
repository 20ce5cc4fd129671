"""What the XLSX exports share: their styles, title line, heading rows and table layout."""

from __future__ import annotations

from collections.abc import Iterable

from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
DATE = "DD/MM/YYYY"


def write_title(sheet: Worksheet, text: str) -> None:
    """Put the sheet's title in A1, large and bold."""
    sheet["A1"] = text
    sheet["A1"].font = TITLE_FONT


def write_headings(sheet: Worksheet, row: int, headings: Iterable[str], start: int = 1) -> None:
    """Write a row of bold column headings from column `start`."""
    for column, heading in enumerate(headings, start=start):
        sheet.cell(row, column, heading).font = BOLD


def write_row(sheet: Worksheet, row: int, values: Iterable[object]) -> None:
    """Write one table row from column A."""
    for column, value in enumerate(values, start=1):
        sheet.cell(row, column, value)


def lay_out_table(sheet: Worksheet, header_row: int, widths: Iterable[float]) -> None:
    """Size the table's columns and keep its headings in sight while scrolling."""
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(header_row, column).column_letter].width = width
    sheet.freeze_panes = sheet.cell(header_row + 1, 1)
