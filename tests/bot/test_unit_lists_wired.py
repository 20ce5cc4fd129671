"""Unit lists and chosen buttons as people see them in the apps, through the fake Bot APIs.

On Telegram the admin's ticks change the one list message (its keyboard edited in place, no
new copies), and every question answered by a tap, and the directive's push once Đã nhận is
tapped, shows one inert line with the choice instead of its buttons. On Zalo the admin types
several numbers at once and gets the numbered list back, ticked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from bot.channels.telegram import TelegramChannel
from bot.channels.zalo import ZaloChannel
from handlers.i18n import Translator
from storage.db import transaction
from storage.models import Role
from storage.people import add_unit
from tests.support.chat import joined
from tests.support.directives import (
    ASK_DEADLINE,
    ASK_UNITS,
    EAST,
    EXAMPLE_NUMBER,
    EXAMPLE_SUBJECT,
    NUMBERS_HINT,
    SCHOOL,
    STALE,
    WEST,
    commune,
)
from tests.support.fake_telegram import FakeTelegram
from tests.support.fake_zalo import FakeZalo
from tests.support.wired import Wired

MAI, CUONG = 9001, 5003
"""The admin and the school's principal, on Telegram."""
HOA = "8a7f3c2e1b0d4f65"
"""An admin on Zalo."""
BODY = "Đề nghị các đơn vị báo cáo kết quả trước ngày 30/4."


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    """A fake Telegram Bot API on 127.0.0.1."""
    server = FakeTelegram().start()
    yield server
    server.stop()


@pytest.fixture
async def bot(telegram: FakeTelegram, engine, clock) -> AsyncIterator[Wired]:  # type: ignore[no-untyped-def]
    """The commune registered, the bot polling the fake and its welcomes delivered."""
    await commune(engine)
    channel = TelegramChannel(telegram.token, telegram.url, poll_timeout=1, send_timeout=2)
    async with Wired(channel, engine, clock) as wired:
        await wired.send_queued()
        yield wired


def last_id(fake: FakeTelegram, chat: int) -> int:
    """The id of the bot's newest message to a chat."""
    return int(fake.messages_to(chat)[-1]["message_id"])


def labels(fake: FakeTelegram, chat: int, message_id: int) -> list[str]:
    """The buttons a message shows now, by label."""
    return [label for _data, label in fake.buttons_of(chat, message_id)]


async def taps(bot: Wired, fake: FakeTelegram, chat: int, label: str, message_id: int) -> None:
    """The person taps the button with this label on that message; the bot answers."""
    data = [data for data, shown in fake.buttons_of(chat, message_id) if shown == label]
    assert data, f"no button {label!r} on message {message_id}: {fake.buttons_of(chat, message_id)}"
    fake.user_taps(chat, data[0], message_id)
    await bot.turn()


async def says(bot: Wired, fake: FakeTelegram, chat: int, text: str) -> None:
    """The person sends a text; the bot answers."""
    fake.user_sends(chat, text)
    await bot.turn()


async def to_the_unit_list(bot: Wired, fake: FakeTelegram) -> tuple[int, int]:
    """Mai enters a directive up to its unit list; return (target question, list) ids."""
    for text in ["/congvan", EXAMPLE_NUMBER, "20/03/2026", EXAMPLE_SUBJECT, BODY]:
        await says(bot, fake, MAI, text)
    target = last_id(fake, MAI)
    await taps(bot, fake, MAI, "Chọn đơn vị", target)
    return target, last_id(fake, MAI)


