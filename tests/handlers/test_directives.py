"""/congvan: an admin enters a directive and it is pushed to the focal points of each unit."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, col, select

from handlers.context import Notice
from handlers.directive_push import assignment_notice
from handlers.engine import Engine as DialogEngine
from handlers.outbox import deliver_notice
from handlers.quiet import QuietHours
from storage.db import transaction
from storage.models import (
    Acknowledgement,
    Assignment,
    AuditEntry,
    Conversation,
    Directive,
    OutboxMessage,
    Person,
    Role,
    Unit,
)
from storage.people import add_unit
from tests.support.chat import Chat, joined
from tests.support.directives import (
    ASK_CONTENT,
    ASK_DEADLINE,
    ASK_ISSUED,
    ASK_NUMBER,
    ASK_SUBJECT,
    ASK_TARGET,
    ASK_UNITS,
    CHOOSE,
    EAST,
    EXAMPLE_BODY,
    EXAMPLE_NUMBER,
    EXAMPLE_SUBJECT,
    REFUSED,
    REFUSED_ON_ZALO,
    SCHOOL,
    STALE,
    WEST,
    commune,
    enter_directive,
    person_named,
)

PREVIEW = (
    "Anh/chị kiểm tra lại công văn:\n"
    f"Số: {EXAMPLE_NUMBER}\n"
    "Ngày ban hành: 20/03/2026\n"
    f"Trích yếu: {EXAMPLE_SUBJECT}\n"
    f"Nội dung: {EXAMPLE_BODY[:300].rstrip()}…\n"
    f"Gửi tới (3): {EAST}, {WEST}, {SCHOOL}\n"
    "Hạn: 30/04/2026\n"
    "\n"
    "Gửi công văn này?"
)


def pushed(unit: str, body: str = EXAMPLE_BODY, deadline: str = "30/04/2026") -> str:
    """The text a focal point of `unit` receives for the example directive."""
    return (
        f"🔔 Công văn số {EXAMPLE_NUMBER}, ngày 20/03/2026\n"
        f"{EXAMPLE_SUBJECT}\n"
        f"Hạn: {deadline}\n"
        f"Đơn vị: {unit}\n"
        "\n"
        f"{body}"
    )


def outbox_of(session: Session, person_id: int | None) -> list[OutboxMessage]:
    """The messages queued for one person, oldest first."""
    query = select(OutboxMessage).where(OutboxMessage.person_id == person_id)
    return list(session.exec(query.order_by(col(OutboxMessage.id))))


async def test_admin_sends_example_directive_to_everyone(engine, database):
    """The admin enters the An Hưng directive; each unit gets an assignment, each person a push."""
    town = await commune(engine)
    admin = town.admin
    assert await admin.send("/congvan") == [ASK_NUMBER]
    assert await admin.send(EXAMPLE_NUMBER) == [ASK_ISSUED]
    assert admin.labels() == ["Hôm nay"]
    assert await admin.send("20/03/2026") == [ASK_SUBJECT]
    assert await admin.send(EXAMPLE_SUBJECT) == [ASK_CONTENT]
    assert await admin.send(EXAMPLE_BODY) == [ASK_TARGET]
    assert admin.labels() == [
        "Tất cả các thôn",
        "Tất cả các trường",
        "Tất cả đơn vị",
        "Chọn đơn vị",
    ]
    assert await admin.tap("Tất cả đơn vị") == [ASK_DEADLINE]
    assert await admin.send("30/04/2026") == [PREVIEW]
    assert admin.labels() == ["Gửi", "Sửa lại", "Hủy"]
    assert await admin.tap("Gửi") == ["Đã gửi công văn tới 3 đơn vị, 4 người."]

    with Session(database) as session:
        directive = session.exec(select(Directive)).one()
        assert (directive.number, directive.issued_on, directive.deadline) == (
            EXAMPLE_NUMBER,
            dt.date(2026, 3, 20),
            dt.date(2026, 4, 30),
        )
        assert (directive.subject, directive.content) == (EXAMPLE_SUBJECT, EXAMPLE_BODY)
        assert (directive.file_ref, directive.file_name) == ("", "")
        mai = person_named(session, "Trần Thị Mai")
        assert directive.created_by == mai.id
        units = {u.id: u.name for u in session.exec(select(Unit))}
        assignments = {
            units[a.unit_id]: a
            for a in session.exec(select(Assignment).order_by(col(Assignment.id)))
        }
        assert list(assignments) == [EAST, WEST, SCHOOL]
        assert all(a.directive_id == directive.id for a in assignments.values())
        audit = session.exec(select(AuditEntry)).one()
        assert (audit.action, audit.person_id) == ("directive.create", mai.id)
        assert audit.detail["directive_id"] == directive.id

        for name, unit, channels in [
            ("Nguyễn Văn An", EAST, ["telegram"]),
            ("Đỗ Văn Dũng", EAST, ["telegram"]),
            ("Lê Thị Bình", WEST, ["zalo"]),
            # Linked on both apps, he gets it once, where he wrote from last.
            ("Phạm Văn Cường", SCHOOL, ["telegram"]),
        ]:
            person = person_named(session, name)
            rows = [row for row in outbox_of(session, person.id) if row.text.startswith("🔔")]
            aid = assignments[unit].id
            assert [row.channel for row in rows] == channels
            assert [row.text for row in rows] == [pushed(unit)] * len(channels)
            assert [row.choices for row in rows] == [
                [[f"/ack {aid}", "Đã nhận"], [f"/baocao {aid}", "Báo cáo"]]
            ] * len(channels)
            assert [row.idempotency_key for row in rows] == [
                f"assignment:{aid}:person:{person.id}:{channel}" for channel in channels
            ]
        # On Zalo the two choices are remembered, so a reply "1" means Đã nhận.
        binh = session.exec(select(Conversation).where(Conversation.external_id == "zbinh")).one()
        assert binh.choices == [
            [f"/ack {assignments[WEST].id}", "Đã nhận"],
            [
                f"/baocao {assignments[WEST].id}",
                "Báo cáo",
            ],
        ]
        assert session.exec(select(Acknowledgement)).all() == []

    assert town.west.inbox() == [pushed(WEST)]
    assert await town.west.tap("Đã nhận") == [
        f"Đã xác nhận anh/chị nhận công văn số {EXAMPLE_NUMBER} lúc 08:00 ngày 20/03/2026."
    ]


async def test_a_repeated_push_sends_nothing_twice(engine, database, clock):
    """Delivering the same assignment notice again queues no second message."""
    town = await commune(engine)
    await enter_directive(town.admin)
    await town.admin.tap("Gửi")
    with transaction(database) as session:
        before = len(session.exec(select(OutboxMessage)).all())
        directive = session.exec(select(Directive)).one()
        for assignment in session.exec(select(Assignment)):
            unit = session.get(Unit, assignment.unit_id)
            assert unit is not None
            for person in session.exec(select(Person).where(Person.unit_id == unit.id)):
                notice = Notice(
                    person.id or 0,
                    assignment_notice(directive, assignment.id or 0, unit.name),
                    key=f"assignment:{assignment.id}:person:{person.id}",
                )
                assert deliver_notice(session, notice, "Asia/Ho_Chi_Minh", clock.now) == []
        session.flush()
        assert len(session.exec(select(OutboxMessage)).all()) == before


async def test_admin_picks_units_one_by_one(engine, database):
    """Tapping toggles a unit (✓), Xong with nothing picked asks again, then only those get it."""
    town = await commune(engine)
    admin = town.admin
    await admin.send("/congvan")
    await admin.send(EXAMPLE_NUMBER)
    await admin.tap("Hôm nay")
    await admin.send(EXAMPLE_SUBJECT)
    await admin.send("Đề nghị các đơn vị báo cáo kết quả trước ngày 30/4.")
    assert await admin.tap("Chọn đơn vị") == [ASK_UNITS]
    assert admin.labels() == [EAST, WEST, SCHOOL, "Xong"]
    assert await admin.tap("Xong") == [
        "Vui lòng chọn ít nhất một đơn vị, rồi chọn Xong.",
        ASK_UNITS,
    ]
    assert await admin.tap(WEST) == [ASK_UNITS]
    assert admin.labels() == [EAST, f"✓ {WEST}", SCHOOL, "Xong"]
    await admin.tap(SCHOOL)
    assert admin.labels() == [EAST, f"✓ {WEST}", f"✓ {SCHOOL}", "Xong"]
    await admin.tap(f"✓ {WEST}")
    assert admin.labels() == [EAST, WEST, f"✓ {SCHOOL}", "Xong"]
    assert await admin.tap("Xong") == [ASK_DEADLINE]
    preview = (await admin.tap("Không có hạn"))[0]
    assert f"Gửi tới (1): {SCHOOL}\nHạn: không có\n" in preview
    assert await admin.tap("Gửi") == ["Đã gửi công văn tới 1 đơn vị, 1 người."]
    with Session(database) as session:
        assert session.exec(select(Directive)).one().deadline is None
        assignment = session.exec(select(Assignment)).one()
        assert session.get(Unit, assignment.unit_id).name == SCHOOL  # type: ignore[union-attr]
    assert town.east.inbox() == [] and town.west.inbox() == []
    text = (
        f"🔔 Công văn số {EXAMPLE_NUMBER}, ngày 20/03/2026\n{EXAMPLE_SUBJECT}\n"
        f"Hạn: không có\nĐơn vị: {SCHOOL}\n\n"
        "Đề nghị các đơn vị báo cáo kết quả trước ngày 30/4."
    )
    assert town.school.inbox() == [text]
    assert town.school_zalo.inbox() == []


async def test_all_villages_and_a_unit_without_focal_point(engine, database):
    """All villages reaches both villages and the new Thôn Bắc, which has nobody yet."""
    town = await commune(engine)
    with transaction(database) as session:
        add_unit(session, "Thôn Bắc", "village")
    preview = (await enter_directive(town.admin, target="Tất cả các thôn"))[0]
    assert f"Gửi tới (3): Thôn Bắc, {EAST}, {WEST}\n" in preview
    assert await town.admin.tap("Gửi") == [
        "Đã gửi công văn tới 3 đơn vị, 3 người.\nChưa có đầu mối: Thôn Bắc."
    ]
    assert town.school.inbox() == []
    assert town.east.inbox() == [pushed(EAST)]


async def test_no_units_of_that_kind(engine, database):
    """With no school registered, All schools explains how units are added and asks again."""
    admin = await joined(engine, Role.ADMIN, "Trần Thị Mai", external_id="9001")
    await admin.send("/congvan")
    await admin.send(EXAMPLE_NUMBER)
    await admin.send("20/03")
    await admin.send(EXAMPLE_SUBJECT)
    await admin.send(EXAMPLE_BODY)
    how = "Quản trị viên thêm đơn vị trên máy chủ bằng lệnh: hoctap units import TỆP.csv"
    for label in ["Tất cả các thôn", "Tất cả các trường", "Tất cả đơn vị", "Chọn đơn vị"]:
        missing = {
            "Tất cả các thôn": "Chưa có thôn nào.",
            "Tất cả các trường": "Chưa có trường học nào.",
        }.get(label, "Chưa có đơn vị nào.")
        assert await admin.tap(label) == [f"{missing}\n{how}", ASK_TARGET]
    with transaction(database) as session:
        add_unit(session, SCHOOL, "school")
    assert await admin.tap("Tất cả các trường") == [ASK_DEADLINE]


async def test_document_content_goes_out_as_a_file(engine, database):
    """A file with no text: the subject is the text, Telegram pushes carry the file."""
    town = await commune(engine)
    admin = town.admin
    await admin.send("/congvan")
    await admin.send("669/KH-SGDĐT")
    await admin.send("18-03-2026")
    await admin.send(EXAMPLE_SUBJECT)
    replies = await admin.send(document="BQACAgUAAxkBAAIBd2", document_name="669-KH-SGDDT.pdf")
    assert replies == ["Đã nhận tệp 669-KH-SGDDT.pdf. Gõ lời nhắn ngắn gửi kèm, hoặc chọn Bỏ qua."]
    assert admin.labels() == ["Bỏ qua"]
    assert await admin.tap("Bỏ qua") == [ASK_TARGET]
    await admin.tap("Tất cả đơn vị")
    preview = (await admin.send("30/04"))[0]
    assert (
        f"Ngày ban hành: 18/03/2026\nTrích yếu: {EXAMPLE_SUBJECT}\nNội dung: {EXAMPLE_SUBJECT}\n"
        "Tệp: 669-KH-SGDDT.pdf\n"
    ) in preview
    await admin.tap("Gửi")
    with Session(database) as session:
        directive = session.exec(select(Directive)).one()
        assert (directive.file_ref, directive.file_name, directive.content) == (
            "BQACAgUAAxkBAAIBd2",
            "669-KH-SGDDT.pdf",
            EXAMPLE_SUBJECT,
        )
    header = (
        f"🔔 Công văn số 669/KH-SGDĐT, ngày 18/03/2026\n{EXAMPLE_SUBJECT}\nHạn: 30/04/2026\n"
        f"Đơn vị: {SCHOOL}\nTệp đính kèm: 669-KH-SGDDT.pdf\n\n{EXAMPLE_SUBJECT}"
    )
    assert town.school.inbox() == [header]
    assert town.school.last[0].document == "BQACAgUAAxkBAAIBd2"
    assert town.school_zalo.inbox() == []


async def test_document_with_a_short_text(engine, database):
    """The text typed after the file is what the focal points read."""
    town = await commune(engine)
    admin = town.admin
    await admin.send("/congvan")
    await admin.send(EXAMPLE_NUMBER)
    await admin.send("20/03/2026")
    await admin.send(EXAMPLE_SUBJECT)
    await admin.send(document="BQACAgUAAxkBAAIBd3", document_name="12-UBND-VHXH.pdf")
    assert await admin.send("Đề nghị các thôn triển khai ngay.") == [ASK_TARGET]
    await admin.tap("Tất cả các thôn")
    await admin.send("30/04/2026")
    await admin.tap("Gửi")
    assert town.west.inbox()[0].endswith(
        "Tệp đính kèm: 12-UBND-VHXH.pdf\n\nĐề nghị các thôn triển khai ngay."
    )
    with Session(database) as session:
        assert session.exec(select(Directive)).one().content == "Đề nghị các thôn triển khai ngay."


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("669/KH-SGDĐT", "669/KH-SGDĐT"),
        ("Số: 12/UBND-VHXH", "12/UBND-VHXH"),
        ("số 45/KH-UBND", "45/KH-UBND"),
        ("  12/UBND   VHXH ", "12/UBND VHXH"),
        ("2119", "2119"),
        # A number not yet given out, as in the example: "/…" alone would be read as a command.
        ("Số: /UBND-VHXH", "/UBND-VHXH"),
    ],
)
async def test_number_forms(engine, typed, stored):
    """The number is kept as typed, without a copied "Số:" label or extra spaces."""
    town = await commune(engine)
    await town.admin.send("/congvan")
    assert await town.admin.send(typed) == [ASK_ISSUED]
    await town.admin.tap("Hôm nay")
    await town.admin.send(EXAMPLE_SUBJECT)
    await town.admin.send(EXAMPLE_BODY)
    await town.admin.tap("Tất cả đơn vị")
    preview = (await town.admin.tap("Không có hạn"))[0]
    assert f"\nSố: {stored}\n" in preview


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("Hôm nay", "20/03/2026"),
        ("20/03/2026", "20/03/2026"),
        ("5/3", "05/03/2026"),
        ("15-03-2026", "15/03/2026"),
        ("hôm qua", "19/03/2026"),
        ("01/12/2025", "01/12/2025"),
    ],
)
async def test_issue_date_forms(engine, typed, shown):
    """Today, dd/mm/yyyy, dd/mm and dd-mm-yyyy are all read day first."""
    town = await commune(engine)
    admin = town.admin
    await admin.send("/congvan")
    await admin.send(EXAMPLE_NUMBER)
    assert await admin.send(typed) == [ASK_SUBJECT]
    await admin.send(EXAMPLE_SUBJECT)
    await admin.send(EXAMPLE_BODY)
    await admin.tap("Tất cả đơn vị")
    preview = (await admin.tap("Không có hạn"))[0]
    assert f"\nNgày ban hành: {shown}\n" in preview


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("21/03/2026", "Ngày ban hành không được sau hôm nay."),
        ("31/02/2026", "Không có ngày này trong lịch. Vui lòng kiểm tra lại ngày và tháng."),
        ("20/13", "Không có ngày này trong lịch. Vui lòng kiểm tra lại ngày và tháng."),
        ("20/03/1999", "Năm phải từ 2000 đến 2100."),
        ("2026/03/20", "Ngày chưa đúng dạng."),
        ("20/03-2026", "Ngày chưa đúng dạng."),
    ],
)
async def test_issue_date_errors(engine, typed, problem):
    """A future, impossible, out-of-range or unreadable issue date is explained and asked again."""
    town = await commune(engine)
    await town.admin.send("/congvan")
    await town.admin.send(EXAMPLE_NUMBER)
    replies = await town.admin.send(typed)
    assert replies[0].startswith(problem)
    assert replies[1:] == [ASK_ISSUED]


@pytest.mark.parametrize(
    ("typed", "reply"),
    [
        ("19/03/2026", "Hạn thực hiện không được là ngày đã qua."),
        ("30/02/2026", "Không có ngày này trong lịch. Vui lòng kiểm tra lại ngày và tháng."),
        ("30/04/2101", "Năm phải từ 2000 đến 2100."),
        ("ngày 30 tháng 4", "Ngày chưa đúng dạng."),
    ],
)
async def test_deadline_errors(engine, typed, reply):
    """A past, impossible or unreadable deadline is explained and asked again."""
    town = await commune(engine)
    await town.admin.send("/congvan")
    await town.admin.send(EXAMPLE_NUMBER)
    await town.admin.send("20/03/2026")
    await town.admin.send(EXAMPLE_SUBJECT)
    await town.admin.send(EXAMPLE_BODY)
    await town.admin.tap("Tất cả đơn vị")
    replies = await town.admin.send(typed)
    assert replies[0].startswith(reply) and replies[1:] == [ASK_DEADLINE]


@pytest.mark.parametrize(
    ("typed", "shown"),
    [("20/03/2026", "20/03/2026"), ("30/4", "30/04/2026"), ("31-12-2026", "31/12/2026")],
)
async def test_deadline_forms(engine, typed, shown):
    """Today is still a valid deadline; dd/mm takes this year."""
    town = await commune(engine)
    await town.admin.send("/congvan")
    await town.admin.send(EXAMPLE_NUMBER)
    await town.admin.send("20/03/2026")
    await town.admin.send(EXAMPLE_SUBJECT)
    await town.admin.send(EXAMPLE_BODY)
    await town.admin.tap("Tất cả đơn vị")
    preview = (await town.admin.send(typed))[0]
    assert f"\nHạn: {shown}\n" in preview


async def test_start_over_keeps_nothing(engine, database):
    """Sửa lại asks everything again; the file and units of the first try are gone."""
    town = await commune(engine)
    admin = town.admin
    await admin.send("/congvan")
    await admin.send("669/KH-SGDĐT")
    await admin.send("19/03/2026")
    await admin.send("V/v kế hoạch cũ")
    await admin.send(document="BQACAgUAAxkBAAIBd4", document_name="cu.pdf")
    await admin.tap("Bỏ qua")
    await admin.tap("Chọn đơn vị")
    await admin.tap(EAST)
    await admin.tap("Xong")
    await admin.tap("Không có hạn")
    assert await admin.tap("Sửa lại") == ["Nhập lại từ đầu.", ASK_NUMBER]
    assert await enter_directive_answers(admin) == [PREVIEW]
    assert await admin.tap("Gửi") == ["Đã gửi công văn tới 3 đơn vị, 4 người."]
    with Session(database) as session:
        directive = session.exec(select(Directive)).one()
        assert (directive.number, directive.file_ref, directive.file_name) == (
            EXAMPLE_NUMBER,
            "",
            "",
        )
        assert len(session.exec(select(Assignment)).all()) == 3


async def enter_directive_answers(admin: Chat) -> list[str]:
    """Answer the questions after the number prompt with the example directive."""
    await admin.send(EXAMPLE_NUMBER)
    await admin.send("20/03/2026")
    await admin.send(EXAMPLE_SUBJECT)
    await admin.send(EXAMPLE_BODY)
    await admin.tap("Tất cả đơn vị")
    return await admin.send("30/04/2026")


def nothing_stored(database) -> None:  # type: ignore[no-untyped-def]
    """No directive, assignment, audit entry or push exists."""
    with Session(database) as session:
        assert session.exec(select(Directive)).all() == []
        assert session.exec(select(Assignment)).all() == []
        assert session.exec(select(AuditEntry)).all() == []
        pushes = select(OutboxMessage).where(col(OutboxMessage.text).startswith("🔔"))
        assert session.exec(pushes).all() == []


async def test_cancel_at_preview_stores_nothing(engine, database):
    """Hủy at the preview sends nothing and ends the dialog."""
    town = await commune(engine)
    await enter_directive(town.admin)
    assert await town.admin.tap("Hủy") == ["Đã hủy. Công văn chưa được gửi và không lưu gì."]
    nothing_stored(database)
    assert await town.admin.send("30/04/2026") == ["Anh/chị muốn làm gì?"]


@pytest.mark.parametrize("answers", [1, 3, 5, 7])
async def test_huy_midway_stores_nothing(engine, database, answers):
    """/huy at any question drops what was entered."""
    town = await commune(engine)
    admin = town.admin
    steps = ["/congvan", EXAMPLE_NUMBER, "20/03/2026", EXAMPLE_SUBJECT, EXAMPLE_BODY, "3", "30/4"]
    for text in steps[:answers]:
        await admin.send(text)
    assert await admin.send("/huy") == [
        "Đã hủy. Không lưu gì từ thao tác vừa rồi. Gửi /menu để bắt đầu lại."
    ]
    nothing_stored(database)
    assert town.east.inbox() == []


async def test_admin_menu_offers_new_directive(engine):
    """The admin's menu lists Gửi công văn mới; a focal point's does not."""
    town = await commune(engine)
    await town.admin.send("/menu")
    assert "Gửi công văn mới" in town.admin.labels()
    await town.east.send("/menu")
    assert "Gửi công văn mới" not in town.east.labels()


@pytest.mark.parametrize("how", ["typed", "pressed"])
async def test_focal_point_and_leader_cannot_send_directives(engine, database, how):
    """/congvan, typed or as button data, is refused to a focal point and a leader."""
    town = await commune(engine)
    for chat in [town.east, town.west, town.leader]:
        replies = await (chat.send("/congvan") if how == "typed" else chat.press("/congvan"))
        assert replies == [REFUSED if chat.channel == "telegram" else REFUSED_ON_ZALO]
        assert await chat.send(EXAMPLE_NUMBER) == ["Anh/chị muốn làm gì?"]
    # A button of the admin's preview, pressed by a focal point, does nothing either.
    assert (await town.east.press("7.send"))[
        0
    ] == "Nút này thuộc tin nhắn cũ và không còn hiệu lực."
    nothing_stored(database)


async def test_unregistered_chat_cannot_send_directives(engine, database):
    """A stranger's /congvan only gets the how-to-join explanation."""
    await commune(engine)
    stranger = Chat(engine, "telegram", "6666")
    replies = await stranger.press("/congvan")
    assert len(replies) == 1 and "mã mời" in replies[0]
    assert await stranger.send("/congvan") == []
    nothing_stored(database)
    with Session(database) as session:
        conversation = session.exec(
            select(Conversation).where(Conversation.external_id == "6666")
        ).one()
        assert conversation.step == ""


