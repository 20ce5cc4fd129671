"""A units file as the office saves it, turned into numbered rows of cells.

Accepted: CSV separated by commas, semicolons (Excel's CSV where the comma is the decimal
mark, as on Vietnamese Windows) or tabs, in UTF-8 with or without BOM, UTF-16 (Excel's
"Unicode Text") or Windows-1258 / CP1252 (Excel's plain "CSV"); and XLSX, first sheet.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from dataclasses import dataclass

from storage.xlsx import XlsxError, first_sheet

DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs"}
"""Cell separators tried on the first line, and how the import names them."""

_ZIP = b"PK\x03\x04"
_OLD_EXCEL = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

Rows = list[tuple[int, list[str]]]


class UnreadableFile(ValueError):
    """The file is not CSV or XLSX this import can read; the message says what to do."""


@dataclass(frozen=True)
class Table:
    """The rows of a units file, each with the number the office sees for it."""

    rows: Rows
    described: str
    """How the file was read, e.g. 'CSV in Windows-1258, separated by semicolons'."""
    place: str = "line"
    """What a row's number counts: 'line' of a CSV file, 'row' of a sheet."""


def read_table(data: bytes) -> Table:
    """Read an uploaded units file (CSV or XLSX, told apart by content) into rows."""
    if data.startswith(_ZIP):
        try:
            sheet, rows = first_sheet(data)
        except XlsxError as error:
            raise UnreadableFile(str(error)) from error
        return Table(rows, f"XLSX, sheet {sheet!r}" if sheet else "XLSX", "row")
    if data.startswith(_OLD_EXCEL):
        raise UnreadableFile("an Excel 97-2003 workbook (.xls); save it as .xlsx or CSV UTF-8")
    text, encoding = decode(data)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: Rows = []
    first = 1
    try:
        for record in reader:
            rows.append((first, record))
            # A quoted cell may span lines: the row is numbered where it starts.
            first = reader.line_num + 1
    except csv.Error as error:
        raise UnreadableFile(f"line {first}: {error}") from error
    return Table(rows, f"CSV in {encoding}, separated by {DELIMITERS[delimiter]}")


def decode(data: bytes) -> tuple[str, str]:
    """Return the file's text and the encoding it was in: UTF-8 first, else Windows-1258."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as error:
            raise UnreadableFile("the file is damaged UTF-16 text") from error
    try:
        text, encoding = data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        # Excel's plain "CSV" is in the Windows code page: 1258 on Vietnamese Windows. On
        # other Windows it is 1252, which agrees with 1258 on every letter both have; the
        # Vietnamese letters 1252 lacks were already saved as '?' and are caught per name.
        try:
            text, encoding = data.decode("cp1258"), "Windows-1258"
        except UnicodeDecodeError as error:
            raise UnreadableFile(
                "the file is neither UTF-8 nor Windows-1258 text; save it as CSV UTF-8"
            ) from error
    if "\x00" in text:
        raise UnreadableFile("not a text file; save the list as CSV UTF-8 or .xlsx")
    # Windows-1258 keeps most tones as separate marks: compose them, as names are stored.
    return unicodedata.normalize("NFC", text), encoding


def _delimiter(text: str) -> str:
    """Pick the separator that splits the first non-blank line into the most cells."""
    first = next((line for line in text.splitlines() if line.strip()), "")

    def cells(delimiter: str) -> int:
        return len(next(csv.reader([first], delimiter=delimiter), []))

    # On a tie (one column) the comma wins: the header check then says what is missing.
    return max(DELIMITERS, key=cells)
