"""What the bot will not keep: a file larger than MEDIA_MAX_BYTES or of a kind it does not
keep (a program, a web page) is refused at once with the reason, never tried again, and the
report it came with is stored and announced all the same."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.channels.telegram import TelegramChannel
from bot.channels.zalo import ZaloChannel
from bot.media_fetch import MediaFetcher
from storage.models import ProgressReport, Role
from tests.support.assignments import seed_directive
from tests.support.evidence import PHOTO, PLAN, Bot, attachments_for, kept_media, register
from tests.support.fake_telegram import TINY_PDF, FakeTelegram

HEAD, MAI = 5001, 9001
ZL_HEAD = "zl-head-thon2"
LIMIT = 4096
PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200)
WEB_PAGE = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    """MEDIA_DIR, empty."""
    folder = tmp_path / "media"
    folder.mkdir()
    return folder


@pytest.fixture
def commune(database) -> None:
    """The plan assigned to Thôn 2, and Mai, the admin, on Telegram."""
    seed_directive(database, *PLAN, ["Thôn 2"])
    register(database, "Trần Thị Mai", Role.ADMIN, "telegram", str(MAI))


async def tap(bot: Bot, fake: FakeTelegram, label: str) -> None:
    """The head taps the button with this label on the bot's last message."""
    fake.user_taps(HEAD, next(data for data, shown in fake.last_buttons(HEAD) if shown == label))
    await bot.turn()


def stored_reports(database) -> list[ProgressReport]:
    """Every report stored."""
    with Session(database) as session:
        return list(session.exec(select(ProgressReport)))


async def test_telegram_files_of_a_kind_not_kept_are_refused(
    database, engine, clock, tmp_path, media_dir, fake, commune
):
    """With his report the head sends a program renamed to a PDF and a web page: both are
    refused for what their bytes are, tried once; a real PDF beside them is kept. The report
    stores all three as sent, and Mai's notice does not carry the refused first file."""
    register(database, "Nguyễn Văn An", Role.FOCAL, "telegram", str(HEAD), unit="Thôn 2")
    channel = TelegramChannel(fake.token, fake.url, poll_timeout=1, send_timeout=2)
    fetcher = MediaFetcher(database, {"telegram": channel}, media_dir, LIMIT, clock=clock)
    folders = {"media": media_dir, "export": tmp_path}
    attachments = attachments_for(database, folders, clock)
    async with Bot(channel, engine, clock, attachments, fetcher) as bot:
        fake.user_sends(HEAD, "/baocao")
        await bot.turn()
        await tap(bot, fake, "Gặp khó khăn")
        fake.user_sends_document(HEAD, "BQACAgProgram", "bao-cao.pdf", data=PROGRAM)
        await bot.turn()
        fake.user_sends_document(HEAD, "BQACAgPage", "bao-cao.html", data=WEB_PAGE)
        await bot.turn()
        fake.user_sends_document(HEAD, "BQACAgReal", "du-toan.pdf", data=TINY_PDF)
        await bot.turn()
        assert await fetcher.fetch_due() == 3
        fake.user_sends(HEAD, "Thiếu kinh phí sửa nhà văn hóa")
        await bot.turn()
        await tap(bot, fake, "Gửi báo cáo")
        clock.advance(days=2)
        assert await fetcher.fetch_due() == 0

    program, page, real = kept_media(database)
    assert (program.status, program.attempts, program.last_error) == (
        "failed",
        1,
        "refused: not a kind of file that is kept",
    )
    assert (page.status, page.last_error) == ("failed", "refused: not a kind of file that is kept")
    assert (real.status, real.content_type, real.stored_path) == (
        "stored",
        "application/pdf",
        f"2026/03/{real.id}.pdf",
    )
    assert [path.name for path in media_dir.rglob("*") if path.is_file()] == [f"{real.id}.pdf"]
    [report] = stored_reports(database)
    assert [entry[1] for entry in report.attachments] == [
        "BQACAgProgram",
        "BQACAgPage",
        "BQACAgReal",
    ]
    [notice] = fake.messages_to(MAI)
    assert "document" not in notice and notice["text"].startswith("⚠️ Thôn 2")
    assert notice["text"].endswith("Kèm theo: 3 tệp.")


async def test_a_telegram_photo_over_the_limit_is_not_downloaded(
    database, engine, clock, tmp_path, media_dir, fake, commune
):
    """A photo larger than MEDIA_MAX_BYTES is refused by the size Telegram gives, before any
    download; Telegram still shows Mai the photo by its own id."""
    register(database, "Nguyễn Văn An", Role.FOCAL, "telegram", str(HEAD), unit="Thôn 2")
    channel = TelegramChannel(fake.token, fake.url, poll_timeout=1, send_timeout=2)
    fetcher = MediaFetcher(database, {"telegram": channel}, media_dir, LIMIT, clock=clock)
    folders = {"media": media_dir, "export": tmp_path}
    big = PHOTO + bytes(LIMIT)
    attachments = attachments_for(database, folders, clock)
    async with Bot(channel, engine, clock, attachments, fetcher) as bot:
        fake.user_sends(HEAD, "/baocao")
        await bot.turn()
        await tap(bot, fake, "Gặp khó khăn")
        fake.user_sends_photo(HEAD, "AgACAgBig", "Nhà văn hóa bị dột mái", data=big)
        await bot.turn()
        await fetcher.fetch_due()
        await tap(bot, fake, "Gửi báo cáo")

    [media] = kept_media(database)
    assert (media.status, media.attempts) == ("failed", 1)
    assert media.last_error == f"larger than {LIMIT} bytes ({len(big)})"
    assert fake.downloads == []
    [notice] = fake.messages_to(MAI)
    assert notice["photo"][0]["file_id"] == "AgACAgBig"
    assert len(stored_reports(database)) == 1


async def test_a_zalo_photo_over_the_limit_or_not_an_image_is_refused(
    database, engine, clock, tmp_path, media_dir, zalo_fake, commune
):
    """On Zalo: a photo too large is stopped by its declared size, and 'a photo' that is a
    program is refused by its bytes; neither is tried again."""
    register(database, "Nguyễn Văn An", Role.FOCAL, "zalo", ZL_HEAD, unit="Thôn 2")
    channel = ZaloChannel(zalo_fake.token, zalo_fake.url, poll_timeout=1, send_timeout=2)
    fetcher = MediaFetcher(database, {"zalo": channel}, media_dir, LIMIT, clock=clock)
    folders = {"media": media_dir, "export": tmp_path}
    attachments = attachments_for(database, folders, clock)
    async with Bot(channel, engine, clock, attachments, fetcher) as bot:
        for text in ("báo cáo", "2"):
            zalo_fake.user_sends(ZL_HEAD, text)
            await bot.turn()
        zalo_fake.user_sends_image(ZL_HEAD, zalo_fake.image_url(PHOTO + bytes(2 * LIMIT)))
        await bot.turn()
        zalo_fake.user_sends_image(ZL_HEAD, zalo_fake.image_url(PROGRAM))
        await bot.turn()
        assert await fetcher.fetch_due() == 2
        clock.advance(hours=1)
        assert await fetcher.fetch_due() == 0

    big, program = kept_media(database)
    declared = len(PHOTO) + 2 * LIMIT
    assert (big.status, big.last_error) == ("failed", f"larger than {LIMIT} bytes ({declared})")
    assert (program.status, program.last_error) == (
        "failed",
        "refused: not a kind of file that is kept",
    )
    assert zalo_fake.image_fetches == ["200", "200"]
    assert list(media_dir.rglob("*.*")) == []
