"""Zalo updates, wrapped in {ok, result} or bare, become neutral inbound messages."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from bot.channels.zalo_updates import to_inbound

PAYLOADS = Path(__file__).resolve().parent.parent / "support" / "payloads"


def payload(name: str) -> dict[str, Any]:
    """Load a saved Zalo body."""
    return json.loads((PAYLOADS / f"zalo_{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["text_wrapped", "text_bare"])
def test_a_text_becomes_an_inbound_with_string_ids_and_a_utc_time(name: str) -> None:
    body = payload(name)
    message = (body.get("result") or body)["message"]

    inbound = to_inbound(body)

    assert inbound is not None
    assert inbound.channel == "zalo"
    assert inbound.external_id == inbound.chat_id == message["from"]["id"]
    assert inbound.message_key == f"zalo:{message['message_id']}"
    assert inbound.text == message["text"]
    assert inbound.display_name == message["from"]["display_name"]
    assert inbound.at.tzinfo is not None and inbound.at.utcoffset() == dt.timedelta(0)
    assert inbound.at == dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(
        milliseconds=message["date"]
    )


def test_the_date_is_read_as_milliseconds() -> None:
    inbound = to_inbound(payload("text_wrapped"))

    assert inbound is not None
    assert inbound.at == dt.datetime(2026, 3, 20, 9, 46, 40, 123000, tzinfo=dt.UTC)
    assert inbound.text == "Đã nhận công văn"


def test_a_result_given_as_a_list_of_one_without_event_name_is_read() -> None:
    inbound = to_inbound(payload("text_listed"))

    assert inbound is not None
    assert inbound.text == "Xin chào"
    assert inbound.message_key == "zalo:8a1b2c3d4e5f60718293"
    assert inbound.at == dt.datetime(2025, 6, 19, 6, 55, 31, 602000, tzinfo=dt.UTC)


def test_an_image_gives_its_url_as_photo_and_its_caption_as_text() -> None:
    inbound = to_inbound(payload("image_wrapped"))

    assert inbound is not None
    assert inbound.photo == "https://photo-stal.zadn.vn/bot/9f1e2d3c4b5a.jpg"
    assert inbound.text == "Biên lai thôn Đông"
    assert inbound.message_key == "zalo:a4c2e6f8b1d3a5c7e9f0"


def test_an_image_with_the_documented_photo_field_and_no_caption_is_read() -> None:
    inbound = to_inbound(payload("image_bare"))

    assert inbound is not None
    assert inbound.photo == "https://photo-stal.zadn.vn/bot/0a1b2c3d4e5f.jpg"
    assert inbound.text == ""


def test_numeric_ids_still_become_strings() -> None:
    body = payload("text_bare")
    body["message"]["from"]["id"] = 123456789
    body["message"]["chat"]["id"] = 123456789
    body["message"]["message_id"] = 42

    inbound = to_inbound(body)

    assert inbound is not None
    assert (inbound.external_id, inbound.chat_id, inbound.message_key) == (
        "123456789",
        "123456789",
        "zalo:42",
    )


def _from_the_bot(body: dict[str, Any]) -> dict[str, Any]:
    body["result"]["message"]["from"]["is_bot"] = True
    return body


@pytest.mark.parametrize(
    "body",
    [
        payload("sticker"),
        payload("unsupported"),
        payload("group_text"),
        _from_the_bot(payload("text_wrapped")),
        {"ok": True, "result": {"event_name": "message.unsupported.received"}},
        {"ok": True, "result": []},
        {"ok": False, "error_code": 408, "description": "Request timeout"},
        {"ok": True, "result": {"url": "", "updated_at": 1749538250568}},
    ],
    ids=["sticker", "unsupported", "group", "own", "no-message", "empty", "error", "other"],
)
def test_stickers_unsupported_groups_and_non_messages_give_nothing(body: dict[str, Any]) -> None:
    assert to_inbound(body) is None


def _with_sender_id(body: dict[str, Any], sender_id: str) -> dict[str, Any]:
    body["result"]["message"]["from"]["id"] = sender_id
    body["result"]["message"]["chat"]["id"] = sender_id
    return body


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (payload("sticker"), "unsupported event message.sticker.received"),
        (payload("group_text"), "chat type GROUP, not private"),
        (_from_the_bot(payload("text_wrapped")), "message from a bot"),
        (_with_sender_id(payload("text_wrapped"), "f" * 256), "id longer than 255 characters"),
    ],
    ids=["sticker", "group", "own", "long-id"],
)
def test_what_is_left_out_is_logged_with_the_reason_and_without_the_text(
    body: dict[str, Any], reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    text = str(body["result"]["message"].get("text", ""))
    with caplog.at_level(logging.DEBUG, logger="bot.channels.zalo_updates"):
        assert to_inbound(body) is None

    [line] = [record.getMessage() for record in caplog.records]
    assert line.startswith("Zalo message ") and line.endswith(f"ignored: {reason}")
    assert not text or text not in caplog.text