NUMBER_PROBLEM = "Số hiệu dài 1–60 ký tự, có chữ số hoặc dấu gạch chéo, ví dụ 12/UBND-VHXH."
DATE_PROBLEM = (
    "Ngày chưa đúng dạng. Vui lòng nhập ngày trước, tháng sau, ví dụ 20/03/2026, 20/03 "
    "hoặc 20-03-2026."
)
SUBJECT_PROBLEM = "Trích yếu phải là chữ, dài 3–500 ký tự."
CONTENT_PROBLEM = "Nội dung phải là chữ, tối đa 20.000 ký tự."
ASK_NOTE = "Đã nhận tệp 669.pdf. Gõ lời nhắn ngắn gửi kèm, hoặc chọn Bỏ qua."
SENT = "Đã gửi công văn tới 3 đơn vị, 4 người."

# Each turn: (how, what, the reply expected). The dialog is driven along one of these routes.
MAIN = [
    ("send", "/congvan", ASK_NUMBER),
    ("send", EXAMPLE_NUMBER, ASK_ISSUED),
    ("send", "20/03/2026", ASK_SUBJECT),
    ("send", EXAMPLE_SUBJECT, ASK_CONTENT),
    ("send", EXAMPLE_BODY, ASK_TARGET),
    ("tap", "Tất cả đơn vị", ASK_DEADLINE),
    ("send", "30/04/2026", PREVIEW),
    ("tap", "Gửi", SENT),
]
WITH_FILE = [
    *MAIN[:4],
    ("file", "669.pdf", ASK_NOTE),
    ("send", "Đề nghị các đơn vị triển khai ngay.", ASK_TARGET),
]
PICKING = [
    *MAIN[:5],
    ("tap", "Chọn đơn vị", ASK_UNITS),
    ("tap", EAST, ASK_UNITS),
    ("tap", "Xong", ASK_DEADLINE),
]
WORDS, EMOJI, LONG, DIGITS = "xin chào các anh chị", "😀🎉", "x" * 5000, "12345"
CHOICE_BAD = {WORDS: CHOOSE, EMOJI: CHOOSE, LONG: CHOOSE, DIGITS: CHOOSE}
# Numbers typed at once pick units: one that is not on the list is named with the range.
PICK_BAD = {
    **CHOICE_BAD,
    DIGITS: "Không có đơn vị số 12345: các đơn vị được đánh số từ 1 đến 3. "
    "Danh sách chưa thay đổi.",
}
CONTENT_BAD = {EMOJI: CONTENT_PROBLEM, "x" * 20_001: CONTENT_PROBLEM, DIGITS: CONTENT_PROBLEM}
DATE_BAD = {WORDS: DATE_PROBLEM, EMOJI: DATE_PROBLEM, LONG: DATE_PROBLEM, DIGITS: DATE_PROBLEM}

