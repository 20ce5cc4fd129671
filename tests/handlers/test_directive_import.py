"""/congvan from the document itself: the admin pastes or sends the công văn, checks what the
bot read, fills in what it could not find, and each unit is pushed its own tasks."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, col, select

from storage.db import transaction
from storage.models import Assignment, Directive, DirectiveTask, Milestone
from storage.people import add_unit
from tests.support.directives import (
    ASK_DEADLINE,
    ASK_ISSUED,
    ASK_NUMBER,
    ASK_SUBJECT,
    EAST,
    SCHOOL,
    WEST,
    commune,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LETTER = (FIXTURES / "congvan-an-hung-2026.txt").read_text(encoding="utf-8")
# The kế hoạch moved to this year, so that its dates lie ahead of the test's 20/03/2026.
PLAN = (FIXTURES / "kehoach-an-hung-2025.txt").read_text(encoding="utf-8").replace("2025", "2026")
CENTRE = "Trung tâm Dịch vụ sự nghiệp công xã"
VILLAGE_TASK = (
    "Nhiệm vụ của thôn:\n- Lòng ghép nội dung xây dựng xã hội học tập vào các buổi sinh hoạt "
    "cộng đồng tại thôn"
)


def read_first(directive_text: str) -> tuple[str, str]:
    """The two halves a chat app splits a long paste into."""
    middle = directive_text.index("3. Các cơ sở giáo dục")
    return directive_text[:middle], directive_text[middle:]


async def test_the_pasted_draft_is_read_its_blanks_asked_and_each_unit_pushed_its_tasks(
    engine, database
):
    """Mai pastes the draft công văn in two parts and taps Đọc văn bản: the bot says the number
    and the date are blank, asks them, then the deadline (the letter sets none); the villages
    and the school were found from its sections; the village head reads the villages' task
    first, the principal the schools'."""
    town = await commune(engine)
    with transaction(database) as session:
        add_unit(session, CENTRE, "office")
    admin = town.admin
    first, second = read_first(LETTER)

    assert await admin.send("/congvan") == [ASK_NUMBER]
    [received] = await admin.send(first)
    assert received.startswith("Đã nhận văn bản (")
    await admin.send(second)
    assert await admin.tap("Đọc văn bản") == [
        "Đã đọc văn bản. Chưa tìm thấy, đề nghị anh/chị nhập: số, ngày ban hành, hạn thực hiện."
        "\nSố hiệu đang để trống trước ký hiệu UBND-VHXH.",
        ASK_NUMBER,
    ]
    assert await admin.send("12/UBND-VHXH") == [ASK_ISSUED]
    assert await admin.send("20/03/2026") == [ASK_DEADLINE]
    [preview] = await admin.send("30/04/2026")

    assert "Số: 12/UBND-VHXH\nNgày ban hành: 20/03/2026\n" in preview
    assert "Trích yếu: V/v tiếp tục triển khai thực hiện Đề án" in preview
    assert f"Gửi tới (4): {EAST}, {WEST}, {SCHOOL}, {CENTRE}" in preview
    assert (
        "Nhiệm vụ theo đơn vị:\n"
        "- Trung tâm Dịch vụ sự nghiệp công xã (2. Trung tâm Dịch vụ sự nghiệp công)\n"
        "- Nhiệm vụ của nhà trường (3. Các cơ sở giáo dục, các trường học trên địa bàn xã)\n"
        "- Nhiệm vụ của thôn (4. Các ông (bà) Trưởng thôn)"
    ) in preview
    assert admin.labels()[:3] == ["Gửi", "Sửa số hiệu", "Sửa ngày ban hành"]
    await admin.tap("Gửi")

    [village_push] = town.east.inbox()
    assert VILLAGE_TASK in village_push
    assert "Phòng Văn hóa - Xã hội" not in village_push
    assert town.east.labels() == ["Đã nhận", "Báo cáo", "Xem toàn văn"]
    [school_push] = town.school.inbox()
    assert "Nhiệm vụ của nhà trường:\n- Căn cứ chức năng, nhiệm vụ" in school_push
    assert "Trưởng thôn" not in school_push
    with Session(database) as session:
        directive = session.exec(select(Directive)).one()
        tasks = session.exec(select(DirectiveTask).order_by(col(DirectiveTask.position))).all()
    assert (directive.number, str(directive.issued_on), str(directive.deadline)) == (
        "12/UBND-VHXH",
        "2026-03-20",
        "2026-04-30",
    )
    assert [(t.unit_kind, t.heading) for t in tasks] == [
        ("", "2. Trung tâm Dịch vụ sự nghiệp công"),
        ("school", "3. Các cơ sở giáo dục, các trường học trên địa bàn xã"),
        ("village", "4. Các ông (bà) Trưởng thôn"),
    ]

    # The full text is one tap away, with every unit's part.
    [full] = await town.east.tap("Xem toàn văn")
    assert "1. Phòng Văn hóa - Xã hội" in full and "3. Các cơ sở giáo dục" in full


