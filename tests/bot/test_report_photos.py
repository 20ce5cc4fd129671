"""Photos sent with a report are kept and reach the office, through the real adapters and the
fake Bot APIs: downloaded into MEDIA_DIR at once, carried by the difficulty notice as each app
can take it (Telegram: the photo with the report as caption; Zalo: by link with PUBLIC_URL,
else the text says where to see it), and never costing the report when they cannot be had."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from bot.channels.telegram import TelegramChannel
from bot.channels.zalo import ZaloChannel
from bot.file_server import FileServer
from bot.links import LinkSigner
from bot.media_fetch import MediaFetcher
from storage.models import ProgressReport, Role
from tests.support.assignments import seed_directive
from tests.support.evidence import (
    PHOTO,
    PLAN,
    SECRET,
    Bot,
    attachments_for,
    kept_media,
    public_links,
    register,
    until_kept,
)
from tests.support.fake_telegram import FakeTelegram
from tests.support.fake_zalo import FakeZalo

HEAD, MAI = 5001, 9001
"""The head of Thôn 2 and the office's admin, on Telegram."""
ZL_HEAD, ZL_HOA = "zl-head-thon2", "zl-admin-hoa"
"""The head of Thôn 2 and another admin, on Zalo."""
NOTE = "Mái nhà văn hóa thôn bị dột, chưa tổ chức được buổi sinh hoạt"
HEADING = "⚠️ Thôn 2 báo cáo gặp khó khăn"
ON_TELEGRAM = "Xem ảnh trên Telegram: Tình hình thực hiện công văn → chọn công văn → chọn đơn vị."
MAX_BYTES = 64 * 1024


@pytest.fixture
def folders(tmp_path: Path) -> dict[str, Path]:
    """MEDIA_DIR and the export folder, empty."""
    found = {"media": tmp_path / "media", "export": tmp_path / "exports"}
    for folder in found.values():
        folder.mkdir()
    return found


@pytest.fixture
def commune(database) -> int:
    """The plan assigned to Thôn 2, its head on both apps' tests, and the admins."""
    directive = seed_directive(database, *PLAN, ["Thôn 2"])
    register(database, "Trần Thị Mai", Role.ADMIN, "telegram", str(MAI))
    register(database, "Lê Thị Hoa", Role.ADMIN, "zalo", ZL_HOA)
    return directive.id


def telegram_adapter(fake: FakeTelegram) -> TelegramChannel:
    """The real Telegram adapter pointed at the fake."""
    return TelegramChannel(fake.token, fake.url, poll_timeout=1, send_timeout=2)


def zalo_adapter(fake: FakeZalo) -> ZaloChannel:
    """The real Zalo adapter pointed at the fake."""
    return ZaloChannel(fake.token, fake.url, poll_timeout=1, send_timeout=2)


def never(_seconds: float) -> asyncio.Future[None]:
    """A fetcher's timer that never fires: only a wake-up after a photo makes it fetch."""
    return asyncio.get_running_loop().create_future()


@pytest.fixture
async def running() -> AsyncIterator[list[asyncio.Task[None]]]:
    """Fetcher loops started by a test, stopped after it."""
    tasks: list[asyncio.Task[None]] = []
    yield tasks
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def tap(bot: Bot, fake: FakeTelegram, chat: int, label: str) -> None:
    """The person taps the button with this label on the bot's last message."""
    data = [data for data, shown in fake.last_buttons(chat) if shown == label]
    assert data, f"no button {label!r}: {fake.last_buttons(chat)}"
    fake.user_taps(chat, data[0])
    await bot.turn()


async def say(bot: Bot, fake: FakeTelegram | FakeZalo, chat: int | str, text: str) -> None:
    """The person sends a text; the bot answers."""
    fake.user_sends(chat, text)  # type: ignore[arg-type]
    await bot.turn()


