"""Joining with an invite code, on Telegram and Zalo."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

from storage.db import transaction
from storage.models import Conversation, Identity, InviteCode, Person, Role
from storage.people import find_invite
from tests.support.chat import Chat, invite

NOT_VALID = (
    "Mã mời không đúng hoặc đã hết hạn. "
    "Anh/chị kiểm tra lại mã hoặc xin mã mới tại Phòng Văn hóa – Xã hội."
)
WAIT = "Anh/chị đã gửi sai mã quá nhiều lần. Vui lòng đợi đến {} rồi gửi lại mã."


async def test_village_head_joins_on_telegram_and_gives_name(engine, database):
    """/start CODE binds the chat to a new focal point of the unit; the bot asks the name."""
    code = invite(database, Role.FOCAL, "Thôn Đông", engine.clock())
    chat = Chat(engine, "telegram", "5001")
    replies = await chat.send(f"/start {code}")
    assert (
        replies[0]
        == "Phòng Văn hóa – Xã hội chào mừng anh/chị tham gia với vai trò đầu mối của Thôn Đông."
    )
    assert replies[1] == "Anh/chị vui lòng cho biết họ và tên."
    replies = await chat.send("Nguyễn Văn An")
    assert replies[0] == "Cảm ơn anh/chị Nguyễn Văn An, việc đăng ký đã hoàn tất."
    assert "Quỹ khuyến học" in " ".join(chat.labels()) or chat.labels()
    with Session(database) as session:
        person = session.exec(select(Person)).one()
        assert (person.name, person.role) == ("Nguyễn Văn An", "focal")
        identity = session.exec(select(Identity)).one()
        assert (identity.channel, identity.external_id) == ("telegram", "5001")
        used = session.exec(select(InviteCode)).one()
        assert used.used_by == person.id


async def test_principal_joins_on_zalo_with_bare_code(engine, database):
    """On Zalo the code alone, typed in lower case with a dash, is enough."""
    code = invite(database, Role.FOCAL, "Trường TH An Hưng", engine.clock())
    chat = Chat(engine, "zalo", "a1b2c3d4e5")
    replies = await chat.send(f"{code[:4].lower()}-{code[4:].lower()}")
    assert replies[-1] == "Anh/chị vui lòng cho biết họ và tên."


async def test_code_works_once(engine, database):
    """A second chat using the same code is told it is not valid, and nothing is created."""
    code = invite(database, Role.FOCAL, "Thôn Đông", engine.clock())
    await Chat(engine, "telegram", "1").send(f"/start {code}")
    replies = await Chat(engine, "telegram", "2").send(f"/start {code}")
    assert replies[0].startswith(NOT_VALID)
    with Session(database) as session:
        assert len(session.exec(select(Person)).all()) == 1


async def test_expired_code_is_refused(engine, database, clock):
    """A code older than seven days no longer works."""
    code = invite(database, Role.ADMIN, None, engine.clock())
    clock.advance(days=7, seconds=1)
    replies = await Chat(engine, "zalo", "z1").send(code)
    assert replies[0].startswith(NOT_VALID)


async def test_stranger_gets_one_explanation(engine):
    """Someone unregistered is told how to join once, then left alone for the day."""
    chat = Chat(engine, "zalo", "stranger")
    first = await chat.send("xin chào")
    assert len(first) == 1 and "mã mời" in first[0]
    assert await chat.send("/menu") == []
    assert await chat.send("alo?") == []


async def test_name_must_be_letters(engine, database):
    """An emoji or a 5,000-character name is refused and the question asked again."""
    code = invite(database, Role.FOCAL, "Thôn Đông", engine.clock())
    chat = Chat(engine, "telegram", "5001")
    await chat.send(f"/start {code}")
    for bad in ["😀😀", "x" * 5000, "12345"]:
        replies = await chat.send(bad)
        assert replies == [
            "Vui lòng gửi họ và tên bằng chữ, tối đa 80 ký tự.",
            "Anh/chị vui lòng cho biết họ và tên.",
        ]
    with Session(database) as session:
        assert session.exec(select(Person)).one().name == ""


async def test_used_revoked_expired_and_unknown_codes_get_the_same_answer(engine, database, clock):
    """A guesser learns nothing: every code that does not work gets one and the same reply."""
    used = invite(database, Role.FOCAL, "Thôn Đông", clock.now)
    await Chat(engine, "telegram", "first").send(f"/start {used}")
    revoked = invite(database, Role.FOCAL, "Thôn Đông", clock.now)
    with transaction(database) as session:
        row = find_invite(session, revoked)
        assert row is not None
        row.revoked_at = clock.now
        session.add(row)
    expired = invite(database, Role.FOCAL, "Thôn Đông", clock.now - dt.timedelta(days=8))
    answers = [
        await Chat(engine, "zalo", f"guess{index}").send(code)
        for index, code in enumerate([used, revoked, expired, "ABCD2345"])
    ]
    assert answers[0][0].startswith(NOT_VALID)
    assert all(answer == answers[0] for answer in answers)
    with Session(database) as session:
        assert len(session.exec(select(Person)).all()) == 1


@pytest.mark.parametrize(
    ("channel", "message"),
    [
        ("zalo", "Mã: {code}"),
        ("zalo", "ma moi {lower}"),
        ("zalo", "Chào anh, mã mời của tôi là {code}. Cảm ơn!"),
        ("telegram", "/start {code}"),
        ("telegram", "/start@hoctap_xa_bot {lower}"),
    ],
)
async def test_code_inside_a_sentence_is_redeemed(engine, database, channel, message):
    """A village head who writes the code in a sentence, in any case, joins all the same."""
    code = invite(database, Role.FOCAL, "Thôn Đông", engine.clock())
    chat = Chat(engine, channel, "head")
    replies = await chat.send(message.format(code=code, lower=code.lower()))
    assert replies == [
        "Phòng Văn hóa – Xã hội chào mừng anh/chị tham gia với vai trò đầu mối của Thôn Đông.",
        "Anh/chị vui lòng cho biết họ và tên.",
    ]
    with Session(database) as session:
        person = session.exec(select(Person)).one()
        assert find_invite(session, code).used_by == person.id  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "message", ["chuc mung", "Chucmung ca nha nhe", "Xin chào, tôi là trưởng thôn Đông"]
)
async def test_ordinary_words_are_not_taken_for_codes(engine, database, message):
    """Eight plain letters in a sentence are a word, not a wrong code: only the how-to comes."""
    chat = Chat(engine, "zalo", "stranger")
    [reply] = await chat.send(message)
    assert reply.startswith("Đây là trợ lý")
    with Session(database) as session:
        conversation = session.exec(select(Conversation)).one()
        assert "wrong_codes" not in conversation.data


async def test_five_wrong_codes_make_the_chat_wait_an_hour(engine, database, clock):
    """Each wrong code is answered; the fifth within an hour stops code checks for an hour."""
    good = invite(database, Role.ADMIN, None, clock.now)
    chat = Chat(engine, "zalo", "guesser")
    for guess in ["AAAA2222", "AAAA3333", "AAAA4444", "AAAA5555"]:
        replies = await chat.send(guess)
        assert replies[0].startswith(NOT_VALID) and len(replies) == 1
        clock.advance(minutes=10)
    replies = await chat.send("AAAA6666")
    assert replies[0].startswith(NOT_VALID)
    assert replies[1] == WAIT.format("09:40 ngày 20/03/2026")
    clock.advance(minutes=30)
    assert await chat.send(good) == [WAIT.format("09:40 ngày 20/03/2026")]
    with Session(database) as session:
        assert session.exec(select(Person)).all() == []
        conversation = session.exec(select(Conversation)).one()
        assert conversation.data["codes_blocked_until"].startswith("2026-03-20T02:40")
    clock.advance(minutes=31)
    replies = await chat.send(good)
    assert (
        replies[0] == "Phòng Văn hóa – Xã hội chào mừng anh/chị tham gia với vai trò quản trị viên."
    )


async def test_wrong_codes_spread_over_hours_never_block(engine, database, clock):
    """Only wrong codes within the last hour count: one a quarter past each hour is fine."""
    good = invite(database, Role.ADMIN, None, clock.now)
    chat = Chat(engine, "telegram", "slow")
    for _round in range(6):
        assert (await chat.send("/start BBBB2222"))[0].startswith(NOT_VALID)
        clock.advance(minutes=15)
    assert (await chat.send(f"/start {good}"))[0].startswith("Phòng Văn hóa – Xã hội chào mừng")
