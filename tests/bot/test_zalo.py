"""The Zalo adapter: saved payloads to Inbound, then polling and sending against a fake Zalo."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

from bot.channels.base import Delivery
from bot.channels.zalo import ZaloChannel, ZaloError, ZaloTokenRefused
from handlers.messages import Inbound
from tests.support.fake_zalo import FakeZalo

USER = "6ede9afa66b88fe6d6a9"
CHOICES = [("yes", "Đồng ý"), ("no", "Không đồng ý"), ("/ack 12", "Đã nhận")]


@pytest.fixture
def fake() -> Iterator[FakeZalo]:
    """A fake Zalo Bot API on a free local port."""
    server = FakeZalo().start()
    yield server
    server.stop()


class Pauses:
    """Stands in for asyncio.sleep in the backoff: records delays, never waits."""

    def __init__(self, stop_after: int | None = None) -> None:
        self.delays: list[float] = []
        self.stop_after = stop_after

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        if self.stop_after is not None and len(self.delays) >= self.stop_after:
            raise asyncio.CancelledError
        await asyncio.sleep(0)


@pytest.fixture
def pauses() -> Pauses:
    """The backoff delays the channel asked for."""
    return Pauses()


@pytest.fixture
async def channel(fake: FakeZalo, pauses: Pauses) -> AsyncIterator[ZaloChannel]:
    """The adapter pointed at the fake, long polls of one second."""
    zalo = ZaloChannel(fake.token, fake.url, poll_timeout=1, pause=pauses)
    yield zalo
    await zalo.close()


class Inbox:
    """Collects what the channel hands to the engine."""

    def __init__(self) -> None:
        self.received: list[Inbound] = []

    async def __call__(self, inbound: Inbound) -> None:
        self.received.append(inbound)

    @property
    def texts(self) -> list[str]:
        """The texts handled so far, in order."""
        return [inbound.text for inbound in self.received]


@contextlib.asynccontextmanager
async def polling(zalo: ZaloChannel, handle: Callable[[Inbound], Any]) -> AsyncIterator[Any]:
    """Run the poll loop for the duration of the block, then cancel it."""
    task = asyncio.create_task(zalo.poll(handle))
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def eventually(fake: FakeZalo, predicate: Callable[[], bool]) -> None:
    """Wait (off the event loop) until the predicate holds."""
    assert await asyncio.to_thread(fake.wait_for, predicate), "timed out waiting"


def polls(fake: FakeZalo) -> int:
    """How many getUpdates calls the fake has answered."""
    return sum(1 for method, _ in fake.calls if method == "getUpdates")


_HELD_PORTS: list[socket.socket] = []


def closed_port_url() -> str:
    """A local URL nothing listens on, so connecting fails at once. The port stays bound (not
    listening) for the rest of the run: no fake server of a test running beside it takes it."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    _HELD_PORTS.append(probe)
    return f"http://127.0.0.1:{probe.getsockname()[1]}"


# Polling against the fake


async def test_poll_hands_over_one_update_per_call_oldest_first(
    fake: FakeZalo, channel: ZaloChannel
) -> None:
    inbox = Inbox()
    first = fake.user_sends(USER, "KH7QX2")
    fake.user_sends(USER, "1")
    fake.user_sends(USER, "Đã nhận")

    async with polling(channel, inbox):
        await eventually(fake, lambda: len(inbox.received) == 3)

    assert inbox.texts == ["KH7QX2", "1", "Đã nhận"]
    assert inbox.received[0].message_key == f"zalo:{first}"
    assert inbox.received[0].display_name == "Trần Thị Bích"
    assert polls(fake) >= 3
    assert all(body == {"timeout": "1"} for method, body in fake.calls if method == "getUpdates")


@pytest.mark.parametrize("idle_status", [408, 200])
async def test_idle_polls_answered_408_give_nothing_and_polling_goes_on(
    fake: FakeZalo, pauses: Pauses, idle_status: int
) -> None:
    fake.idle_status = idle_status
    zalo = ZaloChannel(fake.token, fake.url, poll_timeout=0, pause=pauses)
    inbox = Inbox()

    async with polling(zalo, inbox) as task:
        await eventually(fake, lambda: polls(fake) >= 3)
        assert inbox.received == [] and not task.done()
        fake.user_sends(USER, "menu")
        await eventually(fake, lambda: len(inbox.received) == 1)
    await zalo.close()

    assert inbox.texts == ["menu"]
    assert pauses.delays == []