async def test_a_telegram_photo_reaches_the_admin_as_the_photo_with_the_report_as_caption(
    database, engine, clock, folders, fake, commune, running
):
    """The head of Thôn 2 reports a difficulty with a photo of the roof on Telegram: the
    photo is downloaded into MEDIA_DIR with the bytes he sent, and Mai, on Telegram, gets the
    photo itself with the report as its caption."""
    register(database, "Nguyễn Văn An", Role.FOCAL, "telegram", str(HEAD), unit="Thôn 2")
    channel = telegram_adapter(fake)
    fetcher = MediaFetcher(
        database, {"telegram": channel}, folders["media"], MAX_BYTES, clock=clock, sleep=never
    )
    running.append(asyncio.create_task(fetcher.run()))
    attachments = attachments_for(database, folders, clock)
    async with Bot(channel, engine, clock, attachments, fetcher) as bot:
        await say(bot, fake, HEAD, "/baocao")
        await tap(bot, fake, HEAD, "Gặp khó khăn")
        fake.user_sends_photo(HEAD, "AgACAgUAAxkBAAIRoof", data=PHOTO)
        await bot.turn()
        [media] = await until_kept(database)
        await say(bot, fake, HEAD, NOTE)
        await tap(bot, fake, HEAD, "Gửi báo cáo")

    assert (media.channel, media.kind, media.status, media.platform_ref) == (
        "telegram",
        "photo",
        "stored",
        "AgACAgUAAxkBAAIRoof",
    )
    assert media.stored_path == f"2026/03/{media.id}.jpg"
    assert (folders["media"] / media.stored_path).read_bytes() == PHOTO
    assert fake.downloads == ["photos/AgACAgUAAxkBAAIRoof.jpg"]
    [notice] = fake.messages_to(MAI)
    # Telegram knows its own photo: it goes by its file_id, nothing uploaded.
    assert notice["photo"][0]["file_id"] == "AgACAgUAAxkBAAIRoof"
    assert notice["caption"].startswith(f"{HEADING}\n📄 {PLAN[0]}")
    assert notice["caption"].endswith("Kèm theo: 1 ảnh.")
    assert fake.uploads == {}


async def test_a_zalo_photo_is_downloaded_at_once_and_reaches_both_apps(
    database, engine, clock, folders, fake, zalo_fake, commune, running
):
    """The head sends a photo on Zalo, whose URL will expire: it is downloaded in the same
    moment. With PUBLIC_URL set, Hoa on Zalo gets it by a link the bot's endpoint serves with
    the same bytes; Mai on Telegram gets the kept bytes uploaded."""
    register(database, "Nguyễn Văn An", Role.FOCAL, "zalo", ZL_HEAD, unit="Thôn 2")
    files = FileServer(LinkSigner(SECRET), folders, clock=clock).start()
    zalo, telegram = zalo_adapter(zalo_fake), telegram_adapter(fake)
    fetcher = MediaFetcher(
        database, {"zalo": zalo}, folders["media"], MAX_BYTES, clock=clock, sleep=never
    )
    running.append(asyncio.create_task(fetcher.run()))
    attachments = attachments_for(
        database, folders, clock, public_url=f"http://127.0.0.1:{files.port}"
    )
    url = zalo_fake.image_url(PHOTO)
    try:
        with public_links(True):
            async with (
                Bot(zalo, engine, clock, attachments, fetcher) as bot,
                Bot(telegram, engine, clock, attachments, fetcher) as office,
            ):
                await say(bot, zalo_fake, ZL_HEAD, "báo cáo")
                await say(bot, zalo_fake, ZL_HEAD, "4")  # Gặp khó khăn
                zalo_fake.user_sends_image(ZL_HEAD, url)
                await bot.turn()
                [media] = await until_kept(database)
                await say(bot, zalo_fake, ZL_HEAD, NOTE)
                await say(bot, zalo_fake, ZL_HEAD, "1")  # Gửi báo cáo
                await office.send_queued()
    finally:
        files.stop()

    assert (media.channel, media.platform_ref, media.status) == ("zalo", url, "stored")
    assert zalo_fake.image_fetches == ["200"]
    assert (folders["media"] / media.stored_path).read_bytes() == PHOTO
    [link] = zalo_fake.photos_to(ZL_HOA)
    assert link.startswith(f"http://127.0.0.1:{files.port}/f/media/")
    [caption, *_rest] = zalo_fake.messages_to(ZL_HOA)
    assert caption.startswith(HEADING) and ON_TELEGRAM not in caption
    [notice] = fake.messages_to(MAI)
    assert notice["caption"].startswith(HEADING)
    assert [upload.data for upload in fake.uploads[MAI]] == [PHOTO]


