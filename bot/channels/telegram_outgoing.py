"""What a delivery becomes on Telegram: its messages and keyboard, or an edit of the buttons of
a message already in the chat (editMessageReplyMarkup)."""

from __future__ import annotations

import logging
from pathlib import Path

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest

from bot.channels.base import Delivery, split_text
from handlers.messages import Choice

log = logging.getLogger("bot.channels.telegram")

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
NOT_MODIFIED = "message is not modified"
"""The edit asks for the buttons the message has already: it is done (a repeated row)."""
CANNOT_EDIT = (
    "message to edit not found",
    "message can't be edited",
    "message_id_invalid",
)
"""The message is gone (deleted, chat history cleared) or may not be changed."""


def parts(delivery: Delivery) -> list[tuple[str, str | Path, str]]:
    """The messages a delivery becomes, as (kind, file, text), always split the same way.

    The file is a file_id or URL Telegram knows, or a local file to upload.
    """
    chunks = [chunk for chunk in split_text(delivery.text, TEXT_LIMIT) if chunk.strip()]
    found: list[tuple[str, str | Path, str]] = []
    document = delivery.document_file or delivery.document
    if document:
        found.append(("document", document, ""))
    photo = delivery.photo_file or delivery.photo
    if photo:
        fits = bool(chunks) and len(chunks[0]) <= CAPTION_LIMIT
        found.append(("photo", photo, chunks.pop(0) if fits else ""))
    return found + [("text", "", chunk) for chunk in chunks]


def keyboard(choices: list[Choice]) -> InlineKeyboardMarkup | None:
    """The inline keyboard of a message's choices, one button a row; None without choices."""
    rows = []
    for choice_id, label in choices:
        size = len(choice_id.encode("utf-8"))
        if not 1 <= size <= CALLBACK_DATA_LIMIT:
            # Telegram would refuse the whole message; losing one button is the lesser harm.
            log.error(
                "Dropped button %r: callback data is %d bytes (1-%d allowed)",
                label,
                size,
                CALLBACK_DATA_LIMIT,
            )
            continue
        rows.append([InlineKeyboardButton(label or choice_id, callback_data=choice_id)])
    return InlineKeyboardMarkup(rows) if rows else None


def chat(chat_id: str) -> int | str:
    """A chat id as the Bot API takes it: a number when it is one."""
    return int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id


async def edit_keyboard(bot: Bot, delivery: Delivery) -> bool:
    """Put the delivery's buttons (none: take them all away) on the message it edits.

    True when the message shows them now, also when it already did; False when the message
    cannot be changed (gone, or not the bot's). Other failures raise, as sends do.
    """
    message_id = delivery.edit_message_id
    if not message_id.isdigit():
        return False
    try:
        await bot.edit_message_reply_markup(
            chat(delivery.chat_id), int(message_id), reply_markup=keyboard(delivery.choices)
        )
    except BadRequest as exc:
        reason = exc.message.lower()
        if NOT_MODIFIED in reason:
            return True
        if any(sign in reason for sign in CANNOT_EDIT):
            log.info("Message %s cannot be edited (%s)", message_id, exc.message)
            return False
        raise
    return True
