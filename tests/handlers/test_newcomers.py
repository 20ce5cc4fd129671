"""A focal point who joins late is shown the unit's open directives, and counts from then on."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from storage.models import Acknowledgement, Assignment, ProgressStatus, Role
from tests.support.assignments import person_id, seed_directive, seed_person, seed_report
from tests.support.chat import Chat, invite, joined

PLAN = ("669/KH-SGDĐT", "V/v tiếp tục triển khai Đề án Xây dựng xã hội học tập 2021 - 2030")
FUND = ("45/UBND-VHXH", "V/v vận động ủng hộ Quỹ khuyến học, khuyến tài năm 2026")
DROPOUTS = ("12/UBND", "V/v rà soát học sinh bỏ học")
BANNERS = ("30/UBND", "V/v treo băng rôn tuyên truyền")
WEST_ONLY = ("50/UBND", "V/v sửa nhà văn hóa thôn Tây")
MENU = "Anh/chị muốn làm gì?"
THANKS = "Cảm ơn anh/chị Phạm Thị Bình, việc đăng ký đã hoàn tất."
HEADING = "Đơn vị của anh/chị đang có 3 công văn chưa hoàn thành:"


def commune(database) -> dict[str, int]:
    """Thôn Đông's work on 20/03, with An its only focal point so far; assignment per number.

    Open: the fund drive (in progress), the plan (not started) and the dropout review, past
    its deadline of 15/03. Done: the banners. Thôn Tây alone has the hall repairs.
    """
    an = seed_person(database, "Nguyễn Văn An", unit="Thôn Đông")
    ids = {
        FUND[0]: seed_directive(
            database,
            *FUND,
            ["Thôn Đông"],
            issued_on=dt.date(2026, 3, 15),
            deadline=dt.date(2026, 4, 15),
        ).assignments["Thôn Đông"],
        PLAN[0]: seed_directive(database, *PLAN, ["Thôn Đông", "Thôn Tây"]).assignments[
            "Thôn Đông"
        ],
        DROPOUTS[0]: seed_directive(
            database,
            *DROPOUTS,
            ["Thôn Đông"],
            issued_on=dt.date(2026, 3, 1),
            deadline=dt.date(2026, 3, 15),
        ).assignments["Thôn Đông"],
        BANNERS[0]: seed_directive(
            database, *BANNERS, ["Thôn Đông"], issued_on=dt.date(2026, 3, 5)
        ).assignments["Thôn Đông"],
    }
    seed_directive(database, *WEST_ONLY, ["Thôn Tây"], issued_on=dt.date(2026, 3, 18))
    at = dt.datetime(2026, 3, 18, 2, 0, tzinfo=dt.UTC)
    seed_report(database, ids[FUND[0]], an, ProgressStatus.IN_PROGRESS, at, "Đã họp dân")
    seed_report(database, ids[BANNERS[0]], an, ProgressStatus.DONE, at)
    return ids


def open_work(typed: dict[str, int] | None = None) -> str:
    """The one message listing Thôn Đông's open directives; with `typed`, the words to type."""
    blocks = [
        ("1. Công văn số 45/UBND-VHXH, ngày 15/03/2026", FUND[1], "Hạn: 15/04/2026 (còn 26 ngày)"),
        ("2. Công văn số 669/KH-SGDĐT, ngày 10/03/2026", PLAN[1], "Hạn: 31/03/2026 (còn 11 ngày)"),
        (
            "3. Công văn số 12/UBND, ngày 01/03/2026",
            DROPOUTS[1],
            "Hạn: 15/03/2026 (quá hạn 5 ngày)",
        ),
    ]
    numbers = [FUND[0], PLAN[0], DROPOUTS[0]]
    text = [HEADING]
    for number, lines in zip(numbers, blocks, strict=True):
        shown = list(lines)
        if typed is not None:
            ref = typed[number]
            shown.append(f"Trả lời: nhận {ref} / báo cáo {ref}")
        text.append("\n".join(shown))
    return "\n\n".join(text)


async def newcomer(
    engine, channel: str = "telegram", external_id: str = "5002"
) -> tuple[Chat, list[str]]:
    """Bình redeems an invite for Thôn Đông and gives her name; return her chat and the replies."""
    chat = Chat(engine, channel, external_id)
    code = invite(engine.database, Role.FOCAL, "Thôn Đông", engine.clock())
    await chat.send(f"/start {code}" if channel == "telegram" else code)
    return chat, await chat.send("Phạm Thị Bình")


