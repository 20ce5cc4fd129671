"""Inbound events through a database outage or lock: held in order, never lost, loop alive."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from bot.channels.base import Delivery
from bot.channels.telegram import TelegramChannel
from bot.channels.zalo import ZaloChannel
from bot.inbound import InboundStore, OutageLogFilter, Worker
from handlers.engine import Engine as DialogEngine
from handlers.messages import Inbound
from storage.db import StorageUnavailable
from storage.models import OutboxMessage, Role
from tests.support.chat import joined
from tests.support.databases import sqlite_database
from tests.support.fake_telegram import FakeTelegram
from tests.support.fake_zalo import FakeZalo

BINH = 5123456789
BICH = "6ede9afa66b88fe6d6a9"


class FlakyDatabase:
    """Stands in for Engine.handle: refuses with StorageUnavailable while `down`."""

    def __init__(self) -> None:
        self.down = True
        self.tries = 0
        self.stored: list[Inbound] = []

    async def handle(self, inbound: Inbound) -> list[int]:
        """Store the event, or fail as the engine does when the database is unreachable."""
        self.tries += 1
        if self.down:
            raise StorageUnavailable("OperationalError")
        self.stored.append(inbound)
        return []


async def soon(predicate: Callable[[], bool]) -> None:
    """Wait until `predicate()` holds; fail after 10 s rather than hang."""
    async def check() -> None:
        while not predicate():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(check(), 10)


@contextlib.asynccontextmanager
async def polling(
    channel: TelegramChannel | ZaloChannel, store: InboundStore
) -> AsyncIterator[None]:
    """Run the channel's poll loop, handing events to `store`, for the block."""
    task = asyncio.create_task(channel.poll(store.store))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await channel.close()


def outage_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The log lines about the database going away and coming back."""
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("database ")]


async def test_telegram_updates_wait_unconfirmed_through_an_outage_then_come_in_order(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Bình reports, taps "Xác nhận" and asks for the menu while the database is down: nothing
    is confirmed to Telegram; once it is back all three are stored in the order sent."""
    fake = FakeTelegram().start()
    database = FlakyDatabase()
    store = InboundStore(database.handle, first_delay=0.01, last_delay=0.05)
    channel = TelegramChannel(fake.token, fake.url, poll_timeout=1)
    try:
        await channel.send(Delivery(str(BINH), "Xác nhận?", [("4.yes", "Xác nhận")]))
        sent = [fake.user_sends(BINH, "Đã hoàn thành"), fake.user_taps(BINH, "4.yes")]
        sent.append(fake.user_sends(BINH, "menu"))
        with caplog.at_level(logging.INFO):
            async with polling(channel, store):
                await soon(lambda: database.tries >= 10)
                assert database.stored == []
                assert fake.unconfirmed() == sent
                assert len(fake.calls_to("getUpdates")) == 1
                database.down = False
                await soon(lambda: len(database.stored) == 3)
                await fake.until(lambda: fake.unconfirmed() == [])
    finally:
        fake.stop()

    assert [(i.text, i.choice) for i in database.stored] == [
        ("Đã hoàn thành", ""),
        ("", "4.yes"),
        ("menu", ""),
    ]
    assert fake.unconfirmed() == []
    [down, back] = outage_lines(caplog)
    assert down.startswith("database unavailable") and "holding inbound messages" in down
    assert back.startswith("database back after")
    assert "Traceback" not in caplog.text


async def test_zalo_holds_the_fetched_message_through_an_outage_and_fetches_no_more(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Zalo hands a message out once: it is kept in memory and retried, the next one waits."""
    fake = FakeZalo().start()
    database = FlakyDatabase()
    store = InboundStore(database.handle, first_delay=0.01, last_delay=0.05)
    try:
        fake.user_sends(BICH, "Đã hoàn thành")
        fake.user_sends(BICH, "menu")
        with caplog.at_level(logging.INFO):
            async with polling(ZaloChannel(fake.token, fake.url, poll_timeout=1), store):
                await soon(lambda: database.tries >= 10)
                assert [method for method, _ in fake.calls] == ["getUpdates"]
                database.down = False
                await soon(lambda: len(database.stored) == 2)
    finally:
        fake.stop()

    assert [inbound.text for inbound in database.stored] == ["Đã hoàn thành", "menu"]
    assert len(outage_lines(caplog)) == 2


async def test_a_locked_sqlite_file_does_not_stop_the_event_loop(
    template_dir: Path, tmp_path: Path
) -> None:
    """Another program holds the write lock: while the message waits for it, the loop goes on
    ticking (polling and sending live on it); once the lock goes the message is answered."""
    url, database = sqlite_database(template_dir, tmp_path)
    # A short busy timeout only so that a loop-blocking store fails this test quickly.
    event.listen(database, "connect", lambda conn, _r: conn.execute("PRAGMA busy_timeout=2000"))
    engine = DialogEngine(database)
    await joined(engine, Role.FOCAL, "Trần Thị Bích", channel="zalo", external_id=BICH)
    storing = threading.Event()

    async def handle(inbound: Inbound) -> list[int]:
        storing.set()
        try:
            return await engine.handle(inbound)
        finally:
            storing.clear()

    worker = Worker()
    store = InboundStore(handle, worker=worker, first_delay=0.05)
    lock = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    message = Inbound("zalo", BICH, BICH, "zalo:locked1", dt.datetime.now(dt.UTC), text="menu")
    try:
        task = asyncio.create_task(store.store(message))
        ticks_while_storing = 0
        for _ in range(100):
            await asyncio.sleep(0.01)
            ticks_while_storing += storing.is_set()
            if ticks_while_storing == 5:
                break
        assert ticks_while_storing == 5, "the event loop stood still while the store waited"
        assert not task.done()
    finally:
        lock.execute("COMMIT")
        lock.close()
    replies = await asyncio.wait_for(task, 30)
    worker.close()

    assert replies
    with Session(database) as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == BICH)).all()
    assert [row.id for row in rows][-len(replies) :] == replies
    database.dispose()


def test_outage_tracebacks_of_a_busy_loop_become_one_line_a_minute(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The outbox sender fails every second while the database is away: the log gets one
    short line for it, not a traceback a second; other errors keep their traceback."""
    now = [0.0]
    logger = logging.getLogger("tests.busy_loop")
    quiet = OutageLogFilter(clock=lambda: now[0])
    logger.addFilter(quiet)
    outage = OperationalError("SELECT 1", {}, Exception("connection refused"))
    try:
        with caplog.at_level(logging.ERROR, logger="tests.busy_loop"):
            for second in range(70):
                now[0] = float(second)
                try:
                    raise outage
                except OperationalError:
                    logger.exception("outbox drain failed for %s", "zalo")
            try:
                raise KeyError("row")
            except KeyError:
                logger.exception("outbox drain failed for %s", "zalo")
    finally:
        logger.removeFilter(quiet)

    lines = [record.getMessage() for record in caplog.records]
    assert lines == [
        "outbox drain failed for zalo: database unavailable (OperationalError)",
        "outbox drain failed for zalo: database unavailable (OperationalError)",
        "outbox drain failed for zalo",
    ]
    assert [record.exc_info is None for record in caplog.records] == [True, True, False]
