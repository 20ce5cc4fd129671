"""Telegram updates, saved in the Bot API's real shapes, become neutral inbound messages."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot, Update

from bot.channels.telegram_updates import to_inbound
from handlers.messages import Inbound

PAYLOADS = Path(__file__).resolve().parent.parent / "support" / "payloads"
BINH = 5123456789
AT_0800 = dt.datetime(2026, 3, 20, 1, 0, tzinfo=dt.UTC)  # 08:00 in the commune


def payload(name: str) -> dict[str, Any]:
    """A saved Bot API update."""
    return json.loads((PAYLOADS / f"telegram_{name}.json").read_text(encoding="utf-8"))


def test_a_text_message_becomes_an_inbound_with_string_ids_and_utc_time() -> None:
    inbound = to_inbound(payload("text"))

    assert inbound == Inbound(
        channel="telegram",
        external_id="5123456789",
        chat_id="5123456789",
        message_key="telegram:m:5123456789:52",
        at=AT_0800,
        text="Thôn 3 đã họp dân xong",
        locale_hint="vi",
        display_name="Nguyễn Văn Bình",
    )
    assert inbound.at.utcoffset() == dt.timedelta(0)


def test_start_with_an_invite_code_keeps_the_code() -> None:
    inbound = to_inbound(payload("start_code"))

    assert inbound is not None
    assert inbound.text == "/start K7Q2MX"
    assert inbound.message_key == "telegram:m:5123456789:51"
    assert inbound.at == dt.datetime(2026, 3, 20, 0, 59, tzinfo=dt.UTC)


def test_a_photo_gives_the_largest_size_and_the_caption_as_text() -> None:
    inbound = to_inbound(payload("photo_caption"))

    assert inbound is not None
    assert inbound.photo == "AgACAgUAAxkBAAM1aBcDlarge"
    assert inbound.text == "Ảnh buổi họp dân thôn 3"
    assert inbound.document == ""


def test_a_document_gives_its_file_id_and_name() -> None:
    inbound = to_inbound(payload("document"))

    assert inbound is not None
    assert (inbound.document, inbound.document_name) == (
        "BQACAgUAAxkBAAM2aBcEpdf",
        "bao-cao-thon-3.pdf",
    )
    assert inbound.text == ""
    assert (inbound.external_id, inbound.locale_hint, inbound.display_name) == (
        "6012345678",
        "en",
        "Trần Thị Hoa",
    )


def test_a_button_tap_becomes_a_choice_timed_when_it_arrives() -> None:
    received = dt.datetime(2026, 3, 20, 2, 15, tzinfo=dt.UTC)

    inbound = to_inbound(payload("callback_query"), now=received)

    assert inbound == Inbound(
        channel="telegram",
        external_id="5123456789",
        chat_id="5123456789",
        message_key="telegram:cb:4382179231928374650",
        # Not the date of the message that carried the button (a day earlier).
        at=received,
        choice="/ack 12",
        callback_id="4382179231928374650",
        locale_hint="vi",
        display_name="Nguyễn Văn Bình",
        # The message tapped and the button's label: the bot shows the choice in its place.
        tapped_message_id="50",
        tapped_label="Đã nhận",
    )


def test_a_tap_on_a_message_too_old_to_show_still_names_the_message() -> None:
    """Telegram sends an InaccessibleMessage (date 0, no text or buttons) for old messages."""
    update = payload("callback_query")
    update["callback_query"]["message"] = {
        "message_id": 50,
        "chat": update["callback_query"]["message"]["chat"],
        "date": 0,
    }

    inbound = to_inbound(update)

    assert inbound is not None
    assert (inbound.choice, inbound.tapped_message_id, inbound.tapped_label) == (
        "/ack 12",
        "50",
        "",
    )


@pytest.mark.parametrize("name", ["edited_message", "group_message", "sticker", "my_chat_member"])
def test_what_the_bot_does_not_handle_is_ignored(name: str) -> None:
    assert to_inbound(payload(name)) is None


@pytest.mark.parametrize(
    "name", ["text", "start_code", "photo_caption", "document", "callback_query"]
)
def test_the_update_as_python_telegram_bot_returns_it_reads_the_same(name: str) -> None:
    raw = payload(name)
    parsed = Update.de_json(raw, Bot("123:abc")).to_dict()

    assert to_inbound(parsed, now=AT_0800) == to_inbound(raw, now=AT_0800)


def _from_a_bot() -> dict[str, Any]:
    update = payload("text")
    update["message"]["from"]["is_bot"] = True
    return update


def _on_a_chosen_label() -> dict[str, Any]:
    update = payload("callback_query")
    update["callback_query"]["data"] = "~"
    update["callback_query"]["message"]["reply_markup"] = {
        "inline_keyboard": [[{"text": "✓ Đã nhận", "callback_data": "~"}]]
    }
    return update


def _with_a_long_id() -> dict[str, Any]:
    update = payload("text")
    update["message"]["chat"]["id"] = update["message"]["from"]["id"] = "9" * 256
    return update


@pytest.mark.parametrize(
    ("update", "reason"),
    [
        (payload("edited_message"), "unsupported update type edited_message"),
        (payload("my_chat_member"), "unsupported update type my_chat_member"),
        (payload("group_message"), "chat type supergroup, not private"),
        (payload("sticker"), "message with no text, photo or file (sticker, voice …)"),
        (_from_a_bot(), "message from a bot"),
        (_with_a_long_id(), "id longer than 255 characters"),
        (_on_a_chosen_label(), "tap on a line that only shows what was chosen"),
    ],
    ids=["edited", "member", "group", "sticker", "bot", "long-id", "chosen-label"],
)
def test_what_is_left_out_is_logged_with_the_reason_and_without_the_text(
    update: dict[str, Any], reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    message = update.get("message") or update.get("edited_message") or {}
    with caplog.at_level(logging.DEBUG, logger="bot.channels.telegram_updates"):
        assert to_inbound(update) is None

    [line] = [record.getMessage() for record in caplog.records]
    assert line == f"Telegram update {update['update_id']} ignored: {reason}"
    assert not message.get("text") or message["text"] not in caplog.text
