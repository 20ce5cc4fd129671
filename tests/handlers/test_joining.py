"""Joining with an invite code, on Telegram and Zalo."""

from __future__ import annotations

from sqlmodel import Session, select

from storage.models import Identity, InviteCode, Person, Role
from tests.support.chat import Chat, invite


async def test_village_head_joins_on_telegram_and_gives_name(engine, database):
    """/start CODE binds the chat to a new focal point of the unit; the bot asks the name."""
    code = invite(database, Role.FOCAL, "Thôn Đông", engine.clock())
    chat = Chat(engine, "telegram", "5001")
    replies = await chat.send(f"/start {code}")
    assert replies[0] == "Chào mừng! Anh/chị đã tham gia với vai trò đầu mối của Thôn Đông."
    assert replies[1] == "Họ và tên của anh/chị là gì?"
    replies = await chat.send("Nguyễn Văn An")
    assert replies[0] == "Cảm ơn Nguyễn Văn An. Anh/chị đã đăng ký xong."
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
    assert replies[-1] == "Họ và tên của anh/chị là gì?"


async def test_code_works_once(engine, database):
    """A second chat using the same code is told it was used, and nothing is created."""
    code = invite(database, Role.FOCAL, "Thôn Đông", engine.clock())
    await Chat(engine, "telegram", "1").send(f"/start {code}")
    replies = await Chat(engine, "telegram", "2").send(f"/start {code}")
    assert replies[0].startswith("Mã mời này đã được sử dụng.")
    with Session(database) as session:
        assert len(session.exec(select(Person)).all()) == 1


async def test_expired_code_is_refused(engine, database, clock):
    """A code older than seven days no longer works."""
    code = invite(database, Role.ADMIN, None, engine.clock())
    clock.advance(days=7, seconds=1)
    replies = await Chat(engine, "zalo", "z1").send(code)
    assert replies[0].startswith("Mã mời đã hết hạn.")


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
            "Họ và tên của anh/chị là gì?",
        ]
    with Session(database) as session:
        assert session.exec(select(Person)).one().name == ""
