"""The Telegram adapter: saved payloads become neutral messages, deliveries become API calls."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram.error import InvalidToken

from bot.channels.base import Delivery
from bot.channels.telegram import TelegramChannel
from handlers.features import load_features
from handlers.i18n import Translator
from handlers.messages import Inbound
from handlers.registry import commands_for
from tests.support.fake_telegram import FakeTelegram, Upload, too_many_requests

PAYLOADS = Path(__file__).resolve().parent.parent / "support" / "payloads"
BINH = 5123456789
AT_0800 = dt.datetime(2026, 3, 20, 1, 0, tzinfo=dt.UTC)  # 08:00 in the commune


def payload(name: str) -> dict[str, Any]:
    """A saved Bot API update."""
    return json.loads((PAYLOADS / f"telegram_{name}.json").read_text(encoding="utf-8"))


class Handler:
    """Records what poll hands over; cancels the poll after `stop_after` events."""

    def __init__(self, fake: FakeTelegram, stop_after: int, fail_on: int = 0) -> None:
        self.fake = fake
        self.stop_after = stop_after
        self.fail_on = fail_on
        self.seen: list[Inbound] = []
        self.unconfirmed: list[list[int]] = []
        self.answers: list[int] = []
        self.task: asyncio.Task[None] | None = None

    async def __call__(self, inbound: Inbound) -> None:
        self.seen.append(inbound)
        self.unconfirmed.append(self.fake.unconfirmed())
        self.answers.append(len(self.fake.calls_to("answerCallbackQuery")))
        if len(self.seen) == self.stop_after and self.task:
            self.task.cancel()
        if len(self.seen) == self.fail_on:
            raise RuntimeError("the database is down")

    async def run(self, channel: TelegramChannel) -> None:
        """Poll until the handler cancels it (or fail after 10 s rather than hang)."""
        self.task = asyncio.create_task(channel.poll(self))
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(self.task, 10)


# -- start and poll ------------------------------------------------------------------------------


async def test_start_checks_the_token_drops_the_webhook_and_returns_the_username(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    assert await channel.start() == "hoctap_test_bot"
    assert [name for name, _params in fake.calls] == ["getMe", "deleteWebhook"]


async def test_a_wrong_token_raises_on_start_and_on_poll(fake: FakeTelegram) -> None:
    wrong = TelegramChannel("7000000001:wrong-token", fake.url, poll_timeout=1)
    try:
        with pytest.raises(InvalidToken) as started:
            await wrong.start()
        with pytest.raises(InvalidToken):
            await wrong.poll(Handler(fake, stop_after=1))
    finally:
        await wrong.close()
    assert "wrong-token" not in str(started.value)
    assert fake.calls == []


async def test_poll_hands_over_messages_and_taps_and_confirms_each_only_after_handling(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    first = fake.user_sends(BINH, "/start K7Q2MX", first_name="Bình")
    handler = Handler(fake, stop_after=2)
    handler.task = asyncio.create_task(channel.poll(handler))

    # Handled, then confirmed by the next getUpdates; not before.
    assert await fake.until(lambda: {"offset": first + 1} in _offsets(fake))
    assert handler.unconfirmed[0] == [first]
    await channel.send(Delivery(str(BINH), "Công văn 669/KH-SGDĐT", [("/ack 12", "Đã nhận")]))
    tap = fake.user_taps(BINH, "/ack 12")
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(handler.task, 10)

    message, button = handler.seen
    assert (message.text, message.chat_id, message.display_name) == (
        "/start K7Q2MX",
        str(BINH),
        "Bình",
    )
    # Keyed by chat and message id, and by the tap's own id: update_ids may start over.
    assert message.message_key == f"telegram:m:{BINH}:1@7000000001"
    assert (button.choice, button.message_key) == ("/ack 12", f"telegram:cb:{button.callback_id}")
    assert tap == first + 1
    # The tap was answered, without the handler waiting for the answer.
    assert await fake.until(lambda: len(fake.calls_to("answerCallbackQuery")) == 1)
    assert fake.calls_to("answerCallbackQuery") == [{"callback_query_id": button.callback_id}]
    assert _offsets(fake)[0] == {"offset": None}
    assert fake.calls_to("getUpdates")[0]["allowed_updates"] == ["message", "callback_query"]


async def test_a_slow_answer_to_a_tap_does_not_hold_up_the_tap_or_the_next_message(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    await channel.send(Delivery(str(BINH), "Công văn 669/KH-SGDĐT", [("/ack 12", "Đã nhận")]))
    fake.slow_next("answerCallbackQuery", 3.0)
    fake.user_taps(BINH, "/ack 12")
    fake.user_sends(BINH, "/menu")
    handler = Handler(fake, stop_after=2)
    await handler.run(channel)

    # Both were handed over while Telegram was still answering the tap.
    assert [event.choice or event.text for event in handler.seen] == ["/ack 12", "/menu"]
    assert handler.answers == [0, 0]
    assert await fake.until(lambda: len(fake.calls_to("answerCallbackQuery")) == 1)


async def test_poll_hands_over_photos_and_documents_with_their_file_ids(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    fake.user_sends_photo(BINH, "AgACAgUAAxkBAAIBhop", caption="Ảnh họp dân")
    fake.user_sends_document(BINH, "BQACAgUAAxkBAAIBbaocao", "bao-cao.pdf", caption="Báo cáo")
    handler = Handler(fake, stop_after=2)

    await handler.run(channel)

    photo, document = handler.seen
    assert (photo.photo, photo.text) == ("AgACAgUAAxkBAAIBhop", "Ảnh họp dân")
    assert (document.document, document.document_name, document.text) == (
        "BQACAgUAAxkBAAIBbaocao",
        "bao-cao.pdf",
        "Báo cáo",
    )


async def test_an_update_interrupted_while_handled_comes_again(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    done = fake.user_sends(BINH, "Thôn 3 đã họp dân")
    interrupted = fake.user_sends(BINH, "Đã hoàn thành")

    class Interrupting(Handler):
        async def __call__(self, inbound: Inbound) -> None:
            await super().__call__(inbound)
            if len(self.seen) == 2:
                await asyncio.sleep(0)  # the cancellation lands inside the handler

    await Interrupting(fake, stop_after=2).run(channel)
    await channel.close()

    assert fake.unconfirmed() == [interrupted]
    again, restarted = Handler(fake, stop_after=1), TelegramChannel(fake.token, fake.url)
    await again.run(restarted)
    await restarted.close()
    assert [inbound.message_key for inbound in again.seen] == [f"telegram:m:{BINH}:2@7000000001"]
    assert done < interrupted


async def test_a_failing_handler_is_logged_and_the_next_update_still_arrives(
    channel: TelegramChannel, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    poisoned = fake.user_sends(BINH, "tin nhắn lỗi")
    fine = fake.user_sends(BINH, "tin nhắn tiếp theo")
    handler = Handler(fake, stop_after=2, fail_on=1)

    await handler.run(channel)
    await channel.close()

    assert [inbound.text for inbound in handler.seen] == ["tin nhắn lỗi", "tin nhắn tiếp theo"]
    assert f"Handling Telegram update {poisoned} failed" in caplog.text
    assert fake.unconfirmed() == []
    assert fine == poisoned + 1


async def test_group_messages_are_confirmed_but_not_handed_over(
    channel: TelegramChannel, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    raw = {k: v for k, v in payload("group_message").items() if k != "update_id"}
    group = fake.push_update(raw)
    fake.user_sends(BINH, "/menu")
    handler = Handler(fake, stop_after=1)

    with caplog.at_level(logging.DEBUG, logger="bot.channels"):
        await handler.run(channel)

    assert [inbound.message_key for inbound in handler.seen] == [f"telegram:m:{BINH}:1@7000000001"]
    assert f"Telegram update {group} ignored: chat type supergroup, not private" in caplog.text
    assert payload("group_message")["message"]["text"] not in caplog.text


async def test_poll_backs_off_on_server_errors_doubling_to_30_seconds(
    fake: FakeTelegram,
) -> None:
    delays: list[float] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    channel = TelegramChannel(fake.token, fake.url, poll_timeout=5, sleep=sleep)
    fake.fail_next("getUpdates", 500, "Internal Server Error", count=6)
    fake.fail_next("getUpdates", 502, "Bad Gateway")
    fake.fail_next("getUpdates", 429, "Too Many Requests: retry after 7", retry_after=7)
    fake.user_sends(BINH, "Chào")
    handler = Handler(fake, stop_after=1)

    await handler.run(channel)
    await channel.close()

    assert delays == [1, 2, 4, 8, 16, 30, 30, 7.0]
    assert [inbound.text for inbound in handler.seen] == ["Chào"]


# -- send ----------------------------------------------------------------------------------------


async def test_a_text_with_choices_becomes_an_inline_keyboard(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    choices = [("3.chua", "Chưa triển khai"), ("3.dang", "Đang thực hiện"), ("/ack 12", "Đã nhận")]

    result = await channel.send(Delivery("5001", "Tình hình thực hiện?", choices))

    assert result.ok
    [sent] = fake.messages_to(5001)
    assert sent["text"] == "Tình hình thực hiện?"
    assert fake.last_buttons(5001) == [(cid, label) for cid, label in choices]
    assert sent["reply_markup"]["inline_keyboard"][0] == [
        {"text": "Chưa triển khai", "callback_data": "3.chua"}
    ]


async def test_a_9000_character_text_goes_as_3_messages_with_buttons_on_the_last(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    paragraphs = [("Nội dung kế hoạch thôn. " * 125).strip() for _ in range(3)]
    text = "\n\n".join(paragraphs)
    assert len(text) > 9000

    result = await channel.send(Delivery("5001", text, [("/ack 12", "Đã nhận")]))

    assert result.ok
    sent = fake.messages_to(5001)
    assert [message["text"] for message in sent] == paragraphs
    assert ["reply_markup" in message for message in sent] == [False, False, True]
    assert fake.last_buttons(5001) == [("/ack 12", "Đã nhận")]
    assert result.parts_sent == 3


async def test_a_send_cut_short_says_how_many_parts_arrived_and_the_retry_sends_the_rest(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    paragraphs = [("Nội dung kế hoạch thôn. " * 125).strip() for _ in range(3)]
    delivery = Delivery("5001", "\n\n".join(paragraphs), [("/ack 12", "Đã nhận")])
    fake.fail_next("sendMessage", 502, "Bad Gateway", skip=1)

    cut = await channel.send(delivery)
    resumed = await channel.send(replace(delivery, skip_parts=cut.parts_sent))

    assert (cut.ok, cut.final, cut.parts_sent) == (False, False, 1)
    assert "after 1 message(s) had been sent" in cut.error
    assert (resumed.ok, resumed.parts_sent) == (True, 2)
    sent = fake.messages_to(5001)
    assert [message["text"] for message in sent] == paragraphs
    assert ["reply_markup" in message for message in sent] == [False, False, True]


async def test_a_resumed_photo_message_skips_the_photo_already_sent(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    delivery = Delivery("5001", "Chú thích dài. " * 100 + "Hết.", photo="AgACAgUAAxkBAAM1aBcDlarge")

    result = await channel.send(replace(delivery, skip_parts=1))

    assert (result.ok, result.parts_sent) == (True, 1)
    assert fake.calls_to("sendPhoto") == []
    assert [message["text"] for message in fake.messages_to(5001)] == [delivery.text]


async def test_a_document_goes_first_then_the_text(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    delivery = Delivery(
        "5001",
        "Công văn 669/KH-SGDĐT, hạn 30/04/2026.",
        [("/ack 12", "Đã nhận")],
        document="BQACAgUAAxkBAAM2aBcEpdf",
    )

    assert (await channel.send(delivery)).ok

    document, text = fake.messages_to(5001)
    assert document["document"]["file_id"] == "BQACAgUAAxkBAAM2aBcEpdf"
    assert "reply_markup" not in document
    assert text["text"] == "Công văn 669/KH-SGDĐT, hạn 30/04/2026."
    assert fake.last_buttons(5001) == [("/ack 12", "Đã nhận")]


async def test_a_photo_carries_a_short_text_as_its_caption(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    delivery = Delivery(
        "5001",
        "Ảnh buổi họp dân thôn 3",
        [("/ack 12", "Đã nhận")],
        photo="AgACAgUAAxkBAAM1aBcDlarge",
    )

    assert (await channel.send(delivery)).ok

    [photo] = fake.messages_to(5001)
    assert photo["photo"][0]["file_id"] == "AgACAgUAAxkBAAM1aBcDlarge"
    assert photo["caption"] == "Ảnh buổi họp dân thôn 3"
    assert fake.last_buttons(5001) == [("/ack 12", "Đã nhận")]


async def test_a_photo_with_a_text_over_1024_characters_goes_without_caption(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    text = ("Báo cáo chi tiết. " * 80).strip()

    assert (await channel.send(Delivery("5001", text, photo="AgACAgUAAxkBAAM1aBcDlarge"))).ok

    photo, message = fake.messages_to(5001)
    assert "caption" not in photo
    assert message["text"] == text


async def test_a_button_with_callback_data_over_64_bytes_is_dropped_not_the_message(
    channel: TelegramChannel, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    too_long = "/chon " + "đ" * 30  # 66 bytes in UTF-8, 36 characters
    choices = [(too_long, "Quá dài"), ("1.ok", "Đồng ý")]

    assert (await channel.send(Delivery("5001", "Chọn một mục", choices))).ok

    assert fake.last_buttons(5001) == [("1.ok", "Đồng ý")]
    assert "callback data is 66 bytes" in caplog.text


async def test_an_empty_delivery_fails_for_good_without_calling_telegram(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    result = await channel.send(Delivery("5001", "  \n ", [("1.ok", "Đồng ý")]))

    assert (result.ok, result.final, result.unreachable) == (False, True, False)
    assert fake.calls == []


@pytest.mark.parametrize(
    ("status", "description", "expected"),
    [
        (403, "Forbidden: bot was blocked by the user", (True, True, None)),
        (403, "Forbidden: user is deactivated", (True, True, None)),
        (400, "Bad Request: chat not found", (True, True, None)),
        (400, "Bad Request: can't parse entities", (True, False, None)),
        (429, "Too Many Requests: retry after 3", (False, False, 3.0)),
        (500, "Internal Server Error", (False, False, None)),
        (502, "Bad Gateway", (False, False, None)),
    ],
)
async def test_send_errors_say_whether_to_retry_and_whether_the_person_is_gone(
    channel: TelegramChannel,
    fake: FakeTelegram,
    status: int,
    description: str,
    expected: tuple[bool, bool, float | None],
) -> None:
    fake.fail_next("sendMessage", status, description, retry_after=3 if status == 429 else None)

    result = await channel.send(Delivery("5001", "Nhắc hạn báo cáo"))

    assert not result.ok
    assert (result.final, result.unreachable, result.retry_after) == expected
    if status != 429:
        # PTB drops the "Bad Request: " prefix; the rest of Telegram's words stay.
        assert description.split(": ")[-1].lower() in result.error.lower()
    assert fake.token not in result.error
    assert fake.messages_to(5001) == []


async def test_a_429_is_a_rate_limit_with_telegrams_own_delay(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    fake.limit(1, retry_after=4)

    first = await channel.send(Delivery("5001", "Một"))
    second = await channel.send(Delivery("5002", "Hai"))

    assert (first.ok, first.limited) == (True, False)
    assert (second.ok, second.final, second.limited, second.retry_after) == (False, False, True, 4)
    assert second.parts_sent == 0
    assert fake.too_many == 1


def test_the_fakes_429_is_worded_and_shaped_like_telegrams() -> None:
    assert too_many_requests(3) == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }


async def test_a_blocked_or_forgotten_chat_is_unreachable(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    fake.block(5001)
    fake.forget(5002)

    blocked = await channel.send(Delivery("5001", "Nhắc hạn"))
    gone = await channel.send(Delivery("5002", "Nhắc hạn"))
    fine = await channel.send(Delivery("5003", "Nhắc hạn"))

    assert (blocked.final, blocked.unreachable) == (True, True)
    assert blocked.error == "Forbidden: bot was blocked by the user"
    assert (gone.final, gone.unreachable) == (True, True)
    assert fine.ok


async def test_the_token_never_reaches_the_logs(
    fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.fail_next("getUpdates", 500, "Internal Server Error")
    fake.user_sends(BINH, "Chào")
    channel = TelegramChannel(fake.token, fake.url, poll_timeout=5, sleep=_no_sleep)

    await channel.start()
    await channel.send(Delivery("5001", "Chào anh"))
    await Handler(fake, stop_after=1).run(channel)
    await channel.close()

    assert "/sendMessage" in caplog.text  # the request lines are logged, redacted
    assert fake.token not in caplog.text
    assert all(fake.token not in record.getMessage() for record in caplog.records)


# -- command menus -------------------------------------------------------------------------------


async def test_an_admin_and_a_focal_point_get_their_own_menus_in_vietnamese(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    assert await channel.set_commands("5001", "admin", "vi")
    assert await channel.set_commands("5002", "focal", "vi")

    admin, _focal = fake.calls_to("setMyCommands")
    assert admin["scope"] == {"type": "chat", "chat_id": 5001}
    assert "language_code" not in admin
    menus = {
        role: fake.commands[f"chat:{chat}"] for role, chat in [("admin", 5001), ("focal", 5002)]
    }
    for role, menu in menus.items():
        assert menu[0] == {"command": "menu", "description": "Menu"}
        assert menu[-2:] == [
            {"command": "help", "description": "Hướng dẫn"},
            {"command": "huy", "description": "Hủy thao tác đang làm"},
        ]
        assert {"command": "ngonngu", "description": "Ngôn ngữ"} in menu
        load_features()
        vi = Translator("vi")
        labelled = [(c.name, vi(c.menu_label)) for c in commands_for(role) if c.menu_label]
        assert [(c["command"], c["description"]) for c in menu[1:-2]] == labelled
    admin_names = [c["command"] for c in menus["admin"]]
    focal_names = [c["command"] for c in menus["focal"]]
    assert {"command": "congvan", "description": "Gửi công văn mới"} in menus["admin"]
    assert "congvan" not in focal_names
    assert "start" not in admin_names + focal_names
    assert "ack" not in focal_names  # a button command, not for the menu


async def test_the_default_menu_offers_start_and_help(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    assert await channel.set_default_commands()

    assert fake.commands["default"] == [
        {"command": "start", "description": "Bắt đầu, hoặc tham gia bằng mã mời"},
        {"command": "help", "description": "Hướng dẫn"},
    ]


async def test_a_failed_menu_update_returns_false_instead_of_raising(
    channel: TelegramChannel, fake: FakeTelegram
) -> None:
    fake.fail_next("setMyCommands", 400, "Bad Request: chat not found")

    assert await channel.set_commands("5001", "focal", "vi") is False


# -- the fake itself -----------------------------------------------------------------------------


def test_the_fake_reads_json_form_and_multipart_bodies(fake: FakeTelegram) -> None:
    api = f"{fake.url}/bot{fake.token}"
    markup = {"inline_keyboard": [[{"text": "Đã nhận", "callback_data": "/ack 1"}]]}
    with httpx.Client() as client:
        as_json = client.post(
            f"{api}/sendMessage", json={"chat_id": "11", "text": "123", "reply_markup": markup}
        )
        client.post(
            f"{api}/sendMessage",
            data={"chat_id": "12", "text": "[1]", "reply_markup": json.dumps(markup)},
        )
        as_multipart = client.post(
            f"{api}/sendDocument",
            data={"chat_id": "13", "document": "attach://file", "caption": "Kế hoạch"},
            files={"file": ("ke-hoach.pdf", b"%PDF-1.4")},
        )
        wrong_token = client.post(f"{fake.url}/bot1:nope/getMe")
        fake.user_sends_document(11, "BQACAgUAAxkBAAIBfile", "ke-hoach.pdf")
        file = client.get(f"{api}/getFile", params={"file_id": "BQACAgUAAxkBAAIBfile"})

    assert as_json.json()["result"]["reply_markup"] == markup
    assert fake.messages_to(12)[0]["text"] == "[1]"
    assert fake.last_buttons(12) == [("/ack 1", "Đã nhận")]
    assert as_multipart.json()["result"]["caption"] == "Kế hoạch"
    assert fake.calls_to("sendDocument")[0]["file"] == Upload("ke-hoach.pdf", b"%PDF-1.4")
    assert fake.uploads[13] == [Upload("ke-hoach.pdf", b"%PDF-1.4")]
    assert fake.calls_to("sendMessage")[0]["chat_id"] == 11
    assert wrong_token.status_code == 401
    assert wrong_token.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert file.json()["result"]["file_path"] == "documents/ke-hoach.pdf"


def _offsets(fake: FakeTelegram) -> list[dict[str, int | None]]:
    return [{"offset": call.get("offset")} for call in fake.calls_to("getUpdates")]


async def _no_sleep(seconds: float) -> None:
    return None
