"""/baocao: a focal point reports progress on an assignment of their unit."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

from storage.models import Assignment, OutboxMessage, ProgressReport, ProgressStatus, Role
from tests.support.assignments import person_id, seed_directive, seed_person, seed_report
from tests.support.chat import Chat, joined

PLAN = ("669/KH-SGDĐT", "V/v tiếp tục triển khai Đề án Xây dựng xã hội học tập 2021 - 2030")
FUND = ("45/UBND-VHXH", "V/v vận động ủng hộ Quỹ khuyến học, khuyến tài năm 2026")
PLAN_LABEL = "669/KH-SGDĐT — V/v tiếp tục triển khai Đề án… (hạn 31/03)"
FUND_LABEL = "45/UBND-VHXH — V/v vận động ủng hộ Quỹ khuyến… (hạn 15/04)"
PLAN_DONE_LABEL = "669/KH-SGDĐT — V/v tiếp tục… (đã hoàn thành — gửi bổ sung)"
FUND_DONE_LABEL = "45/UBND-VHXH — V/v vận động… (đã hoàn thành — gửi bổ sung)"
STATUSES = ["Chưa triển khai", "Đang thực hiện", "Đã hoàn thành", "Gặp khó khăn"]
NOTE_PROMPT = "Anh/chị ghi chú ngắn (tối đa 500 ký tự), hoặc bấm Bỏ qua."
DIFFICULTY_PROMPT = (
    "Đơn vị đang gặp khó khăn gì? Anh/chị vui lòng mô tả ngắn gọn (tối đa 500 ký tự)."
)
PHOTO_PROMPT = "Gửi ảnh minh chứng (nếu có) hoặc bấm Bỏ qua."
SENT_AT = "lúc 08:00 20/03/2026."


def status_prompt(number: str, subject: str) -> str:
    """The status question, naming the directive being reported on."""
    return f"Báo cáo về {number} — {subject}.\nTình hình thực hiện hiện nay thế nào?"


def summary(number: str, subject: str, status: str, note: str, photo: str) -> str:
    """The confirmation shown before sending."""
    return (
        f"Anh/chị kiểm tra lại báo cáo:\n📄 {number} — {subject}\nĐơn vị: Thôn Đông\n"
        f"Tình hình: {status}\nGhi chú: {note}\nẢnh: {photo}"
    )


async def village_head(engine, channel: str = "telegram", external_id: str = "1001") -> Chat:
    """Nguyễn Văn An, head of Thôn Đông, registered on one channel."""
    return await joined(
        engine,
        Role.FOCAL,
        "Nguyễn Văn An",
        unit="Thôn Đông",
        channel=channel,
        external_id=external_id,
    )


def plan_for(database, *units: str) -> dict[str, int]:
    """The learning-society plan assigned to `units`; returns assignment id per unit."""
    return seed_directive(database, *PLAN, list(units) or ["Thôn Đông", "Thôn Tây"]).assignments


def fund_for(database, *units: str) -> dict[str, int]:
    """The newer fund-raising directive, due 15/04."""
    return seed_directive(
        database,
        *FUND,
        list(units),
        issued_on=dt.date(2026, 3, 15),
        deadline=dt.date(2026, 4, 15),
    ).assignments


def reports(database) -> list[ProgressReport]:
    """Every stored progress report, oldest first."""
    with Session(database) as session:
        return list(session.exec(select(ProgressReport).order_by(ProgressReport.id)))


def assignment(database, assignment_id: int) -> Assignment:
    """The assignment as stored now."""
    with Session(database) as session:
        found = session.get(Assignment, assignment_id)
        assert found is not None
        return found


def queued_for(database, person_id: int) -> list[OutboxMessage]:
    """The outbox rows addressed to a person."""
    with Session(database) as session:
        query = select(OutboxMessage).where(OutboxMessage.person_id == person_id)
        return list(session.exec(query.order_by(OutboxMessage.id)))


async def test_village_head_reports_in_progress_with_a_note_on_telegram(engine, database, clock):
    """One open assignment: the bot skips the list, asks status, note, photo, then confirms."""
    ids = plan_for(database)
    admin = seed_person(database, "Cán bộ Văn hóa", Role.ADMIN)
    chat = await village_head(engine)
    assert await chat.send("/baocao") == [status_prompt(*PLAN)]
    assert chat.labels() == STATUSES
    assert await chat.tap("Đang thực hiện") == [NOTE_PROMPT]
    assert chat.labels() == ["Bỏ qua"]
    assert await chat.send("Đã họp dân 2 lần, 80% hộ đăng ký") == [PHOTO_PROMPT]
    assert await chat.tap("Bỏ qua") == [
        summary(*PLAN, "Đang thực hiện", "Đã họp dân 2 lần, 80% hộ đăng ký", "không có")
    ]
    assert chat.labels() == ["Gửi", "Hủy"]
    assert await chat.tap("Gửi") == [
        f"Đã gửi báo cáo: Đang thực hiện, công văn 669/KH-SGDĐT, {SENT_AT}"
    ]
    [report] = reports(database)
    assert (report.assignment_id, report.status) == (ids["Thôn Đông"], "in_progress")
    assert (report.note, report.photo_ref, report.at) == (
        "Đã họp dân 2 lần, 80% hộ đăng ký",
        "",
        clock.now,
    )
    assert report.person_id == person_id(database, "Nguyễn Văn An")
    stored = assignment(database, ids["Thôn Đông"])
    assert (stored.status, stored.reported_at) == ("in_progress", clock.now)
    assert assignment(database, ids["Thôn Tây"]).status == "not_started"
    assert queued_for(database, admin) == []


async def test_village_head_reports_on_zalo_with_numbered_replies(engine, database, clock):
    """On Zalo the head replies with numbers, or types a label without diacritics."""
    ids = plan_for(database)
    chat = await village_head(engine, "zalo", "zl-an")
    assert await chat.send("/baocao") == [status_prompt(*PLAN)]
    assert await chat.send("2") == [NOTE_PROMPT]
    assert await chat.send("Đang vận động các hộ") == [PHOTO_PROMPT]
    assert await chat.send("bo qua") == [
        summary(*PLAN, "Đang thực hiện", "Đang vận động các hộ", "không có")
    ]
    assert await chat.send("1") == [
        f"Đã gửi báo cáo: Đang thực hiện, công văn 669/KH-SGDĐT, {SENT_AT}"
    ]
    [report] = reports(database)
    assert (report.assignment_id, report.status, report.note) == (
        ids["Thôn Đông"],
        "in_progress",
        "Đang vận động các hộ",
    )


async def test_with_two_open_assignments_the_head_picks_one(engine, database):
    """Newest directive first; a completed assignment is then offered for adding to."""
    plan = plan_for(database, "Thôn Đông")
    fund = fund_for(database, "Thôn Đông", "Thôn Tây")
    chat = await village_head(engine)
    assert await chat.send("/baocao") == ["Anh/chị báo cáo về công văn nào?"]
    assert chat.labels() == [FUND_LABEL, PLAN_LABEL]
    assert all(len(label) <= 60 for label in chat.labels())
    assert await chat.tap(PLAN_LABEL) == [status_prompt(*PLAN)]
    await chat.tap("Đã hoàn thành")
    await chat.tap("Bỏ qua")
    await chat.tap("Bỏ qua")
    assert (await chat.tap("Gửi"))[0].startswith("Đã gửi báo cáo: Đã hoàn thành, công văn 669")
    assert assignment(database, plan["Thôn Đông"]).status == "done"
    assert assignment(database, fund["Thôn Đông"]).status == "not_started"
    # The plan is done, but a correction or evidence may follow: it stays in the list.
    assert await chat.send("/baocao") == ["Anh/chị báo cáo về công văn nào?"]
    assert chat.labels() == [FUND_LABEL, PLAN_DONE_LABEL]
    assert all(len(label) <= 60 for label in chat.labels())


async def test_nothing_to_report(engine, database, clock):
    """A unit whose only work was finished over 30 days ago is told there is nothing to report."""
    ids = plan_for(database, "Thôn Đông")
    chat = await village_head(engine)
    assert await chat.send("/baocao") == [status_prompt(*PLAN)]
    await chat.send("/huy")
    head = person_id(database, "Nguyễn Văn An")
    seed_report(database, ids["Thôn Đông"], head, ProgressStatus.DONE, clock.now)
    clock.advance(days=31)
    assert await chat.send("/baocao") == [
        "Đơn vị của anh/chị hiện không có công văn nào cần báo cáo."
    ]
    assert len(reports(database)) == 1


async def test_report_button_under_a_pushed_directive(engine, database, clock):
    """'/baocao 7' from the pushed message opens that assignment, even if already done."""
    schools = [f"Trường {n}" for n in ("MN An Hưng", "TH An Hưng", "THCS An Hưng")]
    seed_directive(database, "12/UBND", "V/v rà soát học sinh", [*schools, "A", "B", "C"])
    ids = plan_for(database, "Thôn Đông")
    assert ids["Thôn Đông"] == 7
    chat = await village_head(engine)
    assert await chat.press("/baocao 7") == [status_prompt(*PLAN)]
    await chat.tap("Đã hoàn thành")
    await chat.send("Đã tổ chức tuyên truyền tại nhà văn hóa thôn")
    await chat.tap("Bỏ qua")
    await chat.tap("Gửi")
    assert assignment(database, 7).status == "done"
    # A done assignment may still be re-reported through its button.
    assert await chat.press("/baocao 7") == [
        "Báo cáo gần nhất của đơn vị: Đã hoàn thành, do Nguyễn Văn An gửi lúc 08:00 20/03/2026."
        "\nGhi chú: Đã tổ chức tuyên truyền tại nhà văn hóa thôn",
        status_prompt(*PLAN),
    ]
    await chat.tap("Đang thực hiện")
    await chat.tap("Bỏ qua")
    await chat.tap("Bỏ qua")
    await chat.tap("Gửi")
    assert [(r.assignment_id, r.status) for r in reports(database)] == [
        (7, "done"),
        (7, "in_progress"),
    ]
    assert assignment(database, 7).status == "in_progress"


async def test_difficulty_reaches_every_admin_in_their_language(engine, database, clock):
    """'Gặp khó khăn' needs a note, and goes at once to both admins with unit, directive, note."""
    ids = plan_for(database)
    officer = seed_person(database, "Trần Thị Hoa", Role.ADMIN, channels=("zalo",))
    deputy = seed_person(database, "Lê Minh", Role.ADMIN, locale="en")
    leader = seed_person(database, "Chủ tịch xã", Role.LEADER)
    chat = await village_head(engine)
    await chat.send("/baocao")
    assert await chat.tap("Gặp khó khăn") == [DIFFICULTY_PROMPT]
    assert chat.last[-1].choices == []
    assert await chat.send("Bỏ qua") == [
        "Vui lòng ghi rõ khó khăn để UBND xã nắm và hỗ trợ.",
        DIFFICULTY_PROMPT,
    ]
    note = "Thiếu kinh phí in tài liệu tuyên truyền"
    assert await chat.send(note) == [PHOTO_PROMPT]
    assert await chat.send(photo="AgACAgPhotoKho") == [
        summary(*PLAN, "Gặp khó khăn", note, "có ảnh")
    ]
    assert await chat.tap("Gửi") == [
        f"Đã gửi báo cáo: Gặp khó khăn, công văn 669/KH-SGDĐT, {SENT_AT}\n"
        "Khó khăn đã được chuyển đến UBND xã."
    ]
    [report] = reports(database)
    assert (report.assignment_id, report.status, report.note, report.photo_ref) == (
        ids["Thôn Đông"],
        "difficulty",
        note,
        "AgACAgPhotoKho",
    )
    vietnamese = (
        f"⚠️ Thôn Đông báo cáo gặp khó khăn\n📄 {PLAN[0]} — {PLAN[1]}\nKhó khăn: {note}\n"
        "Người báo cáo: Nguyễn Văn An, lúc 08:00 20/03/2026."
    )
    english = (
        f"⚠️ Thôn Đông reports a difficulty\n📄 {PLAN[0]} — {PLAN[1]}\nDifficulty: {note}\n"
        "Reported by Nguyễn Văn An at 20 Mar 2026, 08:00."
    )
    rows = queued_for(database, officer)
    assert [(r.channel, r.text, r.photo, r.locale) for r in rows] == [
        # A Telegram file id means nothing on Zalo: the Zalo chat gets the text alone.
        ("zalo", vietnamese, "", "vi"),
    ]
    assert [r.idempotency_key for r in rows] == [f"difficulty:{report.id}:admin:{officer}:zalo"]
    [row] = queued_for(database, deputy)
    assert (row.text, row.photo, row.locale, row.idempotency_key) == (
        english,
        "AgACAgPhotoKho",
        "en",
        f"difficulty:{report.id}:admin:{deputy}:telegram",
    )
    assert queued_for(database, leader) == []


async def test_photo_on_telegram_and_text_instead_of_a_photo(engine, database):
    """A photo is kept as its file reference; text at the photo step asks again."""
    plan_for(database)
    chat = await village_head(engine)
    await chat.send("/baocao")
    await chat.tap("Đã hoàn thành")
    await chat.send("Đã treo băng rôn")
    assert await chat.send("ảnh đây") == ["Vui lòng gửi ảnh, hoặc bấm Bỏ qua.", PHOTO_PROMPT]
    assert await chat.send(photo="AgACAgBanner") == [
        summary(*PLAN, "Đã hoàn thành", "Đã treo băng rôn", "có ảnh")
    ]
    await chat.tap("Gửi")
    [report] = reports(database)
    assert (report.status, report.photo_ref) == ("done", "AgACAgBanner")


async def test_sending_twice_stores_one_report_on_telegram(engine, database):
    """The Gửi button tapped twice: the second tap is a stale button, no second report."""
    plan_for(database)
    chat = await village_head(engine)
    await chat.send("/baocao")
    await chat.tap("Đang thực hiện")
    await chat.tap("Bỏ qua")
    await chat.tap("Bỏ qua")
    send = next(cid for cid, label in chat.choices if label == "Gửi")
    assert (await chat.press(send))[0].startswith("Đã gửi báo cáo")
    assert await chat.press(send) == [
        "Nút này thuộc tin nhắn cũ và không còn hiệu lực.",
        "Gửi /menu để xem các việc anh/chị có thể làm.",
    ]
    assert len(reports(database)) == 1


async def test_sending_twice_stores_one_report_on_zalo(engine, database):
    """On Zalo a repeated '1' after sending no longer means Gửi."""
    plan_for(database)
    chat = await village_head(engine, "zalo", "zl-an")
    for answer in ["/baocao", "2", "1", "1"]:
        await chat.send(answer)
    assert (await chat.send("1"))[0].startswith("Đã gửi báo cáo")
    assert await chat.send("1") == ["Gửi /menu để xem các việc anh/chị có thể làm."]
    assert len(reports(database)) == 1


async def test_cancel_stores_nothing(engine, database):
    """Hủy at the summary drops the report."""
    ids = plan_for(database)
    chat = await village_head(engine)
    for label in ["Đang thực hiện", "Bỏ qua", "Bỏ qua"]:
        if label == "Đang thực hiện":
            await chat.send("/baocao")
        await chat.tap(label)
    assert await chat.tap("Hủy") == ["Đã hủy. Báo cáo chưa được gửi."]
    assert reports(database) == []
    assert assignment(database, ids["Thôn Đông"]).reported_at is None


# Bad input, step by step: the head has two open assignments and reports on the older one.

STEPS = ["pick", "status", "note", "difficulty", "photo", "confirm"]
PICK_PROMPT = "Anh/chị báo cáo về công văn nào?"
CHOOSE = "Vui lòng chọn một trong các mục dưới đây."
STALE = "Nút này thuộc tin nhắn cũ và không còn hiệu lực."
NOTE_IN_WORDS = "Vui lòng viết ghi chú bằng chữ."
TOO_LONG = "Ghi chú quá dài (5.000 ký tự). Vui lòng rút gọn, tối đa 500 ký tự."
NEED_PHOTO = "Vui lòng gửi ảnh, hoặc bấm Bỏ qua."
NOTE = "Đã họp dân"
DIFFICULTY = "Chưa có kinh phí"

# What each step says to each kind of bad input; None where the input is a valid answer.
PROBLEMS: dict[str, dict[str, str | None]] = {
    "pick": {"text": CHOOSE, "emoji": CHOOSE, "long": CHOOSE, "number": CHOOSE},
    "status": {"text": CHOOSE, "emoji": CHOOSE, "long": CHOOSE, "number": CHOOSE},
    "note": {"text": None, "emoji": NOTE_IN_WORDS, "long": TOO_LONG, "number": NOTE_IN_WORDS},
    "difficulty": {
        "text": None,
        "emoji": NOTE_IN_WORDS,
        "long": TOO_LONG,
        "number": NOTE_IN_WORDS,
        "skip": "Vui lòng ghi rõ khó khăn để UBND xã nắm và hỗ trợ.",
    },
    "photo": {"text": NEED_PHOTO, "emoji": NEED_PHOTO, "long": NEED_PHOTO, "number": NEED_PHOTO},
    "confirm": {"text": CHOOSE, "emoji": CHOOSE, "long": CHOOSE, "number": CHOOSE},
}
INPUTS = {
    "text": "không biết nữa",
    "emoji": "😀👍",
    "long": "ả" * 5000,
    "number": "12345",
    "skip": "Bỏ qua",
}
CASES = [
    (where, kind)
    for where in STEPS
    for kind in [*INPUTS, "stale", "earlier"]
    if kind in ("stale", "earlier") or PROBLEMS[where].get(kind, "absent") not in (None, "absent")
]


async def reach(chat: Chat, where: str) -> list[list[str]]:
    """Drive the dialog to `where`; return the choices offered by the question before it."""
    await chat.send("/ngonngu")
    earlier = chat.choices
    await chat.send("/baocao")
    if where == "pick":
        return earlier
    earlier = chat.choices
    await chat.tap(PLAN_LABEL)
    if where == "status":
        return earlier
    earlier = chat.choices
    await chat.tap("Gặp khó khăn" if where == "difficulty" else "Đang thực hiện")
    if where in ("note", "difficulty"):
        return earlier
    earlier = chat.choices
    await chat.send(NOTE)
    if where == "photo":
        return earlier
    earlier = chat.choices
    await chat.tap("Bỏ qua")
    return earlier


async def finish(chat: Chat, where: str) -> None:
    """Answer validly from `where` to the end, sending the report."""
    order = STEPS.index(where)
    if order <= STEPS.index("pick"):
        assert await chat.tap(PLAN_LABEL) == [status_prompt(*PLAN)]
    if order <= STEPS.index("status"):
        await chat.tap("Đang thực hiện")
    if where == "difficulty":
        assert await chat.send(DIFFICULTY) == [PHOTO_PROMPT]
    elif order <= STEPS.index("note"):
        assert await chat.send(NOTE) == [PHOTO_PROMPT]
    if order <= STEPS.index("photo"):
        assert (await chat.tap("Bỏ qua"))[0].startswith("Anh/chị kiểm tra lại báo cáo:")
    assert (await chat.tap("Gửi"))[0].startswith("Đã gửi báo cáo")


@pytest.mark.parametrize(("where", "kind"), CASES)
async def test_bad_input_keeps_the_dialog_at_its_step(engine, database, where, kind):
    """Each step explains the problem in Vietnamese, asks again, and keeps what was entered."""
    plan = plan_for(database, "Thôn Đông")
    fund_for(database, "Thôn Đông")
    chat = await village_head(engine)
    earlier = await reach(chat, where)
    prompt = chat.last[-1].text
    if kind == "stale":
        replies, problem = await chat.press("0.someid"), STALE
    elif kind == "earlier":
        replies, problem = await chat.press(earlier[0][0]), STALE
    else:
        replies, problem = await chat.send(INPUTS[kind]), PROBLEMS[where][kind]
    assert replies == [problem, prompt]
    await finish(chat, where)
    [report] = reports(database)
    expected = ("difficulty", DIFFICULTY) if where == "difficulty" else ("in_progress", NOTE)
    assert (report.assignment_id, report.status, report.note) == (plan["Thôn Đông"], *expected)


# Who may report, and on what.


async def test_leader_and_stranger_cannot_report(engine, database):
    """/baocao is for focal points: a leader is refused, an unregistered chat told to join."""
    ids = plan_for(database)
    leader = await joined(engine, Role.LEADER, "Phó Chủ tịch", external_id="2001")
    refused = "Anh/chị không có quyền dùng lệnh này. Gửi /menu để xem các việc anh/chị có thể làm."
    assert await leader.send("/baocao") == [refused]
    assert await leader.press(f"/baocao {ids['Thôn Đông']}") == [refused]
    stranger = Chat(engine, "telegram", "3001")
    [explained] = await stranger.send("/baocao")
    assert "mã mời" in explained
    assert await stranger.press(f"/baocao {ids['Thôn Đông']}") == []
    assert reports(database) == []
    assert assignment(database, ids["Thôn Đông"]).status == "not_started"


async def test_focal_point_cannot_report_for_another_unit(engine, database):
    """The head of Thôn Đông cannot open Thôn Tây's assignment, typed or as a button."""
    ids = plan_for(database)
    chat = await village_head(engine)
    refused = "Công văn này không giao cho đơn vị của anh/chị, hoặc không tồn tại."
    other = ids["Thôn Tây"]
    assert await chat.send(f"/baocao {other}") == [refused]
    assert await chat.press(f"/baocao {other}") == [refused]
    for bad in ["999", "abc", "-1", "😀", "9" * 5000, "99999999999"]:
        assert await chat.send(f"/baocao {bad}") == [refused]
    # And the refusal left no dialog behind: a status label now means nothing.
    assert await chat.send("Đã hoàn thành") == ["Gửi /menu để xem các việc anh/chị có thể làm."]
    assert reports(database) == []
    assert assignment(database, other).status == "not_started"


