"""The outbox sender: claims queued rows per channel, sends them, records the outcome."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Mapping

from sqlalchemy import Engine, or_
from sqlmodel import Session, col, select

from bot.channels.base import Channel, Delivery, SendResult
from storage.db import transaction
from storage.models import Identity, OutboxMessage, OutboxStatus, utcnow

log = logging.getLogger(__name__)

LEASE = dt.timedelta(seconds=60)
MAX_ATTEMPTS = 12
MAX_BACKOFF = dt.timedelta(minutes=10)


class OutboxSender:
    """Drains the outbox of each channel, highest priority (lowest number) first."""

    def __init__(
        self,
        database: Engine,
        channels: Mapping[str, Channel],
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        batch: int = 20,
    ) -> None:
        self.database = database
        self.channels = channels
        self.clock = clock
        self.batch = batch

    def claim(self, channel: str) -> list[OutboxMessage]:
        """Lease the next due rows of a channel, so no other sender takes them meanwhile."""
        now = self.clock()
        with transaction(self.database) as session:
            query = (
                select(OutboxMessage)
                .where(
                    OutboxMessage.channel == channel,
                    OutboxMessage.status == OutboxStatus.PENDING,
                    OutboxMessage.not_before <= now,
                    or_(
                        col(OutboxMessage.leased_until).is_(None),
                        col(OutboxMessage.leased_until) < now,
                    ),
                )
                .order_by(col(OutboxMessage.priority), col(OutboxMessage.id))
                .limit(self.batch)
                .with_for_update(skip_locked=True)
            )
            rows = list(session.exec(query))
            for row in rows:
                row.leased_until = now + LEASE
                session.add(row)
        return rows

    async def drain(self, channel: str) -> int:
        """Send every due row of one channel; return how many were attempted."""
        attempted = 0
        while rows := self.claim(channel):
            for row in rows:
                result = await self._send(channel, row)
                self.record(row.id or 0, result)
                attempted += 1
        return attempted

    async def run(self, wake: asyncio.Event, idle_seconds: float = 1.0) -> None:
        """Drain all channels whenever woken, and at least every `idle_seconds`."""
        while True:
            wake.clear()
            for name in self.channels:
                try:
                    await self.drain(name)
                except Exception:
                    log.exception("outbox drain failed for %s", name)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), idle_seconds)

    async def _send(self, channel: str, row: OutboxMessage) -> SendResult:
        delivery = Delivery(
            chat_id=row.chat_id,
            text=row.text,
            choices=[(cid, label) for cid, label in row.choices],
            photo=row.photo,
            document=row.document,
            locale=row.locale,
        )
        try:
            return await self.channels[channel].send(delivery)
        except Exception as error:  # an adapter bug must not stop the queue
            log.exception("send failed for outbox row %s", row.id)
            return SendResult(ok=False, error=type(error).__name__)

    def record(self, row_id: int, result: SendResult) -> None:
        """Store how sending a row went: sent, failed for good, or due again later."""
        now = self.clock()
        with transaction(self.database) as session:
            row = session.get(OutboxMessage, row_id)
            if row is None:
                return
            row.attempts += 1
            row.leased_until = None
            row.last_error = result.error[:500]
            if result.ok:
                row.status, row.sent_at = OutboxStatus.SENT, now
            elif result.final or row.attempts >= MAX_ATTEMPTS:
                row.status = OutboxStatus.FAILED
                if result.unreachable:
                    mark_unreachable(session, row.channel, row.chat_id, result.error)
            else:
                row.not_before = now + _delay(row.attempts, result.retry_after)
            session.add(row)


def mark_unreachable(session: Session, channel: str, chat_id: str, reason: str) -> None:
    """Flag the chat accounts behind a chat as unreachable, for the admins to see."""
    query = select(Identity).where(Identity.channel == channel, Identity.chat_id == chat_id)
    for identity in session.exec(query):
        identity.reachable = False
        identity.unreachable_reason = reason[:200]
        session.add(identity)


def _delay(attempts: int, retry_after: float | None) -> dt.timedelta:
    if retry_after is not None:
        return dt.timedelta(seconds=retry_after)
    return min(dt.timedelta(seconds=2**attempts), MAX_BACKOFF)
