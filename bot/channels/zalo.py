"""Zalo Bot Platform adapter: getUpdates long polling in, sendMessage/sendPhoto out (httpx).

Confirmed in the public Zalo Bot docs (bot.zapps.me, mirrored in public repositories) and in
the clients built on them: every call is `POST <api>/bot<TOKEN>/<method>` with a JSON body;
answers are `{"ok": true, "result": ...}` and errors `{"ok": false, "error_code", "description"}`;
getUpdates takes a `timeout` in seconds (typed as a string, default 30), answers ONE update (not a
list) and reports an idle window as error 408 "Request timeout"; getUpdates is off while a webhook
is set; a webhook body is the same `{ok, result}` envelope around `{event_name, message}`; events
are message.text/image/sticker/unsupported.received (unsupported stands in for content Zalo will
not pass on); a message carries `from` {id, display_name, is_bot}, `chat` {id, chat_type PRIVATE
or GROUP}, `text`, `message_id` (hex string) and `date` in milliseconds; sendMessage takes
`chat_id` and `text` of 1 to 2000 characters, sendPhoto `chat_id`, `photo` (a URL) and an
optional `caption` of up to 2000; sendChatAction takes `action` "typing". The documented error
codes are 400 bad request, 401 bad or expired token, 403 (labelled "Internal server error"),
404 not found, 408 request timeout and 429 quota exceeded.

Assumed, not documented: whether the 408 arrives as the HTTP status or only in a 200 body (both
are handled); the image URL field (the docs name `photo`, clients see `photo_url`: both read);
a retry delay on 429 (read from `parameters.retry_after`, `retry_after` or Retry-After if ever
sent); and how a user who blocked or unfollowed the bot shows up on send, which is not
documented: a 4xx whose description names the person (block, follow, user, not found) or any
4xx not about the message itself marks them unreachable, except 401 (the bot's token) and a
description saying "internal server error", which is retried as the docs describe 403 so.
"""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx

from bot.channels.base import (
    Delivery,
    FetchedFile,
    FetchFailed,
    InboundHandler,
    SendResult,
    split_text,
)
from bot.channels.zalo_replies import Reply, holds_update, read_reply
from bot.channels.zalo_updates import to_inbound
from bot.logs import RedactTokens
from handlers.i18n import Translator
from handlers.messages import Choice

log = logging.getLogger(__name__)

TEXT_LIMIT = 2000
_BACKOFF_FIRST = 1.0
_BACKOFF_LAST = 30.0
_SEEN_KEEP = 512
_PERSON = re.compile(r"block|follow|not found|not exist|user|recipient", re.IGNORECASE)
_ABOUT_MESSAGE = re.compile(r"text|message|caption|photo|length|content|empty", re.IGNORECASE)


class ZaloError(Exception):
    """The Zalo API refused the bot (bad token) or could not be reached at start."""


class ZaloTokenRefused(ZaloError):
    """Zalo refused the bot token (401): only the operator can fix that."""