async def test_a_kế_hoạch_file_gives_every_field_and_each_kind_its_own_deadline(engine, database):
    """The Telegram app read the kế hoạch's DOCX: nothing is missing, the summary lists the
    deadlines; the principal's push says 28/03 (gửi báo cáo), the village head's 20/12."""
    town = await commune(engine)
    admin = town.admin
    await admin.send("/congvan")
    [preview] = await admin.send(
        document="BQACAgUAAxkBAAIBplan",
        document_name="KH 45 khuyen hoc.docx",
        document_text=PLAN,
        document_state="read",
    )

    assert preview.startswith("Anh/chị kiểm tra lại công văn:\nSố: 45/KH-VHXH\n")
    assert "Ngày ban hành: 07/03/2026" in preview
    assert "Tệp: KH 45 khuyen hoc.docx" in preview
    assert (
        "Các mốc thời hạn trong văn bản:\n- 28/03/2026, các trường: chậm nhất ngày 28/03/2026"
    ) in preview
    assert "\n- 20/12/2026, các thôn: gửi hồ sơ đề nghị" in preview
    assert "Hạn: 20/12/2026" in preview
    await admin.tap("Gửi")

    [school_push] = town.school.inbox()
    assert "Hạn: 28/03/2026 (chậm nhất ngày 28/03/2026 gửi báo cáo về UBND xã" in school_push
    [village_push] = town.east.inbox()
    assert "Hạn: 20/12/2026 (" in village_push
    with Session(database) as session:
        milestones = session.exec(select(Milestone).order_by(col(Milestone.due_on))).all()
        assigned = len(session.exec(select(Assignment)).all())
    assert [(str(m.due_on), m.unit_kind) for m in milestones] == [
        ("2026-03-28", "school"),
        ("2026-12-20", "village"),
    ]
    assert assigned == 3

    # The status shows each unit's next deadline, by its kind.
    with Session(database) as session:
        directive_id = session.exec(select(Directive)).one().id
    [units, _chart] = await admin.send(f"/tinhhinh {directive_id}")
    # Units are grouped under the task they were given.
    assert "Hạn: 20/12/2026\n\n▸ 4. Các ông (bà) Trưởng thôn\nThôn Đông:" in units
    assert "\n▸ 3. Các cơ sở giáo dục, các trường học trên địa bàn xã\nTrường THCS" in units
    assert (
        "Thôn Đông: chưa báo cáo; đã nhận 0/2\n   Mốc tới: 20/12/2026 — gửi hồ sơ đề nghị"
    ) in units
    assert "Trường THCS An Hưng: chưa báo cáo; đã nhận 0/1\n   Mốc tới: 28/03/2026 —" in units


