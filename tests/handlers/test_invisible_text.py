"""Invisible and unstorable characters: cleaned before anything is kept, never a dead end."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from storage.db import transaction
from storage.ledger import record_contribution
from storage.models import Contribution, Person, Role, Unit
from storage.people import add_unit
from tests.support.chat import joined
from tests.support.fund import village_head

UNREADABLE = "Tin nhắn không có chữ đọc được. Anh/chị vui lòng gõ lại."
ASK_NAME = "Tên người đóng góp (cá nhân, gia đình hoặc tổ chức)?"
NEW_UNIT_NAME = "Gửi tên đơn vị mới (ví dụ: Thôn Đông, Trường TH An Hưng)."


async def test_a_message_of_only_invisible_characters_is_asked_again(engine):
    """Zero-width spaces, a NUL or a lone surrogate alone: the bot says it read nothing and
    asks the donor's name again; idle, it only says so."""
    chat = await village_head(engine)
    await chat.send("/quy")
    for unreadable in ["\u200b\u200b", "\x00", "\ud800", "\x1b[31m\x1b[0m", "\u202e\u2066"]:
        assert await chat.send(unreadable) == [UNREADABLE, ASK_NAME], repr(unreadable)
    await chat.send("/huy")
    assert await chat.send("\u200b") == [UNREADABLE]


async def test_donvi_cannot_add_a_look_alike_of_an_existing_unit(engine, database):
    """'Thôn\\u200b Đông' is Thôn Đông: refused as a duplicate, not added next to it."""
    with transaction(database) as session:
        add_unit(session, "Thôn Đông", "village")
    admin = await joined(engine, Role.ADMIN, "Trần Thị Bình", external_id="9001")
    await admin.send("/donvi")
    await admin.tap("Thêm đơn vị")
    for look_alike in ["Thôn\u200b Đông", "\u202eThôn Đông", "Tho\u0302n Đông\x00"]:
        assert await admin.send(look_alike) == [
            "Đã có đơn vị tên Thôn Đông. Vui lòng gửi tên khác.",
            NEW_UNIT_NAME,
        ]
    with Session(database) as session:
        assert [unit.name for unit in session.exec(select(Unit))] == ["Thôn Đông"]


async def test_names_donors_and_notes_are_stored_clean(engine, database):
    """A name, a donor and a note pasted with junk in them are stored as plain text."""
    chat = await joined(
        engine, Role.FOCAL, "Lê\u200b Thị\x00 Hoa\ud800", unit="Thôn Đông", channel="zalo"
    )
    await chat.send("/quy")
    await chat.send("Nguyễn\u200d Văn\u202e Bình\x1b[0m")
    await chat.send("500k\u200b")
    await chat.send("\x1b[31mchuyển khoản\x1b[0m\udfff")
    await chat.tap("Xác nhận")
    with Session(database) as session:
        assert session.exec(select(Person)).one().name == "Lê Thị Hoa"
        stored = session.exec(select(Contribution)).one()
        assert (stored.donor_name, stored.amount, stored.note) == (
            "Nguyễn Văn Bình",
            500_000,
            "chuyển khoản",
        )


async def test_a_tapped_command_with_junk_in_it_is_cleaned(engine, database):
    """Button data is text too: a NUL in a tapped reason is dropped, and the dialog goes on."""
    admin = await joined(engine, Role.ADMIN, "Trần Thị Bình", external_id="9001")
    with transaction(database) as session:
        record_contribution(
            session,
            recorded_by=1,
            unit_id=None,
            donor_name="Bà Lan",
            donor_kind="person",
            amount=500_000,
            contributed_on=dt.date(2026, 3, 1),
            note="",
            now=engine.clock(),
            timezone="Asia/Ho_Chi_Minh",
        )
    [confirmation] = await admin.press("/huybienlai KH2026-00001 Ghi\x00 nhầm\u200b")
    assert confirmation.endswith("Lý do: Ghi nhầm")
    assert await admin.tap("Hủy biên lai")
    with Session(database) as session:
        reversal = session.exec(select(Contribution).where(Contribution.amount < 0)).one()
        assert reversal.note == "Hủy biên lai KH2026-00001: Ghi nhầm"


async def test_a_unit_named_with_junk_before_cleaning_can_still_be_chosen_by_name(
    engine, database
):
    """A unit saved with a zero-width space before text was cleaned is offered, and picked by
    typing its name, as plain 'Thôn Tây'."""
    with transaction(database) as session:
        session.add(Unit(name="Thôn\u200b Tây", kind="village"))
    admin = await joined(engine, Role.ADMIN, "Trần Thị Bình", external_id="9001")
    await admin.send("/moi")
    await admin.tap("Đầu mối đơn vị")
    assert admin.labels() == ["Thôn Tây"]
    [code] = await admin.send("thôn tây")
    assert "Dành cho: đầu mối của Thôn" in code
