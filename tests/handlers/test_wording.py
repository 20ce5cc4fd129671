"""The office's own voice: its form of address and its name, set by the operator, and times,
deadlines and overdue days written as a commune office writes them; on Telegram and Zalo."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers.directive_push import due_line
from handlers.i18n import Translator, Voice, use_voice
from storage.models import Role
from tests.support.chat import Chat, invite, joined
from tests.support.directives import EXAMPLE_NUMBER, commune, enter_directive

CHANNELS = ["telegram", "zalo"]
COUNCIL = "Văn phòng HĐND và UBND xã"


@pytest.fixture
def dong_chi() -> None:
    """ADDRESS_FORM=đồng chí, OFFICE_NAME=Văn phòng HĐND và UBND xã (conftest restores)."""
    use_voice(Voice("đồng chí", COUNCIL))


async def _join(engine, channel: str, external_id: str) -> tuple[Chat, list[str]]:  # type: ignore[no-untyped-def]
    code = invite(engine.database, Role.FOCAL, "Thôn Đông", engine.clock())
    chat = Chat(engine, channel, external_id)
    return chat, await chat.send(f"/start {code}" if channel == "telegram" else code)


@pytest.mark.parametrize("channel", CHANNELS)
async def test_the_welcome_names_the_office(engine, channel):
    """By default the welcome comes from Phòng Văn hóa – Xã hội and says anh/chị."""
    _chat, replies = await _join(engine, channel, f"{channel}-an")
    assert replies == [
        "Phòng Văn hóa – Xã hội chào mừng anh/chị tham gia với vai trò đầu mối của Thôn Đông.",
        "Anh/chị vui lòng cho biết họ và tên.",
    ]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_with_dong_chi_the_welcome_thanks_and_menu_say_dong_chi(engine, channel, dong_chi):
    """The welcome names the configured office; every reply after it says đồng chí."""
    chat, replies = await _join(engine, channel, f"{channel}-an")
    assert replies == [
        f"{COUNCIL} chào mừng đồng chí tham gia với vai trò đầu mối của Thôn Đông.",
        "Đồng chí vui lòng cho biết họ và tên.",
    ]
    assert (await chat.send("Nguyễn Văn An"))[0] == (
        "Cảm ơn đồng chí Nguyễn Văn An, việc đăng ký đã hoàn tất."
    )
    assert (await chat.send("/start"))[:2] == [
        "Đồng chí Nguyễn Văn An đã đăng ký trước đó.",
        "Đồng chí muốn làm gì?",
    ]


async def test_with_dong_chi_the_acknowledgement_says_dong_chi_on_both_channels(
    engine, clock, dong_chi
):
    """Đã nhận on Telegram and its number on Zalo: the time reads 'lúc 12:17 ngày 20/03/2026'."""
    town = await commune(engine)
    await enter_directive(town.admin)
    await town.admin.tap("Gửi")
    town.east.inbox(), town.west.inbox()
    [ack, _report] = town.east.choices
    assert await town.east.tap("Đã nhận") == [
        f"Đã xác nhận đồng chí nhận công văn số {EXAMPLE_NUMBER} lúc 08:00 ngày 20/03/2026."
    ]
    clock.advance(hours=4, minutes=17)
    assert await town.west.tap("Đã nhận") == [
        f"Đã xác nhận đồng chí nhận công văn số {EXAMPLE_NUMBER} lúc 12:17 ngày 20/03/2026."
    ]
    assert await town.east.press(ack[0]) == [
        "Đồng chí đã xác nhận nhận công văn này lúc 08:00 ngày 20/03/2026."
    ]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_with_ong_ba_an_announcement_keeps_the_words_its_author_typed(engine, channel):
    """The bot's own words say ông/bà and the configured office; the text the admin typed,
    'anh/chị' and 'Phòng Văn hóa – Xã hội' included, reaches people exactly as typed."""
    use_voice(Voice("ông/bà", "Ban Văn hóa xã"))
    admin = await joined(engine, Role.ADMIN, "Trần Thị Mai", channel=channel, external_id="9001")
    head = await joined(
        engine, Role.FOCAL, "Nguyễn Văn An", unit="Thôn Đông", channel=channel, external_id="1"
    )
    head.inbox()
    typed = "Kính mời anh/chị dự họp tại Phòng Văn hóa – Xã hội lúc 8 giờ."
    assert (await admin.send("/thongbao"))[0].startswith("Ông/bà nhập nội dung thông báo.")
    await admin.send(typed)
    await admin.tap("Tất cả mọi người")
    assert (await admin.tap("Gửi"))[0].endswith("Khi gửi xong, ông/bà sẽ nhận kết quả gửi.")
    assert head.inbox() == [f"📢 Thông báo của Ban Văn hóa xã (Trần Thị Mai):\n\n{typed}"]


@pytest.mark.parametrize(
    ("deadline", "vi", "en"),
    [
        (
            dt.date(2026, 3, 23),
            "Hạn: 23/03/2026 (còn 3 ngày)",
            "Deadline: Mar 23, 2026 (3 days left)",
        ),
        (dt.date(2026, 3, 21), "Hạn: 21/03/2026 (ngày mai)", "Deadline: Mar 21, 2026 (tomorrow)"),
        (dt.date(2026, 3, 20), "Hạn: 20/03/2026 (hôm nay)", "Deadline: Mar 20, 2026 (today)"),
        (
            dt.date(2026, 3, 19),
            "Hạn: 19/03/2026 (quá hạn 1 ngày)",
            "Deadline: Mar 19, 2026 (1 day overdue)",
        ),
        (
            dt.date(2026, 3, 18),
            "Hạn: 18/03/2026 (quá hạn 2 ngày)",
            "Deadline: Mar 18, 2026 (2 days overdue)",
        ),
        (None, "Hạn: không có", "Deadline: none"),
    ],
)
def test_a_deadline_says_how_far_it_is_in_brackets(deadline, vi, en):
    """Seen on 20/03/2026: days left, tomorrow, today, or days overdue, never 'từ ngày …'."""
    today = dt.date(2026, 3, 20)
    assert due_line(Translator("vi"), deadline, today) == vi
    assert due_line(Translator("en"), deadline, today) == en


def test_english_keeps_its_own_words_and_time_form():
    """The voice is Vietnamese only: English says 'you' and its own date and time."""
    english = Translator("en", voice=Voice("đồng chí", COUNCIL))
    assert english("What is your full name?") == "What is your full name?"
    assert english.when(dt.datetime(2026, 12, 1, 5, 17, tzinfo=dt.UTC)) == "1 Dec 2026, 12:17"
    assert Translator("vi").when(dt.datetime(2026, 12, 1, 5, 17, tzinfo=dt.UTC)) == (
        "12:17 ngày 01/12/2026"
    )
