"""Telegram Bot API updates, as saved payloads, turned into neutral inbound messages."""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

from handlers.messages import INERT, Inbound
from storage.models import EXTERNAL_ID_LENGTH

log = logging.getLogger(__name__)

_MENTION = re.compile(r"^(/\w+)@\w+")


def to_inbound(
    update: dict[str, Any], now: dt.datetime | None = None, *, bot_id: str = ""
) -> Inbound | None:
    """Turn a raw Bot API Update into a neutral Inbound, or None for what the bot ignores.

    `bot_id` (the token's public part) goes into message keys: a chat's message ids start
    at 1 again when another bot is run on the same database.

    Every update left out is logged (DEBUG) with the reason, never with what the person wrote.
    A malformed update may raise (KeyError, ValueError, TypeError): the caller skips it.
    """
    number = update.get("update_id")
    if isinstance(update.get("message"), dict):
        return _from_message(update["message"], number, bot_id)
    if isinstance(update.get("callback_query"), dict):
        return _from_callback(update["callback_query"], number, now or dt.datetime.now(dt.UTC))
    kinds = [kind for kind in update if kind != "update_id"]
    return _ignored(number, f"unsupported update type {','.join(kinds) or 'none'}")


def message_key(chat_id: str, message_id: object, bot_id: str = "") -> str:
    """The dedupe key of a message: its chat and message id, which Telegram never reuses.

    Not the update_id: Telegram restarts those at random after a week without updates, and a
    new bot token on the same database starts them low, so they would drop new messages.
    """
    key = f"telegram:m:{chat_id}:{message_id}"
    return f"{key}@{bot_id}" if bot_id else key


def _from_message(message: dict[str, Any], number: object, bot_id: str) -> Inbound | None:
    chat = message.get("chat") or {}
    sender = message.get("from") or {}
    if chat.get("type") != "private":
        return _ignored(number, f"chat type {chat.get('type') or 'missing'}, not private")
    if not sender:
        return _ignored(number, "message without a sender")
    if sender.get("is_bot"):
        return _ignored(number, "message from a bot")
    if message.get("message_id") is None:
        return _ignored(number, "message without message_id")
    photo = ""
    if message.get("photo"):
        largest = max(
            message["photo"], key=lambda size: size.get("width", 0) * size.get("height", 0)
        )
        photo = str(largest["file_id"])
    document = message.get("document") or {}
    text = _without_mention(str(message.get("text") or message.get("caption") or ""))
    if not (text or photo or document):
        return _ignored(number, "message with no text, photo or file (sticker, voice …)")
    external_id, chat_id = str(sender["id"]), str(chat["id"])
    if max(len(external_id), len(chat_id)) > EXTERNAL_ID_LENGTH:
        return _ignored(number, f"id longer than {EXTERNAL_ID_LENGTH} characters")
    return Inbound(
        channel="telegram",
        external_id=external_id,
        chat_id=chat_id,
        message_key=message_key(chat_id, message["message_id"], bot_id),
        at=dt.datetime.fromtimestamp(int(message["date"]), tz=dt.UTC),
        text=text,
        photo=photo,
        document=str(document.get("file_id", "")),
        document_name=str(document.get("file_name", "")),
        locale_hint=str(sender.get("language_code", "")),
        display_name=_display_name(sender),
    )


def _from_callback(query: dict[str, Any], number: object, now: dt.datetime) -> Inbound | None:
    message = query.get("message") or {}
    chat = message.get("chat") or {}
    sender = query.get("from") or {}
    if chat.get("type") != "private":
        return _ignored(number, f"button tap in chat type {chat.get('type') or 'missing'}")
    if not sender:
        return _ignored(number, "button tap without a sender")
    if query.get("data") is None or not query.get("id"):
        return _ignored(number, "button tap without data or id")
    if query["data"] == INERT:
        return _ignored(number, "tap on a line that only shows what was chosen")
    external_id, chat_id = str(sender["id"]), str(chat["id"])
    if max(len(external_id), len(chat_id)) > EXTERNAL_ID_LENGTH:
        return _ignored(number, f"id longer than {EXTERNAL_ID_LENGTH} characters")
    # The tap time, not the tapped message's date: an acknowledgement counts when it is made.
    return Inbound(
        channel="telegram",
        external_id=external_id,
        chat_id=chat_id,
        message_key=f"telegram:cb:{query['id']}",
        at=now,
        choice=str(query["data"]),
        callback_id=str(query["id"]),
        tapped_message_id=_message_id(message),
        tapped_label=_label(message, str(query["data"])),
        locale_hint=str(sender.get("language_code", "")),
        display_name=_display_name(sender),
    )


def _message_id(message: dict[str, Any]) -> str:
    """The tapped message's id; '' when there is none the bot could edit."""
    number = message.get("message_id")
    ok = isinstance(number, int) and not isinstance(number, bool) and 0 < number < 2**53
    return str(number) if ok else ""


def _label(message: dict[str, Any], data: str) -> str:
    """The text of the tapped button, read from the keyboard of the message it was on."""
    markup = message.get("reply_markup")
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    for row in rows if isinstance(rows, list) else []:
        for button in row if isinstance(row, list) else []:
            if isinstance(button, dict) and button.get("callback_data") == data:
                return str(button.get("text") or "")
    return ""


def _ignored(number: object, reason: str) -> None:
    log.debug("Telegram update %s ignored: %s", number, reason)
    return None


def _without_mention(text: str) -> str:
    # "/start@hoctap_bot CODE" reaches the engine as "/start CODE".
    return _MENTION.sub(r"\1", text, count=1)


def _display_name(sender: dict[str, Any]) -> str:
    return " ".join(str(sender.get(part) or "") for part in ("first_name", "last_name")).strip()
