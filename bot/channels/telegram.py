"""Telegram adapter: Bot API updates in, neutral messages out, python-telegram-bot as transport."""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeChat,
    BotCommandScopeDefault,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)
from telegram.request import HTTPXRequest

from bot.channels.base import Delivery, FetchedFile, FetchFailed, InboundHandler, SendResult
from bot.channels.telegram_outgoing import TEXT_LIMIT, chat, edit_keyboard, keyboard, parts
from bot.channels.telegram_polling import BadAnswer, UpdatePoller, retry_seconds
from bot.logs import RedactTokens
from handlers.features import load_features
from handlers.i18n import N_, Translator
from handlers.registry import commands_for

log = logging.getLogger(__name__)
# Opt in to PTB's future time periods (timedelta): otherwise PTB itself warns whenever it
# builds a RetryAfter, which the adapter handles as either type anyway.
os.environ.setdefault("PTB_TIMEDELTA", "true")

DESCRIPTION_LIMIT = 256
# Sent for commands that carry no menu label of their own.
FIXED_DESCRIPTIONS = {
    "menu": N_("Menu"),
    "help": N_("Help"),
    "huy": N_("Cancel the current dialog"),
}
START_DESCRIPTION = N_("Start, or join with an invite code")
_UNREACHABLE = ("chat not found", "user not found", "peer_id_invalid")
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
# Loggers that may print request URLs, which carry the token.
_URL_LOGGERS = (
    "httpx",
    "telegram",
    "telegram.Bot",
    "telegram.request.BaseRequest",
    "telegram.request.HTTPXRequest",
)

Sleep = Callable[[float], Awaitable[Any]]


