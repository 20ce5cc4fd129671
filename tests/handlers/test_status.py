"""/tinhhinh: the admin and the leaders see where each open directive stands."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers.file_refs import use_public_links
from storage.models import ProgressStatus, Role
from tests.support.assignments import (
    SeededDirective,
    mark_unreachable,
    seed_acknowledgement,
    seed_directive,
    seed_person,
    seed_report,
    seed_unit,
)
from tests.support.chat import Chat, joined

PLAN = ("669/KH-SGDĐT", "V/v tiếp tục triển khai Đề án Xây dựng xã hội học tập 2021 - 2030")
PLAN_TITLE = "669/KH-SGDĐT — V/v tiếp tục triển khai Đề án Xây dựng xã hội học tập 2021 - 2030"
PLAN_CHOICE = "669/KH-SGDĐT — V/v tiếp tục triển khai…"
FUND = ("45/UBND-VHXH", "V/v vận động ủng hộ Quỹ khuyến học năm 2026")
UNITS = ["Thôn Đông", "Thôn Tây", "Trường TH An Hưng"]
CHOOSE = "Chọn công văn để xem chi tiết từng đơn vị."
MENU = "Anh/chị muốn làm gì?"
REFUSED = "Anh/chị không có quyền dùng lệnh này. Gửi /menu để xem các việc anh/chị có thể làm."
NOT_FOUND = "Không tìm thấy công văn này. Gửi /tinhhinh để xem danh sách."


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A UTC instant in March 2026."""
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=dt.UTC)


@pytest.fixture
def plan(database) -> SeededDirective:
    """The plan due 25/03 to two villages and a school, seen on 20/03.

    Thôn Đông: An (acknowledged, reported 'in progress') and Bình (acknowledged only an
    older directive). Thôn Tây: Cường, whose only chat blocked the bot; nothing reported.
    Trường TH An Hưng: Dung (acknowledged, one of her two chats unreachable), reported a
    difficulty, then 'done'.
    """
    seed_unit(database, "Trường TH An Hưng", "school")
    directive = seed_directive(database, *PLAN, UNITS, deadline=dt.date(2026, 3, 25))
    other = seed_directive(database, *FUND, ["Thôn Đông"], issued_on=dt.date(2026, 3, 1))
    ids = directive.assignments
    an = seed_person(database, "Nguyễn Văn An", unit="Thôn Đông")
    binh = seed_person(database, "Phạm Thị Bình", unit="Thôn Đông")
    seed_person(database, "Lê Văn Cường", unit="Thôn Tây", reachable=False)
    dung = seed_person(
        database, "Đỗ Thị Dung", unit="Trường TH An Hưng", channels=("telegram", "zalo")
    )
    mark_unreachable(database, dung, "telegram")
    seed_acknowledgement(database, ids["Thôn Đông"], an, at(18, 2))
    seed_acknowledgement(database, other.assignments["Thôn Đông"], binh, at(18, 3))
    seed_acknowledgement(database, ids["Trường TH An Hưng"], dung, at(18, 4))
    seed_report(database, ids["Thôn Đông"], an, ProgressStatus.IN_PROGRESS, at(19, 3))
    seed_report(
        database,
        ids["Trường TH An Hưng"],
        dung,
        ProgressStatus.DIFFICULTY,
        at(18, 9),
        note="Thiếu phòng học",
    )
    seed_report(database, ids["Trường TH An Hưng"], dung, ProgressStatus.DONE, at(19, 2))
    # The fund directive is done everywhere, so it is no longer open.
    seed_report(database, other.assignments["Thôn Đông"], an, ProgressStatus.DONE, at(19, 5))
    return directive


def overview(date: str, overdue: str = "") -> str:
    """The status message for the plan alone, on `date`."""
    lines = [
        f"Tình hình các công văn đang thực hiện, ngày {date}:",
        "",
        f"📄 {PLAN_TITLE}",
        "Đã nhận: 2/4 người",
        "Đã báo cáo: 2/3 đơn vị",
        "Hoàn thành: 1/3 đơn vị",
    ]
    if overdue:
        lines.append(f"Quá hạn: {overdue}")
    lines.append("Hạn: 25/03/2026")
    return "\n".join(lines)


