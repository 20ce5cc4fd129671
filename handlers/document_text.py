"""The text of a directive file as the office receives it: PDF, DOCX or plain text.

Told apart by content, not by name: e-office systems and chat apps rename files freely.
"""

from __future__ import annotations

import codecs
import io
import unicodedata
import zipfile
from dataclasses import dataclass

from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph
from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError

_PDF = b"%PDF-"
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGES = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}
# A page with fewer letters than this has no text layer worth reading: a scan, maybe
# with a stamp number or a page number laid over it.
_SCAN_LETTERS = 20


class UnreadableDocument(ValueError):
    """The file is not a PDF, DOCX or text this reader can open; the message says why."""


@dataclass(frozen=True)
class DocumentText:
    """The text of a file, and how it was read."""

    text: str
    described: str
    """What the file was taken for: "PDF, 2 pages", "DOCX", "text in UTF-8"."""
    scanned: bool = False
    """A scan or a photo: no text to read, only pictures of it."""


def read_document(data: bytes, filename: str) -> DocumentText:
    """Return the text of a PDF, DOCX or plain-text file; UnreadableDocument otherwise."""
    if data.startswith(_PDF):
        return _pdf(data)
    if data.startswith(_ZIP):
        return _docx(data)
    if data.startswith(_OLE):
        raise UnreadableDocument(
            "a Word 97-2003 document (.doc) or other old Office file; save it as .docx or PDF"
        )
    for magic, name in _IMAGES.items():
        if data.startswith(magic):
            return DocumentText("", f"a {name} picture", scanned=True)
    if data.startswith(b"{\\rtf"):
        raise UnreadableDocument("an RTF document; save it as .docx or PDF")
    if not data.strip():
        raise UnreadableDocument(f"{filename or 'the file'} is empty")
    return _plain(data)


def _pdf(data: bytes) -> DocumentText:
    """Read the text layer of every page of a PDF."""
    locked = UnreadableDocument("the PDF is locked with a password")
    try:
        reader = PdfReader(io.BytesIO(data))
        # Many e-office PDFs are encrypted with an empty password only to forbid editing.
        if reader.is_encrypted and not reader.decrypt(""):
            raise locked
        pages = [page.extract_text() or "" for page in reader.pages]
    except FileNotDecryptedError as error:
        raise locked from error
    except (PdfReadError, KeyError, OSError) as error:
        raise UnreadableDocument(f"the PDF is damaged ({error})") from error
    text = unicodedata.normalize("NFC", "\n".join(pages))
    letters = sum(char.isalpha() for char in text)
    count = len(pages)
    described = f"PDF, {count} page" + ("" if count == 1 else "s")
    return DocumentText(text, described, scanned=letters < _SCAN_LETTERS * max(count, 1))


def _docx(data: bytes) -> DocumentText:
    """Read a DOCX's paragraphs and tables in the order they appear."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile as error:
        raise UnreadableDocument("the file is a damaged ZIP archive") from error
    if "word/document.xml" not in names:
        if "xl/workbook.xml" in names:
            raise UnreadableDocument("an Excel workbook, not a document")
        raise UnreadableDocument("a ZIP archive that is not a Word document (.docx)")
    try:
        document = Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises many kinds on a broken package
        raise UnreadableDocument(f"the Word document is damaged ({error})") from error
    blocks: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            blocks.append(block.text)
        elif isinstance(block, Table):
            blocks.append(_table_text(block))
    return DocumentText(unicodedata.normalize("NFC", "\n".join(blocks)), "DOCX")


def _table_text(table: Table) -> str:
    """Read a table cell by cell, row by row; a blank line between cells keeps them apart."""
    cells: list[str] = []
    for row in table.rows:
        seen: set[int] = set()
        for cell in row.cells:
            # A merged cell is returned once per grid column it spans.
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            inner = [p.text for p in cell.paragraphs]
            inner += [_table_text(nested) for nested in cell.tables]
            cells.append("\n".join(inner))
    return "\n\n".join(cells) + "\n"


def _plain(data: bytes) -> DocumentText:
    """Decode a text file: UTF-16 or UTF-8 (with or without BOM), else Windows-1258."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _checked(data.decode("utf-16"), "UTF-16")
        except UnicodeDecodeError as error:
            raise UnreadableDocument("damaged UTF-16 text") from error
    try:
        return _checked(data.decode("utf-8-sig"), "UTF-8")
    except UnicodeDecodeError:
        pass
    try:
        return _checked(data.decode("cp1258"), "Windows-1258")
    except UnicodeDecodeError as error:
        raise UnreadableDocument(
            "not a PDF, a Word document (.docx) or text in UTF-8 or Windows-1258"
        ) from error


def _checked(text: str, encoding: str) -> DocumentText:
    """Refuse decoded bytes that are not text; compose the tones Windows-1258 keeps apart."""
    controls = sum(
        1 for char in text if unicodedata.category(char) == "Cc" and char not in "\n\r\t"
    )
    if "\x00" in text or controls > len(text) // 100:
        raise UnreadableDocument("not a PDF, a Word document (.docx) or a text file")
    return DocumentText(unicodedata.normalize("NFC", text), f"text in {encoding}")
