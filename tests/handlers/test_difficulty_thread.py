"""Answering a difficulty: the office answers, the unit answers back, one overseer marks it
resolved, and everyone sees who did what."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from storage.models import DifficultyMessage, OutboxMessage, ProgressReport, Role
from tests.support.assignments import person_id, seed_directive
from tests.support.chat import Chat, joined

NUMBER, SUBJECT = "669/KH-SGDĐT", "V/v tiếp tục triển khai Đề án Xây dựng xã hội học tập"
DIFFICULTY = "Thiếu kinh phí in tài liệu tuyên truyền"
OFFICE_ANSWER = "Xã hỗ trợ 2 triệu đồng, anh nhận tại Phòng Văn hóa – Xã hội"
UNIT_ANSWER = "Cảm ơn, thôn sẽ in trong tuần này"
ASK = "Nội dung trả lời?"
NOT_FOUND = "Không tìm thấy khó khăn này, hoặc đây không phải khó khăn của đơn vị anh/chị."
NOW = "08:00 ngày 20/03/2026"
OFFICE_CHOICES = ["Trả lời", "Đã xử lý"]

# Channels: one where choices are buttons, one where they are numbered replies.
CHANNELS = ["telegram", "zalo"]


def messages(database) -> list[tuple[int, int, int, str, str]]:
    """Every answer stored, as (assignment, report, author, side, text), oldest first."""
    with Session(database) as session:
        rows = session.exec(select(DifficultyMessage).order_by(DifficultyMessage.id))
        return [(m.assignment_id, m.report_id, m.person_id, m.side, m.text) for m in rows]


def the_report(database) -> ProgressReport:
    """The one progress report stored."""
    with Session(database) as session:
        [report] = session.exec(select(ProgressReport))
        return report


def first_answer(database) -> int:
    """The id of the first answer stored."""
    with Session(database) as session:
        found = session.exec(select(DifficultyMessage.id).order_by(DifficultyMessage.id)).first()
        assert found is not None
        return found


def keys_for(database, person: int) -> list[str]:
    """The idempotency keys of the messages queued for a person (replies have none), in the
    order they were queued."""
    with Session(database) as session:
        query = select(OutboxMessage).where(OutboxMessage.person_id == person)
        rows = session.exec(query.order_by(OutboxMessage.id))  # type: ignore[arg-type]
        return [row.idempotency_key for row in rows if row.idempotency_key]


async def report_difficulty(head: Chat) -> None:
    """The head reports 'Gặp khó khăn' with a description."""
    await head.send("/baocao")
    await head.tap("Gặp khó khăn")
    await head.send(DIFFICULTY)
    [sent] = await head.tap("Gửi báo cáo")
    assert sent.endswith("Đã báo khó khăn của đơn vị cho Phòng Văn hóa – Xã hội.")


@pytest.mark.parametrize("channel", CHANNELS)
async def test_office_answers_unit_answers_back_and_one_admin_resolves(
    engine, database, clock, channel
):
    """Hoa answers An's difficulty; Minh and the leader see who answered; An answers back and
    everyone in the office hears it; Minh marks it resolved; a second tap says who did."""
    directive = seed_directive(database, NUMBER, SUBJECT, ["Thôn Đông", "Thôn Tây"])
    east = directive.assignments["Thôn Đông"]

    def chat(role: Role, name: str, external_id: str, unit: str | None = None):
        return joined(engine, role, name, unit=unit, channel=channel, external_id=external_id)

    hoa = await chat(Role.ADMIN, "Nguyễn Thị Hoa", "9001")
    minh = await chat(Role.ADMIN, "Lê Minh", "9002")
    leader = await chat(Role.LEADER, "Hoàng Văn Hùng", "7001")
    an = await chat(Role.FOCAL, "Nguyễn Văn An", "1001", "Thôn Đông")
    west = await chat(Role.FOCAL, "Lê Văn Tây", "1003", "Thôn Tây")
    for someone in (hoa, minh, leader, west):
        someone.inbox()

    await report_difficulty(an)
    [notice] = hoa.inbox()
    assert notice.startswith("⚠️ Thôn Đông báo cáo gặp khó khăn\n")
    assert hoa.labels() == OFFICE_CHOICES
    assert [row.choices for row in hoa.last] == [
        [[f"/traloi {east}", "Trả lời"], [f"/daxuly {east}", "Đã xử lý"]]
    ]
    assert len(leader.inbox()) == 1 and leader.labels() == OFFICE_CHOICES
    assert len(minh.inbox()) == 1

    # Hoa answers: An hears it from the office, the other overseers hear Hoa answered.
    assert await hoa.tap("Trả lời") == [ASK]
    assert await hoa.send("😀") == ["Vui lòng viết nội dung trả lời bằng chữ.", ASK]
    assert await hoa.send(OFFICE_ANSWER) == ["Đã gửi trả lời tới 1 đầu mối của Thôn Đông."]
    assert an.inbox() == [
        f"Phòng Văn hóa – Xã hội trả lời về khó khăn ở công văn số {NUMBER}: {OFFICE_ANSWER}"
    ]
    assert an.labels() == ["Trả lời"]
    answered = f"Nguyễn Thị Hoa đã trả lời khó khăn của Thôn Đông: {OFFICE_ANSWER}"
    assert minh.inbox() == [answered]
    assert leader.inbox() == [answered]
    assert leader.labels() == OFFICE_CHOICES
    assert west.inbox() == []

    # An answers back: every admin and leader hears it.
    assert await an.tap("Trả lời") == [ASK]
    assert await an.send(UNIT_ANSWER) == ["Đã gửi trả lời tới Phòng Văn hóa – Xã hội."]
    back = f"Nguyễn Văn An (Thôn Đông) trả lời về khó khăn ở công văn số {NUMBER}: {UNIT_ANSWER}"
    for overseer in (hoa, minh, leader):
        assert overseer.inbox() == [back]
        assert overseer.labels() == OFFICE_CHOICES

    # /tinhhinh shows the open difficulty with its latest answer.
    [units, *_rest] = await leader.send(f"/tinhhinh {directive.id}")
    assert f"   Khó khăn: {DIFFICULTY}\n   Trả lời gần nhất (Nguyễn Văn An): {UNIT_ANSWER}" in units

    # Minh marks it resolved: Hoa, the leader and An are told.
    assert await minh.tap("Đã xử lý") == [
        f"Đã ghi nhận xử lý xong khó khăn của Thôn Đông, công văn số {NUMBER}. Đã báo cho 3 người."
    ]
    resolved = f"Lê Minh đã ghi nhận xử lý xong khó khăn của Thôn Đông ở công văn số {NUMBER}."
    assert hoa.inbox() == [resolved]
    assert leader.inbox() == [resolved]
    assert an.inbox() == [
        f"Phòng Văn hóa – Xã hội đã xử lý xong khó khăn của đơn vị ở công văn số {NUMBER}."
    ]
    resolved_at = clock.now
    # Hoa's Đã xử lý comes second: she is told who resolved it, and when.
    clock.advance(hours=1)
    assert await hoa.tap("Đã xử lý") == [
        f"Khó khăn này của Thôn Đông đã được Lê Minh ghi nhận xử lý xong lúc {NOW}."
    ]
    assert minh.inbox() == [] and an.inbox() == []

    [units, *_rest] = await hoa.send(f"/tinhhinh {directive.id}")
    assert f"   Khó khăn: {DIFFICULTY}\n   Đã xử lý (Lê Minh, {NOW})" in units

    report = the_report(database)
    hoa_id, an_id = person_id(database, "Nguyễn Thị Hoa"), person_id(database, "Nguyễn Văn An")
    assert messages(database) == [
        (east, report.id, hoa_id, "office", OFFICE_ANSWER),
        (east, report.id, an_id, "unit", UNIT_ANSWER),
    ]
    assert (report.resolved_by, report.resolved_at) == (person_id(database, "Lê Minh"), resolved_at)
    # An was sent Hoa's answer and the resolution, once each, and not his own answer.
    assert keys_for(database, an_id) == [
        f"difficulty-answer:{first_answer(database)}:person:{an_id}:{channel}",
        f"difficulty-resolved:{report.id}:person:{an_id}:{channel}",
    ]
    assert west.inbox() == []


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_focal_point_of_another_unit_cannot_answer_or_resolve(engine, database, channel):
    """The head of Thôn Tây can neither answer Thôn Đông's difficulty nor mark it resolved;
    nothing is stored and nobody is told."""
    directive = seed_directive(database, NUMBER, SUBJECT, ["Thôn Đông", "Thôn Tây"])
    east = directive.assignments["Thôn Đông"]
    hoa = await joined(engine, Role.ADMIN, "Nguyễn Thị Hoa", channel=channel, external_id="9001")
    an = await joined(
        engine, Role.FOCAL, "Nguyễn Văn An", unit="Thôn Đông", channel=channel, external_id="1001"
    )
    west = await joined(
        engine, Role.FOCAL, "Lê Văn Tây", unit="Thôn Tây", channel=channel, external_id="1003"
    )
    await report_difficulty(an)
    hoa.inbox()
    typed = f"/traloi {east}" if channel == "telegram" else f"phản hồi {east}"
    assert await west.send(typed) == [NOT_FOUND]
    assert await west.press(f"/traloi {east}") == [NOT_FOUND]
    # And the refusal left no dialog: what he types next is no answer.
    assert await west.send(UNIT_ANSWER) != ["Đã gửi trả lời tới Phòng Văn hóa – Xã hội."]
    [refused] = await west.press(f"/daxuly {east}")
    assert refused.startswith("Anh/chị không có quyền dùng lệnh này.")
    assert messages(database) == []
    assert the_report(database).resolved_at is None
    assert hoa.inbox() == [] and an.inbox() == []


async def test_answering_without_a_difficulty_or_with_a_bad_reference(engine, database):
    """An assignment without a difficulty has nothing to answer or resolve."""
    directive = seed_directive(database, NUMBER, SUBJECT, ["Thôn Đông"])
    hoa = await joined(engine, Role.ADMIN, "Nguyễn Thị Hoa", external_id="9001")
    east = directive.assignments["Thôn Đông"]
    for bad in [str(east), "999", "abc", ""]:
        assert await hoa.send(f"/traloi {bad}".strip()) == [NOT_FOUND]
        assert await hoa.send(f"/daxuly {bad}".strip()) == [NOT_FOUND]
    assert messages(database) == []


async def test_zalo_words_name_the_commands_in_a_busy_chat(engine, database):
    """An admin on Zalo in the middle of a dialog gets the notice with the words to type, and
    'phản hồi 7' starts the answer; the Vietnamese never spells a slash command."""
    directive = seed_directive(database, NUMBER, SUBJECT, ["Thôn Đông"])
    east = directive.assignments["Thôn Đông"]
    hoa = await joined(engine, Role.ADMIN, "Nguyễn Thị Hoa", channel="zalo", external_id="z-hoa")
    an = await joined(engine, Role.FOCAL, "Nguyễn Văn An", unit="Thôn Đông", external_id="1001")
    await hoa.send("/tinhhinh")
    await hoa.send("/congvan")
    hoa.inbox()
    await report_difficulty(an)
    [notice, _again] = hoa.inbox()
    assert notice.endswith(f"\n\nTrả lời: phản hồi {east} / đã xử lý {east}")
    assert "/traloi" not in notice and "/daxuly" not in notice
    # Nothing was entered in her dialog yet: the typed words go straight to the answer.
    assert await hoa.send(f"phản hồi {east}") == [ASK]
    assert await hoa.send(OFFICE_ANSWER) == ["Đã gửi trả lời tới 1 đầu mối của Thôn Đông."]
    assert len(messages(database)) == 1


async def test_junk_at_the_answer_step_is_refused_and_nothing_crashes(engine, database):
    """Texts without a letter, photos and stale taps ask again; the answer is then taken."""
    directive = seed_directive(database, NUMBER, SUBJECT, ["Thôn Đông"])
    hoa = await joined(engine, Role.ADMIN, "Nguyễn Thị Hoa", external_id="9001")
    an = await joined(engine, Role.FOCAL, "Nguyễn Văn An", unit="Thôn Đông", external_id="1001")
    await report_difficulty(an)
    hoa.inbox()
    assert await hoa.press(f"/traloi {directive.assignments['Thôn Đông']}") == [ASK]
    again = ["Vui lòng viết nội dung trả lời bằng chữ.", ASK]
    for junk in ["😀", "12345", "  ", "/", "-1"]:
        assert await hoa.send(junk) == again, junk
    unreadable = "Tin nhắn không có chữ đọc được. Anh/chị vui lòng gõ lại."
    for junk in ["\u200b", "\ud800", "\u2066\u2069\ufeff"]:
        assert await hoa.send(junk) == [unreadable, ASK], junk
    assert await hoa.send(photo="AgACAgPhoto") == again
    assert await hoa.press("0.stale") == ["Nút này thuộc tin nhắn cũ và không còn hiệu lực.", ASK]
    assert await hoa.send("x" * 5000) == ["Đã gửi trả lời tới 1 đầu mối của Thôn Đông."]
    [(_assignment, _report, _hoa, side, text)] = messages(database)
    assert (side, text) == ("office", "x" * 5000)
    [told] = an.inbox()
    assert len(told) < 2000