async def test_the_link_opens_the_same_bytes(database, engine, clock, folders, zalo_fake, commune):
    """The link Hoa gets on Zalo opens, through the bot's endpoint, the photo as sent."""
    register(database, "Nguyễn Văn An", Role.FOCAL, "zalo", ZL_HEAD, unit="Thôn 2")
    files = FileServer(LinkSigner(SECRET), folders, clock=clock).start()
    zalo = zalo_adapter(zalo_fake)
    fetcher = MediaFetcher(database, {"zalo": zalo}, folders["media"], MAX_BYTES, clock=clock)
    attachments = attachments_for(
        database, folders, clock, public_url=f"http://127.0.0.1:{files.port}"
    )
    try:
        async with Bot(zalo, engine, clock, attachments, fetcher) as bot:
            await say(bot, zalo_fake, ZL_HEAD, "báo cáo")
            await say(bot, zalo_fake, ZL_HEAD, "4")
            zalo_fake.user_sends_image(ZL_HEAD, zalo_fake.image_url(PHOTO))
            await bot.turn()
            assert await fetcher.fetch_due() == 1
            await say(bot, zalo_fake, ZL_HEAD, NOTE)
            await say(bot, zalo_fake, ZL_HEAD, "1")
        [link] = zalo_fake.photos_to(ZL_HOA)
        opened = await asyncio.to_thread(httpx.get, link)
    finally:
        files.stop()
    assert (opened.status_code, opened.content) == (200, PHOTO)
    assert opened.headers["content-type"] == "image/jpeg"


async def test_without_a_public_address_zalo_is_told_how_many_photos_and_where(
    database, engine, clock, folders, zalo_fake, commune
):
    """No PUBLIC_URL: Hoa on Zalo gets the report as text, saying it came with one photo and
    where on Telegram to see it; no link is made."""
    register(database, "Nguyễn Văn An", Role.FOCAL, "zalo", ZL_HEAD, unit="Thôn 2")
    zalo = zalo_adapter(zalo_fake)
    fetcher = MediaFetcher(database, {"zalo": zalo}, folders["media"], MAX_BYTES, clock=clock)
    attachments = attachments_for(database, folders, clock)
    async with Bot(zalo, engine, clock, attachments, fetcher) as bot:
        await say(bot, zalo_fake, ZL_HEAD, "báo cáo")
        await say(bot, zalo_fake, ZL_HEAD, "4")
        zalo_fake.user_sends_image(ZL_HEAD, zalo_fake.image_url(PHOTO))
        await bot.turn()
        await fetcher.fetch_due()
        await say(bot, zalo_fake, ZL_HEAD, NOTE)
        await say(bot, zalo_fake, ZL_HEAD, "1")

    assert zalo_fake.photos_to(ZL_HOA) == []
    [notice] = zalo_fake.messages_to(ZL_HOA)
    assert notice.startswith(HEADING)
    assert f"Kèm theo: 1 ảnh.\n{ON_TELEGRAM}" in notice
    [media] = kept_media(database)
    assert media.status == "stored"