async def test_a_replayed_message_is_handled_once(fake: FakeZalo, channel: ZaloChannel) -> None:
    inbox = Inbox()
    fake.user_sends(USER, "KH7QX2")

    async with polling(channel, inbox):
        await eventually(fake, lambda: len(inbox.received) == 1)
        fake.replay_last()
        fake.user_sends(USER, "menu")
        await eventually(fake, lambda: len(inbox.received) == 2)

    assert inbox.texts == ["KH7QX2", "menu"]
    assert len({inbound.message_key for inbound in inbox.received}) == 2


@pytest.mark.parametrize("wrap", [True, False], ids=["wrapped", "bare"])
async def test_wrapped_and_bare_bodies_both_arrive(
    fake: FakeZalo, channel: ZaloChannel, wrap: bool
) -> None:
    fake.wrap = wrap
    inbox = Inbox()
    fake.user_sends(USER, "Xin chào")
    fake.user_sends_image(USER, "https://photo-stal.zadn.vn/bot/abc.jpg", caption="Biên lai")

    async with polling(channel, inbox):
        await eventually(fake, lambda: len(inbox.received) == 2)

    assert inbox.texts == ["Xin chào", "Biên lai"]
    assert inbox.received[1].photo == "https://photo-stal.zadn.vn/bot/abc.jpg"


async def test_a_sticker_is_skipped_and_the_next_message_still_arrives(
    fake: FakeZalo, channel: ZaloChannel
) -> None:
    inbox = Inbox()
    fake.user_sends_sticker(USER)
    fake.user_sends(USER, "menu")

    async with polling(channel, inbox):
        await eventually(fake, lambda: len(inbox.received) == 1)

    assert inbox.texts == ["menu"]


async def test_server_errors_back_off_doubling_then_polling_recovers(
    fake: FakeZalo, channel: ZaloChannel, pauses: Pauses
) -> None:
    inbox = Inbox()
    fake.fail_next("getUpdates", 500, "Internal server error", count=3)
    fake.user_sends(USER, "menu")

    async with polling(channel, inbox):
        await eventually(fake, lambda: len(inbox.received) == 1)

    assert inbox.texts == ["menu"]
    assert pauses.delays == [1.0, 2.0, 4.0]


@pytest.mark.parametrize(
    ("status", "description"), [(429, "Quota exceeded"), (403, "Internal server error")]
)
async def test_rate_limits_and_zalos_internal_403_also_back_off(
    fake: FakeZalo, channel: ZaloChannel, pauses: Pauses, status: int, description: str
) -> None:
    inbox = Inbox()
    fake.fail_next("getUpdates", status, description)
    fake.user_sends(USER, "menu")

    async with polling(channel, inbox):
        await eventually(fake, lambda: len(inbox.received) == 1)

    assert inbox.texts == ["menu"]
    assert pauses.delays == [1.0]


async def test_connection_errors_back_off_up_to_thirty_seconds() -> None:
    pauses = Pauses(stop_after=7)
    zalo = ZaloChannel("123:secret", closed_port_url(), poll_timeout=1, pause=pauses)

    with pytest.raises(asyncio.CancelledError):
        await zalo.poll(Inbox())
    await zalo.close()

    assert pauses.delays == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]


async def test_a_refused_token_stops_polling_with_an_error_naming_no_token(
    fake: FakeZalo, pauses: Pauses
) -> None:
    zalo = ZaloChannel("999:wrongTokenXyz", fake.url, poll_timeout=1, pause=pauses)

    with pytest.raises(ZaloTokenRefused, match="401") as refused:
        await zalo.poll(Inbox())
    await zalo.close()

    assert "wrongTokenXyz" not in str(refused.value)
    assert pauses.delays == []