STEPS = {
    "number": (
        MAIN,
        1,
        {
            WORDS: NUMBER_PROBLEM,
            EMOJI: NUMBER_PROBLEM,
            LONG: NUMBER_PROBLEM,
            "12 😀": NUMBER_PROBLEM,
        },
    ),
    "issue date": (MAIN, 2, DATE_BAD),
    "subject": (
        MAIN,
        3,
        {
            EMOJI: SUBJECT_PROBLEM,
            LONG: SUBJECT_PROBLEM,
            DIGITS: SUBJECT_PROBLEM,
            "ab": SUBJECT_PROBLEM,
        },
    ),
    "content": (MAIN, 4, CONTENT_BAD),
    "text with the file": (WITH_FILE, 5, CONTENT_BAD),
    "target": (MAIN, 5, CHOICE_BAD),
    "pick units": (PICKING, 6, PICK_BAD),
    "deadline": (MAIN, 6, DATE_BAD),
    "preview": (MAIN, 7, CHOICE_BAD),
}

# A photo carries no text: each step says what it wanted instead.
PHOTO_PROBLEM = {
    "number": NUMBER_PROBLEM,
    "issue date": "Vui lòng gõ ngày, ví dụ 20/03/2026.",
    "subject": SUBJECT_PROBLEM,
    "content": CONTENT_PROBLEM,
    "text with the file": CONTENT_PROBLEM,
    "target": CHOOSE,
    "pick units": CHOOSE,
    "deadline": "Vui lòng gõ ngày, ví dụ 20/03/2026.",
    "preview": CHOOSE,
}


