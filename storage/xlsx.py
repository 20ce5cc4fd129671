"""The cells of an Excel workbook's first sheet, read from the .xlsx zip without a library.

An .xlsx is a zip of XML parts: xl/workbook.xml lists the sheets in tab order,
xl/_rels/workbook.xml.rels says which part holds each, xl/sharedStrings.xml holds the text
that cells refer to by number. Only text and plain values are read: no styles, no formulas
(their last computed value is taken), no dates.
"""

from __future__ import annotations

import io
import posixpath
import re
import xml.etree.ElementTree as ElementTree
import zipfile

MAX_PART = 20 * 1024 * 1024
"""Largest XML part read, unpacked: a list of units is kilobytes; a zip bomb is not read."""

_CELL_REF = re.compile(r"([A-Z]+)(\d*)")


class XlsxError(ValueError):
    """The bytes are not a workbook this reader can read; the message says why."""


def first_sheet(data: bytes) -> tuple[str, list[tuple[int, list[str]]]]:
    """Return the first sheet's name and its rows, each with its row number as Excel shows it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise XlsxError("the workbook is damaged (not a complete .xlsx file)") from error
    with archive:
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names:
            raise XlsxError("a zip file, but not an Excel workbook; save it as .xlsx")
        sheet_name, part = _first_sheet_part(archive, names)
        shared = _shared_strings(archive) if "xl/sharedStrings.xml" in names else []
        return sheet_name, _rows(_parse(archive, part), shared)


def _first_sheet_part(archive: zipfile.ZipFile, names: set[str]) -> tuple[str, str]:
    """Find the first sheet tab and the zip part holding it."""
    workbook = _parse(archive, "xl/workbook.xml")
    sheet = next((el for el in workbook.iter() if _local(el) == "sheet"), None)
    if sheet is None:
        raise XlsxError("the workbook has no sheet")
    relation = next((value for key, value in sheet.attrib.items() if _local_name(key) == "id"), "")
    target = ""
    if "xl/_rels/workbook.xml.rels" in names:
        for rel in _parse(archive, "xl/_rels/workbook.xml.rels").iter():
            if _local(rel) == "Relationship" and rel.get("Id") == relation:
                target = rel.get("Target", "")
    # Targets are relative to xl/ ("worksheets/sheet1.xml") or absolute ("/xl/worksheets/…").
    part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
    if not target or part not in names:
        raise XlsxError("the workbook's first sheet is missing")
    return sheet.get("name", ""), part


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    return [_text(item) for item in _parse(archive, "xl/sharedStrings.xml") if _local(item) == "si"]


def _rows(sheet: ElementTree.Element, shared: list[str]) -> list[tuple[int, list[str]]]:
    """Read each row's cells in column order, empty strings where a cell is missing."""
    rows: list[tuple[int, list[str]]] = []
    number = 0
    for row in (el for el in sheet.iter() if _local(el) == "row"):
        stated = row.get("r", "")
        number = int(stated) if stated.isdigit() else number + 1
        cells: dict[int, str] = {}
        column = -1
        for cell in (el for el in row if _local(el) == "c"):
            found = _CELL_REF.fullmatch(cell.get("r", ""))
            column = _column(found.group(1)) if found else column + 1
            cells[column] = _value(cell, shared)
        width = max(cells, default=-1) + 1
        rows.append((number, [cells.get(index, "") for index in range(width)]))
    return rows


def _value(cell: ElementTree.Element, shared: list[str]) -> str:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = next((el for el in cell if _local(el) == "is"), None)
        return _text(inline) if inline is not None else ""
    value = next((el.text or "" for el in cell if _local(el) == "v"), "")
    if kind == "s":
        try:
            return shared[int(value)]
        except (ValueError, IndexError) as error:
            raise XlsxError("the workbook refers to text it does not contain") from error
    return value


def _text(item: ElementTree.Element) -> str:
    """Join a string item's text runs, leaving out phonetic guides (rPh)."""
    parts: list[str] = []
    for child in item:
        if _local(child) == "t":
            parts.append(child.text or "")
        elif _local(child) == "r":
            parts.extend(el.text or "" for el in child if _local(el) == "t")
    return "".join(parts)


def _column(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def _parse(archive: zipfile.ZipFile, part: str) -> ElementTree.Element:
    if archive.getinfo(part).file_size > MAX_PART:
        raise XlsxError(f"the workbook part {part} is too large")
    data = archive.read(part)
    # Workbooks never declare entities; refusing them keeps entity expansion bombs out.
    if b"<!ENTITY" in data:
        raise XlsxError("the workbook holds XML this reader does not accept")
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise XlsxError(f"the workbook part {part} is damaged") from error


def _local(element: ElementTree.Element) -> str:
    return _local_name(element.tag)


def _local_name(tag: str) -> str:
    # Transitional and Strict workbooks use different namespaces for the same names.
    return tag.rsplit("}", 1)[-1]
