"""Telegram long polling on raw updates: one unreadable update never stops the ones behind it.

Updates are fetched as plain JSON through the Bot's own getUpdates connection, not parsed by
python-telegram-bot: its parser raises on one odd update (a date that is not a number, a chat
without type) and the whole batch, every later update and the process with it, would be lost.
Each update is read on its own; one that cannot be read is logged without its content and
confirmed like any other.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from telegram.error import InvalidToken, RetryAfter, TelegramError
from telegram.request import BaseRequest

from bot.channels.base import InboundHandler
from bot.channels.telegram_updates import to_inbound

log = logging.getLogger("bot.channels.telegram")

ALLOWED_UPDATES = ["message", "callback_query"]
MAX_BACKOFF = 30.0
Sleep = Callable[[float], Awaitable[Any]]
Answer = Callable[[str], Awaitable[None]]
Describe = Callable[[TelegramError], str]


class BadAnswer(Exception):
    """getUpdates answered something that is not a list of updates."""


class UpdatePoller:
    """Fetches raw updates with `request` from `url` and hands each over before confirming it."""

    def __init__(
        self,
        request: BaseRequest,
        url: str,
        *,
        poll_timeout: int,
        sleep: Sleep,
        describe: Describe,
        answer_tap: Answer,
        bot_id: str = "",
    ) -> None:
        self._request = request
        self._url = url
        self.poll_timeout = poll_timeout
        self._sleep = sleep
        self._describe = describe
        self._answer_tap = answer_tap
        self.bot_id = bot_id
        self.offset: int | None = None
        # Answers still on their way; held so the tasks are not collected before they finish.
        self._answering: set[asyncio.Task[None]] = set()

    async def fetch(self, timeout: int, limit: int | None = None) -> list[Any]:
        """One getUpdates call from the current offset; raises on any answer but a list."""
        params: dict[str, Any] = {"timeout": timeout}
        params["allowed_updates"] = json.dumps(ALLOWED_UPDATES)
        if self.offset is not None:
            params["offset"] = self.offset
        if limit is not None:
            params["limit"] = limit
        # The Bot API reads parameters from the query string of a POST as well as from its body.
        url = f"{self._url}?{urlencode(params)}"
        try:
            result = await self._request.post(url, read_timeout=timeout + 10)
        except TelegramError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            # A 200 whose JSON has no "result" (or is no object at all).
            raise BadAnswer(f"getUpdates answer without a result ({type(exc).__name__})") from None
        if not isinstance(result, list):
            raise BadAnswer(f"getUpdates result is a {type(result).__name__}, not a list")
        return result

    async def run(self, handle: InboundHandler) -> None:
        """Poll forever; raises InvalidToken when Telegram refuses the token (401)."""
        delay = 1.0
        while True:
            try:
                updates = await self.fetch(self.poll_timeout)
            except RetryAfter as exc:
                await self._sleep(retry_seconds(exc))
                continue
            except InvalidToken:
                raise
            except (TelegramError, BadAnswer) as exc:
                reason = self._describe(exc) if isinstance(exc, TelegramError) else str(exc)
                log.warning("Telegram getUpdates failed: %s; retrying in %.0f s", reason, delay)
                await self._sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF)
                continue
            before = self.offset
            for update in updates:
                await self._dispatch(update, handle)
                number = _update_id(update)
                if number is not None:
                    # Not max(): after a quiet week Telegram may number updates from anywhere.
                    self.offset = number + 1
            if updates and self.offset == before:
                # Only updates without an id, which no offset can confirm: do not spin on them.
                log.warning("Telegram updates without update_id; asking again in %.0f s", delay)
                await self._sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF)
                continue
            delay = 1.0

    async def _dispatch(self, update: Any, handle: InboundHandler) -> None:
        number = _update_id(update)
        try:
            if not isinstance(update, dict):
                raise TypeError("update is not an object")
            query = update.get("callback_query")
            if isinstance(query, dict) and query.get("id"):
                # Answer at once, or the person's client shows a spinner until it times out;
                # but without waiting for it: a slow answer must not hold up the tap itself.
                self._answer_soon(str(query["id"]))
            inbound = to_inbound(update, bot_id=self.bot_id)
        except Exception as exc:
            # Its content may be what someone wrote: only the kind of fault goes to the log.
            log.warning(
                "Telegram update %s skipped: cannot read it (%s)", number, type(exc).__name__
            )
            return
        if inbound is None:
            return
        try:
            await handle(inbound)
        except Exception:
            log.exception("Handling Telegram update %s failed; skipping it", number)


    def _answer_soon(self, query_id: str) -> None:
        task = asyncio.create_task(self._answer_tap(query_id))
        self._answering.add(task)
        task.add_done_callback(self._answered)

    def _answered(self, task: asyncio.Task[None]) -> None:
        self._answering.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("answering a Telegram tap failed", exc_info=task.exception())


def _update_id(update: Any) -> int | None:
    number = update.get("update_id") if isinstance(update, dict) else None
    return number if isinstance(number, int) and not isinstance(number, bool) else None


def retry_seconds(exc: RetryAfter) -> float:
    """RetryAfter's delay in seconds, whether PTB gives an int or a timedelta."""
    wait = exc.retry_after
    return wait if isinstance(wait, int | float) else wait.total_seconds()