async def turn(chat: Chat, how: str, what: str) -> list[str]:
    """Send, tap or attach a file, as the route says."""
    if how == "tap":
        return await chat.tap(what)
    if how == "file":
        return await chat.send(document="BQACAgUAAxkBAAIBd5", document_name=what)
    return await chat.send(what)


@pytest.mark.parametrize("name", list(STEPS))
async def test_bad_input_at_every_step_keeps_the_dialog(engine, database, name):
    """Nonsense, an emoji, a huge message, digits, a photo and stale buttons are explained,
    the same question comes again, and the rest of the directive goes through unchanged.
    """
    route, at, bad_inputs = STEPS[name]
    town = await commune(engine)
    admin = town.admin
    today_button = ""
    for how, what, expected in route[:at]:
        assert await turn(admin, how, what) == [expected]
        today_button = today_button or next(
            (cid for cid, label in admin.choices if label == "Hôm nay"), ""
        )
    question, offered = route[at - 1][2], list(admin.choices)
    for bad, problem in bad_inputs.items():
        assert await admin.send(bad) == [problem, question], bad[:20]
        assert admin.choices == offered
    assert await admin.send(photo="AgACAgUAAxkBAAIBe") == [PHOTO_PROBLEM[name], question]
    assert await admin.press("0.someid") == [STALE, question]
    if at > 2:
        assert await admin.press(today_button) == [STALE, question]
    for how, what, expected in route[at:]:
        assert await turn(admin, how, what) == [expected]
    with Session(database) as session:
        sent = session.exec(select(Directive)).all()
        assert len(sent) == (1 if route is MAIN else 0)


async def test_a_directive_sent_at_night_reaches_phones_at_seven(database, clock):
    """At 22:30 the admin sends it: the pushes wait for 07:00, and the admin is told so."""
    clock.now = dt.datetime(2026, 3, 20, 15, 30, tzinfo=dt.UTC)  # 22:30 in the commune
    night = DialogEngine(database, clock=clock, quiet_hours=QuietHours.parse("21:00-07:00"))
    town = await commune(night)
    await enter_directive(town.admin)
    assert await town.admin.tap("Gửi") == [
        "Đã gửi công văn tới 3 đơn vị, 4 người.\n"
        "Đang trong giờ nghỉ, tin sẽ được gửi lúc 07:00 ngày 21/03/2026."
    ]
    with Session(database) as session:
        pushes = session.exec(
            select(OutboxMessage).where(col(OutboxMessage.text).startswith("🔔"))
        ).all()
    assert len(pushes) == 4  # the principal on both apps gets one
    morning = dt.datetime(2026, 3, 21, 0, 0, tzinfo=dt.UTC)
    assert {row.not_before.replace(tzinfo=dt.UTC) for row in pushes} == {morning}
