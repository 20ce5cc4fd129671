"""A slow database and long work in the background: other chats are still answered meanwhile.

The bot is wired as `bot.app.serve` wires it (channels polling the fake Bot APIs, the inbound
store and its worker thread, the outbox sender) and the long work runs the way the bot runs
it: the reminder pass through the scheduler's job, a broadcast through the admin's taps. The
tests assert the order of events (the reply arrived while the work was still going), never a
duration.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from sqlalchemy import Engine, event, func, insert, update
from sqlmodel import Session, SQLModel, col, select

import bot.scheduler
import handlers.broadcast_fanout
import handlers.reminders
from bot.app import pass_on
from bot.channels.base import Channel
from bot.channels.telegram import TelegramChannel
from bot.channels.zalo import ZaloChannel
from bot.delivery import OutboxSender
from bot.inbound import InboundStore, Worker
from bot.scheduler import FANOUT_EVERY, fanout_job, reminder_job
from handlers.engine import Engine as DialogEngine
from handlers.messages import PRIORITY_BROADCAST, PRIORITY_REPLY, Inbound
from handlers.reminder_policy import ReminderPolicy
from storage.broadcasts import unfinished_fanouts
from storage.models import (
    Assignment,
    Directive,
    Identity,
    OutboxMessage,
    OutboxStatus,
    Person,
    Role,
    Unit,
)
from tests.support.assignments import local
from tests.support.broadcasts import up_to_preview
from tests.support.chat import joined
from tests.support.fake_telegram import FakeTelegram
from tests.support.fake_zalo import FakeZalo
from tests.support.sending import queue

WAIT = 60.0
"""Only a guard against hanging; nothing is asserted about how long anything took."""
STATEMENT_DELAY = 0.03
"""Seconds every statement waits before it reaches the database."""
VILLAGES = 3000
"""Villages with a focal point each, on Telegram: the crowd the long work is for."""
FIRST_ID = 100_000
"""Ids of the seeded crowd: far above what the tables' own sequences hand out in a test."""
FIRST_CHAT = 8_100_000_000
HEAD, ADMIN = 4_200_000_001, 4_200_000_002
HEAD_ZALO = "d3a1b2c4e5f60718"
MORNING = local(27, 8, 30)
"""08:30 on 27/03: the due-day reminder of a directive due that day is due."""
POLICY = ReminderPolicy.parse(weekly_digest="off")
FOCAL_MENU = "Báo cáo tiến độ"
"""The first entry of a focal point's menu."""


def _table(model: type[SQLModel]) -> Any:
    return model.__table__  # type: ignore[attr-defined]


def seed_villages(database: Engine, count: int) -> None:
    """Seed `count` villages, each with a focal point on Telegram and one open assignment of a
    directive due on 27/03, in a few bulk statements."""
    made = local(1, 9)
    ids = range(FIRST_ID, FIRST_ID + count)
    units = [
        {
            "id": n,
            "name": f"Thôn số {n}",
            "kind": "village",
            "created_at": made,
            "archived_at": None,
        }
        for n in ids
    ]
    people = [
        {
            "id": n,
            "name": f"Đầu mối {n}",
            "role": "focal",
            "unit_id": n,
            "locale": "vi",
            "created_at": made,
            "removed_at": None,
            "preferred_channel": "",
        }
        for n in ids
    ]
    chats = [
        {
            "id": n,
            "person_id": n,
            "channel": "telegram",
            "external_id": str(FIRST_CHAT + n),
            "chat_id": str(FIRST_CHAT + n),
            "reachable": True,
            "unreachable_reason": "",
            "created_at": made,
            "last_seen_at": None,
        }
        for n in ids
    ]
    directive = {
        "id": FIRST_ID,
        "number": "27/UBND",
        "issued_on": dt.date(2026, 3, 2),
        "subject": "Tổng kết năm học tập",
        "content": "",
        "file_ref": "",
        "file_name": "",
        "deadline": dt.date(2026, 3, 27),
        "created_by": None,
        "created_at": made,
    }
    assignments = [
        {
            "id": n,
            "directive_id": FIRST_ID,
            "unit_id": n,
            "status": "not_started",
            "reported_at": None,
        }
        for n in ids
    ]
    with Session(database) as session:
        for model, rows in [
            (Unit, units),
            (Person, people),
            (Identity, chats),
            (Directive, [directive]),
            (Assignment, assignments),
        ]:
            session.execute(insert(_table(model)), rows)
        session.commit()


