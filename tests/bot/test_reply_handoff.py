"""Replies handed to the sender with their event: leased at insert, sent without a claim."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import Engine

from bot.app import pass_on
from bot.delivery import OutboxSender, Pace
from bot.outbox_rows import claim
from handlers.engine import Engine as DialogEngine
from handlers.engine import Handled
from handlers.messages import PRIORITY_BROADCAST, Inbound
from storage.models import OutboxStatus, Role
from tests.support.chat import Chat, joined
from tests.support.clock import FakeClock
from tests.support.sending import ScriptedChannel, Sleeper, queue, row

LEASE = dt.timedelta(seconds=60)


class CountingSender(OutboxSender):
    """An outbox sender that counts its claims."""

    claims = 0

    def claim(self, channel: str, limit: int | None = None):  # type: ignore[no-untyped-def]
        """Claim as usual, counting the call."""
        self.claims += 1
        return super().claim(channel, limit)


def sender(database: Engine, clock: FakeClock, *channels: ScriptedChannel) -> CountingSender:
    """A counting sender for scripted channels on the fake clock."""
    return CountingSender(
        database,
        {channel.name: channel for channel in channels},
        paces={channel.name: Pace(rate=25, chat_rate=1) for channel in channels},
        clock=clock,
        sleep=Sleeper(clock),
    )


async def village_head(
    database: Engine, clock: FakeClock, channel: str = "telegram", unit: str = "Thôn Đông"
) -> Chat:
    """A focal point who joined earlier (her welcome long sent), on an engine that hands over."""
    head = await joined(
        DialogEngine(database, clock=clock), Role.FOCAL, "Nguyễn Văn An", unit=unit, channel=channel
    )
    await sender(database, clock, ScriptedChannel(clock, name=channel)).drain(channel)
    head.engine = DialogEngine(database, clock=clock, hand_off=LEASE)
    return head


async def handled(chat: Chat, text: str) -> Handled:
    """What the engine returns for one message of this chat."""
    result = await chat.engine.handle(
        Inbound(
            channel=chat.channel,
            external_id=chat.external_id,
            chat_id=chat.external_id,
            message_key=f"{chat.channel}:handoff:{text}:{chat.engine.clock().timestamp()}",
            at=chat.engine.clock(),
            text=text,
        )
    )
    assert isinstance(result, Handled)
    return result


async def test_the_menu_reply_is_leased_at_insert_and_sent_without_a_claim(database, clock):
    """The village head sends /menu: the reply is stored leased to the sender, which sends it
    at once without claiming anything, and the row ends up sent."""
    head = await village_head(database, clock)
    channel = ScriptedChannel(clock)
    outbox = sender(database, clock, channel)
    await outbox.drain("telegram")  # the sender's first pass, with nothing to send
    claims = outbox.claims

    menu = await handled(head, "/menu")

    assert len(menu.handed) == len(menu) == 1 and not menu.unclaimed
    assert row(database, menu[0]).leased_until is not None
    outbox.hand_over(menu.handed)
    assert await outbox.drain("telegram", claim=False) == 1
    assert outbox.claims == claims
    assert channel.attempts[0].chat_id == head.external_id
    assert row(database, menu[0]).status == OutboxStatus.SENT


async def test_a_reply_waiting_unsent_goes_first_by_the_claim(database, clock):
    """An earlier reply to the head was given back unsent (say, during a pause). Her next
    message's reply is not handed over: the claim sends the two replies in their order."""
    head = await village_head(database, clock)
    channel = ScriptedChannel(clock)
    outbox = sender(database, clock, channel)
    earlier = queue(database, head.external_id, "trả lời trước", clock.now)

    menu = await handled(head, "/menu")

    assert menu.handed == [] and menu.unclaimed
    assert row(database, menu[0]).leased_until is None
    channel.attempts.clear()
    await outbox.drain("telegram")
    first, second = channel.attempts
    assert first.text == "trả lời trước" and second.text != first.text
    assert row(database, earlier).status == row(database, menu[0]).status == OutboxStatus.SENT


async def test_announcements_waiting_for_the_chat_do_not_stop_the_hand_over(database, clock):
    """A broadcast to the head is still queued; her /menu reply is handed over all the same
    (replies always went before announcements), and the broadcast is not lost."""
    head = await village_head(database, clock)
    channel = ScriptedChannel(clock)
    outbox = sender(database, clock, channel)
    notice = queue(database, head.external_id, "thông báo", clock.now, PRIORITY_BROADCAST)

    menu = await handled(head, "/menu")

    assert len(menu.handed) == 1
    outbox.hand_over(menu.handed)
    await outbox.drain("telegram", claim=False)
    await outbox.drain("telegram")
    assert row(database, menu[0]).status == row(database, notice).status == OutboxStatus.SENT
    assert channel.attempts[-1].text == "thông báo"


async def test_replies_handed_to_a_sender_without_their_app_are_given_back(database, clock):
    """A Zalo reply handed to a sender that only sends Telegram is released at once, so the
    sender that serves Zalo claims it instead of waiting out the lease."""
    head = await village_head(database, clock, channel="zalo", unit="Thôn Tây")
    outbox = sender(database, clock, ScriptedChannel(clock))

    menu = await handled(head, "menu")
    outbox.hand_over(menu.handed)

    for _ in range(200):
        if row(database, menu[0]).leased_until is None:
            break
        await asyncio.sleep(0.01)
    assert row(database, menu[0]).leased_until is None
    assert [taken.id for taken in claim(database, "zalo", clock.now, 10)] == [menu[0]]


async def test_the_running_sender_sends_a_handed_reply_without_a_wake_up(database, clock):
    """With the sender running and nobody waking it, a handed reply still goes out, and no
    claim is made for it."""
    head = await village_head(database, clock)
    channel = ScriptedChannel(clock)
    outbox = CountingSender(
        database,
        {"telegram": channel},
        paces={"telegram": Pace(rate=25, chat_rate=1)},
        clock=clock,
    )
    wake = asyncio.Event()
    running = asyncio.create_task(outbox.run(wake, idle_seconds=3600))
    try:
        for _ in range(500):
            if outbox.claims:
                break
            await asyncio.sleep(0.01)
        claims_before = outbox.claims
        menu = await handled(head, "/menu")
        pass_on(menu, outbox, wake)
        assert not wake.is_set()
        for _ in range(500):
            if row(database, menu[0]).status == OutboxStatus.SENT:
                break
            await asyncio.sleep(0.01)
    finally:
        running.cancel()
    assert row(database, menu[0]).status == OutboxStatus.SENT
    assert outbox.claims == claims_before
