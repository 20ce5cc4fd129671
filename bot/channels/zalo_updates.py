"""Zalo Bot API updates, wrapped in {ok, result} or bare, turned into neutral messages."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from handlers.messages import Inbound
from storage.models import EXTERNAL_ID_LENGTH

log = logging.getLogger(__name__)

TEXT_EVENT = "message.text.received"
IMAGE_EVENT = "message.image.received"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def to_inbound(body: Mapping[str, Any]) -> Inbound | None:
    """Turn one getUpdates or webhook body (wrapped in {ok, result} or bare) into an Inbound.

    Every update left out is logged (DEBUG) with the reason, never with what the person wrote.
    """
    update = _unwrap(body)
    message = update.get("message") if update else None
    if not isinstance(message, Mapping):
        return _ignored("", "no message in the update")
    sender = message.get("from") if isinstance(message.get("from"), Mapping) else {}
    chat = message.get("chat") if isinstance(message.get("chat"), Mapping) else {}
    message_id = _text(message.get("message_id"))
    chat_id = _text(chat.get("id")) or _text(sender.get("id"))
    external_id = _text(sender.get("id")) or chat_id
    if not message_id or not chat_id:
        return _ignored(message_id, "message without message_id or chat id")
    # The bot's own messages can come back through the same feed; a group is no place for
    # a one-to-one dialog with the commune office.
    if sender.get("is_bot") is True:
        return _ignored(message_id, "message from a bot")
    chat_type = str(chat.get("chat_type") or "PRIVATE").upper()
    if chat_type != "PRIVATE":
        return _ignored(message_id, f"chat type {chat_type[:16]}, not private")
    if max(len(external_id), len(chat_id), len(message_id)) > EXTERNAL_ID_LENGTH:
        # Stored ids are at most this long, on SQLite as on PostgreSQL.
        return _ignored(message_id[:40], f"id longer than {EXTERNAL_ID_LENGTH} characters")
    event = _text(update.get("event_name")) if update else ""
    text, photo = _text(message.get("text")), ""
    image = next((_text(message.get(k)) for k in ("photo_url", "photo") if message.get(k)), "")
    if event == TEXT_EVENT or (not event and text):
        if not text:
            return _ignored(message_id, "text event without text")
    elif event == IMAGE_EVENT or (not event and image):
        if not image:
            return _ignored(message_id, "image event without image")
        text, photo = _text(message.get("caption")), image
    else:
        return _ignored(message_id, f"unsupported event {event[:60] or 'without a name'}")
    return Inbound(
        channel="zalo",
        external_id=external_id,
        chat_id=chat_id,
        message_key=f"zalo:{message_id}",
        at=_from_millis(message.get("date")),
        text=text,
        photo=photo,
        display_name=_text(sender.get("display_name")) or _text(sender.get("name")),
    )


def _ignored(message_id: str, reason: str) -> None:
    log.debug("Zalo message %s ignored: %s", message_id or "?", reason)
    return None


def _unwrap(body: Mapping[str, Any]) -> Mapping[str, Any] | None:
    if not isinstance(body, Mapping):
        return None
    if "event_name" in body or "message" in body:
        return body
    if body.get("ok") is False:
        return None
    result = body.get("result")
    if isinstance(result, list):
        result = result[0] if result else None
    return result if isinstance(result, Mapping) else None


def _from_millis(value: Any) -> dt.datetime:
    try:
        return _EPOCH + dt.timedelta(milliseconds=int(value))
    except (TypeError, ValueError, OverflowError):
        # A message without a usable date is still worth answering; stamp it on arrival.
        return dt.datetime.now(dt.UTC)


def _text(value: Any) -> str:
    if value is None or isinstance(value, bool | Mapping | list):
        return ""
    return str(value).strip()