async def test_stale_list_button_for_another_units_assignment_is_refused(engine, database):
    """A forged list choice naming another unit's assignment stores nothing."""
    ids = plan_for(database, "Thôn Đông", "Thôn Tây")
    fund_for(database, "Thôn Đông")
    chat = await village_head(engine)
    await chat.send("/baocao")
    offer = chat.choices[0][0].split(".", 1)[0]
    replies = await chat.press(f"{offer}.a{ids['Thôn Tây']}")
    assert replies == [STALE, PICK_PROMPT]
    assert reports(database) == []


# Several focal points in one unit.

LATEST = "Báo cáo gần nhất của đơn vị: {status}, do {name} gửi lúc {time}."


async def test_focal_points_of_one_unit_see_and_hear_of_each_others_reports(
    engine, database, clock
):
    """An reports 'in progress'; Bình (same village, on Zalo) is told, sees it when she opens
    /baocao and reports 'done'; An is told. A day later An adds a correction to the finished
    task: the unit is back in progress, and every report is kept."""
    ids = plan_for(database)
    an = await village_head(engine)
    binh = await joined(
        engine, Role.FOCAL, "Phạm Thị Bình", unit="Thôn Đông", channel="zalo", external_id="zl-binh"
    )
    west = await joined(engine, Role.FOCAL, "Lê Văn Tây", unit="Thôn Tây", external_id="1003")
    ours = ids["Thôn Đông"]

    assert await an.send("/baocao") == [status_prompt(*PLAN)]
    await an.tap("Đang thực hiện")
    await an.send("Đã họp dân 2 lần")
    await an.tap("Bỏ qua")
    assert await an.tap("Gửi") == [
        f"Đã gửi báo cáo: Đang thực hiện, công văn 669/KH-SGDĐT, {SENT_AT}\n"
        "Đã báo cho 1 đầu mối khác của Thôn Đông."
    ]
    assert binh.inbox() == [
        "Anh/chị Nguyễn Văn An (Thôn Đông) đã báo cáo công văn 669/KH-SGDĐT: Đang thực hiện.\n"
        "Ghi chú: Đã họp dân 2 lần\nLúc 08:00 20/03/2026."
    ]
    [told] = binh.last
    assert told.choices == [[f"/baocao {ours}", "Báo cáo"]]
    assert told.idempotency_key.startswith(f"report:{reports(database)[0].id}:colleague:")
    assert west.inbox() == []

    # Bình answers the notice with its number, and starts from An's report.
    assert await binh.send("1") == [
        LATEST.format(status="Đang thực hiện", name="Nguyễn Văn An", time="08:00 20/03/2026")
        + "\nGhi chú: Đã họp dân 2 lần",
        status_prompt(*PLAN),
    ]
    await binh.send("3")
    await binh.send("Đã vận động 100% hộ đăng ký")
    await binh.send("bo qua")
    assert (await binh.send("1"))[0].endswith("Đã báo cho 1 đầu mối khác của Thôn Đông.")
    assert an.inbox() == [
        "Anh/chị Phạm Thị Bình (Thôn Đông) đã báo cáo công văn 669/KH-SGDĐT: Đã hoàn thành.\n"
        "Ghi chú: Đã vận động 100% hộ đăng ký\nLúc 08:00 20/03/2026."
    ]
    assert assignment(database, ours).status == "done"

    # The next day An sends a correction on the finished task.
    clock.advance(days=1)
    assert await an.send("/baocao") == ["Anh/chị báo cáo về công văn nào?"]
    assert an.labels() == [PLAN_DONE_LABEL]
    assert await an.tap(PLAN_DONE_LABEL) == [
        LATEST.format(status="Đã hoàn thành", name="Phạm Thị Bình", time="08:00 20/03/2026")
        + "\nGhi chú: Đã vận động 100% hộ đăng ký",
        status_prompt(*PLAN),
    ]
    await an.tap("Đang thực hiện")
    await an.send("Bổ sung: còn 5 hộ chưa nộp phiếu")
    await an.send(photo="AgACAgPhieu")
    await an.tap("Gửi")
    assert binh.inbox() == [
        "Anh/chị Nguyễn Văn An (Thôn Đông) đã báo cáo công văn 669/KH-SGDĐT: Đang thực hiện.\n"
        "Ghi chú: Bổ sung: còn 5 hộ chưa nộp phiếu\nLúc 08:00 21/03/2026."
    ]
    # A Telegram photo means nothing on Zalo.
    assert binh.last[0].photo == ""
    an_id, binh_id = person_id(database, "Nguyễn Văn An"), person_id(database, "Phạm Thị Bình")
    assert [(r.assignment_id, r.person_id, r.status, r.photo_ref) for r in reports(database)] == [
        (ours, an_id, "in_progress", ""),
        (ours, binh_id, "done", ""),
        (ours, an_id, "in_progress", "AgACAgPhieu"),
    ]
    stored = assignment(database, ours)
    assert (stored.status, stored.reported_at) == ("in_progress", clock.now)
    assert west.inbox() == []
