"""What a downloaded file is, told from its first bytes, never from its name or the sender.

Kept: photos (JPEG, PNG, WebP, GIF, HEIC), PDF, Word and Excel files (DOCX/XLSX, and the
old DOC/XLS by their name), and plain text. Everything else is refused: programs, web pages,
archives, and anything not recognised.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class FileType:
    """A kept file's extension and MIME type, and whether it is a photo."""

    extension: str
    content_type: str
    photo: bool = False


JPEG = FileType("jpg", "image/jpeg", True)
PNG = FileType("png", "image/png", True)
GIF = FileType("gif", "image/gif", True)
WEBP = FileType("webp", "image/webp", True)
HEIC = FileType("heic", "image/heic", True)
PDF = FileType("pdf", "application/pdf")
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
DOC = FileType("doc", "application/msword")
XLS = FileType("xls", "application/vnd.ms-excel")
TEXT = FileType("txt", "text/plain; charset=utf-8")

_HEIC_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WEB_PAGE = (b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml", b"<head", b"<body")
_TEXT_SAMPLE = 8192


def sniff(data: bytes, name: str = "") -> FileType | None:
    """The type of a file by its content, or None when it is not one the bot keeps."""
    head = data[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp" and head[8:12] in _HEIC_BRANDS:
        return HEIC
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _office(data)
    if head.startswith(_OLE):
        # An old Office file says what it is only deep inside: its name decides between the two.
        suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
        return {"doc": DOC, "xls": XLS}.get(suffix)
    return TEXT if _plain_text(data) else None


def _office(data: bytes) -> FileType | None:
    """DOCX or XLSX by the parts the zip holds; any other zip is refused."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def _plain_text(data: bytes) -> bool:
    sample = data[:_TEXT_SAMPLE]
    if not sample or b"\x00" in sample:
        return False
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError as error:
        # A sample may end inside a character; anything earlier is not text.
        if error.start < len(sample) - 3:
            return False
        text = sample[: error.start].decode("utf-8")
    start = text.lstrip().lower().encode()
    if start.startswith(_WEB_PAGE) or start.startswith(b"#!"):
        return False
    return all(ch.isprintable() or ch in "\r\n\t\f" for ch in text)
