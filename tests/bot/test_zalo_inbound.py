"""Zalo messages in through the real adapter and engine: long ids, on every database."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.channels.zalo import ZaloChannel
from bot.inbound import InboundStore
from handlers.engine import Engine as DialogEngine
from handlers.messages import Inbound
from storage.models import EXTERNAL_ID_LENGTH, Identity, OutboxMessage, Person, Role
from tests.support.chat import invite
from tests.support.fake_zalo import FakeZalo

LONG_ID = ("9f3c2a7e5b1d4c8f" * 7)[:100]


async def soon(predicate: Callable[[], bool]) -> None:
    """Wait until `predicate()` holds; fail after 10 s rather than hang."""
    async def check() -> None:
        while not predicate():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(check(), 10)


def texts_to(database: Engine, chat_id: str) -> list[str]:
    """What the bot has queued for a Zalo chat, in order."""
    with Session(database) as session:
        rows = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.channel == "zalo", OutboxMessage.chat_id == chat_id)
            .order_by(OutboxMessage.id)  # type: ignore[arg-type]
        )
        return [row.text for row in rows]


async def talk(engine: DialogEngine, fake: FakeZalo, messages: list[tuple[str, str]]) -> int:
    """Send the messages through the adapter and the engine; return how many reached the engine."""
    store = InboundStore(engine.handle)
    handled: list[Inbound] = []

    async def handle(inbound: Inbound) -> None:
        await store.store(inbound)
        handled.append(inbound)

    for user, text in messages:
        fake.user_sends(user, text)
    channel = ZaloChannel(fake.token, fake.url, poll_timeout=1)
    task = asyncio.create_task(channel.poll(handle))
    try:
        # Zalo is asked for the next update only once the one before was handled.
        await soon(lambda: sum(m == "getUpdates" for m, _ in fake.calls) > len(messages))
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await channel.close()
    return len(handled)


async def test_a_principal_with_a_100_character_zalo_id_joins_and_talks(
    database: Engine, engine: DialogEngine
) -> None:
    """Zalo ids are opaque strings of any length: a 100-character one joins, gives her name
    and opens the menu, on SQLite and PostgreSQL alike."""
    code = invite(database, Role.FOCAL, "Trường TH An Hưng", engine.clock())
    fake = FakeZalo().start()
    try:
        messages = [(LONG_ID, code), (LONG_ID, "Trần Thị Bích"), (LONG_ID, "menu")]
        handled = await talk(engine, fake, messages)
    finally:
        fake.stop()

    assert handled == 3
    texts = texts_to(database, LONG_ID)
    assert any("Trường TH An Hưng" in text for text in texts)
    assert any("Cảm ơn anh/chị Trần Thị Bích" in text for text in texts)
    assert len(texts) >= 3
    with Session(database) as session:
        identity = session.exec(select(Identity).where(Identity.external_id == LONG_ID)).one()
        person = session.get(Person, identity.person_id)
    assert person is not None and person.name == "Trần Thị Bích"


async def test_an_id_longer_than_the_stored_width_is_refused_with_a_log_line(
    database: Engine, engine: DialogEngine, caplog: pytest.LogCaptureFixture
) -> None:
    """A 256-character id cannot be stored on either database: it is left out, and said so."""
    too_long = "a" * (EXTERNAL_ID_LENGTH + 1)
    code = invite(database, Role.FOCAL, "Thôn Đông", engine.clock())
    fake = FakeZalo().start()
    try:
        with caplog.at_level(logging.DEBUG, logger="bot.channels"):
            handled = await talk(engine, fake, [(too_long, code), (LONG_ID, "menu")])
    finally:
        fake.stop()

    assert handled == 1
    assert f"ignored: id longer than {EXTERNAL_ID_LENGTH} characters" in caplog.text
    assert code not in caplog.text
    assert texts_to(database, too_long) == []
    with Session(database) as session:
        stored = session.exec(select(Identity).where(Identity.external_id == too_long)).first()
    assert stored is None


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        (200, "<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html"),
        (200, '{"ok": true}', "application/json"),
        (200, '{"ok": true, "result": "busy"}', "application/json"),
        (403, '{"ok": false, "error_code": 403, "description": "Forbidden"}', "application/json"),
    ],
    ids=["html", "no-result", "result-text", "forbidden"],
)
async def test_a_bad_get_updates_answer_is_retried_after_a_pause(
    status: int, body: str, content_type: str
) -> None:
    """An answer holding no update is a passing fault: pause, ask again, go on serving."""
    pauses: list[float] = []

    async def pause(seconds: float) -> None:
        pauses.append(seconds)

    fake = FakeZalo().start()
    fake.answer_raw_next("getUpdates", status, body, content_type)
    fake.answer_raw_next("getUpdates", status, body, content_type)
    fake.user_sends(LONG_ID, "menu")
    handled: list[Inbound] = []

    async def handle(inbound: Inbound) -> None:
        handled.append(inbound)

    channel = ZaloChannel(fake.token, fake.url, poll_timeout=1, pause=pause)
    task = asyncio.create_task(channel.poll(handle))
    try:
        await soon(lambda: len(handled) == 1)
        assert not task.done()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await channel.close()
        fake.stop()

    assert [inbound.text for inbound in handled] == ["menu"]
    assert pauses == [1.0, 2.0]
