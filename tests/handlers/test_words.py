"""Outside a dialog, the words people type instead of commands work on both apps: the menu's
labels, each command's word and a few synonyms, in any case, with or without diacritics."""

from __future__ import annotations

import pytest

from handlers.registry import commands_for
from handlers.words import MAX_WORDS, SPOKEN, word_table
from storage.models import Role
from tests.support.assignments import seed_directive
from tests.support.chat import joined
from tests.support.fund import dialog_data, village_head
from tests.support.words import NOTHING_WAITING, acked, acknowledgements

CHANNELS = [("telegram", "1001"), ("zalo", "z-tam")]
PLAN = ("669/KH-SGDĐT", "V/v tiếp tục triển khai Đề án Xây dựng xã hội học tập")
FUND = ("45/UBND-VHXH", "V/v vận động ủng hộ Quỹ khuyến học năm 2026")
STATUSES = ["Chưa triển khai", "Đang thực hiện", "Đã hoàn thành", "Gặp khó khăn"]
WHICH = "Anh/chị báo cáo về công văn nào?"
ASK_NAME = "Tên người đóng góp (cá nhân, gia đình hoặc tổ chức)?"
MENU = "Anh/chị muốn làm gì?"
FOCAL_MENU = [
    "Báo cáo tiến độ",
    "Ghi nhận đóng góp Quỹ khuyến học",
    "Xem biên lai",
    "Dùng thêm Zalo/Telegram",
    "Ngôn ngữ",
]
NOTHING = {
    "telegram": "Không có việc gì đang làm dở. Gửi /menu để xem các việc anh/chị có thể làm.",
    "zalo": "Không có việc gì đang làm dở. Gửi “menu” để xem các việc anh/chị có thể làm.",
}


def asked_status(number: str, subject: str) -> str:
    """The report's status question about one directive."""
    return f"Báo cáo {number} — {subject}.\nTình hình thực hiện đến nay thế nào?"


def two_directives(database) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """The plan, then the fund drive, sent to Thôn Đông; return their assignments, older first."""
    plan = seed_directive(database, *PLAN, ["Thôn Đông"]).assignments["Thôn Đông"]
    fund = seed_directive(database, *FUND, ["Thôn Đông"]).assignments["Thôn Đông"]
    return plan, fund


@pytest.mark.parametrize(("channel", "external_id"), CHANNELS)
@pytest.mark.parametrize("typed", ["báo cáo", "bao cao", "BÁO CÁO TIẾN ĐỘ", "Báo cáo."])
async def test_report_words_start_a_report(engine, database, channel, external_id, typed):
    """The label, the word, in capitals or without marks: each starts /baocao."""
    seed_directive(database, *PLAN, ["Thôn Đông"])
    chat = await village_head(engine, channel, external_id)
    assert await chat.send(typed) == [asked_status(*PLAN)]
    assert chat.labels() == STATUSES
    assert dialog_data(database, chat)["command"] == "baocao"


@pytest.mark.parametrize(("channel", "external_id"), CHANNELS)
@pytest.mark.parametrize("typed", ["quỹ", "QUY", "đóng góp", "Dong gop", "Ghi nhận đóng góp"])
async def test_fund_words_start_a_contribution(engine, database, channel, external_id, typed):
    """'quỹ', 'đóng góp' and the menu's label start /quy."""
    chat = await village_head(engine, channel, external_id)
    if typed == "Ghi nhận đóng góp":
        # Not the whole label: no command, so the menu itself comes back.
        assert await chat.send(typed) == [MENU]
        typed = "Ghi nhận đóng góp Quỹ khuyến học"
    assert await chat.send(typed) == [ASK_NAME]
    assert dialog_data(database, chat) == {"command": "quy"}


@pytest.mark.parametrize(("channel", "external_id"), CHANNELS)
async def test_ok_acknowledges_the_newest_directive_waiting(engine, database, channel, external_id):
    """'ok' takes the newest directive not yet acknowledged and says which; 'đã nhận' the next;
    'nhận' with nothing left says so, and stores nothing."""
    plan, fund = two_directives(database)
    chat = await village_head(engine, channel, external_id)
    assert await chat.send("ok") == [acked(FUND[0])]
    assert chat.choices == [[f"/baocao {fund}", "Báo cáo"]]
    assert acknowledgements(database) == [(fund, "Trần Văn Tâm")]
    assert await chat.send("Đã nhận") == [acked(PLAN[0])]
    assert await chat.send("nhận") == [NOTHING_WAITING]
    assert acknowledgements(database) == [(fund, "Trần Văn Tâm"), (plan, "Trần Văn Tâm")]