async def test_an_error_in_the_handler_is_logged_and_polling_goes_on(
    fake: FakeZalo, channel: ZaloChannel, caplog: pytest.LogCaptureFixture
) -> None:
    inbox = Inbox()

    async def handle(inbound: Inbound) -> None:
        if inbound.text == "boom":
            raise RuntimeError("database unavailable")
        await inbox(inbound)

    fake.user_sends(USER, "boom")
    fake.user_sends(USER, "menu")
    with caplog.at_level(logging.ERROR, logger="bot.channels.zalo"):
        async with polling(channel, handle):
            await eventually(fake, lambda: len(inbox.received) == 1)

    assert inbox.texts == ["menu"]
    assert any("failed" in record.getMessage() for record in caplog.records)


async def test_a_message_whose_handling_failed_is_handled_when_replayed(
    fake: FakeZalo, channel: ZaloChannel
) -> None:
    attempts: list[str] = []

    async def handle(inbound: Inbound) -> None:
        attempts.append(inbound.message_key)
        if len(attempts) == 1:
            raise RuntimeError("database unavailable")

    fake.user_sends(USER, "KH7QX2")
    async with polling(channel, handle):
        await eventually(fake, lambda: len(attempts) == 1)
        fake.replay_last()
        await eventually(fake, lambda: len(attempts) == 2)

    assert attempts[0] == attempts[1]


async def test_cancelling_the_poll_while_it_waits_ends_cleanly(
    fake: FakeZalo, channel: ZaloChannel, caplog: pytest.LogCaptureFixture
) -> None:
    task = asyncio.create_task(channel.poll(Inbox()))
    await eventually(fake, lambda: polls(fake) >= 1)

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert task.cancelled()
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


# Start


async def test_start_checks_the_token_and_returns_the_account_name(
    fake: FakeZalo, channel: ZaloChannel
) -> None:
    assert await channel.start() == "bot.HocTapXa"
    assert next(method for method, _ in fake.calls) == "getMe"


async def test_start_with_a_wrong_token_fails_without_showing_it(fake: FakeZalo) -> None:
    zalo = ZaloChannel("999:wrongTokenXyz", fake.url)

    with pytest.raises(ZaloTokenRefused) as refused:
        await zalo.start()
    await zalo.close()

    assert "401" in str(refused.value) and "wrongTokenXyz" not in str(refused.value)


async def test_a_server_error_at_start_is_no_refused_token(fake: FakeZalo) -> None:
    """Zalo busy at start (500) is a passing fault: the bot tries again later."""
    fake.fail_next("getMe", 500, "Internal server error")
    zalo = ZaloChannel(fake.token, fake.url)

    with pytest.raises(ZaloError) as failed:
        await zalo.start()
    assert not isinstance(failed.value, ZaloTokenRefused)
    assert await zalo.start() == "bot.HocTapXa"
    await zalo.close()


async def test_start_warns_when_a_webhook_would_swallow_the_updates(
    fake: FakeZalo, channel: ZaloChannel, caplog: pytest.LogCaptureFixture
) -> None:
    hook = {"url": "https://xa.example/zalo", "secret_token": "bi-mat-123"}
    httpx.post(f"{fake.url}/bot{fake.token}/setWebhook", json=hook).raise_for_status()

    with caplog.at_level(logging.WARNING, logger="bot.channels.zalo"):
        await channel.start()

    assert any("deleteWebhook" in record.getMessage() for record in caplog.records)


# Sending


async def test_choices_become_a_numbered_list_with_a_vietnamese_hint(
    fake: FakeZalo, channel: ZaloChannel
) -> None:
    result = await channel.send(Delivery(USER, "Anh/chị có đồng ý không?", CHOICES))

    assert result.ok
    assert fake.messages_to(USER) == [
        "Anh/chị có đồng ý không?\n\n"
        "1. Đồng ý\n2. Không đồng ý\n3. Đã nhận\n"
        "Trả lời bằng số (1, 2…)."
    ]


async def test_the_hint_follows_the_recipients_language(
    fake: FakeZalo, channel: ZaloChannel
) -> None:
    await channel.send(Delivery(USER, "Do you agree?", CHOICES[:2], locale="en"))

    assert fake.messages_to(USER) == [
        "Do you agree?\n\n1. Đồng ý\n2. Không đồng ý\nReply with the number of your choice."
    ]


