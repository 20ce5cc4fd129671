"""/lienket: one person on both Telegram and Zalo."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from handlers.context import Notice
from handlers.outbox import deliver_notice
from storage.db import transaction
from storage.models import Identity, InviteCode, OutboxMessage, Person, Role
from storage.people import write_setting
from tests.support.chat import Chat, joined


def _code(reply: str) -> str:
    found = re.search(r"Mã liên kết của anh/chị: ([A-Z2-9]{8})", reply)
    assert found, reply
    return found[1]


async def test_village_head_links_zalo_to_the_telegram_account(engine, database):
    """The code from /lienket on Telegram, sent on Zalo, adds Zalo to the same person."""
    telegram = await joined(engine, Role.FOCAL, "Nguyễn Văn An", unit="Thôn Đông")
    [reply] = await telegram.send("/lienket")
    assert "trước 08:00 27/03/2026" in reply
    zalo = Chat(engine, "zalo", "za1")
    replies = await zalo.send(_code(reply).lower())
    assert replies[0] == "Đã liên kết tài khoản này với Nguyễn Văn An."
    assert replies[1] == "Anh/chị muốn làm gì?"
    with Session(database) as session:
        [person] = session.exec(select(Person)).all()
        identities = session.exec(select(Identity).order_by(Identity.id)).all()
        assert [(i.channel, i.person_id) for i in identities] == [
            ("telegram", person.id),
            ("zalo", person.id),
        ]
        assert (person.role, person.name) == ("focal", "Nguyễn Văn An")
        invite = session.exec(select(InviteCode).where(InviteCode.links_person.is_not(None))).one()  # type: ignore[union-attr]
        assert invite.used_by == person.id


async def test_a_notice_reaches_a_linked_person_once(engine, database, clock):
    """Once linked, a message to the person is queued once, on the app they wrote from last."""
    telegram = await joined(engine, Role.FOCAL, "Nguyễn Văn An", unit="Thôn Đông")
    [reply] = await telegram.send("/lienket")
    zalo = Chat(engine, "zalo", "za1")
    await zalo.send(_code(reply))
    clock.advance(minutes=1)
    await zalo.send("/menu")
    with transaction(database) as session:
        person = session.exec(select(Person)).one()
        notice = Notice(person.id or 0, lambda _: ("Thông báo họp", []), key="meeting:1")
        deliver_notice(session, notice, "Asia/Ho_Chi_Minh", clock.now)
    with Session(database) as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.text == "Thông báo họp"))
        assert [row.channel for row in rows] == ["zalo"]


async def test_linking_code_works_once(engine, database):
    """A second chat cannot reuse the linking code."""
    telegram = await joined(engine, Role.FOCAL, "Nguyễn Văn An", unit="Thôn Đông")
    code = _code((await telegram.send("/lienket"))[0])
    await Chat(engine, "zalo", "za1").send(code)
    replies = await Chat(engine, "zalo", "za2").send(code)
    assert replies[0].startswith("Mã mời này đã được sử dụng.")
    with Session(database) as session:
        assert len(session.exec(select(Identity)).all()) == 2


async def test_deep_link_is_offered_when_the_bot_name_is_known(engine, database):
    """On Telegram the code also comes as a t.me link, once the bot has started there."""
    with transaction(database) as session:
        write_setting(session, "telegram_username", "hoctap_xa_bot")
    zalo = await joined(engine, Role.LEADER, "Phạm Văn Cường", channel="zalo", external_id="z9")
    [reply] = await zalo.send("/lienket")
    code = _code(reply)
    assert f"https://t.me/hoctap_xa_bot?start={code}" in reply