@pytest.mark.parametrize(("channel", "external_id"), CHANNELS)
async def test_a_word_with_a_reference_names_that_directive(engine, database, channel, external_id):
    """'nhận 8' and 'báo cáo 8' act on assignment 8, as /ack 8 and /baocao 8 do; a bare
    'báo cáo' right after is the Báo cáo the reply offered, about that same directive."""
    plan, fund = two_directives(database)
    chat = await village_head(engine, channel, external_id)
    assert await chat.send(f"Nhận {plan}") == [acked(PLAN[0])]
    assert acknowledgements(database) == [(plan, "Trần Văn Tâm")]
    assert await chat.send("bao cao") == [asked_status(*PLAN)]
    await chat.send("hủy")
    assert await chat.send("báo cáo") == [WHICH]
    await chat.send("hủy")
    assert await chat.send(f"báo cáo {fund}") == [asked_status(*FUND)]
    assert dialog_data(database, chat)["assignment_id"] == fund


@pytest.mark.parametrize(("channel", "external_id"), CHANNELS)
@pytest.mark.parametrize("typed", ["hủy", "huỷ", "HUY"])
async def test_cancel_words_with_nothing_in_progress(engine, channel, external_id, typed):
    """Any spelling of 'hủy' cancels; idle, it says so and names the menu the app's way."""
    chat = await village_head(engine, channel, external_id)
    assert await chat.send(typed) == [NOTHING[channel]]


@pytest.mark.parametrize(("channel", "external_id"), CHANNELS)
async def test_menu_and_help_words(engine, channel, external_id):
    """'menu' shows the menu; 'trợ giúp' and 'giúp' explain, naming commands the app's way."""
    chat = await village_head(engine, channel, external_id)
    assert await chat.send("MENU") == [MENU]
    assert chat.labels() == FOCAL_MENU
    for typed in ["trợ giúp", "giup"]:
        [text] = await chat.send(typed)
        if channel == "telegram":
            assert "/huy để hủy thao tác đang làm" in text
            assert "/baocao — Báo cáo tiến độ" in text
            assert "/ack — Xác nhận đã nhận công văn mới nhất" in text
        else:
            assert text.startswith("Trả lời bằng số thứ tự của lựa chọn, hoặc gõ một trong")
            assert "Gõ “hủy” để hủy thao tác đang làm" in text
            assert "“báo cáo” — Báo cáo tiến độ" in text
            assert "“nhận” — Xác nhận đã nhận công văn mới nhất" in text


@pytest.mark.parametrize(("channel", "external_id"), CHANNELS)
async def test_a_message_the_bot_cannot_place_gets_the_menu(engine, database, channel, external_id):
    """'xin chào' gets the menu itself, as buttons or a numbered list: '1' then reports."""
    seed_directive(database, *PLAN, ["Thôn Đông"])
    chat = await village_head(engine, channel, external_id)
    assert await chat.send("xin chào") == [MENU]
    [row] = chat.last
    assert [label for _cid, label in row.choices] == FOCAL_MENU
    assert await chat.tap("Báo cáo tiến độ") == [asked_status(*PLAN)]


@pytest.mark.parametrize(("channel", "external_id"), CHANNELS)
async def test_english_readers_type_the_english_words(engine, database, channel, external_id):
    """After switching to English, 'report' and the English label work as well."""
    seed_directive(database, *PLAN, ["Thôn Đông"])
    chat = await village_head(engine, channel, external_id)
    await chat.send("ngôn ngữ")
    await chat.tap("English")
    for typed in ["report", "Progress report"]:
        [question] = await chat.send(typed)
        assert question.startswith(f"Report on {PLAN[0]}")
        await chat.send("cancel")
    assert await chat.send("fund") == [
        "What is the name of the donor (person, family or organisation)?"
    ]


async def test_words_of_commands_a_role_may_not_use_get_the_menu(engine, database):
    """An admin's 'ok' acknowledges nothing and a leader's 'quỹ' records nothing: both are
    shown what they can do instead."""
    two_directives(database)
    admin = await joined(engine, Role.ADMIN, "Lê Thị Hoa", external_id="2001")
    assert await admin.send("ok") == [MENU]
    leader = await joined(engine, Role.LEADER, "Phạm Văn Cường", channel="zalo", external_id="z-3")
    assert await leader.send("quỹ") == [MENU]
    assert await leader.send("tình hình") != [MENU]
    assert acknowledgements(database) == []


def test_every_word_names_one_command():
    """No folded word or label means two commands, and every command but /start has a word."""
    seen: dict[str, str] = {}
    for role in Role:
        for phrase, name in word_table(role.value).items():
            assert seen.setdefault(phrase, name) == name, phrase
            assert len(phrase.split()) + 2 <= MAX_WORDS, phrase
    # Tests register commands of their own; the bot's are those of handlers modules.
    named = {
        c.name
        for role in Role
        for c in commands_for(role.value)
        if c.start.__module__.startswith("handlers.")
    }
    assert named - set(SPOKEN) == {"start"}