def chart(reported: int, units: int) -> str:
    """The caption of the directive's status chart, sent after the first page of units."""
    return f"Biểu đồ tình hình: {reported}/{units} đơn vị đã báo cáo"


async def admin_chat(engine, channel: str = "telegram") -> Chat:
    """Trần Thị Hoa, the culture officer."""
    return await joined(engine, Role.ADMIN, "Trần Thị Hoa", channel=channel, external_id="9001")


async def test_counts_before_and_after_the_deadline(engine, plan, clock):
    """Acknowledged per person, reported and done per unit; overdue only after the deadline."""
    chat = await admin_chat(engine)
    assert await chat.send("/tinhhinh") == [overview("20/03/2026"), CHOOSE]
    assert chat.choices == [[f"/tinhhinh {plan.id}", PLAN_CHOICE]]
    # 23:59 on the deadline day in the commune is not yet overdue.
    clock.now = at(25, 16, 59)
    assert (await chat.send("/tinhhinh"))[0] == overview("25/03/2026")
    # One minute later it is 26/03 in the commune; the school is done, so not overdue.
    clock.now = at(25, 17, 0)
    assert (await chat.send("/tinhhinh"))[0] == overview("26/03/2026", "Thôn Đông, Thôn Tây")


async def test_unit_list_with_latest_status_and_unreachable_people(engine, plan, clock):
    """Tapping the directive lists each unit: status, time, acknowledgements, ⚠️, unreachable."""
    chat = await admin_chat(engine)
    clock.now = at(26, 1)
    await chat.send("/tinhhinh")
    assert await chat.tap(PLAN_CHOICE) == [
        "\n".join(
            [
                f"📄 {PLAN_TITLE}",
                "Hạn: 25/03/2026",
                "",
                "⚠️ Thôn Đông: Đang thực hiện, báo cáo lúc 10:00 ngày 19/03/2026; đã nhận 1/2",
                "⚠️ Thôn Tây: chưa báo cáo; đã nhận 0/1",
                "   không liên lạc được: Lê Văn Cường",
                "Trường TH An Hưng: Đã hoàn thành, báo cáo lúc 09:00 ngày 19/03/2026; đã nhận 1/1",
            ]
        ),
        chart(2, 3),
    ]


async def test_difficulty_is_shown_with_its_note(engine, database, clock):
    """A unit whose latest report is a difficulty shows what the difficulty is, and that nobody
    has answered it yet."""
    directive = seed_directive(database, *PLAN, ["Thôn Đông"], deadline=None)
    an = seed_person(database, "Nguyễn Văn An", unit="Thôn Đông")
    seed_report(
        database,
        directive.assignments["Thôn Đông"],
        an,
        ProgressStatus.DIFFICULTY,
        at(19, 3),
        note="Thiếu kinh phí in tài liệu",
    )
    chat = await admin_chat(engine)
    [summary, _choose] = await chat.send("/tinhhinh")
    assert summary.endswith("Hoàn thành: 0/1 đơn vị\nHạn: không có")
    assert await chat.press(f"/tinhhinh {directive.id}") == [
        f"📄 {PLAN_TITLE}\nHạn: không có\n\n"
        "Thôn Đông: Gặp khó khăn, báo cáo lúc 10:00 ngày 19/03/2026; đã nhận 0/1\n"
        "   Khó khăn: Thiếu kinh phí in tài liệu\n"
        "   Chưa trả lời",
        chart(1, 1),
    ]


async def test_leader_sees_status_on_zalo_and_picks_by_number(engine, plan):
    """A leader may look too; on Zalo the directive is picked by its number."""
    leader = await joined(
        engine, Role.LEADER, "Chủ tịch UBND xã", channel="zalo", external_id="zl-ct"
    )
    assert await leader.send("/tinhhinh") == [overview("20/03/2026"), CHOOSE]
    [units] = await leader.send("1")
    assert units.startswith(f"📄 {PLAN_TITLE}\nHạn: 25/03/2026\n\nThôn Đông:")


