"""The adapters download what people sent: Telegram by file_id, Zalo by image URL; what went
wrong says whether another try can help, and never shows the bot's token."""

from __future__ import annotations

import logging

import pytest

from bot.channels.base import FetchFailed
from bot.channels.telegram import TelegramChannel
from bot.channels.zalo import ZaloChannel
from tests.support.fake_telegram import TINY_JPEG, FakeTelegram
from tests.support.fake_zalo import FakeZalo


async def test_telegram_downloads_by_file_id_and_says_why_not(fake: FakeTelegram, caplog):
    """A photo comes whole; an unknown file_id is final; a file Telegram no longer serves
    (its path gone stale) is worth another try; the token is in no reason and no log line."""
    caplog.set_level(logging.DEBUG)
    channel = TelegramChannel(fake.token, fake.url, poll_timeout=1, send_timeout=2)
    try:
        fake.user_sends_photo(5001, "AgACAgRoof")
        fetched = await channel.fetch_file("AgACAgRoof", 1 << 16)
        with pytest.raises(FetchFailed) as unknown:
            await channel.fetch_file("AgACAgNobody", 1 << 16)
        fake.answer_raw_next(
            "getFile",
            200,
            '{"ok":true,"result":{"file_id":"AgACAgRoof",'
            '"file_unique_id":"u1","file_path":"photos/gone.jpg"}}',
        )
        with pytest.raises(FetchFailed) as stale:
            await channel.fetch_file("AgACAgRoof", 1 << 16)
    finally:
        await channel.close()
    assert fetched.data == TINY_JPEG
    assert (unknown.value.final, unknown.value.reason) == (
        True,
        "BadRequest: Invalid file_id",
    )
    assert (stale.value.final, stale.value.reason) == (False, "InvalidToken: Not Found")
    assert fake.token not in caplog.text


async def test_zalo_streams_the_image_and_stops_past_the_limit():
    """The image comes whole under the limit; past it the download stops, for good; an
    expired link is worth another try."""
    fake = FakeZalo().start()
    channel = ZaloChannel(fake.token, fake.url, poll_timeout=1, send_timeout=2)
    try:
        small, big = fake.image_url(TINY_JPEG), fake.image_url(bytes(5000))
        fetched = await channel.fetch_file(small, 4096)
        with pytest.raises(FetchFailed) as too_big:
            await channel.fetch_file(big, 4096)
        fake.expire_images(small)
        with pytest.raises(FetchFailed) as expired:
            await channel.fetch_file(small, 4096)
        with pytest.raises(FetchFailed) as no_address:
            await channel.fetch_file("zalo-file-id-without-address", 4096)
    finally:
        await channel.close()
        fake.stop()
    assert fetched.data == TINY_JPEG
    assert (too_big.value.final, too_big.value.reason) == (True, "larger than 4096 bytes (5000)")
    assert (expired.value.final, expired.value.reason) == (False, "HTTP 403")
    assert no_address.value.final