class TelegramChannel:
    """The Telegram Bot API through python-telegram-bot's Bot (no Application)."""

    name = "telegram"
    text_limit = TEXT_LIMIT

    def __init__(
        self,
        token: str,
        api_url: str,
        *,
        poll_timeout: int = 30,
        sleep: Sleep = asyncio.sleep,
        send_timeout: float = 10.0,
        connections: int = 24,
    ) -> None:
        """Talk to the Bot API at `api_url`.

        Sends wait `send_timeout` seconds for an answer, over a pool of `connections`; keep the
        pool above the outbox sender's concurrency, or sends queue for a connection and time out.
        """
        api = api_url.rstrip("/")
        self._token = token
        # Before the Bot exists: PTB logs its URLs, token included, while it is built.
        self._redactor = RedactTokens([token])
        for logger in _URL_LOGGERS:
            logging.getLogger(logger).addFilter(self._redactor)
        # Long polling holds its own connection so sends never wait for it.
        sending = HTTPXRequest(
            connection_pool_size=connections,
            read_timeout=send_timeout,
            write_timeout=send_timeout,
            connect_timeout=send_timeout,
            pool_timeout=send_timeout,
        )
        self._requests = (sending, HTTPXRequest())
        self._bot = Bot(
            token,
            base_url=f"{api}/bot",
            base_file_url=f"{api}/file/bot",
            request=self._requests[0],
            get_updates_request=self._requests[1],
        )
        self._poller = UpdatePoller(
            self._requests[1],
            f"{api}/bot{token}/getUpdates",
            poll_timeout=poll_timeout,
            sleep=sleep,
            describe=self._describe,
            answer_tap=self._answer_tap,
            # The token's public part is the bot's id: message keys stay apart per bot.
            bot_id=token.split(":", 1)[0] if ":" in token else "",
        )

    async def start(self) -> str:
        """Check the token (getMe), drop any webhook so polling works; return the bot username."""
        try:
            await self._bot.initialize()
        except InvalidToken as exc:
            # PTB's own message quotes the token.
            raise InvalidToken(self._describe(exc)) from None
        await self._bot.delete_webhook()
        return str(self._bot.username)

    async def poll(self, handle: InboundHandler) -> None:
        """Fetch updates forever, handing each to `handle` before confirming it.

        The offset moves past an update only once `handle` returned, so an update being
        handled when the task is cancelled comes again (the engine drops duplicates by
        message_key). An update that cannot be read, or whose handling raised, is logged and
        skipped: one poisoned update must not block everything behind it forever.
        Transient failures are retried with back-off; a refused token raises InvalidToken.
        """
        await self._poller.run(handle)

    async def _answer_tap(self, query_id: str) -> None:
        try:
            await self._bot.answer_callback_query(query_id)
        except TelegramError as exc:
            log.info("answerCallbackQuery failed: %s", self._describe(exc))

    async def send(self, delivery: Delivery) -> SendResult:
        """Send a delivery: document, photo, then text in chunks; buttons on the last one.

        The first `delivery.skip_parts` parts reached the chat on an earlier try and are left
        out; the result counts the parts this call delivered, also when a later one failed.
        A delivery that edits a message changes that message's buttons instead; if it cannot
        be changed (deleted meanwhile), its text goes out as a new message, if it has any.
        """
        sent = 0
        try:
            # Parts already sent mean an earlier try found the message gone and sent it anew.
            editing = bool(delivery.edit_message_id) and not delivery.skip_parts
            if editing and (await edit_keyboard(self._bot, delivery) or not delivery.text.strip()):
                return SendResult(ok=True)
            pieces = parts(delivery)
            if not pieces:
                # Telegram refuses an empty message; retrying would not make it less empty.
                error = "nothing to send: no text, photo or file"
                return SendResult(ok=False, final=True, error=error)
            markup = keyboard(delivery.choices)
            chat_id = chat(delivery.chat_id)
            for index in range(min(delivery.skip_parts, len(pieces)), len(pieces)):
                kind, file, text = pieces[index]
                buttons = markup if index == len(pieces) - 1 else None
                if kind == "document":
                    await self._bot.send_document(
                        chat_id,
                        file,
                        caption=text or None,
                        reply_markup=buttons,
                        filename=delivery.document_name or None,
                    )
                elif kind == "photo":
                    await self._bot.send_photo(
                        chat_id, file, caption=text or None, reply_markup=buttons
                    )
                else:
                    await self._bot.send_message(chat_id, text, reply_markup=buttons)
                sent += 1
        except Forbidden as exc:
            return self._final(exc, sent, unreachable=True)
        except BadRequest as exc:
            gone = any(sign in exc.message.lower() for sign in _UNREACHABLE)
            return self._final(exc, sent, unreachable=gone)
        except ChatMigrated as exc:
            return self._final(exc, sent, unreachable=False)
        except RetryAfter as exc:
            wait = retry_seconds(exc)
            error = self._describe(exc, sent)
            return SendResult(
                ok=False, retry_after=wait, limited=True, error=error, parts_sent=sent
            )
        except TelegramError as exc:
            # Timeouts, network errors and 5xx: worth another try later.
            return SendResult(ok=False, error=self._describe(exc, sent), parts_sent=sent)
        return SendResult(ok=True, parts_sent=sent)

    async def fetch_file(self, ref: str, limit: int) -> FetchedFile:
        """Download a file a person sent, by its file_id (getFile, then the file itself).

        Raises FetchFailed: final when Telegram does not know the file_id, or the file is
        larger than `limit` bytes or than the 20 MB bots may download; else worth a retry.
        """
        try:
            found = await self._bot.get_file(ref)
            if found.file_size is not None and found.file_size > limit:
                raise FetchFailed(f"larger than {limit} bytes ({found.file_size})", final=True)
            data = bytes(await found.download_as_bytearray())
        except BadRequest as exc:
            # 'invalid file_id', 'file is too big': asking again gives the same answer.
            raise FetchFailed(self._describe(exc), final=True) from None
        except (TelegramError, RuntimeError) as exc:
            # Network errors, and a file path gone stale (404): getFile again next time.
            reason = self._describe(exc) if isinstance(exc, TelegramError) else str(exc)
            raise FetchFailed(reason) from None
        if len(data) > limit:
            raise FetchFailed(f"larger than {limit} bytes", final=True)
        return FetchedFile(data)

    def _final(self, exc: TelegramError, sent: int, *, unreachable: bool) -> SendResult:
        error = self._describe(exc, sent)
        return SendResult(
            ok=False, final=True, unreachable=unreachable, error=error, parts_sent=sent
        )

    async def set_commands(self, chat_id: str, role: str, locale: str) -> bool:
        """Show this chat the command menu of its role, described in its language."""
        load_features()
        translate = Translator(locale)
        commands = [
            BotCommand(name, translate(label)[:DESCRIPTION_LIMIT])
            for name, label in _menu_entries(role)
        ]
        return await self._set_commands(commands, BotCommandScopeChat(chat(chat_id)))

    async def set_default_commands(self, locale: str = "vi") -> bool:
        """Show everyone else /start and /help."""
        translate = Translator(locale)
        commands = [
            BotCommand("start", translate(START_DESCRIPTION)),
            BotCommand("help", translate(FIXED_DESCRIPTIONS["help"])),
        ]
        return await self._set_commands(commands, BotCommandScopeDefault())

    async def _set_commands(self, commands: list[BotCommand], scope: BotCommandScope) -> bool:
        # A missing menu is cosmetic; it must never break joining or a language switch.
        try:
            return bool(await self._bot.set_my_commands(commands, scope=scope))
        except TelegramError as exc:
            log.warning("setMyCommands failed: %s", self._describe(exc))
            return False

    async def close(self) -> None:
        """Confirm what was handled (so a restart does not fetch it again), close connections."""
        if self._poller.offset is not None:
            try:
                await self._poller.fetch(0, limit=1)
            except (TelegramError, BadAnswer) as exc:
                reason = self._describe(exc) if isinstance(exc, TelegramError) else str(exc)
                log.info("Could not confirm Telegram updates on close: %s", reason)
        for request in self._requests:
            await request.shutdown()
        for logger in _URL_LOGGERS:
            logging.getLogger(logger).removeFilter(self._redactor)

    def _describe(self, exc: TelegramError, sent: int = 0) -> str:
        kind = type(exc).__name__
        text = exc.message if exc.message.startswith(kind) else f"{kind}: {exc.message}"
        if sent:
            text += f" (after {sent} message(s) had been sent)"
        return text.replace(self._token, "<token>") if self._token else text


def _menu_entries(role: str) -> list[tuple[str, str]]:
    entries = [("menu", FIXED_DESCRIPTIONS["menu"])]
    entries += [
        (found.name, found.menu_label)
        for found in commands_for(role)
        if found.menu_label
        and found.name not in FIXED_DESCRIPTIONS
        and _COMMAND_NAME.match(found.name)
    ]
    return [*entries, ("help", FIXED_DESCRIPTIONS["help"]), ("huy", FIXED_DESCRIPTIONS["huy"])]
