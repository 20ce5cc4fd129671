"""/lienket: one person on both Telegram and Zalo."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from handlers.context import Notice
from handlers.outbox import deliver_notice
from storage.db import transaction
from storage.models import AuditEntry, Identity, InviteCode, OutboxMessage, Person, Role
from storage.people import find_invite, write_setting
from tests.support.chat import Chat, joined

ASK_APP = "Anh/chị muốn nhận công văn, tin nhắc việc và thông báo qua ứng dụng nào? Hiện tại: {}."


def _code(reply: str) -> str:
    found = re.search(r"Mã liên kết của anh/chị: ([A-Z2-9]{8})", reply)
    assert found, reply
    return found[1]


async def test_village_head_links_zalo_to_the_telegram_account(engine, database):
    """The code from /lienket on Telegram, sent on Zalo, adds Zalo to the same person."""
    telegram = await joined(engine, Role.FOCAL, "Nguyễn Văn An", unit="Thôn Đông")
    [reply] = await telegram.send("/lienket")
    assert "trước 08:00 ngày 27/03/2026" in reply
    zalo = Chat(engine, "zalo", "za1")
    replies = await zalo.send(_code(reply).lower())
    assert replies[0] == "Đã liên kết tài khoản này với Nguyễn Văn An."
    assert replies[1].startswith("Anh/chị muốn nhận công văn, tin nhắc việc và thông báo qua")
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
    replies = await Chat(engine, "telegram", "tg2").send(code)
    assert replies[0].startswith("Mã mời không đúng hoặc đã hết hạn.")
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


async def test_a_new_lienket_revokes_the_previous_code(engine, database, clock):
    """Asking twice leaves one open code: the first one, perhaps seen by others, stops working."""
    telegram = await joined(engine, Role.FOCAL, "Nguyễn Văn An", unit="Thôn Đông")
    first = _code((await telegram.send("/lienket"))[0])
    clock.advance(minutes=5)
    second = _code((await telegram.send("/lienket"))[0])
    assert first != second
    replies = await Chat(engine, "zalo", "za1").send(first)
    assert replies[0].startswith("Mã mời không đúng hoặc đã hết hạn.")
    assert (await Chat(engine, "zalo", "za2").send(second))[0] == (
        "Đã liên kết tài khoản này với Nguyễn Văn An."
    )
    with Session(database) as session:
        old = find_invite(session, first)
        assert old is not None and (old.revoked_at, old.used_at) == (clock.now, None)
        [entry] = session.exec(select(AuditEntry).where(AuditEntry.action == "invite.revoke"))
        assert entry.detail == {"code": first, "reason": "replaced"}


async def test_a_linking_code_cannot_add_a_second_account_on_the_same_app(engine, database):
    """Another Telegram account cannot join a person who already has Telegram; it is told why."""
    telegram = await joined(engine, Role.FOCAL, "Nguyễn Văn An", unit="Thôn Đông")
    code = _code((await telegram.send("/lienket"))[0])
    replies = await Chat(engine, "telegram", "second-phone").send(f"/start {code}")
    assert replies == [
        "Mã này dùng để thêm ứng dụng khác cho một tài khoản, nhưng tài khoản đó đã có Telegram. "
        "Mỗi người chỉ có một tài khoản Telegram trong hệ thống; anh/chị gửi mã từ ứng dụng "
        "còn lại."
    ]
    with Session(database) as session:
        assert [i.external_id for i in session.exec(select(Identity))] == ["1001"]
        assert find_invite(session, code).used_at is None  # type: ignore[union-attr]
    assert (await Chat(engine, "zalo", "za1").send(code))[0].startswith("Đã liên kết")


async def test_the_owner_is_told_on_the_old_chat_when_a_new_chat_is_linked(engine, database):
    """Whoever redeems the code, the person learns it at once on the app they already had."""
    telegram = await joined(engine, Role.FOCAL, "Nguyễn Văn An", unit="Thôn Đông")
    code = _code((await telegram.send("/lienket"))[0])
    await Chat(engine, "zalo", "za1").send(code, display_name="An Zalo")
    assert telegram.inbox() == [
        "Tài khoản Zalo “An Zalo” vừa được liên kết với tài khoản của anh/chị. Nếu không phải "
        "anh/chị thực hiện, đề nghị báo ngay cho Phòng Văn hóa – Xã hội."
    ]


async def test_the_person_chooses_the_app_for_messages_in_one_tap(engine, database):
    """Right after linking, one tap on Zalo (a number) sends what they did not ask for to Zalo."""
    telegram = await joined(engine, Role.FOCAL, "Nguyễn Văn An", unit="Thôn Đông")
    code = _code((await telegram.send("/lienket"))[0])
    zalo = Chat(engine, "zalo", "za1")
    replies = await zalo.send(code)
    assert replies[1] == ASK_APP.format("ứng dụng anh/chị nhắn gần nhất")
    assert zalo.labels() == ["Telegram", "Zalo", "Ứng dụng tôi nhắn gần nhất"]
    assert await zalo.tap("Zalo") == [
        "Đã lưu. Từ nay công văn, tin nhắc việc và thông báo sẽ gửi qua Zalo."
    ]
    with Session(database) as session:
        assert session.exec(select(Person)).one().preferred_channel == "zalo"

    telegram.inbox()  # the warning that Zalo was linked
    [done, question] = await telegram.send("/lienket")
    assert done == "Tài khoản của anh/chị đã có cả Telegram và Zalo."
    assert question == ASK_APP.format("Zalo")
    assert await telegram.tap("Ứng dụng tôi nhắn gần nhất") == [
        "Đã lưu. Từ nay công văn, tin nhắc việc và thông báo sẽ gửi qua ứng dụng anh/chị "
        "nhắn tin gần nhất."
    ]
    with Session(database) as session:
        assert session.exec(select(Person)).one().preferred_channel == ""
        # With both apps there is nothing left to link: no new code was made.
        [linking] = session.exec(select(InviteCode).where(InviteCode.created_by.is_not(None)))  # type: ignore[union-attr]
        assert linking.code == code


async def test_an_app_without_a_chat_cannot_be_chosen(engine, database):
    """Choosing Zalo before Zalo is linked is refused, so nothing is sent into the void."""
    telegram = await joined(engine, Role.LEADER, "Phạm Văn Cường")
    assert await telegram.send("/lienket zalo") == [
        "Tài khoản của anh/chị chưa có Zalo. Gửi /lienket để thêm trước."
    ]
    with Session(database) as session:
        assert session.exec(select(Person)).one().preferred_channel == ""