async def test_directive_buttons_keep_working_later(engine, plan):
    """The buttons under an old status message still open the unit list after other dialogs."""
    chat = await admin_chat(engine)
    await chat.send("/tinhhinh")
    button = chat.choices[0][0]
    await chat.send("/ngonngu")
    units, _chart = await chat.press(button)
    assert units.startswith(f"📄 {PLAN_TITLE}")


async def test_only_open_directives_newest_first_at_most_ten(engine, database):
    """Twelve open directives: the ten newest are shown, with a note about the rest."""
    for day in range(1, 13):
        seed_directive(
            database,
            f"{day}/UBND",
            f"V/v việc số {day}",
            ["Thôn Đông"],
            issued_on=dt.date(2026, 3, day),
            deadline=None,
        )
    finished = seed_directive(
        database, "99/UBND", "V/v đã xong", ["Thôn Tây"], issued_on=dt.date(2026, 3, 15)
    )
    an = seed_person(database, "Nguyễn Văn An", unit="Thôn Tây")
    seed_report(database, finished.assignments["Thôn Tây"], an, ProgressStatus.DONE, at(16, 1))
    chat = await admin_chat(engine)
    [text, _choose] = await chat.send("/tinhhinh")
    numbers = [line.split(" — ")[0] for line in text.split("\n") if line.startswith("📄")]
    assert numbers == [f"📄 {day}/UBND" for day in range(12, 2, -1)]
    assert text.endswith("Còn 2 công văn khác đang thực hiện chưa hiển thị.")
    assert [label for _cid, label in chat.choices] == [
        f"{day}/UBND — V/v việc số {day}" for day in range(12, 2, -1)
    ]


async def test_no_open_directive(engine, database):
    """With every assignment done, or no directive at all, the admin is told so."""
    chat = await admin_chat(engine)
    message = "Hiện không có công văn nào đang thực hiện: các đơn vị đã hoàn thành."
    assert await chat.send("/tinhhinh") == [message]
    done = seed_directive(database, *PLAN, ["Thôn Đông"])
    an = seed_person(database, "Nguyễn Văn An", unit="Thôn Đông")
    seed_report(database, done.assignments["Thôn Đông"], an, ProgressStatus.DONE, at(19, 1))
    assert await chat.send("/tinhhinh") == [message]
    # A finished directive's unit list can still be opened by its id.
    units, _chart = await chat.send(f"/tinhhinh {done.id}")
    assert "Thôn Đông: Đã hoàn thành" in units


@pytest.mark.parametrize(
    "argument", ["abc", "😀", "999", "0", "-3", "12345", "9" * 5000, "1 x", "1 0", "ả" * 5000]
)
async def test_unknown_directive_reference(engine, plan, argument):
    """A typed reference that names no directive is explained, and nothing else happens."""
    chat = await admin_chat(engine)
    assert await chat.send(f"/tinhhinh {argument}") == [NOT_FOUND]
    assert await chat.send("xin chào") == [MENU]


async def test_stale_and_garbage_after_the_status_message(engine, plan):
    """The status message opens no dialog: text, a number and a stale button get the menu."""
    chat = await admin_chat(engine)
    await chat.send("/tinhhinh")
    assert await chat.send("không biết") == [MENU]
    assert await chat.send("12345") == [MENU]
    assert await chat.press("0.someid") == [
        "Nút này thuộc tin nhắn cũ và không còn hiệu lực.",
        MENU,
    ]


async def test_focal_point_and_stranger_cannot_see_status(engine, plan):
    """/tinhhinh is for admins and leaders only, typed or as a button."""
    focal = await joined(engine, Role.FOCAL, "Nguyễn Văn An", unit="Thôn Đông", external_id="1001")
    assert await focal.send("/tinhhinh") == [REFUSED]
    assert await focal.press(f"/tinhhinh {plan.id}") == [REFUSED]
    stranger = Chat(engine, "zalo", "zl-nobody")
    [explained] = await stranger.send("/tinhhinh")
    assert "mã mời" in explained
    assert await stranger.press(f"/tinhhinh {plan.id}") == []