async def test_a_scan_is_entered_by_hand_with_the_file_attached(engine, database):
    """A scanned PDF has no text: the bot says so and asks field by field; the file goes with
    the directive, and only a short text is asked instead of the content."""
    town = await commune(engine)
    admin = town.admin
    await admin.send("/congvan")

    assert await admin.send(
        document="BQACAgUAAxkBAAIBscan", document_name="cv-12.pdf", document_state="scanned"
    ) == [
        "Không đọc được chữ trong tệp này (bản quét). Anh/chị nhập công văn theo từng bước; "
        "tệp sẽ được gửi kèm.",
        ASK_NUMBER,
    ]
    assert await admin.send("12/UBND-VHXH") == [ASK_ISSUED]
    assert await admin.send("20/03/2026") == [ASK_SUBJECT]
    assert await admin.send("V/v xây dựng xã hội học tập") == [
        "Đã nhận tệp cv-12.pdf. Gõ lời nhắn ngắn gửi kèm, hoặc chọn Bỏ qua."
    ]


async def test_any_field_read_wrong_is_changed_with_one_tap(engine, database):
    """At the summary Mai taps Sửa hạn, types another date, and is shown the summary again."""
    town = await commune(engine)
    admin = town.admin
    await admin.send("/congvan")
    await admin.send(
        document="BQAC1", document_name="kh.docx", document_text=PLAN, document_state="read"
    )

    assert await admin.tap("Sửa hạn") == [ASK_DEADLINE]
    [preview] = await admin.send("31/12/2026")

    assert "Hạn: 31/12/2026" in preview
    assert "Số: 45/KH-VHXH" in preview

    # Sent, the typed deadline joins the document's as every unit's last milestone.
    await admin.tap("Gửi")
    with Session(database) as session:
        milestones = session.exec(select(Milestone).order_by(col(Milestone.due_on))).all()
    assert [(str(m.due_on), m.unit_kind, m.what) for m in milestones][1:] == [
        ("2026-12-20", "village", milestones[1].what),
        ("2026-12-31", "", ""),
    ]
    [village_push] = town.east.inbox()
    assert "Hạn: 20/12/2026 (" in village_push


async def test_a_deadline_read_wrongly_is_moved_and_another_dropped(engine, database):
    """Sửa các mốc lists the two deadlines read; Mai moves the schools' to 31/03, then drops
    the villages': the summary shows what is left, the deadline follows the latest, and the
    directive is stored with the one milestone."""
    town = await commune(engine)
    admin = town.admin
    await admin.send("/congvan")
    await admin.send(
        document="BQAC1", document_name="kh.docx", document_text=PLAN, document_state="read"
    )

    assert await admin.tap("Sửa các mốc thời hạn") == ["Anh/chị muốn sửa mốc nào?"]
    assert [label.split(":")[0] for label in admin.labels()] == [
        "28/03, các trường",
        "20/12, các thôn",
        "Quay lại",
    ]
    assert await admin.tap(admin.labels()[0]) == [
        "Nhập ngày mới cho mốc 28/03/2026 (ngày/tháng/năm), hoặc bỏ mốc này."
    ]
    [preview] = await admin.send("31/03/2026")
    assert "\n- 31/03/2026, các trường: chậm nhất ngày 28/03/2026" in preview
    assert "Hạn: 20/12/2026" in preview

    await admin.tap("Sửa các mốc thời hạn")
    await admin.tap(admin.labels()[1])
    dropped, preview = await admin.tap("Bỏ mốc này")
    assert dropped == "Đã bỏ mốc 20/12/2026."
    assert "- 20/12/2026" not in preview
    # The deadline followed the latest milestone left.
    assert "Hạn: 31/03/2026" in preview

    await admin.tap("Gửi")
    with Session(database) as session:
        milestones = session.exec(select(Milestone)).all()
        directive = session.exec(select(Directive)).one()
    assert [(str(m.due_on), m.unit_kind) for m in milestones] == [("2026-03-31", "school")]
    assert directive.deadline is not None and str(directive.deadline) == "2026-03-31"
