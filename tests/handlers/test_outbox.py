"""Queueing pushed messages: per chat, in the person's language, numbered safely on Zalo."""

from __future__ import annotations

import re

from sqlmodel import Session, col, delete, select

from handlers import outbox
from handlers.context import Notice
from handlers.outbox import deliver_notice
from storage.db import transaction
from storage.models import Conversation, Identity, OutboxMessage, Person, Role
from tests.support.chat import Chat, joined

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
    """Mid-dialog, a push spells out the words to type, so '1' still answers the dialog."""
    chat = await joined(engine, Role.FOCAL, "Bích", unit="Trường TH", channel="zalo")
    await chat.send("/ngonngu")
    _push(database, clock)
    [row] = [r for r in chat.last_rows() if r.text.startswith("🔔")]
    assert row.text == (
        "🔔 Công văn số 12/UBND-VHXH\n\nTrả lời: nhận 12 / báo cáo 12"
    )
    assert row.choices == []
    assert _conversation(database).step == "menu.receive_language"
    assert await chat.send("2") == ["Language set to English."]


async def test_a_removed_person_is_sent_no_push(engine, database, clock):
    """The former village head was removed: a push that still names him queues nothing."""
    chat = await joined(engine, Role.FOCAL, "An", unit="Thôn Đông")
    with transaction(database) as session:
        person = session.exec(select(Person)).one()
        person.removed_at = clock.now
        session.add(person)
    _push(database, clock)
    assert chat.last_rows() == []


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


async def _linked(engine, clock) -> tuple[Chat, Chat]:  # type: ignore[no-untyped-def]
    """An on Telegram, who also linked Zalo and wrote from it a minute later."""
    telegram = await joined(engine, Role.FOCAL, "An", unit="Thôn Đông")
    code = re.search(r": ([A-Z2-9]{8})", (await telegram.send("/lienket"))[0])
    assert code
    zalo = Chat(engine, "zalo", "za1")
    await zalo.send(code[1])
    clock.advance(minutes=1)
    await zalo.send("/menu")
    telegram.inbox(), zalo.inbox()
    return telegram, zalo


def _pushes(database) -> list[tuple[str, str | None]]:
    with Session(database) as session:
        rows = session.exec(select(OutboxMessage).where(col(OutboxMessage.text).startswith("🔔")))
        return [(row.channel, row.idempotency_key) for row in rows]


async def test_a_linked_person_gets_each_push_once_where_they_wrote_last(engine, database, clock):
    """An wrote last from Zalo: the directive goes there only. Later he writes from Telegram;
    the same push again sends nothing, and a new one goes to Telegram."""
    telegram, zalo = await _linked(engine, clock)
    _push(database, clock)
    assert _pushes(database) == [("zalo", "assignment:12:person:1:zalo")]
    assert [text[:1] for text in zalo.inbox()] == ["🔔"]
    assert telegram.inbox() == []

    clock.advance(minutes=1)
    await telegram.send("/menu")
    _push(database, clock)
    assert len(_pushes(database)) == 1
    _push(database, clock, key="assignment:13:person:1")
    assert _pushes(database)[-1] == ("telegram", "assignment:13:person:1:telegram")


async def test_the_chosen_app_wins_unless_it_cannot_be_reached(engine, database, clock):
    """An chose Telegram: pushes go there though he wrote from Zalo; once Telegram is blocked,
    they go to Zalo."""
    await _linked(engine, clock)
    with transaction(database) as session:
        person = session.exec(select(Person)).one()
        person.preferred_channel = "telegram"
        session.add(person)
    _push(database, clock, key="a:1")
    with transaction(database) as session:
        identity = session.exec(select(Identity).where(Identity.channel == "telegram")).one()
        identity.reachable = False
        session.add(identity)
    _push(database, clock, key="a:2")
    assert _pushes(database) == [("telegram", "a:1:telegram"), ("zalo", "a:2:zalo")]


async def test_a_file_goes_to_telegram_only_the_text_to_zalo(engine, database, clock):
    """A directive's file id is a Telegram one: on Zalo the text comes without it."""
    await joined(engine, Role.FOCAL, "Bích", unit="Trường TH", channel="zalo")
    with transaction(database) as session:
        person = session.exec(select(Person)).one()
        notice = Notice(
            person.id or 0, lambda _: ("🔔 Công văn", CHOICES), key="f:1", document="BQAC"
        )
        deliver_notice(session, notice, "Asia/Ho_Chi_Minh", clock.now)
    with Session(database) as session:
        query = select(OutboxMessage).where(OutboxMessage.idempotency_key == "f:1:zalo")
        row = session.exec(query).one()
        assert (row.text, row.document) == ("🔔 Công văn", "")
