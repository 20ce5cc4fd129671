"""What a downloaded file is, by its bytes: photos, PDF, Word, Excel and text are kept;
programs, web pages, other archives and anything unknown are refused, whatever their name."""

from __future__ import annotations

import io
import zipfile

import pytest

from bot.file_types import sniff


def office_file(*parts: str) -> bytes:
    """A zip holding these parts, as Word and Excel files are."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in ("[Content_Types].xml", *parts):
            archive.writestr(part, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "kept"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "", ("jpg", True)),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "", ("png", True)),
        (b"GIF89a\x01\x00", "", ("gif", True)),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "", ("webp", True)),
        (b"\x00\x00\x00\x18ftypheic\x00\x00", "anh.heic", ("heic", True)),
        (b"%PDF-1.7\n", "cong-van.pdf", ("pdf", False)),
        (office_file("word/document.xml"), "bao-cao.docx", ("docx", False)),
        (office_file("xl/workbook.xml"), "danh-sach.xlsx", ("xlsx", False)),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(8), "bao-cao.doc", ("doc", False)),
        ("Danh sách hộ đóng góp:\nNguyễn Văn An 200.000đ\n".encode(), "ds.txt", ("txt", False)),
    ],
)
def test_kept_kinds(data: bytes, name: str, kept: tuple[str, bool]) -> None:
    """Each kind the office can use is recognised by its first bytes."""
    found = sniff(data, name)
    assert found is not None
    assert (found.extension, found.photo) == kept


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00", "bao-cao.pdf"),
        (b"\x7fELF\x02\x01\x01\x00", "anh.jpg"),
        (b"#!/bin/sh\nrm -rf /\n", "ghi-chu.txt"),
        (b"<!DOCTYPE html><html><script>x()</script>", "bao-cao.txt"),
        (b"  <html><body>Trang web</body></html>", ""),
        (office_file("payload.exe"), "bao-cao.docx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(8), "macro.msi"),
        (bytes(range(256)), "du-lieu.bin"),
        (b"", "trong.txt"),
    ],
)
def test_refused_kinds(data: bytes, name: str) -> None:
    """Programs, web pages, other archives and unknown bytes are refused, whatever the name."""
    assert sniff(data, name) is None