def delivered_so_far(database: Engine) -> None:
    """Mark everything queued so far as sent: the joining conversations happened earlier."""
    with Session(database) as session:
        session.execute(update(_table(OutboxMessage)).values(status=OutboxStatus.SENT.value))
        session.commit()


@contextlib.contextmanager
def slowed(database: Engine, seconds: float = STATEMENT_DELAY) -> Iterator[None]:
    """Make every statement on `database` wait `seconds` before it runs, for the block.

    Every statement, from every thread: a slow disk or a far database is slow for the chat's
    own handling and the sender too, not only for the long work, so the test shows that the
    chat gets its turn while the work goes on, not that it is favoured.
    """

    def wait(*_args: object) -> None:
        time.sleep(seconds)

    event.listen(database, "before_cursor_execute", wait)
    try:
        yield
    finally:
        event.remove(database, "before_cursor_execute", wait)


class Timeline:
    """What happened, in the order it happened, from any thread."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self._lock = threading.Lock()
        self.started = threading.Event()

    def note(self, what: str) -> None:
        """Add one event."""
        with self._lock:
            self.events.append(what)

    def around(self, name: str, work: Callable[..., Any]) -> Callable[..., Any]:
        """Wrap `work` so that its start and end are noted as '<name> started/ended'."""

        def observed(*args: Any, **kwargs: Any) -> Any:
            self.note(f"{name} started")
            self.started.set()
            try:
                return work(*args, **kwargs)
            finally:
                self.note(f"{name} ended")

        return observed

    async def wait_started(self) -> None:
        """Wait (without blocking the loop) until the observed work has started."""
        assert await asyncio.to_thread(self.started.wait, WAIT), "the work never started"


@contextlib.asynccontextmanager
async def running_bot(
    database: Engine, channels: dict[str, Channel]
) -> AsyncIterator[asyncio.Event]:
    """Run the bot as `bot.app.serve` does, minus the scheduler; yield the sender's wake-up.

    The channels poll and hand each message to one inbound store on its worker thread; what
    the engine queued wakes the outbox sender, which sends it on the same channels.
    """
    sender = OutboxSender(database, channels)
    engine = DialogEngine(database, hand_off=sender.lease)
    wake = asyncio.Event()
    worker = Worker()
    store = InboundStore(engine.handle, worker=worker)

    async def on_inbound(inbound: Inbound) -> None:
        pass_on(await store.store(inbound), sender, wake)

    for channel in channels.values():
        await channel.start()
    tasks = [asyncio.create_task(channel.poll(on_inbound)) for channel in channels.values()]
    tasks.append(asyncio.create_task(sender.run(wake)))
    try:
        yield wake
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        worker.close()
        for channel in channels.values():
            await channel.close()


async def every(period: dt.timedelta, job: Callable[..., Any], database: Engine,
                wake: asyncio.Event) -> None:
    """Run a scheduler job on `database` every `period`, as the scheduler would."""
    while True:
        await job(database, POLICY, wake)
        await asyncio.sleep(period.total_seconds())


def menu_sent(fake: FakeTelegram, chat_id: int) -> bool:
    """Whether the bot has sent this Telegram chat a focal point's menu."""
    return any(
        FOCAL_MENU in str(sent.get("reply_markup", "")) for sent in fake.messages_to(chat_id)
    )