async def test_two_ticks_edit_one_message_twice_and_done_leaves_the_choice(bot, telegram):
    """Mai ticks Thôn Tây and the school: the list is one message whose keyboard was edited
    twice, no copy was sent; Xong and the earlier Chọn đơn vị stay as inert lines."""
    target, listed = await to_the_unit_list(bot, telegram)
    assert telegram.messages_to(MAI)[-1]["text"] == ASK_UNITS
    sent = len(telegram.messages_to(MAI))
    assert telegram.buttons_of(MAI, target) == [("~", "✓ Chọn đơn vị")]

    await taps(bot, telegram, MAI, WEST, listed)
    await taps(bot, telegram, MAI, SCHOOL, listed)

    assert len(telegram.messages_to(MAI)) == sent
    assert telegram.edits_of(MAI, listed) == 2
    assert labels(telegram, MAI, listed) == [EAST, f"✓ {WEST}", f"✓ {SCHOOL}", "Xong"]
    assert [call["message_id"] for call in telegram.calls_to("editMessageReplyMarkup")] == [
        target,
        listed,
        listed,
    ]

    await taps(bot, telegram, MAI, "Xong", listed)
    assert telegram.messages_to(MAI)[-1]["text"] == ASK_DEADLINE
    assert telegram.buttons_of(MAI, listed) == [("~", "✓ Xong")]
    await says(bot, telegram, MAI, "30/04/2026")
    preview = telegram.messages_to(MAI)[-1]
    assert f"Gửi tới (2): {WEST}, {SCHOOL}\n" in preview["text"]
    await taps(bot, telegram, MAI, "Gửi", preview["message_id"])
    assert telegram.messages_to(MAI)[-1]["text"] == "Đã gửi công văn tới 2 đơn vị, 2 người."
    assert labels(telegram, MAI, preview["message_id"]) == ["✓ Gửi"]


async def test_received_on_the_push_leaves_one_line_and_that_line_does_nothing(bot, telegram):
    """Cường taps Đã nhận on the directive: he is answered, the push now shows '✓ Đã nhận'
    instead of its two buttons; tapping that line sends nothing more."""
    _target, listed = await to_the_unit_list(bot, telegram)
    await taps(bot, telegram, MAI, SCHOOL, listed)
    await taps(bot, telegram, MAI, "Xong", listed)
    await says(bot, telegram, MAI, "30/04/2026")
    await taps(bot, telegram, MAI, "Gửi", last_id(telegram, MAI))
    push = telegram.messages_to(CUONG)[-1]
    assert push["text"].startswith(f"🔔 Công văn số {EXAMPLE_NUMBER}")
    assert labels(telegram, CUONG, push["message_id"]) == ["Đã nhận", "Báo cáo"]

    await taps(bot, telegram, CUONG, "Đã nhận", push["message_id"])
    handled = bot.handled

    answer = telegram.messages_to(CUONG)[-1]
    assert answer["text"].startswith(f"Đã xác nhận anh/chị nhận công văn số {EXAMPLE_NUMBER}")
    assert labels(telegram, CUONG, answer["message_id"]) == ["Báo cáo"]
    assert telegram.buttons_of(CUONG, push["message_id"]) == [("~", "✓ Đã nhận")]
    seen, answered = len(telegram.messages_to(CUONG)), telegram.calls_to("answerCallbackQuery")
    telegram.user_taps(CUONG, "~", push["message_id"])
    await telegram.until(lambda: telegram.unconfirmed() == [])
    await bot.send_queued()
    assert len(telegram.messages_to(CUONG)) == seen
    assert bot.handled == handled
    # Answered all the same, or the app would show a spinner on it; the answer goes out beside
    # the polling, so it may come after the next getUpdates has confirmed the tap.
    answered_once_more = len(answered) + 1
    assert await telegram.until(
        lambda: len(telegram.calls_to("answerCallbackQuery")) == answered_once_more
    )


async def test_a_stale_button_is_answered_and_taken_away(bot, telegram):
    """Mai typed the issue date, so Hôm nay stayed under its question; tapped later it does
    nothing, she is told so and asked the current question again, and the button goes."""
    await says(bot, telegram, MAI, "/congvan")
    await says(bot, telegram, MAI, EXAMPLE_NUMBER)
    dated = last_id(telegram, MAI)
    await says(bot, telegram, MAI, "20/03/2026")

    await taps(bot, telegram, MAI, "Hôm nay", dated)

    texts = [message["text"] for message in telegram.messages_to(MAI)[-2:]]
    assert texts == [STALE, "Trích yếu nội dung công văn? Ví dụ: V/v triển khai Đề án …"]
    assert telegram.buttons_of(MAI, dated) == []


