"""Telegram Bot API updates, as saved payloads, turned into neutral inbound messages."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from handlers.messages import Inbound

_MENTION = re.compile(r"^(/\w+)@\w+")


def to_inbound(update: dict[str, Any], now: dt.datetime | None = None) -> Inbound | None:
    """Turn a raw Bot API Update into a neutral Inbound, or None for what the bot ignores."""
    key = f"telegram:{update.get('update_id')}"
    if isinstance(update.get("message"), dict):
        return _from_message(update["message"], key)
    if isinstance(update.get("callback_query"), dict):
        return _from_callback(update["callback_query"], key, now or dt.datetime.now(dt.UTC))
    return None


def _from_message(message: dict[str, Any], key: str) -> Inbound | None:
    chat = message.get("chat") or {}
    sender = message.get("from") or {}
    if chat.get("type") != "private" or not sender or sender.get("is_bot"):
        return None
    photo = ""
    if message.get("photo"):
        largest = max(
            message["photo"], key=lambda size: size.get("width", 0) * size.get("height", 0)
        )
        photo = str(largest["file_id"])
    document = message.get("document") or {}
    text = _without_mention(str(message.get("text") or message.get("caption") or ""))
    if not (text or photo or document):
        return None
    return Inbound(
        channel="telegram",
        external_id=str(sender["id"]),
        chat_id=str(chat["id"]),
        message_key=key,
        at=dt.datetime.fromtimestamp(int(message["date"]), tz=dt.UTC),
        text=text,
        photo=photo,
        document=str(document.get("file_id", "")),
        document_name=str(document.get("file_name", "")),
        locale_hint=str(sender.get("language_code", "")),
        display_name=_display_name(sender),
    )


def _from_callback(query: dict[str, Any], key: str, now: dt.datetime) -> Inbound | None:
    chat = (query.get("message") or {}).get("chat") or {}
    sender = query.get("from") or {}
    if chat.get("type") != "private" or not sender or query.get("data") is None:
        return None
    # The tap time, not the tapped message's date: an acknowledgement counts when it is made.
    return Inbound(
        channel="telegram",
        external_id=str(sender["id"]),
        chat_id=str(chat["id"]),
        message_key=key,
        at=now,
        choice=str(query["data"]),
        callback_id=str(query.get("id", "")),
        locale_hint=str(sender.get("language_code", "")),
        display_name=_display_name(sender),
    )


def _without_mention(text: str) -> str:
    # "/start@hoctap_bot CODE" reaches the engine as "/start CODE".
    return _MENTION.sub(r"\1", text, count=1)


def _display_name(sender: dict[str, Any]) -> str:
    return " ".join(str(sender.get(part) or "") for part in ("first_name", "last_name")).strip()
