"""An announcement from the admin's chat to the people's phones, through a misbehaving Bot API.

The dialog queues it, the real sender and Telegram adapter deliver it against the fake API
(random 429s with retry_after, server errors, a blocked person, a vanished chat), and the
admin's delivery report names who could not be reached.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from sqlmodel import Session, select

from bot.channels.telegram import TelegramChannel
from bot.delivery import OutboxSender, Pace
from handlers.broadcast_report import queue_broadcast_reports
from storage.db import transaction
from storage.models import OutboxMessage, OutboxStatus, Role
from tests.support.chat import joined
from tests.support.fake_telegram import FakeTelegram
from tests.support.sending import Sleeper, identity, person_with_chat

ADMIN = 9001
PEOPLE = list(range(7001, 7013))
BLOCKED, VANISHED = 7003, 7008
MEETING = "Mời các đồng chí dự hội nghị triển khai Đề án xã hội học tập lúc 8h thứ Hai."


@pytest.fixture
def fake(clock) -> Iterator[FakeTelegram]:
    """A fake Bot API on the test's fake clock."""
    server = FakeTelegram(clock=lambda: clock.now.timestamp()).start()
    yield server
    server.stop()


@pytest.fixture
async def adapter(fake: FakeTelegram) -> AsyncIterator[TelegramChannel]:
    """The real Telegram adapter pointed at the fake."""
    channel = TelegramChannel(fake.token, fake.url, poll_timeout=1, send_timeout=2)
    yield channel
    await channel.close()


def pending(database) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    """Outbox rows not yet sent or failed."""
    with Session(database) as session:
        query = select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)
        return list(session.exec(query))


def copies(fake: FakeTelegram, chat: int) -> int:
    """How many copies of the announcement a chat holds."""
    return sum(MEETING in (message.get("text") or "") for message in fake.messages_to(chat))


async def test_everyone_reachable_gets_it_once_and_the_report_names_the_rest(
    engine, database, clock, fake, adapter
):
    """12 people, 20% refused with 429, two 500s, one blocked, one gone: 10 copies, a report."""
    admin = await joined(engine, Role.ADMIN, "Lê Thị Mai", external_id=str(ADMIN))
    for chat in PEOPLE:
        person_with_chat(database, str(chat))
    await admin.send("/thongbao")
    await admin.send(MEETING)
    await admin.tap("Tất cả mọi người")
    await admin.tap("Gửi")
    fake.refuse_randomly(0.2, seed=7, retry_after=3)
    fake.fail_next("sendMessage", 500, "Internal Server Error", count=2)
    fake.block(BLOCKED)
    fake.forget(VANISHED)

    def report() -> None:
        with transaction(database) as session:
            queue_broadcast_reports(session, "Asia/Ho_Chi_Minh", clock.now)

    outbox = OutboxSender(
        database,
        {"telegram": adapter},
        paces={"telegram": Pace(25, 1)},
        clock=clock,
        sleep=Sleeper(clock),
        on_pass=report,
    )
    for _ in range(60):
        await outbox.pass_once()
        waiting = [row.not_before for row in pending(database)]
        if not waiting:
            break
        clock.now = max(clock.now, min(waiting))

    assert pending(database) == []
    reachable = [chat for chat in PEOPLE if chat not in (BLOCKED, VANISHED)]
    assert {chat: copies(fake, chat) for chat in PEOPLE} == {
        chat: (1 if chat in reachable else 0) for chat in PEOPLE
    }
    assert outbox.stats["telegram"].limited > 0
    assert not identity(database, str(BLOCKED)).reachable
    assert not identity(database, str(VANISHED)).reachable
    [delivery_report] = [
        message["text"]
        for message in fake.messages_to(ADMIN)
        if "Không liên lạc được" in (message.get("text") or "")
    ]
    assert delivery_report.splitlines()[-2:] == [
        "Đã gửi tới 10/12 người.",
        "Không liên lạc được (2; đã chặn bot hoặc không còn dùng ứng dụng): "
        f"Người nhận {BLOCKED}, Người nhận {VANISHED}",
    ]
