"""/baocao: a focal point reports progress on an assignment of their unit."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

from bot.channels.zalo import TEXT_LIMIT as ZALO_TEXT_LIMIT
from storage.models import (
    Acknowledgement,
    Assignment,
    Media,
    OutboxMessage,
    ProgressReport,
    ProgressStatus,
    Role,
)
from tests.support.assignments import (
    person_id,
    seed_acknowledgement,
    seed_directive,
    seed_person,
    seed_report,
)
from tests.support.chat import Chat, joined

PLAN = ("669/KH-SGDĐT", "V/v tiếp tục triển khai Đề án Xây dựng xã hội học tập 2021 - 2030")
FUND = ("45/UBND-VHXH", "V/v vận động ủng hộ Quỹ khuyến học, khuyến tài năm 2026")
PLAN_LABEL = "669/KH-SGDĐT — V/v tiếp tục triển khai Đề án… (hạn 31/03)"
FUND_LABEL = "45/UBND-VHXH — V/v vận động ủng hộ Quỹ khuyến… (hạn 15/04)"
PLAN_DONE_LABEL = "669/KH-SGDĐT — V/v tiếp tục… (đã hoàn thành — gửi bổ sung)"
FUND_DONE_LABEL = "45/UBND-VHXH — V/v vận động… (đã hoàn thành — gửi bổ sung)"
STATUSES = ["Chưa triển khai", "Đang thực hiện", "Đã hoàn thành", "Gặp khó khăn"]
EXTRAS_PROMPT = "Gửi ghi chú hoặc ảnh (nếu có), rồi chọn Gửi báo cáo."
DIFFICULTY_PROMPT = (
    "Đơn vị đang gặp khó khăn gì? Anh/chị mô tả khó khăn (có thể gửi kèm ảnh, tệp), "
    "rồi chọn Gửi báo cáo."
)
EXTRAS = ["Gửi báo cáo", "Hủy"]
MORE = "Gửi thêm, hoặc chọn Gửi báo cáo."
NOTE_TAKEN = f"Đã nhận ghi chú.\n{MORE}"
# Zalo has no button to name: its hints say which number to reply.
EXTRAS_PROMPT_ZALO = "Gửi ghi chú hoặc ảnh (nếu có), rồi trả lời 1 để gửi báo cáo."
NOTE_TAKEN_ZALO = "Đã nhận ghi chú.\nGửi thêm, hoặc trả lời 1 để gửi báo cáo."
PHOTO_TAKEN = f"Đã nhận ảnh.\n{MORE}"
SENT_AT = "lúc 08:00 ngày 20/03/2026."
ALSO_RECEIVED = "Đồng thời đã xác nhận anh/chị nhận công văn."
DESCRIBE = "Đề nghị ghi rõ khó khăn để Phòng Văn hóa – Xã hội nắm và hỗ trợ."


def status_prompt(number: str, subject: str) -> str:
    """The status question, naming the directive being reported on."""
    return f"Báo cáo {number} — {subject}.\nTình hình thực hiện đến nay thế nào?"


def sent(status: str, *lines: str, number: str = PLAN[0]) -> str:
    """What the head is told once the report is stored, with the lines that follow."""
    return "\n".join([f"Đã gửi báo cáo: {status}, công văn {number}, {SENT_AT}", *lines])


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


def kept_media(database) -> list[Media]:
    """Every photo and file kept for download, oldest first."""
    with Session(database) as session:
        return list(session.exec(select(Media).order_by(Media.id)))


def acknowledged(database) -> list[tuple[int, int]]:
    """Every acknowledgement as (assignment, person), oldest first."""
    with Session(database) as session:
        rows = session.exec(select(Acknowledgement).order_by(Acknowledgement.id))
        return [(row.assignment_id, row.person_id) for row in rows]


def queued_for(database, person_id: int) -> list[OutboxMessage]:
    """The outbox rows addressed to a person."""
    with Session(database) as session:
        query = select(OutboxMessage).where(OutboxMessage.person_id == person_id)
        return list(session.exec(query.order_by(OutboxMessage.id)))


async def test_village_head_reports_in_progress_with_a_note_on_telegram(engine, database, clock):
    """One open assignment: the bot skips the list, asks the status, takes a note, and sends
    on Gửi báo cáo; the report also records that he received the directive."""
    ids = plan_for(database)
    admin = seed_person(database, "Cán bộ Văn hóa", Role.ADMIN)
    chat = await village_head(engine)
    assert await chat.send("/baocao") == [status_prompt(*PLAN)]
    assert chat.labels() == STATUSES
    assert await chat.tap("Đang thực hiện") == [EXTRAS_PROMPT]
    assert chat.labels() == EXTRAS
    assert await chat.send("Đã họp dân 2 lần, 80% hộ đăng ký") == [NOTE_TAKEN]
    assert chat.labels() == EXTRAS
    assert await chat.tap("Gửi báo cáo") == [
        sent("Đang thực hiện", "Kèm theo: ghi chú.", ALSO_RECEIVED)
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
    assert acknowledged(database) == [(ids["Thôn Đông"], report.person_id)]
    assert queued_for(database, admin) == []


async def test_village_head_reports_on_zalo_with_numbered_replies(engine, database, clock):
    """On Zalo the head replies with numbers, or types a label without diacritics."""
    ids = plan_for(database)
    chat = await village_head(engine, "zalo", "zl-an")
    assert await chat.send("/baocao") == [status_prompt(*PLAN)]
    assert await chat.send("2") == [EXTRAS_PROMPT_ZALO]
    assert chat.labels() == EXTRAS
    assert await chat.send("Đang vận động các hộ") == [NOTE_TAKEN_ZALO]
    assert await chat.send("gui bao cao") == [
        sent("Đang thực hiện", "Kèm theo: ghi chú.", ALSO_RECEIVED)
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
    assert await chat.tap("Gửi báo cáo") == [sent("Đã hoàn thành", ALSO_RECEIVED)]
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
    await chat.tap("Gửi báo cáo")
    assert assignment(database, 7).status == "done"
    # A done assignment may still be re-reported through its button.
    assert await chat.press("/baocao 7") == [
        "Báo cáo gần nhất của đơn vị: Đã hoàn thành, do Nguyễn Văn An gửi lúc 08:00 ngày "
        "20/03/2026.\nGhi chú: Đã tổ chức tuyên truyền tại nhà văn hóa thôn",
        status_prompt(*PLAN),
    ]
    await chat.tap("Đang thực hiện")
    # Received was recorded by the first report; the second says nothing of it.
    assert await chat.tap("Gửi báo cáo") == [sent("Đang thực hiện")]
    assert [(r.assignment_id, r.status) for r in reports(database)] == [
        (7, "done"),
        (7, "in_progress"),
    ]
    assert assignment(database, 7).status == "in_progress"
    assert acknowledged(database) == [(7, person_id(database, "Nguyễn Văn An"))]


async def test_difficulty_reaches_every_admin_in_their_language(engine, database, clock):
    """'Gặp khó khăn' needs a description, and goes at once to both admins and the leader with
    unit, directive, note and photo."""
    ids = plan_for(database)
    officer = seed_person(database, "Trần Thị Hoa", Role.ADMIN, channels=("zalo",))
    deputy = seed_person(database, "Lê Minh", Role.ADMIN, locale="en")
    leader = seed_person(database, "Chủ tịch xã", Role.LEADER)
    chat = await village_head(engine)
    await chat.send("/baocao")
    assert await chat.tap("Gặp khó khăn") == [DIFFICULTY_PROMPT]
    assert chat.labels() == EXTRAS
    assert await chat.send("Bỏ qua") == [DESCRIBE, DIFFICULTY_PROMPT]
    assert await chat.tap("Gửi báo cáo") == [DESCRIBE, DIFFICULTY_PROMPT]
    assert reports(database) == []
    assert await chat.send(photo="AgACAgPhotoKho") == [PHOTO_TAKEN]
    note = "Thiếu kinh phí in tài liệu tuyên truyền"
    assert await chat.send(note) == [NOTE_TAKEN]
    assert await chat.tap("Gửi báo cáo") == [
        sent(
            "Gặp khó khăn",
            "Kèm theo: ghi chú, 1 ảnh.",
            ALSO_RECEIVED,
            "Đã báo khó khăn của đơn vị cho Phòng Văn hóa – Xã hội.",
        )
    ]
    [report] = reports(database)
    # The photo is kept for download in the turn it came, and the report names its copy.
    [media] = kept_media(database)
    assert (report.assignment_id, report.status, report.note, report.photo_ref) == (
        ids["Thôn Đông"],
        "difficulty",
        note,
        f"media:{media.id}",
    )
    assert (media.channel, media.platform_ref, media.kind, media.status) == (
        "telegram",
        "AgACAgPhotoKho",
        "photo",
        "pending",
    )
    assert report.attachments == [["photo", "AgACAgPhotoKho", "", str(media.id)]]
    vietnamese = (
        f"⚠️ Thôn Đông báo cáo gặp khó khăn\n📄 {PLAN[0]} — {PLAN[1]}\nKhó khăn: {note}\n"
        "Người báo cáo: Nguyễn Văn An, lúc 08:00 ngày 20/03/2026.\nKèm theo: 1 ảnh."
    )
    # Zalo without a public address cannot be sent the photo: the text says where it is.
    on_zalo = (
        f"{vietnamese}\nXem ảnh trên Telegram: Tình hình thực hiện công văn → chọn công văn → "
        "chọn đơn vị."
    )
    english = (
        f"⚠️ Thôn Đông reports a difficulty\n📄 {PLAN[0]} — {PLAN[1]}\nDifficulty: {note}\n"
        "Reported by Nguyễn Văn An at 20 Mar 2026, 08:00.\nWith: 1 photo(s)."
    )
    rows = queued_for(database, officer)
    assert [(r.channel, r.text, r.photo, r.locale) for r in rows] == [
        # The bot's copy: each app gets it as it can when the message is sent.
        ("zalo", on_zalo, f"media:{media.id}", "vi"),
    ]
    assert [r.idempotency_key for r in rows] == [f"difficulty:{report.id}:admin:{officer}:zalo"]
    [row] = queued_for(database, deputy)
    assert (row.text, row.photo, row.locale, row.idempotency_key) == (
        english,
        f"media:{media.id}",
        "en",
        f"difficulty:{report.id}:admin:{deputy}:telegram",
    )
    # Leaders hear of it too, and every overseer may answer it or mark it resolved.
    [row] = queued_for(database, leader)
    assert (row.text, row.locale) == (vietnamese, "vi")
    answer = ids["Thôn Đông"]
    assert row.choices == [[f"/traloi {answer}", "Trả lời"], [f"/daxuly {answer}", "Đã xử lý"]]


async def test_notes_photos_and_files_in_any_order_are_all_kept(engine, database):
    """A photo with a caption is a photo and a note in one message; more photos, a file and
    another note follow in any order; all of it is stored, the first photo and file go with
    the difficulty notice."""
    plan_for(database)
    admin = seed_person(database, "Trần Thị Hoa", Role.ADMIN)
    chat = await village_head(engine)
    await chat.send("/baocao")
    await chat.tap("Gặp khó khăn")
    assert await chat.send("Nhà văn hóa dột", photo="AgACAgRoof") == [
        f"Đã nhận ảnh.\nĐã nhận ghi chú.\n{MORE}"
    ]
    assert await chat.send(photo="AgACAgWall") == [PHOTO_TAKEN]
    assert await chat.send(document="BQACAgQuote", document_name="bao-gia.pdf") == [
        f"Đã nhận tệp.\n{MORE}"
    ]
    # A caption that is no note (an emoji) is dropped; its photo is kept.
    assert await chat.send("👍", photo="AgACAgFloor") == [PHOTO_TAKEN]
    assert await chat.send("Cần 15 triệu để sửa mái") == [NOTE_TAKEN]
    assert (await chat.tap("Gửi báo cáo"))[0] == sent(
        "Gặp khó khăn",
        "Kèm theo: ghi chú, 3 ảnh, 1 tệp.",
        ALSO_RECEIVED,
        "Đã báo khó khăn của đơn vị cho Phòng Văn hóa – Xã hội.",
    )
    [report] = reports(database)
    assert report.note == "Nhà văn hóa dột\n\nCần 15 triệu để sửa mái"
    roof, wall, quote, floor = kept_media(database)
    assert report.photo_ref == f"media:{roof.id}"
    assert [(m.kind, m.platform_ref, m.file_name) for m in (roof, wall, quote, floor)] == [
        ("photo", "AgACAgRoof", ""),
        ("photo", "AgACAgWall", ""),
        ("file", "BQACAgQuote", "bao-gia.pdf"),
        ("photo", "AgACAgFloor", ""),
    ]
    assert report.attachments == [
        ["photo", "AgACAgRoof", "", str(roof.id)],
        ["photo", "AgACAgWall", "", str(wall.id)],
        ["file", "BQACAgQuote", "bao-gia.pdf", str(quote.id)],
        ["photo", "AgACAgFloor", "", str(floor.id)],
    ]
    [row] = queued_for(database, admin)
    assert (row.photo, row.document) == (f"media:{roof.id}", f"media:{quote.id}")
    assert row.text.endswith("\nKèm theo: 3 ảnh, 1 tệp.")


async def test_a_photo_captioned_like_a_choice_is_kept(engine, database):
    """A photo whose caption reads '1' sends the report, with the photo in it."""
    plan_for(database)
    chat = await village_head(engine, "zalo", "zl-an")
    await chat.send("/baocao")
    await chat.send("3")
    assert (await chat.send("1", photo="https://zalo.example/anh.jpg"))[0] == sent(
        "Đã hoàn thành", "Kèm theo: 1 ảnh.", ALSO_RECEIVED
    )
    [report] = reports(database)
    [media] = kept_media(database)
    assert (report.status, report.photo_ref, report.note) == ("done", f"media:{media.id}", "")
    assert report.attachments == [["photo", "https://zalo.example/anh.jpg", "", str(media.id)]]


async def test_sending_twice_stores_one_report_on_telegram(engine, database):
    """Gửi báo cáo tapped twice: the second tap is a stale button, no second report."""
    plan_for(database)
    chat = await village_head(engine)
    await chat.send("/baocao")
    await chat.tap("Đang thực hiện")
    send = next(cid for cid, label in chat.choices if label == "Gửi báo cáo")
    assert (await chat.press(send))[0].startswith("Đã gửi báo cáo")
    assert await chat.press(send) == [
        "Nút này thuộc tin nhắn cũ và không còn hiệu lực.",
        "Anh/chị muốn làm gì?",
    ]
    assert len(reports(database)) == 1


async def test_sending_twice_stores_one_report_on_zalo(engine, database):
    """On Zalo a repeated '1' after sending no longer means Gửi báo cáo."""
    plan_for(database)
    chat = await village_head(engine, "zalo", "zl-an")
    for answer in ["/baocao", "2", "Đã họp dân"]:
        await chat.send(answer)
    assert (await chat.send("1"))[0].startswith("Đã gửi báo cáo")
    assert await chat.send("1") == ["Anh/chị muốn làm gì?"]
    assert len(reports(database)) == 1


async def test_cancel_stores_nothing(engine, database):
    """Hủy after a note and a photo drops the report, and records no Received either."""
    ids = plan_for(database)
    chat = await village_head(engine)
    await chat.send("/baocao")
    await chat.tap("Đang thực hiện")
    await chat.send("Đã họp dân")
    await chat.send(photo="AgACAgHop")
    assert await chat.tap("Hủy") == ["Đã hủy. Báo cáo chưa được gửi."]
    assert reports(database) == []
    assert acknowledged(database) == []
    assert assignment(database, ids["Thôn Đông"]).reported_at is None


async def test_an_acknowledged_directive_is_not_acknowledged_again(engine, database, clock):
    """The head tapped Đã nhận yesterday: his report keeps that time and says nothing of it."""
    ids = plan_for(database)
    chat = await village_head(engine)
    head = person_id(database, "Nguyễn Văn An")
    yesterday = clock.now - dt.timedelta(days=1)
    seed_acknowledgement(database, ids["Thôn Đông"], head, yesterday)
    await chat.send("/baocao")
    await chat.tap("Đã hoàn thành")
    assert await chat.tap("Gửi báo cáo") == [sent("Đã hoàn thành")]
    with Session(database) as session:
        [ack] = session.exec(select(Acknowledgement)).all()
        assert (ack.person_id, ack.at.replace(tzinfo=dt.UTC)) == (head, yesterday)


# Long notes: nothing a person typed is refused for its length, and nothing is cut in storage.

LONG_TOLD = (
    "Đã nhận ghi chú ({length} ký tự). Ghi chú được lưu đầy đủ; tin gửi người khác chỉ hiện "
    "phần đầu.\n" + MORE
)


def difficulty_text(length: int) -> str:
    """A difficulty of `length` characters, in sentences and paragraphs."""
    sentence = "Thôn chưa có kinh phí in tài liệu, nhà văn hóa xuống cấp, thiếu người hướng dẫn. "
    paragraphs = (sentence * 5).strip() + "\n"
    return (paragraphs * (length // len(paragraphs) + 1))[: length - 1] + "."


async def test_a_2000_character_note_is_taken_as_it_is(engine, database):
    """Up to 2.000 characters a note is simply taken and stored whole; a colleague's message
    shows its beginning, so that it fits one Zalo message."""
    plan_for(database)
    note = difficulty_text(2000)
    assert len(note) == 2000
    chat = await village_head(engine)
    deputy = await joined(
        engine, Role.FOCAL, "Đỗ Văn Dũng", unit="Thôn Đông", channel="zalo", external_id="zl-d"
    )
    await chat.send("/baocao")
    await chat.tap("Đang thực hiện")
    assert await chat.send(note) == [NOTE_TAKEN]
    await chat.tap("Gửi báo cáo")
    assert reports(database)[0].note == note
    [told] = deputy.inbox()
    assert len(told) <= ZALO_TEXT_LIMIT
    assert f"Ghi chú: {note[:1000]}" in told
    assert "(đã rút gọn; bản đầy đủ 2.000 ký tự đã được lưu)" in told


async def test_a_3999_character_difficulty_is_stored_whole_and_escalated_shortened(
    engine, database
):
    """A difficulty as long as Telegram allows is taken, the head is told it is long, the
    report keeps every character, and the admins' and colleagues' messages show its beginning
    within one Zalo message (2.000 characters)."""
    plan_for(database)
    officer = seed_person(database, "Trần Thị Hoa", Role.ADMIN, channels=("zalo",))
    note = difficulty_text(3999)
    chat = await village_head(engine)
    deputy = await joined(
        engine, Role.FOCAL, "Đỗ Văn Dũng", unit="Thôn Đông", channel="zalo", external_id="zl-d"
    )
    await chat.send("/baocao")
    await chat.tap("Gặp khó khăn")
    assert await chat.send(note) == [LONG_TOLD.format(length="3.999")]
    assert (await chat.tap("Gửi báo cáo"))[0].startswith("Đã gửi báo cáo: Gặp khó khăn")
    [report] = reports(database)
    assert report.note == note
    shortened = "(đã rút gọn; bản đầy đủ 3.999 ký tự đã được lưu)"
    [notice] = queued_for(database, officer)
    [told] = deputy.inbox()
    for text in (notice.text, told):
        assert len(text) <= ZALO_TEXT_LIMIT
        assert note[:1000] in text and shortened in text and note[-100:] not in text
    assert notice.text.startswith("⚠️ Thôn Đông báo cáo gặp khó khăn\n")
    assert notice.text.endswith("Người báo cáo: Nguyễn Văn An, lúc 08:00 ngày 20/03/2026.")
    # Her own next /baocao starts from the same shortened note.
    assert len((await deputy.send("/baocao"))[0]) <= ZALO_TEXT_LIMIT


# Bad input, step by step: the head has two open assignments and reports on the older one.

STEPS = ["pick", "status", "extras", "difficulty", "more"]
"""'more' is the same last step once a note is in: its question is then 'Đã nhận ghi chú…'."""
PICK_PROMPT = "Anh/chị báo cáo về công văn nào?"
CHOOSE = "Vui lòng chọn một trong các mục dưới đây."
STALE = "Nút này thuộc tin nhắn cũ và không còn hiệu lực."
NOTE_IN_WORDS = "Vui lòng viết ghi chú bằng chữ."
NOTHING_TO_SKIP = "Không có gì để bỏ qua: nếu không có ghi chú, chọn Gửi báo cáo."
NOTE = "Đã họp dân"
DIFFICULTY = "Chưa có kinh phí"

# What each step says to each kind of bad input; None where the input is a valid answer.
PROBLEMS: dict[str, dict[str, str | None]] = {
    "pick": {"text": CHOOSE, "emoji": CHOOSE, "long": CHOOSE, "number": CHOOSE},
    "status": {"text": CHOOSE, "emoji": CHOOSE, "long": CHOOSE, "number": CHOOSE},
    "extras": {
        "text": None,
        "emoji": NOTE_IN_WORDS,
        "long": None,
        "number": NOTE_IN_WORDS,
        "skip": NOTHING_TO_SKIP,
    },
    "difficulty": {
        "text": None,
        "emoji": NOTE_IN_WORDS,
        "long": None,
        "number": NOTE_IN_WORDS,
        "skip": DESCRIBE,
    },
    "more": {
        "text": None,
        "emoji": NOTE_IN_WORDS,
        "long": None,
        "number": NOTE_IN_WORDS,
        "skip": NOTHING_TO_SKIP,
    },
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
    if where in ("extras", "difficulty"):
        return earlier
    earlier = chat.choices
    await chat.send(NOTE)
    # The Gửi báo cáo under the first question is older than the one under 'Đã nhận ghi chú'.
    return earlier


async def finish(chat: Chat, where: str) -> None:
    """Answer validly from `where` to the end, sending the report."""
    order = STEPS.index(where)
    if order <= STEPS.index("pick"):
        assert await chat.tap(PLAN_LABEL) == [status_prompt(*PLAN)]
    if order <= STEPS.index("status"):
        await chat.tap("Đang thực hiện")
    if where == "difficulty":
        assert await chat.send(DIFFICULTY) == [NOTE_TAKEN]
    elif order <= STEPS.index("extras"):
        assert await chat.send(NOTE) == [NOTE_TAKEN]
    assert (await chat.tap("Gửi báo cáo"))[0].startswith("Đã gửi báo cáo")


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
    refused = "Không tìm thấy công văn này trong các việc giao cho đơn vị của anh/chị."
    other = ids["Thôn Tây"]
    assert await chat.send(f"/baocao {other}") == [refused]
    assert await chat.press(f"/baocao {other}") == [refused]
    for bad in ["999", "abc", "-1", "😀", "9" * 5000, "99999999999"]:
        assert await chat.send(f"/baocao {bad}") == [refused]
    # And the refusal left no dialog behind: a status label now means nothing.
    assert await chat.send("Đã hoàn thành") == ["Anh/chị muốn làm gì?"]
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
    assert await an.tap("Gửi báo cáo") == [
        sent(
            "Đang thực hiện",
            "Kèm theo: ghi chú.",
            ALSO_RECEIVED,
            "Đã báo cho 1 đầu mối khác của Thôn Đông.",
        )
    ]
    assert binh.inbox() == [
        "Anh/chị Nguyễn Văn An (Thôn Đông) đã báo cáo công văn số 669/KH-SGDĐT: Đang thực hiện.\n"
        "Ghi chú: Đã họp dân 2 lần\nLúc 08:00 ngày 20/03/2026."
    ]
    [told] = binh.last
    assert told.choices == [[f"/baocao {ours}", "Báo cáo"]]
    assert told.idempotency_key.startswith(f"report:{reports(database)[0].id}:colleague:")
    assert west.inbox() == []

    # Bình answers the notice with its number, and starts from An's report.
    assert await binh.send("1") == [
        LATEST.format(status="Đang thực hiện", name="Nguyễn Văn An", time="08:00 ngày 20/03/2026")
        + "\nGhi chú: Đã họp dân 2 lần",
        status_prompt(*PLAN),
    ]
    await binh.send("3")
    await binh.send("Đã vận động 100% hộ đăng ký")
    assert (await binh.send("1"))[0].endswith("Đã báo cho 1 đầu mối khác của Thôn Đông.")
    assert an.inbox() == [
        "Anh/chị Phạm Thị Bình (Thôn Đông) đã báo cáo công văn số 669/KH-SGDĐT: Đã hoàn thành.\n"
        "Ghi chú: Đã vận động 100% hộ đăng ký\nLúc 08:00 ngày 20/03/2026."
    ]
    assert assignment(database, ours).status == "done"

    # The next day An sends a correction on the finished task.
    clock.advance(days=1)
    assert await an.send("/baocao") == ["Anh/chị báo cáo về công văn nào?"]
    assert an.labels() == [PLAN_DONE_LABEL]
    assert await an.tap(PLAN_DONE_LABEL) == [
        LATEST.format(status="Đã hoàn thành", name="Phạm Thị Bình", time="08:00 ngày 20/03/2026")
        + "\nGhi chú: Đã vận động 100% hộ đăng ký",
        status_prompt(*PLAN),
    ]
    await an.tap("Đang thực hiện")
    await an.send("Bổ sung: còn 5 hộ chưa nộp phiếu")
    await an.send(photo="AgACAgPhieu")
    await an.tap("Gửi báo cáo")
    assert binh.inbox() == [
        "Anh/chị Nguyễn Văn An (Thôn Đông) đã báo cáo công văn số 669/KH-SGDĐT: Đang thực hiện.\n"
        "Ghi chú: Bổ sung: còn 5 hộ chưa nộp phiếu\nKèm theo: 1 ảnh.\nLúc 08:00 ngày 21/03/2026."
    ]
    # The bot's copy of An's Telegram photo, which Zalo gets as a link when it can.
    [photo] = kept_media(database)
    assert binh.last[0].photo == f"media:{photo.id}"
    an_id, binh_id = person_id(database, "Nguyễn Văn An"), person_id(database, "Phạm Thị Bình")
    assert [(r.assignment_id, r.person_id, r.status, r.photo_ref) for r in reports(database)] == [
        (ours, an_id, "in_progress", ""),
        (ours, binh_id, "done", ""),
        (ours, an_id, "in_progress", f"media:{photo.id}"),
    ]
    stored = assignment(database, ours)
    assert (stored.status, stored.reported_at) == ("in_progress", clock.now)
    assert west.inbox() == []
