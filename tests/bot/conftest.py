"""What the bot's tests share: settings read afresh per test, the fake Bot API and the
Telegram adapter pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from bot.channels.telegram import TelegramChannel
from bot.config import get_settings
from tests.support.fake_telegram import FakeTelegram
from tests.support.fake_zalo import FakeZalo


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """Forget settings read during a test, so no other test sees its temporary database."""
    yield
    get_settings.cache_clear()


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    """A fake Bot API on 127.0.0.1 (a test module may define its own `fake` instead)."""
    server = FakeTelegram().start()
    yield server
    server.stop()


@pytest.fixture
async def channel(fake: FakeTelegram) -> AsyncIterator[TelegramChannel]:
    """The adapter pointed at the fake."""
    adapter = TelegramChannel(fake.token, fake.url, poll_timeout=5)
    yield adapter
    await adapter.close()


@pytest.fixture
def zalo_fake() -> Iterator[FakeZalo]:
    """A fake Zalo Bot API (with its image CDN) on 127.0.0.1."""
    server = FakeZalo().start()
    yield server
    server.stop()