async def test_a_list_deleted_before_its_edit_comes_again_ticked(bot, telegram):
    """Mai ticks Thôn Đông and deletes the list before the bot changes it: the list comes as
    a new message with the tick, and picking goes on there."""
    _target, listed = await to_the_unit_list(bot, telegram)
    data = next(d for d, shown in telegram.buttons_of(MAI, listed) if shown == EAST)
    telegram.user_taps(MAI, data, listed)
    await bot.handled_next()
    telegram.delete(MAI, listed)

    await bot.send_queued()

    again = telegram.messages_to(MAI)[-1]
    assert again["message_id"] != listed and again["text"] == ASK_UNITS
    assert labels(telegram, MAI, again["message_id"]) == [f"✓ {EAST}", WEST, SCHOOL, "Xong"]
    await taps(bot, telegram, MAI, WEST, again["message_id"])
    assert labels(telegram, MAI, again["message_id"]) == [f"✓ {EAST}", f"✓ {WEST}", SCHOOL, "Xong"]


# -- Zalo ----------------------------------------------------------------------------------------


@pytest.fixture
def zalo() -> Iterator[FakeZalo]:
    """A fake Zalo Bot API on 127.0.0.1."""
    server = FakeZalo().start()
    yield server
    server.stop()


def numbered(*picked: str) -> str:
    """The Zalo message of the unit list with these units ticked."""
    units = ["Thôn Bắc", EAST, WEST, SCHOOL, "Trung tâm Dịch vụ sự nghiệp công", "Xong"]
    lines = [f"{n}. {'✓ ' if name in picked else ''}{name}" for n, name in enumerate(units, 1)]
    # The closing line is the Zalo adapter's own, whatever its wording.
    reply_hint = Translator("vi")("Reply with the number of your choice.")
    return "\n".join([ASK_UNITS, NUMBERS_HINT, "", *lines, reply_hint])


@pytest.mark.parametrize(
    ("reply", "picked"),
    [
        ("1 3 5", ["Thôn Bắc", WEST, "Trung tâm Dịch vụ sự nghiệp công"]),
        ("1-3", ["Thôn Bắc", EAST, WEST]),
        ("tất cả", ["Thôn Bắc", EAST, WEST, SCHOOL, "Trung tâm Dịch vụ sự nghiệp công"]),
    ],
)
async def test_zalo_admin_picks_three_or_all_units_in_one_message(
    engine, clock, zalo, reply, picked
):
    """Hoa sends one message with the numbers; the numbered list comes back with the ticks,
    as a new message (Zalo cannot change one); 'xong' moves on."""
    await commune(engine)
    with transaction(engine.database) as session:
        add_unit(session, "Thôn Bắc", "village")
        add_unit(session, "Trung tâm Dịch vụ sự nghiệp công", "office")
    await joined(engine, Role.ADMIN, "Lê Thị Hoa", channel="zalo", external_id=HOA)
    channel = ZaloChannel(zalo.token, zalo.url, poll_timeout=1)
    async with Wired(channel, engine, clock) as bot:
        await bot.send_queued()
        for text in ["/congvan", EXAMPLE_NUMBER, "20/03/2026", EXAMPLE_SUBJECT, BODY, "4"]:
            zalo.user_sends(HOA, text)
            await bot.turn()
        assert zalo.messages_to(HOA)[-1] == numbered()

        before = len(zalo.messages_to(HOA))
        zalo.user_sends(HOA, reply)
        await bot.turn()
        assert zalo.messages_to(HOA)[before:] == [numbered(*picked)]

        zalo.user_sends(HOA, "xong")
        await bot.turn()
    assert zalo.messages_to(HOA)[-1].startswith(ASK_DEADLINE)