async def test_a_report_sent_through_baocao_is_counted(engine, database):
    """The head reports 'done' in the dialog; the admin then sees the unit completed, and the
    directive received by its one focal point, as a report implies."""
    directive = seed_directive(database, *PLAN, ["Thôn Đông", "Thôn Tây"])
    head = await joined(engine, Role.FOCAL, "Nguyễn Văn An", unit="Thôn Đông", external_id="1001")
    await head.send("/baocao")
    for label in ["Đã hoàn thành", "Gửi báo cáo"]:
        await head.tap(label)
    chat = await admin_chat(engine)
    [summary, _choose] = await chat.send("/tinhhinh")
    assert "Đã báo cáo: 1/2 đơn vị\nHoàn thành: 1/2 đơn vị" in summary
    units, _chart = await chat.press(f"/tinhhinh {directive.id}")
    assert "Thôn Đông: Đã hoàn thành, báo cáo lúc 08:00 ngày 20/03/2026; đã nhận 1/1" in units


async def test_unit_without_focal_point_is_named_so(engine, database, clock):
    """A target unit nobody has joined for says so, rather than 'acknowledged 0/0'."""
    directive = seed_directive(database, *PLAN, ["Thôn Tây"], deadline=None)
    chat = await admin_chat(engine)
    assert await chat.press(f"/tinhhinh {directive.id}") == [
        f"📄 {PLAN_TITLE}\nHạn: không có\n\nThôn Tây: chưa báo cáo; đã nhận 0/0 — chưa có đầu mối",
        chart(0, 1),
    ]


async def test_the_unit_list_offers_to_remind_units_not_yet_reported(engine, plan, database):
    """Thôn Tây has not reported: the admin may remind it; once it reports, the offer is gone."""
    chat = await admin_chat(engine)
    await chat.press(f"/tinhhinh {plan.id}")
    # The chart comes after the unit list: the list's message carries the choices.
    assert [label for _cid, label in chat.last[0].choices] == [
        "Nhắc các đơn vị chưa báo cáo",
        "Thôn Đông",
        "Trường TH An Hưng",
    ]
    assert chat.last[0].choices[0][0] == f"/tinhhinh {plan.id} nhacnho"
    cuong = seed_person(database, "Đinh Văn Cường", unit="Thôn Tây")
    seed_report(
        database, plan.assignments["Thôn Tây"], cuong, ProgressStatus.NOT_STARTED, at(20, 0)
    )
    await chat.press(f"/tinhhinh {plan.id}")
    # No reminder left to offer; each unit's reports can be opened.
    assert [label for _cid, label in chat.last[0].choices] == [
        "Thôn Đông",
        "Thôn Tây",
        "Trường TH An Hưng",
    ]


async def test_archived_units_and_removed_people_are_not_counted(engine, plan, clock):
    """The admin archives Thôn Tây and removes both heads of Thôn Đông: /tinhhinh counts the
    school and Thôn Đông, whose report is kept and which now has no focal point."""
    chat = await admin_chat(engine)
    await chat.send("/donvi")
    await chat.tap("Lưu trữ đơn vị")
    await chat.tap("Thôn Tây")
    await chat.tap("Lưu trữ")
    for label in ("Nguyễn Văn An — Thôn Đông", "Phạm Thị Bình — Thôn Đông"):
        await chat.send("/donvi")
        await chat.tap("Xóa người")
        await chat.tap(label)
        await chat.tap("Xóa")
    clock.now = at(26, 1)
    [summary, _choose] = await chat.send("/tinhhinh")
    assert summary.endswith(
        "Đã nhận: 1/1 người\nĐã báo cáo: 2/2 đơn vị\nHoàn thành: 1/2 đơn vị\n"
        "Quá hạn: Thôn Đông\nHạn: 25/03/2026"
    )
    assert await chat.tap(PLAN_CHOICE) == [
        "\n".join(
            [
                f"📄 {PLAN_TITLE}",
                "Hạn: 25/03/2026",
                "",
                "⚠️ Thôn Đông: Đang thực hiện, báo cáo lúc 10:00 ngày 19/03/2026; đã nhận 0/0 — "
                "chưa có đầu mối",
                "Trường TH An Hưng: Đã hoàn thành, báo cáo lúc 09:00 ngày 19/03/2026; đã nhận 1/1",
            ]
        ),
        chart(2, 2),
    ]


