"""Picking units by typing several numbers at once: on Zalo, and typed on Telegram too.

The unit list of /congvan and /thongbao takes '1 3 5', '1,3,5', '1, 3 và 5', '1-3', '2-4 5'
or 'tất cả'. Each number ticks its unit, or unticks it if it was ticked (a typed list does what
choosing its units one by one would); 'tất cả' ticks them all. A number not on the list, or a
reply that is no list of numbers, is explained and changes nothing.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from handlers.engine import Engine as DialogEngine
from storage.db import transaction
from storage.models import Assignment, Broadcast, Conversation, Role, Unit
from storage.people import add_unit
from tests.support.chat import Chat, joined
from tests.support.directives import (
    ASK_DEADLINE,
    ASK_TARGET,
    ASK_UNITS,
    ASK_UNITS_BY_NUMBER,
    EAST,
    EXAMPLE_BODY,
    EXAMPLE_NUMBER,
    EXAMPLE_SUBJECT,
    NUMBERS_HINT,
    SCHOOL,
    WEST,
    commune,
)

NORTH, CENTRE = "Thôn Bắc", "Trung tâm Dịch vụ sự nghiệp công"
UNITS = [NORTH, EAST, WEST, SCHOOL, CENTRE]
"""The list as shown: villages, then schools, then offices, each in Vietnamese order."""
NONE_PICKED = "Vui lòng chọn ít nhất một đơn vị, rồi chọn Xong."


def out_of_range(number: str) -> str:
    """What the admin is told about a number that is not on the list of five."""
    return (
        f"Không có đơn vị số {number}: các đơn vị được đánh số từ 1 đến 5. "
        "Danh sách chưa thay đổi."
    )


UNREADABLE = (
    "Vui lòng gửi số thứ tự đơn vị, từ 1 đến 5, ví dụ 1 3 5 hoặc 1-4, hoặc “tất cả”. "
    "Danh sách chưa thay đổi."
)


def ticked(*numbers: int) -> list[str]:
    """The labels of the list with these units (numbered from 1) ticked, then Xong."""
    return [("✓ " if n in numbers else "") + name for n, name in enumerate(UNITS, 1)] + ["Xong"]


async def five_units(engine: DialogEngine, channel: str = "zalo") -> Chat:
    """The commune with two more units, and an administrator on `channel`."""
    await commune(engine)
    with transaction(engine.database) as session:
        add_unit(session, NORTH, "village")
        add_unit(session, CENTRE, "office")
    return await joined(engine, Role.ADMIN, "Lê Thị Hoa", channel=channel, external_id="zhoa")


async def at_the_unit_list(admin: Chat) -> list[str]:
    """Enter the example directive up to the list of units; return that reply."""
    await admin.send("/congvan")
    await admin.send(EXAMPLE_NUMBER)
    await admin.send("20/03/2026")
    await admin.send(EXAMPLE_SUBJECT)
    assert await admin.send(EXAMPLE_BODY) == [ASK_TARGET]
    return await admin.tap("Chọn đơn vị")


def picked(database, admin: Chat) -> list[str]:
    """The names of the units the dialog holds as chosen, in the order chosen."""
    with Session(database) as session:
        conversation = session.exec(
            select(Conversation).where(Conversation.external_id == admin.external_id)
        ).one()
        names = {unit.id: unit.name for unit in session.exec(select(Unit))}
        return [names[unit_id] for unit_id in conversation.data["picked"]]


def assigned(database) -> list[str]:
    """The units the directive went to, in the order stored."""
    with Session(database) as session:
        rows = session.exec(
            select(Unit.name).join(Assignment).order_by(col(Assignment.id))  # type: ignore[arg-type]
        )
        return list(rows)


@pytest.mark.parametrize("reply", ["1 3 5", "1,3,5", "1, 3 và 5", "1;3;5", "số 1, 3, 5"])
async def test_zalo_admin_picks_three_units_in_one_reply(engine, database, reply):
    """Hoa types the three numbers at once; the list comes back ticked; Xong; it is sent."""
    hoa = await five_units(engine)
    assert await at_the_unit_list(hoa) == [ASK_UNITS_BY_NUMBER]
    assert hoa.labels() == ticked()

    assert await hoa.send(reply) == [ASK_UNITS_BY_NUMBER]
    assert hoa.labels() == ticked(1, 3, 5)
    assert picked(database, hoa) == [NORTH, WEST, CENTRE]
    assert await hoa.send("xong") == [ASK_DEADLINE]
    preview = (await hoa.tap("Không có hạn"))[0]
    assert f"Gửi tới (3): {NORTH}, {WEST}, {CENTRE}\n" in preview
    await hoa.tap("Gửi")
    assert assigned(database) == [NORTH, WEST, CENTRE]


async def test_zalo_admin_picks_a_range_then_everything_then_done_by_its_number(
    engine, database
):
    """'1-3' ticks the first three; 'tất cả' the rest too; 6, the number of Xong, finishes."""
    hoa = await five_units(engine)
    await at_the_unit_list(hoa)

    assert await hoa.send("1-3") == [ASK_UNITS_BY_NUMBER]
    assert hoa.labels() == ticked(1, 2, 3)
    assert await hoa.send("tất cả") == [ASK_UNITS_BY_NUMBER]
    assert hoa.labels() == ticked(1, 2, 3, 4, 5)
    assert await hoa.send("Tat ca") == [ASK_UNITS_BY_NUMBER]
    assert hoa.labels() == ticked(1, 2, 3, 4, 5)
    assert picked(database, hoa) == [NORTH, EAST, WEST, SCHOOL, CENTRE]
    assert await hoa.send("6") == [ASK_DEADLINE]
    await hoa.tap("Không có hạn")
    await hoa.tap("Gửi")
    assert assigned(database) == UNITS


async def test_a_typed_list_ticks_and_unticks_as_the_prompt_says(engine, database):
    """Numbers already ticked are unticked, as choosing them one by one would: '1 3 5' then
    '3-4' leaves 1, 4 and 5. A range and a number together ('2-3 5') work too."""
    hoa = await five_units(engine)
    await at_the_unit_list(hoa)
    assert NUMBERS_HINT in hoa.last[-1].text and "đơn vị đã chọn sẽ được bỏ ra" in NUMBERS_HINT

    await hoa.send("1 3 5")
    await hoa.send("3-4")
    assert hoa.labels() == ticked(1, 4, 5)
    await hoa.send("2-3 5")
    assert hoa.labels() == ticked(1, 2, 3, 4)
    assert picked(database, hoa) == [NORTH, SCHOOL, EAST, WEST]


@pytest.mark.parametrize(
    ("reply", "problem"),
    [
        ("2 9", out_of_range("9")),
        ("6", None),  # a single 6 is Xong: nothing picked yet
        ("1 6", out_of_range("6")),
        ("0", out_of_range("0")),
        ("4-12", out_of_range("12")),
        ("12345678901234567890", out_of_range("123456789…")),  # cut, not all 20 digits
        ("hello", UNREADABLE),
        ("1-", UNREADABLE),
        ("1, 3 và Thôn Tây", UNREADABLE),
        ("😀", UNREADABLE),
    ],
)
async def test_a_wrong_reply_is_explained_and_changes_nothing(engine, database, reply, problem):
    """Hoa has ticked 1 and 3. A number off the list is named with the range 1–5; a reply
    that is not a list of numbers gets the form to use; either way the ticks stay."""
    hoa = await five_units(engine)
    await at_the_unit_list(hoa)
    if problem is None:
        assert await hoa.send(reply) == [NONE_PICKED, ASK_UNITS_BY_NUMBER]
        return
    await hoa.send("1 3")

    assert await hoa.send(reply) == [problem, ASK_UNITS_BY_NUMBER]
    assert hoa.labels() == ticked(1, 3)
    assert picked(database, hoa) == [NORTH, WEST]
    assert await hoa.send("xong") == [ASK_DEADLINE]


async def test_zalo_admin_announces_to_a_range_of_units(engine, database):
    """/thongbao takes the same replies: '2-4' sends the announcement to three units' people."""
    hoa = await five_units(engine)
    await hoa.send("/thongbao")
    await hoa.send("Họp giao ban các thôn, trường lúc 14h thứ Sáu tại UBND xã.")
    assert await hoa.tap("Chọn đơn vị") == [
        "Chọn các đơn vị có đầu mối nhận thông báo (chọn lại để bỏ), rồi chọn Xong.\n"
        + NUMBERS_HINT
    ]
    await hoa.send("2-4")
    assert hoa.labels() == ticked(2, 3, 4)
    preview = (await hoa.send("6"))[0]
    assert f"Gửi tới: đầu mối của {EAST}, {WEST}, {SCHOOL}\n" in preview
    with Session(database) as session:
        ids = {unit.name: unit.id for unit in session.exec(select(Unit))}
    await hoa.tap("Gửi")
    with Session(database) as session:
        sent = session.exec(select(Broadcast)).one()
    assert sent.audience == {"kind": "units", "unit_ids": [ids[EAST], ids[WEST], ids[SCHOOL]]}


async def test_typed_numbers_work_on_telegram_too_without_the_hint(engine, database):
    """On Telegram the list is buttons without numbers, so the prompt does not mention them;
    numbers typed anyway count in button order. Unreadable text asks to choose, as before."""
    mai = await five_units(engine, channel="telegram")
    assert await at_the_unit_list(mai) == [ASK_UNITS]

    assert await mai.send("1 3 5") == [ASK_UNITS]
    assert mai.labels() == ticked(1, 3, 5)
    assert await mai.send("1 7") == [out_of_range("7"), ASK_UNITS]
    assert await mai.send("xin chào") == ["Vui lòng chọn một trong các mục dưới đây.", ASK_UNITS]
    assert mai.labels() == ticked(1, 3, 5)
    # Typed, not tapped: there is no message to change, the list comes anew.
    assert [row.edit_message_id for row in mai.last] == ["", ""]
    assert await mai.tap("Xong") == [ASK_DEADLINE]
