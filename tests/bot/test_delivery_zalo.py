"""The outbox sender through the real Zalo adapter, against a fake Zalo Bot API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.channels.zalo import ZaloChannel
from bot.delivery import OutboxSender, Pace
from handlers.messages import PRIORITY_BROADCAST
from tests.support.fake_zalo import FakeZalo
from tests.support.sending import Sleeper, identity, person_with_chat, queue, row, rows

SECOND = dt.timedelta(seconds=1)


@pytest.fixture
def fake(clock) -> Iterator[FakeZalo]:
    """A fake Zalo API whose quota follows the test's fake clock."""
    server = FakeZalo(clock=lambda: clock.now.timestamp()).start()
    yield server
    server.stop()


@pytest.fixture
async def zalo(fake: FakeZalo) -> AsyncIterator[ZaloChannel]:
    """The real adapter pointed at the fake, answers awaited at most 1 s."""
    adapter = ZaloChannel(fake.token, fake.url, poll_timeout=1, send_timeout=1)
    yield adapter
    await adapter.close()


def sender(database, zalo: ZaloChannel, clock, rate=10.0, **options) -> OutboxSender:
    """A sender for the Zalo adapter on the fake clock, with a seeded jitter."""
    return OutboxSender(
        database,
        {"zalo": zalo},
        paces={"zalo": Pace(rate, 1)},
        clock=clock,
        sleep=Sleeper(clock),
        rng=random.Random(5),
        **options,
    )


async def send_everything(outbox: OutboxSender, database, clock, rounds: int = 60) -> None:
    """Drain, move the clock to the next due row, and again, until nothing is pending."""
    for _ in range(rounds):
        await outbox.drain("zalo")
        waiting = [r.not_before for r in rows(database) if r.status == "pending"]
        if not waiting:
            return
        clock.now = max(clock.now, min(waiting))
    raise AssertionError("rows still pending")


def broadcast(database, clock, chats: list[str]) -> None:
    """Queue one broadcast row to each Zalo chat, each to a registered person."""
    for chat in chats:
        person_with_chat(database, chat, channel="zalo")
        queue(database, chat, "Thông báo họp", clock.now, PRIORITY_BROADCAST, channel="zalo")


async def test_a_zalo_quota_429_backs_off_and_everyone_gets_it_once(database, clock, fake, zalo):
    """Zalo allows 5/s and names no delay; the sender tries 10/s: all 30 get it exactly once."""
    chats = [f"z{i:03d}" for i in range(30)]
    broadcast(database, clock, chats)
    fake.limit(5)
    outbox = sender(database, zalo, clock)

    await send_everything(outbox, database, clock)

    assert fake.too_many > 0
    assert outbox.stats["zalo"].limited == fake.too_many
    assert fake.sent_counts() == {chat: 1 for chat in chats}
    assert {r.status for r in rows(database)} == {"sent"}


async def test_a_zalo_429_waits_a_jittered_back_off_before_the_retry(database, clock, fake, zalo):
    """One 429 without a delay: the row is due again 1-2 s later, then goes once."""
    person_with_chat(database, "z001", channel="zalo")
    row_id = queue(database, "z001", "Nhắc hạn", clock.now, channel="zalo")
    fake.fail_next("sendMessage", 429, "Quota exceeded")
    outbox = sender(database, zalo, clock)
    start = clock.now

    await outbox.drain("zalo")

    stored = row(database, row_id)
    assert stored.status == "pending" and "429" in stored.last_error
    assert SECOND <= stored.not_before - start <= 2 * SECOND
    clock.now = stored.not_before
    await outbox.drain("zalo")
    assert row(database, row_id).status == "sent"
    assert fake.messages_to("z001") == ["Nhắc hạn"]


async def test_a_zalo_user_who_blocked_the_bot_ends_unreachable(database, clock, fake, zalo):
    """Of three people one blocked the bot: that row fails at once and the person is marked."""
    broadcast(database, clock, ["z001", "z002", "z003"])
    fake.block("z002")

    await sender(database, zalo, clock).drain("zalo")

    assert fake.sent_counts() == {"z001": 1, "z003": 1}
    assert [r.status for r in rows(database)] == ["sent", "failed", "sent"]
    assert not identity(database, "z002").reachable
    assert identity(database, "z001").reachable


async def test_a_long_zalo_message_resumes_after_the_parts_that_arrived(
    database, clock, fake, zalo
):
    """A 5,000-character notice goes as 3 texts; the 2nd gets a 500: the retry sends 2 and 3."""
    person_with_chat(database, "z001", channel="zalo")
    text = "\n\n".join(f"Mục {n}. " + "nội dung " * 30 for n in range(1, 20))
    row_id = queue(database, "z001", text, clock.now, channel="zalo")
    fake.fail_next("sendMessage", 500, "Internal server error", skip=1)
    outbox = sender(database, zalo, clock)

    await outbox.drain("zalo")
    assert row(database, row_id).parts_sent == 1
    clock.now = row(database, row_id).not_before
    await outbox.drain("zalo")

    sent = fake.messages_to("z001")
    assert len(sent) == 3
    assert " ".join(sent).split() == text.split()
    assert (row(database, row_id).status, row(database, row_id).parts_sent) == ("sent", 3)


async def test_a_slow_zalo_answer_counts_as_a_timeout_and_is_retried(database, clock, fake, zalo):
    """No answer within 1 s: the row stays pending with 'timed out' and goes on retry."""
    person_with_chat(database, "z001", channel="zalo")
    row_id = queue(database, "z001", "Lịch họp", clock.now, channel="zalo")
    fake.slow_next("sendMessage", 2)
    outbox = sender(database, zalo, clock)

    await outbox.drain("zalo")
    stored = row(database, row_id)
    assert (stored.status, stored.last_error) == ("pending", "Zalo send failed: timed out")
    clock.now = stored.not_before
    await outbox.drain("zalo")

    assert row(database, row_id).status == "sent"
    assert await _eventually(fake, lambda: len(fake.messages_to("z001")) == 2)


async def _eventually(fake: FakeZalo, predicate) -> bool:
    """Wait, off the event loop, until the fake sees `predicate` hold."""
    return await asyncio.to_thread(fake.wait_for, predicate)
