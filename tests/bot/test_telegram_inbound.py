"""Telegram updates in: never dropped as duplicates, never stuck on one that cannot be read."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.channels.telegram import TelegramChannel
from bot.inbound import InboundStore
from handlers.engine import Engine as DialogEngine
from handlers.messages import Inbound
from storage.models import OutboxMessage, Role
from tests.support.chat import joined
from tests.support.fake_telegram import FakeTelegram

BINH = 5123456789
OTHER_BOT = "7000000002:AAOtherBotTokenForTests-hoctap_98765"


class Until:
    """Hands each event to `handle`, and cancels the poll once `count` events went through."""

    def __init__(self, handle, count: int) -> None:  # type: ignore[no-untyped-def]
        self.handle, self.count = handle, count
        self.seen: list[Inbound] = []
        self.task: asyncio.Task[None] | None = None

    async def __call__(self, inbound: Inbound) -> None:
        await self.handle(inbound)
        self.seen.append(inbound)
        if len(self.seen) == self.count and self.task:
            self.task.cancel()

    async def run(self, channel: TelegramChannel) -> None:
        """Poll until `count` events were handled (fail after 30 s rather than hang)."""
        self.task = asyncio.create_task(channel.poll(self))
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(self.task, 30)
        await channel.close()


def replies_to(database: Engine, chat_id: int) -> int:
    """How many messages the bot has queued for a Telegram chat."""
    with Session(database) as session:
        rows = session.exec(
            select(OutboxMessage).where(
                OutboxMessage.channel == "telegram", OutboxMessage.chat_id == str(chat_id)
            )
        )
        return len(list(rows))


@pytest.mark.parametrize("restart", ["update ids start over", "another bot on the database"])
async def test_messages_after_update_ids_start_over_are_all_answered(
    database: Engine, engine: DialogEngine, restart: str
) -> None:
    """Bình's 50 messages were handled as updates 1..50; Telegram then numbers from 1 again
    (after a quiet week, or for a new bot token): his next 5 messages are answered too."""
    await joined(engine, Role.FOCAL, "Nguyễn Văn Bình", external_id=str(BINH))
    store = InboundStore(engine.handle)
    first = FakeTelegram().start()
    try:
        first.restart_update_ids(1)
        for number in range(50):
            first.user_sends(BINH, "/menu" if number % 2 else "menu")
        await Until(store.store, 50).run(TelegramChannel(first.token, first.url, poll_timeout=1))
        assert first.unconfirmed() == []
    finally:
        first.stop()
    before = replies_to(database, BINH)
    assert before >= 50

    second = FakeTelegram(OTHER_BOT if restart.startswith("another") else first.token).start()
    try:
        second.restart_update_ids(1)
        if not restart.startswith("another"):
            # The same bot: its chat with Bình goes on numbering messages where it was.
            for _ in range(50):
                second._next_message_id(BINH)
        later = [second.user_sends(BINH, "/menu") for _ in range(5)]
        assert later == [1, 2, 3, 4, 5]
        await Until(store.store, 5).run(TelegramChannel(second.token, second.url, poll_timeout=1))
    finally:
        second.stop()

    assert replies_to(database, BINH) == before + 5


async def test_an_update_that_cannot_be_read_is_skipped_without_its_text(
    fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    """Odd updates (a date in words, no first name, a chat without type, no update_id) are
    logged without what was written, confirmed, and the good ones behind them arrive."""
    secret = "Số CCCD 001203004567 của tôi"
    sender = {"id": BINH, "is_bot": False}
    chat = {"id": BINH, "type": "private"}
    bad_date = {"message_id": 1, "from": sender, "chat": chat, "date": "yesterday", "text": secret}
    no_type = {"message_id": 2, "from": sender, "chat": {"id": BINH}, "date": 1, "text": secret}
    nameless = {"message_id": 3, "from": sender, "chat": chat, "date": 1774000000, "text": "menu"}
    poison = fake.push_update({"message": bad_date})
    fake.push_update({"message": no_type})
    fake.push_update({"message": {**bad_date, "message_id": 4}}, with_update_id=False)
    fake.push_update({"message": nameless})
    fake.user_sends(BINH, "Đã hoàn thành")
    seen: list[Inbound] = []

    async def handle(inbound: Inbound) -> None:
        seen.append(inbound)

    with caplog.at_level(logging.DEBUG):
        await Until(handle, 2).run(TelegramChannel(fake.token, fake.url, poll_timeout=1))

    assert [(inbound.text, inbound.display_name) for inbound in seen] == [
        ("menu", ""),
        ("Đã hoàn thành", "An"),
    ]
    assert f"Telegram update {poison} skipped: cannot read it (ValueError)" in caplog.text
    assert "ignored: chat type missing, not private" in caplog.text
    assert "skipped: cannot read it" in caplog.text.split(str(poison), 1)[1]
    assert secret not in caplog.text
    assert fake.unconfirmed() == []


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        (200, "<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html"),
        (200, '{"ok": true}', "application/json"),
        (200, '{"ok": true, "result": {"update_id": 5}}', "application/json"),
        (403, '{"ok": false, "error_code": 403, "description": "Forbidden"}', "application/json"),
        (502, "<html>Bad Gateway</html>", "text/html"),
    ],
    ids=["html", "no-result", "result-object", "forbidden", "502-html"],
)
async def test_a_bad_get_updates_answer_is_retried_after_a_pause(
    fake: FakeTelegram, status: int, body: str, content_type: str
) -> None:
    """An answer that is no list of updates is a passing fault: wait, ask again, go on."""
    pauses: list[float] = []

    async def pause(seconds: float) -> None:
        pauses.append(seconds)

    fake.answer_raw_next("getUpdates", status, body, content_type)
    fake.answer_raw_next("getUpdates", status, body, content_type)
    fake.user_sends(BINH, "menu")
    seen: list[Inbound] = []

    async def handle(inbound: Inbound) -> None:
        seen.append(inbound)

    channel = TelegramChannel(fake.token, fake.url, poll_timeout=1, sleep=pause)
    await Until(handle, 1).run(channel)

    assert [inbound.text for inbound in seen] == ["menu"]
    assert pauses == [1.0, 2.0]


async def test_updates_without_an_id_alone_make_the_poll_pause_not_spin(
    fake: FakeTelegram,
) -> None:
    """No offset can confirm an update without update_id: the poll waits longer each time it
    sees only such, instead of asking again and again at once."""
    pauses: list[float] = []
    seen: list[Inbound] = []

    async def pause(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 3:
            fake.user_sends(BINH, "menu")

    async def handle(inbound: Inbound) -> None:
        seen.append(inbound)

    fake.push_update({"message": {"message_id": 9, "date": "?"}}, with_update_id=False)
    channel = TelegramChannel(fake.token, fake.url, poll_timeout=1, sleep=pause)
    await Until(handle, 1).run(channel)

    assert pauses[:3] == [1.0, 2.0, 4.0]
    assert [inbound.text for inbound in seen] == ["menu"]