async def test_a_late_focal_point_on_telegram_gets_the_open_directives_with_buttons(
    engine, database
):
    """One message, newest first, the overdue one marked; a pair of buttons per directive."""
    ids = commune(database)
    chat, replies = await newcomer(engine)
    assert replies == [THANKS, MENU, open_work()]
    [*_, listing] = chat.last
    assert listing.choices == [
        [f"/ack {ids[FUND[0]]}", "Đã nhận 45/UBND-VHXH"],
        [f"/baocao {ids[FUND[0]]}", "Báo cáo 45/UBND-VHXH"],
        [f"/ack {ids[PLAN[0]]}", "Đã nhận 669/KH-SGDĐT"],
        [f"/baocao {ids[PLAN[0]]}", "Báo cáo 669/KH-SGDĐT"],
        [f"/ack {ids[DROPOUTS[0]]}", "Đã nhận 12/UBND"],
        [f"/baocao {ids[DROPOUTS[0]]}", "Báo cáo 12/UBND"],
    ]
    assert await chat.tap("Đã nhận 669/KH-SGDĐT") == [
        "Đã xác nhận anh/chị nhận công văn số 669/KH-SGDĐT lúc 08:00 ngày 20/03/2026."
    ]
    with Session(database) as session:
        [ack] = session.exec(select(Acknowledgement)).all()
    assert (ack.assignment_id, ack.person_id) == (
        ids[PLAN[0]],
        person_id(database, "Phạm Thị Bình"),
    )
    # The list's other buttons still work after the first tap.
    assert (await chat.press(f"/baocao {ids[DROPOUTS[0]]}"))[-1] == (
        f"Báo cáo {DROPOUTS[0]} — {DROPOUTS[1]}.\nTình hình thực hiện đến nay thế nào?"
    )


async def test_on_zalo_the_list_spells_out_the_commands_and_numbers_answer_the_menu(
    engine, database
):
    """Zalo has no buttons: each directive says what to type ('nhận 4'); '1' still means the
    menu's first, and the typed words acknowledge."""
    ids = commune(database)
    chat, replies = await newcomer(engine, "zalo", "zbinh")
    assert replies == [THANKS, MENU, open_work(ids)]
    assert chat.last[-1].choices == []
    assert chat.labels()[0] == chat.last[1].choices[0][1]
    assert await chat.send(f"Nhận {ids[DROPOUTS[0]]}") == [
        "Đã xác nhận anh/chị nhận công văn số 12/UBND lúc 08:00 ngày 20/03/2026.",
    ]


async def test_the_newcomer_counts_in_the_status_from_then_on(engine, database):
    """/tinhhinh for the plan: Thôn Đông had one focal point, now two, one of whom received it."""
    ids = commune(database)
    admin = await joined(engine, Role.ADMIN, "Trần Thị Mai", external_id="9001")
    plan = f"/tinhhinh {_directive_of(database, ids[PLAN[0]])}"
    assert "Thôn Đông: chưa báo cáo; đã nhận 0/1" in (await admin.send(plan))[0]
    chat, _replies = await newcomer(engine)
    await chat.tap("Đã nhận 669/KH-SGDĐT")
    assert "Thôn Đông: chưa báo cáo; đã nhận 1/2" in (await admin.send(plan))[0]


async def test_no_list_for_an_admin_or_a_unit_with_nothing_open(engine, database):
    """An admin joining, or the head of a village whose work is all done, gets the menu only."""
    commune(database)
    seed_directive(database, "7/UBND", "V/v dọn vệ sinh", ["Thôn Nam"])
    done = seed_directive(database, "8/UBND", "V/v trồng cây", ["Thôn Bắc"]).assignments
    at = dt.datetime(2026, 3, 19, 2, 0, tzinfo=dt.UTC)
    seed_report(
        database, done["Thôn Bắc"], person_id(database, "Nguyễn Văn An"), ProgressStatus.DONE, at
    )
    admin = Chat(engine, "telegram", "9001")
    await admin.send(f"/start {invite(database, Role.ADMIN, None, engine.clock())}")
    assert await admin.send("Trần Thị Mai") == [
        "Cảm ơn anh/chị Trần Thị Mai, việc đăng ký đã hoàn tất.",
        MENU,
    ]
    north = Chat(engine, "telegram", "5009")
    await north.send(f"/start {invite(database, Role.FOCAL, 'Thôn Bắc', engine.clock())}")
    assert await north.send("Lê Văn Bắc") == [
        "Cảm ơn anh/chị Lê Văn Bắc, việc đăng ký đã hoàn tất.",
        MENU,
    ]


async def test_a_long_backlog_lists_the_newest_ten_and_counts_the_rest(engine, database):
    """Twelve directives open for Thôn Đông: the newest ten are listed, then "Còn 2 …"."""
    seed_person(database, "Nguyễn Văn An", unit="Thôn Đông")
    for day in range(1, 13):
        seed_directive(
            database,
            f"{day}/UBND",
            f"V/v việc số {day}",
            ["Thôn Đông"],
            issued_on=dt.date(2026, 3, day),
            deadline=dt.date(2026, 4, 30),
        )
    chat, replies = await newcomer(engine)
    listing = replies[-1]
    assert listing.startswith("Đơn vị của anh/chị đang có 12 công văn chưa hoàn thành:")
    assert listing.endswith("Còn 2 công văn khác: gửi /baocao để xem hết.")
    assert "12/UBND" in listing and "3/UBND" in listing
    assert "Công văn số 2/UBND," not in listing and "Công văn số 1/UBND," not in listing
    assert len(chat.last[-1].choices) == 20


def _directive_of(database, assignment_id: int) -> int:
    with Session(database) as session:
        found = session.get(Assignment, assignment_id)
        assert found is not None
        return found.directive_id