async def test_a_directive_open_only_in_an_archived_unit_is_not_listed(engine, database):
    """Only Thôn Tây has not finished, and it is archived: there is nothing open to show."""
    directive = seed_directive(database, *PLAN, ["Thôn Đông", "Thôn Tây"], deadline=None)
    an = seed_person(database, "Nguyễn Văn An", unit="Thôn Đông")
    seed_report(database, directive.assignments["Thôn Đông"], an, ProgressStatus.DONE, at(19, 3))
    chat = await admin_chat(engine)
    await chat.send("/donvi")
    await chat.tap("Lưu trữ đơn vị")
    await chat.tap("Thôn Tây")
    await chat.tap("Lưu trữ")
    assert await chat.send("/tinhhinh") == [
        "Hiện không có công văn nào đang thực hiện: các đơn vị đã hoàn thành."
    ]


async def test_a_directive_to_many_units_is_shown_twenty_at_a_time(engine, database):
    """A plan to 45 villages: the first message shows villages 1–20 with a button for the
    next ones; the last page shows 41–45 and only the offer to remind; a page past the end
    shows the last one."""
    villages = [f"Thôn {n:02d}" for n in range(1, 46)]
    directive = seed_directive(database, *PLAN, villages, deadline=dt.date(2026, 3, 25))
    chat = await admin_chat(engine)

    first, caption = await chat.send(f"/tinhhinh {directive.id}")
    assert caption == chart(0, 45)
    lines = first.split("\n")
    assert lines[3] == "Đơn vị 1–20 trong tổng số 45:"
    assert [line.split(":")[0] for line in lines[4:]] == villages[:20]
    assert chat.labels() == ["Các đơn vị tiếp theo", "Nhắc các đơn vị chưa báo cáo"]

    [second] = await chat.tap("Các đơn vị tiếp theo")
    assert "Đơn vị 21–40 trong tổng số 45:" in second
    assert "Thôn 21: chưa báo cáo" in second and "Thôn 20:" not in second
    [third] = await chat.tap("Các đơn vị tiếp theo")
    assert [line.split(":")[0] for line in third.split("\n")[4:]] == villages[40:]
    assert chat.labels() == ["Nhắc các đơn vị chưa báo cáo"]
    assert await chat.send(f"/tinhhinh {directive.id} 9") == [third]


async def test_the_unit_list_is_followed_by_the_chart_where_a_photo_can_reach(engine, plan):
    """On Telegram the first page is followed by the directive's chart, drawn when sent; on
    Zalo only when the bot has a public address to link it from."""
    chat = await admin_chat(engine)
    await chat.press(f"/tinhhinh {plan.id}")
    assert [(row.text, row.photo) for row in chat.last[1:]] == [(chart(2, 3), f"chart:{plan.id}")]
    leader = await joined(
        engine, Role.LEADER, "Chủ tịch UBND xã", channel="zalo", external_id="zl-ct"
    )
    [units] = await leader.send(f"/tinhhinh {plan.id}")
    assert units.startswith(f"📄 {PLAN_TITLE}")
    use_public_links(True)
    try:
        assert (await leader.send(f"/tinhhinh {plan.id}"))[1:] == [chart(2, 3)]
        assert leader.last[1].photo == f"chart:{plan.id}"
    finally:
        use_public_links(False)
