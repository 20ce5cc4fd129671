"""A file sent to the bot is read before the dialog sees it; nothing holds the message up."""

from __future__ import annotations

import asyncio
import datetime as dt
import io

import docx

from bot.document_reading import DocumentReader
from handlers.messages import Inbound

AT = dt.datetime(2026, 3, 20, 1, 0, tzinfo=dt.UTC)


def sent_file(name: str) -> Inbound:
    """The admin's Telegram message carrying a file."""
    return Inbound(
        "telegram", "9001", "9001", "telegram:1", AT, document="BQAC-file", document_name=name
    )


def word_file(*paragraphs: str) -> bytes:
    """A DOCX holding these paragraphs."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


async def test_a_word_file_arrives_with_its_text():
    """The DOCX is fetched once, with the size limit, and its text rides with the event."""
    asked: list[tuple[str, str, int]] = []

    async def fetch(channel: str, ref: str, limit: int) -> bytes:
        asked.append((channel, ref, limit))
        return word_file("Số: 45/KH-VHXH", "KẾ HOẠCH")

    prepared = await DocumentReader(fetch, limit=1000).prepare(sent_file("KH 45.docx"))

    assert asked == [("telegram", "BQAC-file", 1000)]
    assert prepared.document_state == "read"
    assert prepared.document_text.split("\n")[:2] == ["Số: 45/KH-VHXH", "KẾ HOẠCH"]


async def test_a_picture_only_file_is_marked_a_scan():
    """A PNG sent as a file (a photographed công văn) has no text: it is a scan."""

    async def fetch(channel: str, ref: str, limit: int) -> bytes:
        return b"\x89PNG\r\n\x1a\n" + bytes(64)

    prepared = await DocumentReader(fetch).prepare(sent_file("cong-van.pdf"))

    assert (prepared.document_state, prepared.document_text) == ("scanned", "")


async def test_a_download_that_hangs_or_fails_lets_the_message_go_on():
    """The app is slow or refuses: after the timeout the event goes on, marked unreadable."""

    async def hangs(channel: str, ref: str, limit: int) -> bytes:
        await asyncio.sleep(60)
        return b""

    async def fails(channel: str, ref: str, limit: int) -> bytes:
        raise ConnectionError("reset")

    slow = await DocumentReader(hangs, timeout=0.05).prepare(sent_file("kh.pdf"))
    broken = await DocumentReader(fails).prepare(sent_file("kh.pdf"))

    assert slow.document_state == broken.document_state == "unreadable"
    assert slow.document == "BQAC-file"


async def test_other_files_and_texts_are_not_fetched():
    """A spreadsheet, a photo or a text message goes on untouched, nothing downloaded."""

    async def fetch(channel: str, ref: str, limit: int) -> bytes:
        raise AssertionError("fetched")

    reader = DocumentReader(fetch)
    sheet = sent_file("danh-sach.xlsx")
    text = Inbound("zalo", "z1", "z1", "zalo:1", AT, text="báo cáo")

    assert await reader.prepare(sheet) is sheet
    assert await reader.prepare(text) is text
