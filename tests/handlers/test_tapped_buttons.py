"""What becomes of the buttons of a Telegram message once one of them is tapped.

A tap on the unit list changes that very message (its buttons, ticked), instead of sending a
new copy per tick. A tap on any other question or push leaves one inert line in place of its
buttons, showing what was chosen; a stale button is just taken away. These are outbox rows
naming the message tapped (Telegram reports its id with the tap). Zalo, whose choices are a
numbered list, gets the same dialog without any of this.
"""

from __future__ import annotations

from sqlmodel import Session, select

from handlers.context import Notice
from handlers.directive_push import assignment_notice
from handlers.messages import INERT
from handlers.outbox import deliver_notice
from storage.db import transaction
from storage.models import Directive, OutboxMessage, Person, Role
from tests.support.assignments import seed_directive
from tests.support.chat import Chat, joined
from tests.support.directives import (
    ASK_DEADLINE,
    ASK_TARGET,
    ASK_UNITS,
    EAST,
    EXAMPLE_BODY,
    EXAMPLE_NUMBER,
    EXAMPLE_SUBJECT,
    SCHOOL,
    STALE,
    WEST,
    commune,
    enter_directive,
)
from tests.support.fund import up_to_amount, village_head

NONE_PICKED = "Vui lòng chọn ít nhất một đơn vị, rồi chọn Xong."
RECEIVED = f"Đã xác nhận anh/chị nhận công văn số {EXAMPLE_NUMBER} lúc 08:00 ngày 20/03/2026."


def shown(rows: list[OutboxMessage]) -> list[tuple[str, str, list[str]]]:
    """Each row as (text, message it edits, labels of its choices)."""
    return [(row.text, row.edit_message_id, [label for _c, label in row.choices]) for row in rows]


async def at_the_unit_list(admin: Chat) -> None:
    """Enter the example directive up to its target question."""
    await admin.send("/congvan")
    await admin.send(EXAMPLE_NUMBER)
    await admin.send("20/03/2026")
    await admin.send(EXAMPLE_SUBJECT)
    assert await admin.send(EXAMPLE_BODY) == [ASK_TARGET]


async def test_ticks_change_the_list_tapped_and_done_leaves_the_choice_in_place(engine):
    """Mai picks on message 41: each tick is one edit of 41, nothing new; Xong puts
    '✓ Xong' in place of the buttons and the next question comes as a new message."""
    town = await commune(engine)
    mai = town.admin
    await at_the_unit_list(mai)

    await mai.tap_on("40", "Chọn đơn vị")
    assert shown(mai.last) == [
        (ASK_UNITS, "", [EAST, WEST, SCHOOL, "Xong"]),
        ("", "40", ["✓ Chọn đơn vị"]),
    ]
    assert mai.last[1].choices == [[INERT, "✓ Chọn đơn vị"]]

    assert await mai.tap_on("41", WEST) == [ASK_UNITS]
    assert shown(mai.last) == [(ASK_UNITS, "41", [EAST, f"✓ {WEST}", SCHOOL, "Xong"])]
    ticked_once = mai.last[0].choices
    await mai.tap_on("41", SCHOOL)
    assert shown(mai.last) == [(ASK_UNITS, "41", [EAST, f"✓ {WEST}", f"✓ {SCHOOL}", "Xong"])]
    # The new buttons answer the new question: those of the first tick are stale now.
    assert mai.last[0].choices[0][0] != ticked_once[0][0]

    assert await mai.tap_on("41", "Xong") == [ASK_DEADLINE, ""]
    assert shown(mai.last) == [
        (ASK_DEADLINE, "", ["Không có hạn"]),
        ("", "41", ["✓ Xong"]),
    ]


async def test_done_with_nothing_ticked_keeps_the_list_as_it_is(engine):
    """The list stays where it is, unchanged (the sender finds it "not modified"), and the
    problem is said below it."""
    town = await commune(engine)
    mai = town.admin
    await at_the_unit_list(mai)
    await mai.tap_on("40", "Chọn đơn vị")

    assert await mai.tap_on("41", "Xong") == [NONE_PICKED, ASK_UNITS]
    assert shown(mai.last) == [
        (NONE_PICKED, "", []),
        (ASK_UNITS, "41", [EAST, WEST, SCHOOL, "Xong"]),
    ]