async def test_an_expired_zalo_url_is_retried_then_given_up_and_the_report_still_goes(
    database, engine, clock, folders, fake, zalo_fake, commune
):
    """The CDN already refuses the photo's URL (expired): the download is tried again with
    growing pauses, then given up. The report is stored whole and Mai still gets it, as text."""
    register(database, "Nguyễn Văn An", Role.FOCAL, "zalo", ZL_HEAD, unit="Thôn 2")
    zalo, telegram = zalo_adapter(zalo_fake), telegram_adapter(fake)
    fetcher = MediaFetcher(database, {"zalo": zalo}, folders["media"], MAX_BYTES, clock=clock)
    attachments = attachments_for(database, folders, clock)
    url = zalo_fake.image_url(PHOTO)
    zalo_fake.expire_images(url)
    async with (
        Bot(zalo, engine, clock, attachments, fetcher) as bot,
        Bot(telegram, engine, clock, attachments, fetcher) as office,
    ):
        await say(bot, zalo_fake, ZL_HEAD, "báo cáo")
        await say(bot, zalo_fake, ZL_HEAD, "4")
        zalo_fake.user_sends_image(ZL_HEAD, url)
        await bot.turn()
        tried_at = clock.now
        await fetcher.fetch_due()
        await say(bot, zalo_fake, ZL_HEAD, NOTE)
        await say(bot, zalo_fake, ZL_HEAD, "1")
        # Mai's notice waits for the photo, without holding anything else up.
        await office.send_queued()
        assert fake.messages_to(MAI) == []
        pauses = []
        while (media := kept_media(database)[0]).status == "pending":
            pauses.append(round((media.next_try_at - tried_at).total_seconds()))
            clock.now = tried_at = media.next_try_at
            await fetcher.fetch_due()
        await office.send_queued()

    assert pauses == [30, 60, 120, 240, 480, 960, 1920]
    assert zalo_fake.image_fetches == ["403"] * 8
    assert (media.status, media.attempts, media.last_error) == ("failed", 8, "HTTP 403")
    assert list(folders["media"].rglob("*.jpg")) == []
    [notice] = fake.messages_to(MAI)
    assert notice["text"].startswith(HEADING) and NOTE in notice["text"]
    assert "photo" not in notice and fake.uploads == {}
    with Session(database) as session:
        [report] = session.exec(select(ProgressReport))
    assert (report.note, report.status) == (NOTE, "difficulty")
    assert report.attachments == [["photo", url, "", str(media.id)]]


async def test_a_busy_cdn_is_tried_again_until_the_photo_comes(
    database, engine, clock, folders, zalo_fake, commune
):
    """The CDN answers 503 twice: the third try gets the photo."""
    register(database, "Nguyễn Văn An", Role.FOCAL, "zalo", ZL_HEAD, unit="Thôn 2")
    zalo = zalo_adapter(zalo_fake)
    fetcher = MediaFetcher(database, {"zalo": zalo}, folders["media"], MAX_BYTES, clock=clock)
    attachments = attachments_for(database, folders, clock)
    zalo_fake.fail_image_fetches(2)
    async with Bot(zalo, engine, clock, attachments, fetcher) as bot:
        await say(bot, zalo_fake, ZL_HEAD, "báo cáo")
        await say(bot, zalo_fake, ZL_HEAD, "4")
        zalo_fake.user_sends_image(ZL_HEAD, zalo_fake.image_url(PHOTO))
        await bot.turn()
        for _try in range(3):
            await fetcher.fetch_due()
            clock.now = kept_media(database)[0].next_try_at

    [media] = kept_media(database)
    assert zalo_fake.image_fetches == ["503", "503", "200"]
    assert (media.status, media.attempts) == ("stored", 3)
    assert (folders["media"] / media.stored_path).read_bytes() == PHOTO


async def test_two_fetchers_download_a_photo_once(database, engine, clock, folders, fake, commune):
    """Two fetchers (a second process, or a restart) run together: one download, one file."""
    register(database, "Nguyễn Văn An", Role.FOCAL, "telegram", str(HEAD), unit="Thôn 2")
    channel = telegram_adapter(fake)
    attachments = attachments_for(database, folders, clock)
    fetchers = [
        MediaFetcher(database, {"telegram": channel}, folders["media"], MAX_BYTES, clock=clock)
        for _n in range(2)
    ]
    async with Bot(channel, engine, clock, attachments, fetchers[0]) as bot:
        await say(bot, fake, HEAD, "/baocao")
        await tap(bot, fake, HEAD, "Đang thực hiện")
        fake.user_sends_photo(HEAD, "AgACAgUAAxkBAAIMeeting", data=PHOTO)
        await bot.turn()
        tried = await asyncio.gather(*(fetcher.fetch_due() for fetcher in fetchers))
        again = await asyncio.gather(*(fetcher.fetch_due() for fetcher in fetchers))

    assert sorted(tried) == [0, 1] and again == [0, 0]
    assert fake.downloads == ["photos/AgACAgUAAxkBAAIMeeting.jpg"]
    [media] = kept_media(database)
    assert (media.status, media.attempts) == ("stored", 1)
    assert [path.name for path in folders["media"].rglob("*") if path.is_file()] == [
        f"{media.id}.jpg"
    ]
