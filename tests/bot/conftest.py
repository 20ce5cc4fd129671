"""What the Telegram adapter's tests share: the fake Bot API and the adapter pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from bot.channels.telegram import TelegramChannel
from tests.support.fake_telegram import FakeTelegram


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