async def test_a_stale_button_is_taken_away(engine):
    """Mai typed the issue date, so the Hôm nay button stayed on message 31; tapped later it
    does nothing, is said to be stale, and goes, with no label: nothing was chosen."""
    town = await commune(engine)
    mai = town.admin
    await mai.send("/congvan")
    await mai.send(EXAMPLE_NUMBER)
    today = next(cid for cid, label in mai.choices if label == "Hôm nay")
    await mai.send("20/03/2026")

    await mai.send(choice=today, tapped_message_id="31", tapped_label="Hôm nay")
    assert shown(mai.last) == [
        (STALE, "", []),
        ("Trích yếu nội dung công văn? Ví dụ: V/v triển khai Đề án …", "", []),
        ("", "31", []),
    ]


async def test_received_on_a_push_replaces_its_buttons(engine):
    """The principal taps Đã nhận on the push (message 7): he is answered, and the push shows
    '✓ Đã nhận' instead of its two buttons. On Zalo the same answer by number edits nothing."""
    town = await commune(engine)
    await enter_directive(town.admin)
    await town.admin.tap("Gửi")
    school, west = town.school, town.west
    assert school.inbox()[0].startswith("🔔") and west.inbox()[0].startswith("🔔")

    assert await school.tap_on("7", "Đã nhận") == [RECEIVED, ""]
    assert shown(school.last) == [(RECEIVED, "", ["Báo cáo"]), ("", "7", ["✓ Đã nhận"])]

    assert await west.tap("Đã nhận") == [RECEIVED]
    assert [row.edit_message_id for row in west.last] == [""]


async def test_on_zalo_the_same_picking_edits_nothing(engine):
    """Numbers on Zalo: every list comes as a new numbered message, nothing is edited."""
    await commune(engine)
    hoa = await joined(engine, Role.ADMIN, "Lê Thị Hoa", channel="zalo", external_id="zhoa")
    await at_the_unit_list(hoa)
    replies = [await hoa.tap("Chọn đơn vị"), await hoa.send("2"), await hoa.send("1 3")]
    replies.append(await hoa.send("4"))

    assert [len(texts) for texts in replies] == [1, 1, 1, 1]
    assert replies[-1] == [ASK_DEADLINE]
    assert hoa.labels() == ["Không có hạn"]
    with Session(engine.database) as session:
        edits = session.exec(
            select(OutboxMessage).where(
                OutboxMessage.chat_id == "zhoa", OutboxMessage.edit_message_id != ""
            )
        ).all()
    assert edits == []


async def test_a_push_tapped_mid_dialog_keeps_its_buttons_until_something_is_chosen(
    engine, database, clock
):
    """Bình is entering a contribution when a directive comes (message 9). Báo cáo asks
    first whether to drop the contribution: nothing is chosen yet, so the push keeps its
    buttons; he continues, and that question shows his choice. Đã nhận, which leaves the
    dialog alone, is done at once and shows on the push."""
    binh = await village_head(engine, "telegram", "1001")
    await up_to_amount(binh, "Nguyễn Văn Bình")
    await binh.send("500k")
    seeded = seed_directive(database, "12/UBND-VHXH", "V/v họp thôn", ["Thôn Đông"])
    assignment = seeded.assignments["Thôn Đông"]
    with transaction(database) as session:
        directive = session.get(Directive, seeded.id)
        person = session.exec(select(Person)).one()
        assert directive is not None and person.id is not None
        render = assignment_notice(directive, assignment, "Thôn Đông")
        notice = Notice(person.id, render, key="push")
        deliver_notice(session, notice, "Asia/Ho_Chi_Minh", clock.now)
    binh.inbox()
    push = [(f"/ack {assignment}", "Đã nhận"), (f"/baocao {assignment}", "Báo cáo")]

    await binh.send(choice=push[1][0], tapped_message_id="9", tapped_label="Báo cáo")
    assert [row.edit_message_id for row in binh.last] == [""]
    assert binh.labels() == ["Bỏ và làm việc mới", "Tiếp tục việc đang dở"]
    await binh.tap_on("10", "Tiếp tục việc đang dở")
    assert shown(binh.last)[-1] == ("", "10", ["✓ Tiếp tục việc đang dở"])

    await binh.send(choice=push[0][0], tapped_message_id="9", tapped_label="Đã nhận")
    assert shown(binh.last)[-1] == ("", "9", ["✓ Đã nhận"])
    assert binh.labels() == ["Bỏ qua"]
