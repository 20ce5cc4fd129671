"""Queueing pushed messages: per chat, in the person's language, numbered safely on Zalo."""

from __future__ import annotations

from sqlmodel import Session, delete, select

from handlers import outbox
from handlers.context import Notice
from handlers.outbox import deliver_notice
from storage.db import transaction
from storage.models import Conversation, OutboxMessage, Person, Role
from tests.support.chat import joined

CHOICES = [("/ack 12", "Đã nhận"), ("/baocao 12", "Báo cáo")]


def _push(database, clock, key: str = "assignment:12:person:1") -> None:
    with transaction(database) as session:
        person = session.exec(select(Person)).one()
        notice = Notice(person.id or 0, lambda _: ("🔔 Công văn số 12/UBND-VHXH", CHOICES), key=key)
        deliver_notice(session, notice, "Asia/Ho_Chi_Minh", clock.now)


def _conversation(database) -> Conversation:
    with Session(database) as session:
        return session.exec(select(Conversation)).one()


async def test_idle_zalo_chat_gets_numbers_that_map_to_the_push(engine, database, clock):
    """A principal doing nothing else gets 1/2 choices, and the chat remembers them."""
    chat = await joined(engine, Role.FOCAL, "Bích", unit="Trường TH", channel="zalo")
    _push(database, clock)
    [row] = [r for r in chat.last_rows() if r.text.startswith("🔔")]
    assert row.choices == [list(choice) for choice in CHOICES]
    assert _conversation(database).choices == [list(choice) for choice in CHOICES]


async def test_zalo_chat_in_a_dialog_gets_commands_to_type_instead(engine, database, clock):
    """Mid-dialog, a push spells out its commands so '1' still answers the dialog."""
    chat = await joined(engine, Role.FOCAL, "Bích", unit="Trường TH", channel="zalo")
    await chat.send("/ngonngu")
    _push(database, clock)
    [row] = [r for r in chat.last_rows() if r.text.startswith("🔔")]
    assert row.text == (
        "🔔 Công văn số 12/UBND-VHXH\n\nĐã nhận: gửi /ack 12\nBáo cáo: gửi /baocao 12"
    )
    assert row.choices == []
    assert _conversation(database).step == "menu.receive_language"
    assert await chat.send("2") == ["Language set to English."]


async def test_telegram_always_gets_buttons(engine, database, clock):
    """Buttons on Telegram carry their command, whatever the chat is doing."""
    chat = await joined(engine, Role.FOCAL, "An", unit="Thôn Đông")
    await chat.send("/ngonngu")
    _push(database, clock)
    [row] = [r for r in chat.last_rows() if r.text.startswith("🔔")]
    assert (row.text, row.choices) == (
        "🔔 Công văn số 12/UBND-VHXH",
        [list(choice) for choice in CHOICES],
    )


async def test_the_same_push_is_queued_once(engine, database, clock):
    """Pushing the same assignment twice queues nothing the second time."""
    await joined(engine, Role.FOCAL, "An", unit="Thôn Đông")
    _push(database, clock)
    _push(database, clock)
    with Session(database) as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.text.startswith("🔔")))  # type: ignore[union-attr]
        assert len(rows.all()) == 1


async def test_a_row_made_by_another_pass_meanwhile_is_reused(engine, database, clock, monkeypatch):
    """Two reminder passes reach an idle Zalo chat at once: the one that finds no row, then
    loses the race to create it, takes the other's row instead of failing."""
    await joined(engine, Role.FOCAL, "Bích", unit="Trường TH", channel="zalo")
    with transaction(database) as session:
        session.exec(delete(Conversation))  # type: ignore[call-overload]
        session.add(Conversation(channel="zalo", external_id="1001"))
    real = outbox._conversation
    calls = []

    def looked_too_early(session, identity):  # type: ignore[no-untyped-def]
        calls.append(identity.external_id)
        # The first look happens before the other pass committed its row.
        return None if len(calls) == 1 else real(session, identity)

    monkeypatch.setattr(outbox, "_conversation", looked_too_early)
    _push(database, clock)
    with Session(database) as session:
        [conversation] = session.exec(select(Conversation)).all()
        assert conversation.choices == [list(choice) for choice in CHOICES]
