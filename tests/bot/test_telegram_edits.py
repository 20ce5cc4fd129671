"""The Telegram adapter changes the buttons of a message in place (editMessageReplyMarkup).

Against the fake Bot API: an edit that lands, one that changes nothing (Telegram says "not
modified": done), one on a message that is gone (its text goes out anew, or nothing when it
only took buttons away), and the failures every send can meet.
"""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from bot.channels.base import Delivery
from bot.channels.telegram import TelegramChannel
from tests.support.fake_telegram import EDIT_NOT_FOUND, NOT_MODIFIED, FakeTelegram

CHAT = 5001
UNITS = [("4.u1", "Thôn Đông"), ("4.u2", "Thôn Tây"), ("4.done", "Xong")]
TICKED = [("5.u1", "Thôn Đông"), ("5.u2", "✓ Thôn Tây"), ("5.done", "Xong")]
ASK = "Chọn các đơn vị nhận công văn (chọn lại để bỏ), rồi chọn Xong."


async def the_list(channel: TelegramChannel, fake: FakeTelegram) -> int:
    """Send the pick list and return its message id."""
    assert (await channel.send(Delivery(str(CHAT), ASK, UNITS))).ok
    return int(fake.messages_to(CHAT)[-1]["message_id"])


async def test_an_edit_changes_the_buttons_of_that_message_and_sends_nothing_new(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    listed = await the_list(channel, fake)

    result = await channel.send(Delivery(str(CHAT), ASK, TICKED, edit_message_id=str(listed)))

    assert (result.ok, result.parts_sent) == (True, 0)
    assert [m["message_id"] for m in fake.messages_to(CHAT)] == [listed]
    assert fake.buttons_of(CHAT, listed) == TICKED
    assert fake.edits_of(CHAT, listed) == 1
    [call] = fake.calls_to("editMessageReplyMarkup")
    assert (call["chat_id"], call["message_id"]) == (CHAT, listed)
    assert call["reply_markup"]["inline_keyboard"][1] == [
        {"text": "✓ Thôn Tây", "callback_data": "5.u2"}
    ]
    assert "text" not in call
    assert len(fake.calls_to("sendMessage")) == 1


async def test_an_edit_without_choices_takes_the_buttons_away(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    listed = await the_list(channel, fake)

    result = await channel.send(Delivery(str(CHAT), "", edit_message_id=str(listed)))

    assert result.ok
    [call] = fake.calls_to("editMessageReplyMarkup")
    assert "reply_markup" not in call
    assert fake.buttons_of(CHAT, listed) == []
    assert "reply_markup" not in fake.messages_to(CHAT)[0]


async def test_an_edit_sent_twice_is_done_once_telegram_says_not_modified(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    """A row sent again (its outcome was not stored) finds the buttons already there."""
    listed = await the_list(channel, fake)
    edit = Delivery(str(CHAT), ASK, TICKED, edit_message_id=str(listed))

    first, again = await channel.send(edit), await channel.send(edit)

    assert (first.ok, again.ok, again.final) == (True, True, False)
    assert fake.edits_of(CHAT, listed) == 1
    assert len(fake.messages_to(CHAT)) == 1


async def test_the_fakes_refusals_are_worded_like_telegrams(fake: FakeTelegram) -> None:
    """What the adapter relies on, asked over plain HTTP as any client would."""
    base = f"{fake.url}/bot{fake.token}"
    async with httpx.AsyncClient() as client:
        sent = await client.post(
            f"{base}/sendMessage",
            json={"chat_id": CHAT, "text": ASK, "reply_markup": {"inline_keyboard": []}},
        )
        message_id = sent.json()["result"]["message_id"]
        same = await client.post(
            f"{base}/editMessageReplyMarkup", json={"chat_id": CHAT, "message_id": message_id}
        )
        missing = await client.post(
            f"{base}/editMessageReplyMarkup", json={"chat_id": CHAT, "message_id": 999}
        )
        markup = {"inline_keyboard": [[{"text": "Xong", "callback_data": "5.done"}]]}
        edited = await client.post(
            f"{base}/editMessageReplyMarkup",
            json={"chat_id": CHAT, "message_id": message_id, "reply_markup": markup},
        )
        inline = await client.post(
            f"{base}/editMessageReplyMarkup",
            json={"inline_message_id": "AAAAAgAAA", "reply_markup": markup},
        )

    assert (same.status_code, same.json()) == (
        400,
        {"ok": False, "error_code": 400, "description": NOT_MODIFIED},
    )
    assert NOT_MODIFIED == (
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message"
    )
    assert (missing.status_code, missing.json()["description"]) == (400, EDIT_NOT_FOUND)
    assert EDIT_NOT_FOUND == "Bad Request: message to edit not found"
    result = edited.json()["result"]
    assert (result["message_id"], result["text"], result["reply_markup"]) == (
        message_id,
        ASK,
        markup,
    )
    assert isinstance(result["edit_date"], int)
    assert inline.json() == {"ok": True, "result": True}


async def test_a_list_deleted_meanwhile_comes_again_as_a_new_message(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    listed = await the_list(channel, fake)
    fake.delete(CHAT, listed)

    result = await channel.send(Delivery(str(CHAT), ASK, TICKED, edit_message_id=str(listed)))

    assert (result.ok, result.parts_sent) == (True, 1)
    [again] = fake.messages_to(CHAT)
    assert again["message_id"] != listed
    assert (again["text"], fake.last_buttons(CHAT)) == (ASK, TICKED)


async def test_a_chosen_label_for_a_deleted_message_sends_nothing(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    """Taking buttons off a message that is gone leaves nothing to do, and nothing is lost."""
    listed = await the_list(channel, fake)
    fake.delete(CHAT, listed)

    result = await channel.send(
        Delivery(str(CHAT), "", [("~", "✓ Xong")], edit_message_id=str(listed))
    )

    assert (result.ok, result.final) == (True, False)
    assert fake.messages_to(CHAT) == []
    assert len(fake.calls_to("sendMessage")) == 1


async def test_a_message_that_is_not_the_bots_cannot_be_edited_and_comes_anew(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    fake.user_sends(CHAT, "Xin chào")
    theirs = 1

    result = await channel.send(Delivery(str(CHAT), ASK, TICKED, edit_message_id=str(theirs)))

    assert result.ok
    assert fake.edits_of(CHAT, theirs) == 0
    assert [m["text"] for m in fake.messages_to(CHAT)] == [ASK]


async def test_a_retry_after_the_new_copy_was_cut_short_does_not_edit_again(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    """The message was gone and the text went out anew in parts; the retry sends the rest."""
    paragraphs = [("Danh sách đơn vị trong xã. " * 120).strip() for _ in range(2)]
    edit = Delivery(str(CHAT), "\n\n".join(paragraphs), TICKED, edit_message_id="77")
    fake.fail_next("sendMessage", 502, "Bad Gateway", skip=1)

    cut = await channel.send(edit)
    resumed = await channel.send(replace(edit, skip_parts=cut.parts_sent))

    assert (cut.ok, cut.parts_sent, resumed.ok, resumed.parts_sent) == (False, 1, True, 1)
    assert len(fake.calls_to("editMessageReplyMarkup")) == 1
    assert [m["text"] for m in fake.messages_to(CHAT)] == paragraphs
    assert fake.last_buttons(CHAT) == TICKED


@pytest.mark.parametrize(
    ("status", "description", "expected"),
    [
        (403, "Forbidden: bot was blocked by the user", (True, True, None)),
        (400, "Bad Request: chat not found", (True, True, None)),
        (429, "Too Many Requests: retry after 3", (False, False, 3)),
        (502, "Bad Gateway", (False, False, None)),
        (400, "Bad Request: BUTTON_DATA_INVALID", (True, False, None)),
    ],
    ids=["blocked", "chat-gone", "429", "502", "bad-button"],
)
async def test_an_edit_meets_the_failures_a_send_meets(
    channel: TelegramChannel,
    fake: FakeTelegram,
    status: int,
    description: str,
    expected: tuple[bool, bool, float | None],
) -> None:
    listed = await the_list(channel, fake)
    retry = 3 if status == 429 else None
    fake.fail_next("editMessageReplyMarkup", status, description, retry_after=retry)

    result = await channel.send(Delivery(str(CHAT), ASK, TICKED, edit_message_id=str(listed)))

    assert not result.ok
    assert (result.final, result.unreachable, result.retry_after) == expected
    assert len(fake.messages_to(CHAT)) == 1
    assert fake.buttons_of(CHAT, listed) == UNITS
