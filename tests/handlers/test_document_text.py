"""Reading the file the officer received: a PDF from the e-office system, a DOCX draft, text
in any of Windows' encodings; a scan or an unknown file is said to be one."""

from __future__ import annotations

import codecs
import dataclasses
import io
import re
import zipfile

import pytest

from handlers.document_fields import ExtractedDirective, extract_directive
from handlers.document_text import UnreadableDocument, read_document
from tests.support.directive_documents import AN_HUNG_2026, KE_HOACH_2025, fixture
from tests.support.document_files import docx_of, locked_pdf, scanned_pdf, text_pdf
from tests.support.unit_files import windows_1258, workbook

DOCUMENTS = [
    ("congvan-an-hung-2026.txt", AN_HUNG_2026),
    ("kehoach-an-hung-2025.txt", KE_HOACH_2025),
]


def assert_fields(read: ExtractedDirective, expected: ExtractedDirective) -> None:
    """Compare field by field, so a failure names the field that was read wrong."""
    for field in dataclasses.fields(ExtractedDirective):
        assert getattr(read, field.name) == getattr(expected, field.name), field.name


@pytest.mark.parametrize(("name", "expected"), DOCUMENTS, ids=["công văn", "kế hoạch"])
def test_a_pdf_from_the_e_office_system_gives_every_field(name, expected):
    """The PDF has its heading in two columns and "Trang 1/2" at each foot: the text layer
    is read and every field comes out as in the typed document."""
    document = read_document(text_pdf(fixture(name)), "van-ban.pdf")

    assert document.scanned is False
    assert document.described == "PDF, 2 pages"
    assert "Trang 1/2" in document.text
    assert_fields(extract_directive(document.text), expected)


@pytest.mark.parametrize(("name", "expected"), DOCUMENTS, ids=["công văn", "kế hoạch"])
def test_a_docx_draft_with_its_heading_in_a_table_gives_every_field(name, expected):
    """Paragraphs and tables are read in order: the heading table, the body, the signature
    table with "Nơi nhận:" on the left and the signer on the right."""
    document = read_document(docx_of(fixture(name)), "du-thao.docx")

    assert (document.described, document.scanned) == ("DOCX", False)
    assert_fields(extract_directive(document.text), expected)


def test_a_scanned_pdf_is_said_to_be_a_scan():
    """A PDF of page pictures has no text to read: the reader says it is a scan."""
    document = read_document(scanned_pdf(), "scan.pdf")
    assert (document.text.strip(), document.scanned, document.described) == (
        "",
        True,
        "PDF, 1 page",
    )


def test_a_photo_of_a_directive_is_a_scan_too():
    """A photo taken with a phone has no text either."""
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    document = read_document(png, "anh.png")
    assert (document.text, document.scanned, document.described) == ("", True, "a PNG picture")


@pytest.mark.parametrize(
    ("encode", "encoding"),
    [
        (lambda text: text.encode("utf-8"), "UTF-8"),
        (lambda text: codecs.BOM_UTF8 + text.encode("utf-8"), "UTF-8"),
        (lambda text: text.encode("utf-16"), "UTF-16"),
        (windows_1258, "Windows-1258"),
    ],
    ids=["utf-8", "utf-8 with BOM", "utf-16", "windows-1258"],
)
def test_text_copied_from_a_scan_is_read_in_its_encoding(encode, encoding):
    """Notepad saves in UTF-8, UTF-16 or the Windows code page: the same text comes back."""
    text = fixture("congvan-an-hung-2026.txt")
    document = read_document(encode(text), "congvan.txt")
    assert (document.text, document.described, document.scanned) == (
        text,
        f"text in {encoding}",
        False,
    )


def _zip(name: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, "<x/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Word 97-2003"),
        (workbook({"Sheet1": [["Tên", "Loại"]]}), "an Excel workbook"),
        (_zip("content.xml"), "not a Word document"),
        (b"{\\rtf1\\ansi Ke hoach}", "RTF"),
        (b"\x00\x01\x02\x03" * 50, "not a PDF, a Word document (.docx) or a text file"),
        (b"  \n", "empty"),
        (b"%PDF-1.4\n% broken", "the PDF is damaged"),
    ],
    ids=["doc", "xlsx", "odt-like zip", "rtf", "binary", "empty", "broken pdf"],
)
def test_a_file_that_cannot_be_read_is_refused_with_the_reason(data, reason):
    """The officer is told what the file is and what to send instead."""
    with pytest.raises(UnreadableDocument, match=re.escape(reason)):
        read_document(data, "tep")


def test_a_pdf_locked_with_a_password_is_refused():
    """An e-office PDF with a password cannot be read without it."""
    with pytest.raises(UnreadableDocument, match="password"):
        read_document(locked_pdf(), "mat.pdf")
