"""`hoctap run` at start: no channel configured, or tokens the platforms reject.

A channel whose token is refused is left out and the others serve (tests/e2e/test_faults.py);
only when no channel starts does the bot exit with 2.
"""

from __future__ import annotations

import logging

from bot.app import serve
from bot.config import Settings
from tests.support.fake_telegram import FakeTelegram
from tests.support.fake_zalo import FakeZalo


async def test_no_token_means_no_channel_and_a_clear_message(tmp_path, caplog):
    """Without any token the bot explains what to set and exits with 2."""
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite:///{tmp_path / 'hoctap.db'}",
        telegram_bot_token="",
        zalo_bot_token="",
    )
    with caplog.at_level(logging.ERROR):
        assert await serve(settings) == 2
    assert "set TELEGRAM_BOT_TOKEN and/or ZALO_BOT_TOKEN" in caplog.text


async def test_a_rejected_token_stops_start_up_with_a_clear_message(tmp_path, caplog):
    """A token the Bot API answers 401 to is reported (without the token) and exits with 2."""
    fake = FakeTelegram().start()
    try:
        settings = Settings(
            _env_file=None,
            database_url=f"sqlite:///{tmp_path / 'hoctap.db'}",
            telegram_bot_token="123456:not-the-right-token",
            telegram_api_url=fake.url,
            zalo_bot_token="",
        )
        with caplog.at_level(logging.ERROR):
            assert await serve(settings) == 2
    finally:
        fake.stop()
    assert "telegram channel could not start" in caplog.text
    assert "not-the-right-token" not in caplog.text


async def test_when_every_token_is_refused_each_is_named_and_the_bot_exits_with_2(
    tmp_path, caplog
):
    """Both platforms refuse their token: both are reported and nothing serves, so exit 2."""
    telegram, zalo = FakeTelegram().start(), FakeZalo().start()
    try:
        settings = Settings(
            _env_file=None,
            database_url=f"sqlite:///{tmp_path / 'hoctap.db'}",
            telegram_bot_token="123456:not-the-right-token",
            telegram_api_url=telegram.url,
            zalo_bot_token="999:notTheZaloToken",
            zalo_api_url=zalo.url,
        )
        with caplog.at_level(logging.ERROR):
            assert await serve(settings) == 2
    finally:
        telegram.stop()
        zalo.stop()
    assert "telegram channel could not start" in caplog.text
    assert "zalo channel could not start" in caplog.text
    assert "No channel could start" in caplog.text
    assert "notTheZaloToken" not in caplog.text