class ZaloChannel:
    """The Zalo Bot API as a Channel: one update per long poll, numbered lists for choices."""

    name = "zalo"
    text_limit = TEXT_LIMIT

    def __init__(
        self,
        token: str,
        api_url: str,
        *,
        poll_timeout: int = 30,
        client: httpx.AsyncClient | None = None,
        pause: Callable[[float], Awaitable[None]] = asyncio.sleep,
        send_timeout: float = 15.0,
    ) -> None:
        self.poll_timeout = poll_timeout
        # The backoff's sleep, injectable so tests can watch it without waiting.
        self._pause = pause
        self._token = token
        self._base = f"{api_url.rstrip('/')}/bot{token}"
        self._client = client or httpx.AsyncClient(timeout=httpx.Timeout(send_timeout))
        self._owns_client = client is None
        self._seen: OrderedDict[str, None] = OrderedDict()
        # httpx logs every request URL, and the URL carries the token.
        self._redact = RedactTokens([token])
        logging.getLogger("httpx").addFilter(self._redact)

    async def start(self) -> str:
        """Check the token with getMe; return the bot's account name for the logs.

        Raises ZaloTokenRefused when Zalo refuses the token (401), ZaloError when it cannot
        be asked right now.
        """
        try:
            reply = await self._call("getMe", {})
        except httpx.HTTPError as error:
            raise ZaloError(f"Zalo getMe failed: {_describe(error)}") from None
        if not reply.ok and reply.code == 401:
            raise ZaloTokenRefused(self._clean(f"Zalo refused the bot token: {reply.summary}"))
        if not reply.ok:
            raise ZaloError(self._clean(f"Zalo getMe failed: {reply.summary}"))
        await self._warn_if_webhook()
        me = reply.result if isinstance(reply.result, Mapping) else {}
        for key in ("account_name", "name", "display_name", "id"):
            if me.get(key):
                return str(me[key])
        return "zalo bot"

    async def poll(self, handle: InboundHandler) -> None:
        """Long-poll getUpdates forever, handing each new message to `handle` in turn.

        The next update is fetched only once `handle` returned for this one: Zalo does not
        reliably hand an update out twice, so it is held here until stored. Transient failures
        back off; a refused token (401) raises ZaloTokenRefused and ends this channel only.
        """
        delay = _BACKOFF_FIRST
        while True:
            try:
                reply = await self._call(
                    "getUpdates",
                    {"timeout": str(self.poll_timeout)},
                    timeout=self.poll_timeout + 10,
                )
            except httpx.HTTPError as error:
                reason = _describe(error)
            else:
                if reply.ok and holds_update(reply.body):
                    delay = _BACKOFF_FIRST
                    await self._take(reply.body, handle)
                    continue
                if reply.code == 408:
                    delay = _BACKOFF_FIRST
                    continue
                if reply.code == 401:
                    refused = f"Zalo refused the bot token: {reply.summary}"
                    raise ZaloTokenRefused(self._clean(refused))
                # Also a 200 that holds no update (an HTML page, {"ok": true} alone): asking
                # again at once would spin.
                reason = self._clean(reply.summary) if not reply.ok else "answer without update"
            log.warning("Zalo getUpdates failed (%s); retrying in %.0f s", reason, delay)
            await self._pause(delay)
            delay = min(delay * 2, _BACKOFF_LAST)

    async def send(self, delivery: Delivery) -> SendResult:
        """Send one outbox row: the photo (captioned when the text fits), then the text parts.

        The first `delivery.skip_parts` parts reached the chat on an earlier try and are left
        out; the result counts the parts this call delivered, also when a later one failed.
        Zalo cannot change a message: an edit's text goes out as a new message, and an edit
        with no text (buttons only, which Zalo has none of) sends nothing.
        """
        if delivery.edit_message_id and not delivery.text.strip():
            return SendResult(ok=True)
        if delivery.document:
            log.debug("Zalo cannot send documents; sending the text only")
        calls = _calls(delivery)
        sent = 0
        try:
            for method, payload in calls[min(delivery.skip_parts, len(calls)) :]:
                reply = await self._call(method, payload)
                if not reply.ok:
                    return self._failure(reply, sent)
                sent += 1
        except httpx.HTTPError as error:
            error_text = f"Zalo send failed: {_describe(error)}"
            return SendResult(ok=False, error=error_text, parts_sent=sent)
        return SendResult(ok=True, parts_sent=sent)

    async def fetch_file(self, ref: str, limit: int) -> FetchedFile:
        """Download a photo a person sent, by the image URL Zalo gave (it expires).

        Streamed, and stopped as soon as it passes `limit` bytes. Raises FetchFailed: final
        for a file too large or an address that is no web address; else worth a retry (a CDN
        answering 403 or 404 for an expired link is retried too, then given up by the caller).
        """
        if not ref.startswith(("http://", "https://")):
            raise FetchFailed("not a web address", final=True)
        try:
            async with self._client.stream("GET", ref, follow_redirects=True) as response:
                if response.status_code != 200:
                    raise FetchFailed(f"HTTP {response.status_code}")
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise FetchFailed(f"larger than {limit} bytes ({declared})", final=True)
                data = bytearray()
                async for chunk in response.aiter_bytes():
                    data += chunk
                    if len(data) > limit:
                        raise FetchFailed(f"larger than {limit} bytes", final=True)
                kind = response.headers.get("content-type", "")
        except httpx.HTTPError as error:
            raise FetchFailed(f"download failed: {_describe(error)}") from None
        return FetchedFile(bytes(data), kind)

    async def close(self) -> None:
        """Close the HTTP client if this channel made it."""
        if self._owns_client:
            await self._client.aclose()
        logging.getLogger("httpx").removeFilter(self._redact)

    async def _call(
        self, method: str, payload: dict[str, Any], *, timeout: float | None = None
    ) -> Reply:
        response = await self._client.post(
            f"{self._base}/{method}",
            json=payload,
            timeout=httpx.USE_CLIENT_DEFAULT if timeout is None else timeout,
        )
        return read_reply(response)

    async def _take(self, body: Any, handle: InboundHandler) -> None:
        inbound = to_inbound(body) if isinstance(body, Mapping) else None
        if inbound is None:
            return
        if inbound.message_key in self._seen:
            log.debug("Zalo replayed %s; already handled", inbound.message_key)
            return
        try:
            await handle(inbound)
        except Exception:
            # Not remembered: if Zalo replays it, the next try may succeed.
            log.exception("handling Zalo message %s failed", inbound.message_key)
            return
        self._seen[inbound.message_key] = None
        while len(self._seen) > _SEEN_KEEP:
            self._seen.popitem(last=False)

    async def _warn_if_webhook(self) -> None:
        try:
            reply = await self._call("getWebhookInfo", {})
        except httpx.HTTPError:
            return
        info = reply.result if reply.ok and isinstance(reply.result, Mapping) else {}
        if info.get("url"):
            log.warning("A Zalo webhook is set, so getUpdates receives nothing: call deleteWebhook")

    def _failure(self, reply: Reply, sent: int = 0) -> SendResult:
        error = self._clean(f"Zalo {reply.summary}")
        if reply.code == 429:
            return SendResult(
                ok=False, retry_after=reply.retry_after, limited=True, error=error, parts_sent=sent
            )
        if reply.code >= 500 or reply.code == 408 or reply.transient:
            return SendResult(ok=False, error=error, parts_sent=sent)
        if reply.code == 401:
            return SendResult(ok=False, final=True, error=error, parts_sent=sent)
        about_message = _ABOUT_MESSAGE.search(reply.description) is not None
        unreachable = _PERSON.search(reply.description) is not None or not about_message
        return SendResult(
            ok=False, final=True, unreachable=unreachable, error=error, parts_sent=sent
        )

    def _clean(self, text: str) -> str:
        return text.replace(self._token, "<token>") if self._token else text