def until(predicate: Callable[[], bool], timeout: float) -> bool:
    """Poll `predicate` until it holds; False after `timeout` seconds (a guard, not a limit)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def last_row_id(database: Engine) -> int:
    """The id of the newest outbox row (0 if none)."""
    with Session(database) as session:
        return session.exec(select(func.max(OutboxMessage.id))).one() or 0


def count_rows(database: Engine, *where: Any) -> int:
    """How many outbox rows match."""
    with Session(database) as session:
        return session.exec(select(func.count()).select_from(OutboxMessage).where(*where)).one()


async def test_a_village_head_gets_the_menu_while_the_reminder_pass_crawls(
    database: Engine, monkeypatch: Any
) -> None:
    """While the morning reminder pass for 3,000 villages crawls through a slow database, the
    head of Thôn Đông asks for /menu on Telegram and gets it before the pass has ended."""
    await joined(
        DialogEngine(database), Role.FOCAL, "Nguyễn Văn An", unit="Thôn Đông", external_id=str(HEAD)
    )
    seed_villages(database, VILLAGES)
    delivered_so_far(database)
    # The real batch (10,000 assignments) would need a crowd too big for a quick test; smaller
    # batches keep the pass what it is in the commune: several transactions, one after another.
    monkeypatch.setattr(handlers.reminders, "BATCH", VILLAGES // 6)
    timeline = Timeline()
    monkeypatch.setattr(
        bot.scheduler, "reminder_pass", timeline.around("pass", bot.scheduler.reminder_pass)
    )
    fake = FakeTelegram().start()
    try:
        with slowed(database):
            channel = TelegramChannel(fake.token, fake.url, poll_timeout=1)
            async with running_bot(database, {"telegram": channel}) as wake:
                job = asyncio.create_task(
                    reminder_job(database, POLICY, wake, clock=lambda: MORNING)
                )
                await timeline.wait_started()
                fake.user_sends(HEAD, "/menu")
                assert await fake.until(lambda: menu_sent(fake, HEAD), WAIT)
                timeline.note("menu answered")
                summary = await asyncio.wait_for(job, WAIT)
    finally:
        fake.stop()

    assert timeline.events == ["pass started", "menu answered", "pass ended"]
    assert (summary.reminders, summary.messages, summary.failed) == (VILLAGES, VILLAGES, 0)
    reminders = col(OutboxMessage.idempotency_key).like("assignment:%:due-day:%")
    assert count_rows(database, reminders) == VILLAGES


async def test_a_village_head_gets_the_menu_while_a_broadcast_fans_out(
    database: Engine, monkeypatch: Any
) -> None:
    """The office sends an announcement to everyone, 3,000 villages, through a slow database;
    her tap queues the first recipients and the fan-out job the rest, batch by batch;
    meanwhile the head of Thôn Đông asks for the menu on Zalo and gets it before the
    announcement has been queued for all."""
    engine = DialogEngine(database)
    admin = await joined(engine, Role.ADMIN, "Trần Thị Mai", external_id=str(ADMIN))
    await joined(
        engine, Role.FOCAL, "Nguyễn Văn An", unit="Thôn Đông", channel="zalo", external_id=HEAD_ZALO
    )
    seed_villages(database, VILLAGES)
    delivered_so_far(database)
    # The preview is still to be sent: the running bot sends it, and she taps its button.
    await up_to_preview(admin, "Tất cả mọi người", "Họp dân 19:30 tại nhà văn hoá.")
    [send] = [cid for cid, label in admin.choices if label == "Gửi"]
    # Batches of 100 rather than 500: the same work in more transactions, so the fan-out
    # takes long enough, even on a fast machine, for another chat to come in between.
    monkeypatch.setattr(handlers.broadcast_fanout, "FANOUT_BATCH", 100)
    timeline = Timeline()
    fan_out_rest = bot.scheduler.fan_out_pending

    def observed(*args: Any, **kwargs: Any) -> int:
        # The job runs every few seconds; only a run that finds work is the fan-out.
        with Session(database) as session:
            if not unfinished_fanouts(session):
                return 0
        return timeline.around("fan-out", fan_out_rest)(*args, **kwargs)

    monkeypatch.setattr(bot.scheduler, "fan_out_pending", observed)
    # Her answer as queued, not as sent: how fast the sender serves Zalo is not the question.
    menu_reply = (
        OutboxMessage.chat_id == HEAD_ZALO,
        OutboxMessage.priority == PRIORITY_REPLY,
        col(OutboxMessage.id) > last_row_id(database),
    )
    telegram, zalo = FakeTelegram().start(), FakeZalo().start()
    try:
        with slowed(database):
            channels: dict[str, Channel] = {
                "telegram": TelegramChannel(telegram.token, telegram.url, poll_timeout=1),
                "zalo": ZaloChannel(zalo.token, zalo.url, poll_timeout=1),
            }
            async with running_bot(database, channels) as wake:
                # The scheduler's fan-out job, as often as the scheduler runs it.
                fanning = asyncio.create_task(every(FANOUT_EVERY, fanout_job, database, wake))
                assert await telegram.until(
                    lambda: (send, "Gửi") in telegram.last_buttons(ADMIN), WAIT
                )
                telegram.user_taps(ADMIN, send)
                await timeline.wait_started()
                zalo.user_sends(HEAD_ZALO, "menu")
                assert await asyncio.to_thread(
                    until, lambda: count_rows(database, *menu_reply) > 0, WAIT
                )
                timeline.note("menu answered")
                assert await telegram.until(
                    lambda: any(
                        "Đang gửi" in m.get("text", "") for m in telegram.messages_to(ADMIN)
                    ),
                    WAIT,
                )
                assert await asyncio.to_thread(
                    until, lambda: "fan-out ended" in timeline.events, WAIT
                )
                fanning.cancel()
    finally:
        telegram.stop()
        zalo.stop()

    assert timeline.events == ["fan-out started", "menu answered", "fan-out ended"]
    # Everyone but the admin herself: the crowd and the head of Thôn Đông.
    assert count_rows(database, col(OutboxMessage.broadcast_id).is_not(None)) == VILLAGES + 1


async def test_a_zalo_head_gets_the_menu_while_an_announcement_still_goes_out_on_telegram(
    database: Engine,
) -> None:
    """An announcement is still going out to 40 Telegram chats at the sender's pace when the
    head of Thôn Đông asks for the menu on Zalo: she gets it before the announcement is out."""
    await joined(
        DialogEngine(database),
        Role.FOCAL,
        "Nguyễn Văn An",
        unit="Thôn Đông",
        channel="zalo",
        external_id=HEAD_ZALO,
    )
    delivered_so_far(database)
    # No slowed database here: the sending of the announcement is the long work.
    now = dt.datetime.now(dt.UTC)
    chats = [FIRST_CHAT + n for n in range(40)]
    for chat in chats:
        queue(database, str(chat), "📢 Họp dân 19:30 tại nhà văn hoá.", now, PRIORITY_BROADCAST)
    telegram, zalo = FakeTelegram().start(), FakeZalo().start()
    # Each send takes as long as a real one over the internet, so a send is always in flight.
    telegram.slow_next("sendMessage", 0.3, count=len(chats))

    def announced() -> int:
        return sum(bool(telegram.messages_to(chat)) for chat in chats)

    try:
        channels: dict[str, Channel] = {
            "telegram": TelegramChannel(telegram.token, telegram.url, poll_timeout=1),
            "zalo": ZaloChannel(zalo.token, zalo.url, poll_timeout=1),
        }
        async with running_bot(database, channels):
            assert await telegram.until(lambda: announced() > 0, WAIT)
            zalo.user_sends(HEAD_ZALO, "menu")
            assert await asyncio.to_thread(
                zalo.wait_for,
                lambda: any(FOCAL_MENU in text for text in zalo.messages_to(HEAD_ZALO)),
                WAIT,
            )
            # Counted as her menu arrives: how far the announcement had got by then.
            announced_by_then = announced()
            assert await telegram.until(lambda: announced() == len(chats), WAIT)
    finally:
        telegram.stop()
        zalo.stop()

    assert 0 < announced_by_then < len(chats), "the menu came only once the announcement was out"