async def test_a_long_text_is_split_under_2000_with_the_list_whole_on_the_last_part(
    fake: FakeZalo, channel: ZaloChannel
) -> None:
    words = [f"thôn{number:04d}" for number in range(501)]
    text = " ".join(words)
    assert len(text) >= 4500

    result = await channel.send(Delivery(USER, text, CHOICES))

    parts = fake.messages_to(USER)
    assert result.ok and len(parts) == 3
    assert all(len(part) <= 2000 for part in parts)
    assert parts[-1].endswith(
        "1. Đồng ý\n2. Không đồng ý\n3. Đã nhận\nTrả lời bằng số (1, 2…)."
    )
    assert ["1. Đồng ý" in part for part in parts] == [False, False, True]
    assert " ".join(parts).split()[: len(words)] == words
    assert result.parts_sent == 3


async def test_a_send_cut_short_says_how_many_parts_arrived_and_the_retry_sends_the_rest(
    fake: FakeZalo, channel: ZaloChannel
) -> None:
    text = " ".join(f"thôn{number:04d}" for number in range(501))
    fake.fail_next("sendMessage", 502, "Bad gateway", skip=2)

    cut = await channel.send(Delivery(USER, text, CHOICES))
    resumed = await channel.send(Delivery(USER, text, CHOICES, skip_parts=cut.parts_sent))

    assert (cut.ok, cut.final, cut.parts_sent) == (False, False, 2)
    assert (resumed.ok, resumed.parts_sent) == (True, 1)
    parts = fake.messages_to(USER)
    assert len(parts) == 3
    assert ["1. Đồng ý" in part for part in parts] == [False, False, True]


async def test_a_resumed_photo_message_skips_the_photo_already_sent(
    fake: FakeZalo, channel: ZaloChannel
) -> None:
    photo = "https://xa.example/anh.png"

    result = await channel.send(Delivery(USER, "Danh sách. " * 300, photo=photo, skip_parts=1))

    assert (result.ok, result.parts_sent) == (True, 2)
    assert fake.photos_to(USER) == []


async def test_a_list_that_no_longer_fits_after_the_text_goes_whole_into_its_own_message(
    fake: FakeZalo, channel: ZaloChannel
) -> None:
    text = "Nội dung công văn. " * 104
    assert 1950 < len(text.strip()) <= 2000

    await channel.send(Delivery(USER, text, CHOICES))

    parts = fake.messages_to(USER)
    assert len(parts) == 2
    assert parts[0] == text.strip()
    assert parts[1] == (
        "1. Đồng ý\n2. Không đồng ý\n3. Đã nhận\nTrả lời bằng số (1, 2…)."
    )


async def test_a_photo_goes_by_url_with_the_text_as_its_caption(
    fake: FakeZalo, channel: ZaloChannel
) -> None:
    photo = "https://xa.example/bien-lai/KH2026-00001.png"

    result = await channel.send(Delivery(USER, "Biên lai KH2026-00001", photo=photo))

    assert result.ok
    assert fake.photos_to(USER) == [photo]
    assert fake.messages_to(USER) == ["Biên lai KH2026-00001"]
    assert [method for method, _ in fake.calls] == ["sendPhoto"]


async def test_a_photo_with_a_long_text_goes_first_then_the_text_parts(
    fake: FakeZalo, channel: ZaloChannel
) -> None:
    photo = "https://xa.example/bien-lai/KH2026-00002.png"

    await channel.send(Delivery(USER, "Danh sách nhà hảo tâm. " * 150, photo=photo))

    assert [method for method, _ in fake.calls] == ["sendPhoto", "sendMessage", "sendMessage"]
    assert fake.photos_to(USER) == [photo]
    assert all(len(part) <= 2000 for part in fake.messages_to(USER))


async def test_a_document_is_left_out_and_the_text_still_goes(
    fake: FakeZalo, channel: ZaloChannel
) -> None:
    result = await channel.send(Delivery(USER, "Báo cáo quý I", document="BQACAgIAAx"))

    assert result.ok
    assert fake.messages_to(USER) == ["Báo cáo quý I"]


async def test_rate_limited_sends_are_retried_later(fake: FakeZalo, channel: ZaloChannel) -> None:
    fake.fail_next("sendMessage", 429, "Quota exceeded")

    result = await channel.send(Delivery(USER, "Nhắc hạn báo cáo"))

    assert not result.ok and not result.final and not result.unreachable
    assert result.limited and result.retry_after is None
    assert "429" in result.error


