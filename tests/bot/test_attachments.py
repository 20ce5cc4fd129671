"""Files the bot made or kept reach each app as it can take them: an upload on Telegram, a
signed link on Zalo when the bot has a public address, and the text alone otherwise."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.attachments import Attachments, Found
from bot.channels.zalo import ZaloChannel
from bot.delivery import OutboxSender, Pace
from bot.file_server import FileServer
from bot.links import LinkSigner
from handlers.messages import Outbound, Recipient
from handlers.outbox import enqueue
from storage.db import transaction
from tests.support.fake_zalo import FakeZalo
from tests.support.sending import Sleeper, person_with_chat, rows

WORKBOOK = b"PK\x03\x04 the ledger workbook"
CHART = b"\x89PNG\r\n\x1a\n chart"


@pytest.fixture
def folders(tmp_path: Path) -> dict[str, Path]:
    """An export folder with the ledger workbook and a chart, and an empty media folder."""
    exports, media = tmp_path / "exports", tmp_path / "media"
    (exports / "charts").mkdir(parents=True)
    media.mkdir()
    (exports / "so-quy-khuyen-hoc-2026.xlsx").write_bytes(WORKBOOK)
    (exports / "charts" / "12.png").write_bytes(CHART)
    return {"export": exports, "media": media}


@pytest.fixture
async def zalo(zalo_fake: FakeZalo) -> AsyncIterator[ZaloChannel]:
    """The real Zalo adapter pointed at the fake."""
    adapter = ZaloChannel(zalo_fake.token, zalo_fake.url, poll_timeout=1, send_timeout=2)
    yield adapter
    await adapter.close()


def sender(database, name, channel, clock, attachments) -> OutboxSender:
    """A sender for one app on the fake clock, resolving files with `attachments`."""
    return OutboxSender(
        database,
        {name: channel},
        paces={name: Pace(100, 100)},
        clock=clock,
        sleep=Sleeper(clock),
        rng=random.Random(3),
        attachments=attachments,
    )


def queue_file(database, clock, channel, chat, text, *, photo="", document="") -> None:
    """Queue a message carrying a file reference to a person's chat (registered once)."""
    if not any(r.chat_id == chat for r in rows(database)):
        person_with_chat(database, chat, channel=channel)
    with transaction(database) as session:
        outbound = Outbound(Recipient(channel, chat), text, photo=photo, document=document)
        enqueue(session, outbound, "vi", clock.now)


async def test_telegram_gets_the_ledger_uploaded_as_a_document(
    database, clock, fake, channel, folders
):
    """The admin on Telegram receives the workbook itself, under its own name."""
    attachments = Attachments(LinkSigner(b"s"), folders, clock=clock)
    queue_file(
        database,
        clock,
        "telegram",
        "501",
        "Sổ quỹ năm 2026",
        document="export:so-quy-khuyen-hoc-2026.xlsx",
    )

    await sender(database, "telegram", channel, clock, attachments).drain("telegram")

    [upload] = fake.uploads[501]
    assert (upload.filename, upload.data) == ("so-quy-khuyen-hoc-2026.xlsx", WORKBOOK)
    assert [m["text"] for m in fake.messages_to(501) if "text" in m] == ["Sổ quỹ năm 2026"]
    assert {r.status for r in rows(database)} == {"sent"}


async def test_zalo_gets_a_link_that_opens_the_file(database, clock, zalo_fake, zalo, folders):
    """With PUBLIC_URL set, the Zalo admin gets the chart as a photo by link and the
    workbook as a link line under the text; both links open the files."""
    files = FileServer(LinkSigner(b"s"), folders, clock=clock).start()
    try:
        signer = LinkSigner(b"s", f"http://127.0.0.1:{files.port}")
        attachments = Attachments(signer, folders, clock=clock)
        queue_file(database, clock, "zalo", "z1", "Tình hình công văn 12", photo="chart:12")
        queue_file(
            database,
            clock,
            "zalo",
            "z1",
            "Sổ quỹ năm 2026",
            document="export:so-quy-khuyen-hoc-2026.xlsx",
        )
        attachments.chart = lambda directive_id: folders["export"] / f"charts/{directive_id}.png"

        await sender(database, "zalo", zalo, clock, attachments).drain("zalo")

        [photo] = zalo_fake.photos_to("z1")
        assert httpx.get(photo).content == CHART
        texts = zalo_fake.messages_to("z1")
        assert texts[0] == "Tình hình công văn 12"
        first_line, link = texts[1].split("\n")
        assert first_line == "Sổ quỹ năm 2026"
        assert link.endswith("/so-quy-khuyen-hoc-2026.xlsx")
        assert httpx.get(link).content == WORKBOOK
    finally:
        files.stop()


async def test_without_a_public_address_zalo_gets_the_text_alone(
    database, clock, zalo_fake, zalo, folders
):
    """No PUBLIC_URL: no link can be given, and the message is not lost for it."""
    attachments = Attachments(LinkSigner(b"s"), folders, clock=clock)
    queue_file(
        database,
        clock,
        "zalo",
        "z2",
        "Có 2 ảnh; xem trên Telegram",
        photo="media:7",
    )
    attachments.media = lambda media_id: Found(path=folders["media"] / "7.jpg")

    await sender(database, "zalo", zalo, clock, attachments).drain("zalo")

    assert zalo_fake.photos_to("z2") == []
    assert zalo_fake.messages_to("z2") == ["Có 2 ảnh; xem trên Telegram"]


async def test_a_photo_still_downloading_waits_without_pausing_the_app(
    database, clock, fake, channel, folders
):
    """The photo is not kept yet: the message waits a few seconds, nothing else is held up,
    and once the photo is there it goes out with it."""
    state = {"ready": False}
    photo = folders["media"] / "7.jpg"

    def lookup(media_id: int) -> Found:
        return Found(path=photo) if state["ready"] else Found(pending=True)

    attachments = Attachments(LinkSigner(b"s"), folders, media=lookup, clock=clock)
    queue_file(database, clock, "telegram", "601", "Báo cáo của Thôn 2", photo="media:7")
    queue_file(database, clock, "telegram", "602", "Nhắc hạn công văn 12")
    outbox = sender(database, "telegram", channel, clock, attachments)

    await outbox.drain("telegram")

    assert fake.messages_to(601) == []
    assert [m["text"] for m in fake.messages_to(602)] == ["Nhắc hạn công văn 12"]
    assert outbox.stats["telegram"].pauses == 0
    waiting = [r for r in rows(database) if r.status == "pending"]
    assert [r.chat_id for r in waiting] == ["601"]

    photo.write_bytes(b"\xff\xd8\xff photo of the meeting")
    state["ready"] = True
    clock.now = waiting[0].not_before
    await outbox.drain("telegram")

    [sent] = fake.messages_to(601)
    assert sent["caption"] == "Báo cáo của Thôn 2"
    assert fake.uploads[601][0].data == b"\xff\xd8\xff photo of the meeting"


async def test_a_file_that_is_gone_leaves_the_text(database, clock, fake, channel, folders):
    """An export deleted from the server: the text still reaches the chat."""
    attachments = Attachments(LinkSigner(b"s"), folders, clock=clock)
    queue_file(database, clock, "telegram", "701", "Sổ quỹ năm 2025", document="export:cu.xlsx")

    await sender(database, "telegram", channel, clock, attachments).drain("telegram")

    assert [m["text"] for m in fake.messages_to(701)] == ["Sổ quỹ năm 2025"]
    assert fake.uploads == {}
