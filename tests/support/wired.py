"""The bot's side of one chat app, wired as bot.app wires it, driven turn by turn.

The real channel adapter polls its fake Bot API into the dialog engine, and the outbox sender
sends what each turn queued through the same adapter, on the test's fake clock.
"""

from __future__ import annotations

import asyncio
import contextlib
from types import TracebackType

from bot.attachments import Attachments
from bot.channels.telegram import TelegramChannel
from bot.channels.zalo import ZaloChannel
from bot.delivery import OutboxSender, Pace
from handlers.engine import Engine as DialogEngine
from handlers.messages import Inbound
from tests.support.clock import FakeClock
from tests.support.sending import Sleeper

WAIT = 20.0
"""Only a guard against hanging."""


class Wired:
    """One channel polling into the engine, and the outbox sender sending through it."""

    def __init__(
        self,
        channel: TelegramChannel | ZaloChannel,
        engine: DialogEngine,
        clock: FakeClock,
        attachments: Attachments | None = None,
    ) -> None:
        self.channel, self.engine = channel, engine
        self.sender = OutboxSender(
            engine.database,
            {channel.name: channel},  # type: ignore[dict-item]
            paces={channel.name: Pace(rate=25, chat_rate=1)},
            clock=clock,
            sleep=Sleeper(clock),
            attachments=attachments,
        )
        self.handled = 0
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Wired:
        self._task = asyncio.create_task(self.channel.poll(self._handle))
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.channel.close()

    async def _handle(self, inbound: Inbound) -> None:
        await self.engine.handle(inbound)
        self.handled += 1

    async def handled_next(self) -> None:
        """Wait until the engine has handled one more event than before."""
        target = self.handled + 1

        async def done() -> None:
            while self.handled < target:
                await asyncio.sleep(0.005)

        await asyncio.wait_for(done(), WAIT)

    async def send_queued(self) -> None:
        """Send everything the outbox holds for this channel."""
        await self.sender.drain(self.channel.name)

    async def turn(self) -> None:
        """Wait for the event the person just caused to be handled, then send the replies."""
        await self.handled_next()
        await self.send_queued()