async def test_a_retry_delay_in_the_body_is_passed_on(fake: FakeZalo, channel: ZaloChannel) -> None:
    fake.fail_next("sendMessage", 429, "Quota exceeded", retry_after=7)

    result = await channel.send(Delivery(USER, "Nhắc hạn báo cáo"))

    assert not result.final and result.retry_after == 7.0


@pytest.mark.parametrize(
    ("status", "description"),
    [(500, "Internal server error"), (502, "Bad gateway"), (403, "Internal server error")],
)
async def test_server_errors_are_retryable(
    fake: FakeZalo, channel: ZaloChannel, status: int, description: str
) -> None:
    fake.fail_next("sendMessage", status, description)

    result = await channel.send(Delivery(USER, "Nhắc hạn báo cáo"))

    assert not result.ok and not result.final and not result.unreachable
    assert fake.messages_to(USER) == []


async def test_an_unreachable_server_is_retryable() -> None:
    zalo = ZaloChannel("123:secret", closed_port_url())

    result = await zalo.send(Delivery(USER, "Nhắc hạn báo cáo"))
    await zalo.close()

    assert not result.ok and not result.final
    assert "secret" not in result.error


async def test_a_user_who_blocked_the_bot_is_final_and_unreachable(
    fake: FakeZalo, channel: ZaloChannel
) -> None:
    fake.block(USER)

    result = await channel.send(Delivery(USER, "Công văn mới"))

    assert not result.ok and result.final and result.unreachable
    assert "403" in result.error


async def test_a_bad_message_is_final_but_the_person_stays_reachable(
    fake: FakeZalo, channel: ZaloChannel
) -> None:
    fake.fail_next("sendMessage", 400, "Bad request: text must be 1 to 2000 characters")

    result = await channel.send(Delivery(USER, "Công văn mới"))

    assert result.final and not result.unreachable


async def test_a_refused_token_on_send_is_final_without_blaming_the_person(
    fake: FakeZalo,
) -> None:
    zalo = ZaloChannel("999:wrongTokenXyz", fake.url)

    result = await zalo.send(Delivery(USER, "Công văn mới"))
    await zalo.close()

    assert result.final and not result.unreachable
    assert "wrongTokenXyz" not in result.error


async def test_the_token_never_reaches_the_logs(
    fake: FakeZalo, channel: ZaloChannel, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    inbox = Inbox()
    await channel.start()
    fake.fail_next("getUpdates", 500, "Internal server error")
    fake.user_sends_sticker(USER)
    fake.user_sends(USER, "menu")
    async with polling(channel, inbox):
        await eventually(fake, lambda: len(inbox.received) == 1)
        fake.replay_last()
        await eventually(fake, lambda: polls(fake) >= 5)
    fake.block(USER)
    await channel.send(Delivery(USER, "Công văn mới", document="file"))

    logged = [record.getMessage() for record in caplog.records]
    assert any("HTTP Request" in message for message in logged), "httpx logged nothing"
    assert any("getUpdates failed" in message for message in logged)
    assert not [message for message in logged if fake.token in message]
    assert not [message for message in logged if fake.token.split(":")[1] in message]


async def test_zalo_cannot_edit_a_message_so_an_edit_sends_its_text_and_a_bare_one_nothing(
    fake: FakeZalo, channel: ZaloChannel
) -> None:
    """Edits are Telegram's: should one reach Zalo, its text goes as a new message; one that
    only changes buttons (which Zalo has none of) sends nothing and is done."""
    ticked = [("5.u1", "✓ Thôn Đông"), ("5.done", "Xong")]
    edit = Delivery(USER, "Chọn các đơn vị", ticked, edit_message_id="41")
    bare = Delivery(USER, "", [("~", "✓ Xong")], edit_message_id="41")

    sent, nothing = await channel.send(edit), await channel.send(bare)

    assert (sent.ok, sent.parts_sent, nothing.ok, nothing.parts_sent) == (True, 1, True, 0)
    [message] = fake.messages_to(USER)
    assert message.startswith("Chọn các đơn vị\n\n1. ✓ Thôn Đông\n2. Xong")