def _calls(delivery: Delivery) -> list[tuple[str, dict[str, Any]]]:
    """The API calls a delivery becomes, one per part, always split the same way."""
    parts = render(delivery.text, delivery.choices, delivery.locale)
    calls: list[tuple[str, dict[str, Any]]] = []
    if delivery.photo:
        caption = parts.pop(0) if len(parts) == 1 else ""
        payload = {"chat_id": delivery.chat_id, "photo": delivery.photo}
        if caption:
            payload["caption"] = caption
        calls.append(("sendPhoto", payload))
    calls += [("sendMessage", {"chat_id": delivery.chat_id, "text": part}) for part in parts]
    return calls


def render(text: str, choices: list[Choice], locale: str) -> list[str]:
    """Split a message for Zalo, choices as a numbered list kept whole on the last part."""
    text = unicodedata.normalize("NFC", text).strip()
    if not choices:
        return split_text(text, TEXT_LIMIT) if text else []
    _ = Translator(locale)
    hint = _("Reply with the number of your choice.")
    listing = "\n".join(f"{number}. {label}" for number, (_cid, label) in enumerate(choices, 1))
    tail = unicodedata.normalize("NFC", f"{listing}\n{hint}")
    whole = f"{text}\n\n{tail}" if text else tail
    if len(whole) <= TEXT_LIMIT or len(tail) > TEXT_LIMIT:
        return split_text(whole, TEXT_LIMIT)
    parts = split_text(text, TEXT_LIMIT)
    if len(parts[-1]) + 2 + len(tail) <= TEXT_LIMIT:
        parts[-1] = f"{parts[-1]}\n\n{tail}"
    else:
        parts.append(tail)
    return parts


def _describe(error: httpx.HTTPError) -> str:
    # The exception's request carries the URL (and so the token): name the failure only.
    if isinstance(error, httpx.TimeoutException):
        return "timed out"
    return type(error).__name__
