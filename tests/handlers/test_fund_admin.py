"""/huybienlai reverses a receipt with a new negative entry; /quytonghop shows fund totals."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from storage.db import transaction
from storage.ledger import record_contribution, reverse_contribution
from storage.models import AuditEntry, Contribution, Person, Role
from storage.people import add_unit
from tests.support.chat import Chat, joined
from tests.support.fund import (
    CHOOSE,
    NOT_ALLOWED,
    STALE,
    contributions,
    dialog_data,
    old_button,
    say,
    tap,
    up_to_summary,
    village_head,
)

ASK_RECEIPT = "Anh/chị muốn hủy biên lai nào? Gửi số biên lai, ví dụ KH2026-00042."
NOT_A_RECEIPT = "Đây không phải số biên lai. Số biên lai có dạng KH2026-00042."
ASK_REASON = "Lý do hủy biên lai KH2026-00001?"
REASON_PROBLEM = "Vui lòng ghi lý do bằng chữ, từ 3 đến 300 ký tự."
CONFIRM = (
    "Hủy biên lai KH2026-00001?\n"
    "Người đóng góp: Nguyễn Văn Bình (Cá nhân)\n"
    "Số tiền: 1.500.000 ₫\n"
    "Ngày: 20/03/2026\n"
    "Đơn vị: Thôn Đông\n"
    "Lý do: Ghi nhầm số tiền"
)
REVERSED = (
    "Đã hủy biên lai KH2026-00001 bằng bút toán KH2026-00002 (-1.500.000 ₫).\n"
    # The village head recorded it: he is told (tests/handlers/test_reversal_notice.py).
    "Đã báo cho anh/chị Trần Văn Tâm, người ghi biên lai."
)
ALREADY = "Biên lai KH2026-00001 đã được hủy trước đó (bút toán KH2026-00002)."


async def head_records_one(engine) -> Chat:  # type: ignore[no-untyped-def]
    """The head of Thôn Đông records 1,5 triệu from Nguyễn Văn Bình: receipt KH2026-00001."""
    head = await village_head(engine)
    await up_to_summary(head)
    await head.tap("Xác nhận")
    return head


async def admin(engine) -> Chat:  # type: ignore[no-untyped-def]
    """An officer of the commune's culture and society office."""
    return await joined(engine, Role.ADMIN, "Lê Thị Hoa", external_id="2001")


def audit(database: Engine) -> list[AuditEntry]:
    """Every audit entry, in order."""
    with Session(database) as session:
        return list(session.exec(select(AuditEntry).order_by(AuditEntry.id)))  # type: ignore[arg-type]


async def test_admin_reverses_a_receipt_step_by_step(engine, database):
    """The original stays as it was; a new negative entry undoes it and is audited."""
    await head_records_one(engine)
    [original] = contributions(database)
    officer = await admin(engine)
    assert await say(officer, "/huybienlai") == [ASK_RECEIPT]
    assert await say(officer, "  kh2026-00001 ") == [ASK_REASON]
    assert await say(officer, "Ghi nhầm số tiền") == [CONFIRM]
    assert officer.labels() == ["Hủy biên lai", "Giữ nguyên"]
    assert await tap(officer, "Hủy biên lai") == [REVERSED]

    first, reversal = contributions(database)
    assert first == original
    assert (reversal.receipt_no, reversal.amount, reversal.reverses_id) == (
        "KH2026-00002",
        -1_500_000,
        original.id,
    )
    assert (reversal.unit_id, reversal.donor_name, reversal.donor_kind) == (
        original.unit_id,
        "Nguyễn Văn Bình",
        "person",
    )
    assert reversal.note == "Hủy biên lai KH2026-00001: Ghi nhầm số tiền"
    with Session(database) as session:
        officer_id = session.exec(select(Person.id).where(Person.name == "Lê Thị Hoa")).one()
    assert reversal.recorded_by == officer_id
    [entry] = audit(database)
    assert (entry.action, entry.person_id) == ("contribution.reverse", officer_id)
    assert entry.detail == {
        "original_id": original.id,
        "original_receipt": "KH2026-00001",
        "reversal_id": reversal.id,
        "reversal_receipt": "KH2026-00002",
        "amount": 1_500_000,
        "reason": "Ghi nhầm số tiền",
    }
    totals = await say(officer, "/quytonghop")
    assert totals == [
        "Quỹ khuyến học năm 2026 (cũng là tổng từ trước đến nay):\n"
        "Thôn Đông: 0 ₫ (0 lượt)\nTổng cộng: 0 ₫ (0 lượt)"
    ]

    assert await say(officer, "/huybienlai KH2026-00001 Lần nữa") == [ALREADY, ASK_RECEIPT]
    assert await say(officer, "KH2026-00002") == [
        "KH2026-00002 là bút toán hủy của biên lai KH2026-00001, không thể hủy tiếp.",
        ASK_RECEIPT,
    ]
    assert len(contributions(database)) == 2 and len(audit(database)) == 1


async def test_receipt_and_reason_given_with_the_command(engine, database):
    """'/huybienlai KH2026-00001 reason' goes straight to the confirmation."""
    await head_records_one(engine)
    officer = await admin(engine)
    assert await say(officer, "/huybienlai KH2026-00001 Ghi nhầm số tiền") == [CONFIRM]
    assert await say(officer, "1") == [REVERSED]
    assert [c.amount for c in contributions(database)] == [1_500_000, -1_500_000]


async def test_short_reason_with_the_command_is_asked_again(engine, database):
    """A reason too short to mean anything is refused; the receipt is kept."""
    await head_records_one(engine)
    officer = await admin(engine)
    assert await say(officer, "/huybienlai kh2026-00001 x") == [REASON_PROBLEM, ASK_REASON]
    assert await say(officer, "Ghi nhầm số tiền") == [CONFIRM]


async def test_unknown_receipt_is_refused(engine, database):
    """A receipt that does not exist is named in the refusal, and the number asked again;
    the reason typed with the wrong number is not reused for the right one."""
    await head_records_one(engine)
    officer = await admin(engine)
    assert await say(officer, "/huybienlai KH2026-00099 Khách trả lại") == [
        "Không có biên lai KH2026-00099. Vui lòng kiểm tra lại số.",
        ASK_RECEIPT,
    ]
    assert "pending_reason" not in dialog_data(database, officer)
    assert await say(officer, "KH2026-00001") == [ASK_REASON]
    assert await say(officer, "Ghi nhầm số tiền") == [CONFIRM]
    await officer.tap("Hủy biên lai")
    assert contributions(database)[-1].note == "Hủy biên lai KH2026-00001: Ghi nhầm số tiền"


async def test_keeping_the_receipt_changes_nothing(engine, database):
    """'Giữ nguyên' ends the dialog without a new entry or an audit record."""
    await head_records_one(engine)
    officer = await admin(engine)
    await officer.send("/huybienlai KH2026-00001 Ghi nhầm số tiền")
    assert await tap(officer, "Giữ nguyên") == [
        "Biên lai KH2026-00001 vẫn giữ nguyên."
    ]
    assert len(contributions(database)) == 1 and audit(database) == []


async def test_cancel_midway_reverses_nothing(engine, database):
    """/huy at the confirmation leaves the ledger as it was."""
    await head_records_one(engine)
    officer = await admin(engine)
    await officer.send("/huybienlai KH2026-00001 Ghi nhầm số tiền")
    await officer.send("/huy")
    assert len(contributions(database)) == 1 and audit(database) == []


async def _at_receipt(chat: Chat) -> None:
    await chat.send("/huybienlai")


async def _at_reason(chat: Chat) -> None:
    await chat.send("/huybienlai KH2026-00001")


async def _at_confirm(chat: Chat) -> None:
    await chat.send("/huybienlai KH2026-00001 Ghi nhầm số tiền")


LONG = "x" * 5000
STEPS = {
    "receipt": (
        _at_receipt,
        ASK_RECEIPT,
        NOT_A_RECEIPT,
        ["qwerty", "😀", LONG, "12345"],
        "kh2026-00001",
        [ASK_REASON],
    ),
    # Any words are a reason; only symbols, digits, or too short or long text are refused.
    "reason": (
        _at_reason,
        ASK_REASON,
        REASON_PROBLEM,
        ["😀😀😀", LONG, "12345", "ab"],
        "Ghi nhầm số tiền",
        [CONFIRM],
    ),
    "confirm": (_at_confirm, CONFIRM, CHOOSE, ["qwerty", "😀", LONG, "9"], "1", [REVERSED]),
}


@pytest.mark.parametrize("where", list(STEPS))
async def test_bad_input_at_every_reversal_step_keeps_the_dialog(engine, database, where):
    """Junk, emoji, 5,000 characters, numbers and stale buttons are explained; nothing changes."""
    setup, question, problem, junk, good, after = STEPS[where]
    await head_records_one(engine)
    officer = await admin(engine)
    # An earlier reversal dialog, abandoned, leaves buttons behind in the chat.
    await officer.send("/huybienlai KH2026-00001 Ghi nhầm số tiền")
    await officer.send("/huy")
    earlier = old_button(database, officer, "Hủy biên lai")
    await setup(officer)
    before = dialog_data(database, officer)
    for typed in junk:
        assert await say(officer, typed) == [problem, question], typed
    assert await say(officer, choice="0.someid") == [STALE, question]
    assert await say(officer, choice=earlier) == [STALE, question]
    assert dialog_data(database, officer) == before
    assert len(contributions(database)) == 1 and audit(database) == []
    assert await say(officer, good) == after


def seed_ledger(database: Engine) -> None:
    """Two villages, the office and two years of contributions, one of them reversed."""
    with transaction(database) as session:
        recorder = Person(name="Lê Thị Hoa", role=Role.ADMIN.value)
        session.add(recorder)
        session.flush()
        east = add_unit(session, "Thôn Đông", "village").id
        west = add_unit(session, "Thôn Tây", "village").id
        school = add_unit(session, "Trường TH An Hưng", "school").id

        def give(unit: int | None, amount: int, day: dt.date) -> Contribution:
            return record_contribution(
                session,
                recorded_by=recorder.id or 0,
                unit_id=unit,
                donor_name="Nguyễn Văn Bình",
                donor_kind="person",
                amount=amount,
                contributed_on=day,
                note="",
                now=dt.datetime(day.year, day.month, day.day, 3, tzinfo=dt.UTC),
            )

        give(east, 1_000_000, dt.date(2025, 6, 1))
        give(school, 5_000_000, dt.date(2025, 9, 5))
        give(east, 1_500_000, dt.date(2026, 3, 2))
        give(east, 500_000, dt.date(2026, 3, 3))
        give(west, 2_000_000, dt.date(2026, 3, 4))
        mistaken = give(west, 700_000, dt.date(2026, 3, 5))
        give(None, 300_000, dt.date(2026, 3, 6))
        reverse_contribution(
            session, mistaken, by=recorder.id or 0, reason="Ghi trùng", now=dt.datetime.now(dt.UTC)
        )


async def test_leader_sees_totals_per_unit_this_year_and_overall(engine, database):
    """Net totals include the reversal; counts leave out the reversed entry and its reversal."""
    seed_ledger(database)
    leader = await joined(engine, Role.LEADER, "Phạm Văn Chủ", external_id="3001")
    assert await say(leader, "/quytonghop") == [
        "Quỹ khuyến học năm 2026:\n"
        "Thôn Đông: 2.000.000 ₫ (2 lượt)\n"
        "Thôn Tây: 2.000.000 ₫ (1 lượt)\n"
        "Văn phòng UBND xã: 300.000 ₫ (1 lượt)\n"
        "Tổng cộng: 4.300.000 ₫ (4 lượt)",
        "Quỹ khuyến học từ trước đến nay:\n"
        "Thôn Đông: 3.000.000 ₫ (3 lượt)\n"
        "Thôn Tây: 2.000.000 ₫ (1 lượt)\n"
        "Trường TH An Hưng: 5.000.000 ₫ (1 lượt)\n"
        "Văn phòng UBND xã: 300.000 ₫ (1 lượt)\n"
        "Tổng cộng: 10.300.000 ₫ (6 lượt)",
    ]


async def test_totals_of_an_empty_fund(engine, database):
    """With nothing recorded yet, one block says so."""
    officer = await admin(engine)
    assert await say(officer, "/quytonghop") == [
        "Quỹ khuyến học năm 2026 (cũng là tổng từ trước đến nay):\n"
        "Chưa có khoản đóng góp nào.",
    ]


async def test_a_fund_started_this_year_shows_one_block(engine, database):
    """Every contribution is from this year: the leader reads the totals once, titled as
    both this year's and everything so far, not the same block twice."""
    officer = await admin(engine)
    with transaction(database) as session:
        recorder = Person(name="Lê Thị Hoa", role=Role.ADMIN.value)
        session.add(recorder)
        session.flush()
        record_contribution(
            session,
            recorded_by=recorder.id or 0,
            unit_id=add_unit(session, "Thôn Đông", "village").id,
            donor_name="Dòng họ Nguyễn",
            donor_kind="clan",
            amount=2_000_000,
            contributed_on=dt.date(2026, 3, 5),
            note="",
            now=dt.datetime(2026, 3, 5, 3, tzinfo=dt.UTC),
        )
    assert await say(officer, "/quytonghop") == [
        "Quỹ khuyến học năm 2026 (cũng là tổng từ trước đến nay):\n"
        "Thôn Đông: 2.000.000 ₫ (1 lượt)\nTổng cộng: 2.000.000 ₫ (1 lượt)",
    ]


@pytest.mark.parametrize(
    "attempt",
    [
        ("send", "/huybienlai KH2026-00001 Ghi nhầm"),
        ("press", "/huybienlai KH2026-00001 x"),
        ("send", "/quytonghop"),
        ("press", "/quytonghop"),
    ],
)
async def test_focal_point_cannot_reverse_or_read_totals(engine, database, attempt):
    """A village head is refused, typed or by a button's callback data; nothing changes."""
    head = await head_records_one(engine)
    how, text = attempt
    replies = await (say(head, text) if how == "send" else say(head, choice=text))
    assert replies == [NOT_ALLOWED]
    assert len(contributions(database)) == 1 and audit(database) == []


async def test_leader_cannot_reverse(engine, database):
    """Leaders read the fund but do not change it."""
    await head_records_one(engine)
    leader = await joined(engine, Role.LEADER, "Phạm Văn Chủ", external_id="3001")
    assert await say(leader, "/huybienlai KH2026-00001 Ghi nhầm") == [NOT_ALLOWED]
    assert await say(leader, choice="/huybienlai KH2026-00001 x") == [NOT_ALLOWED]
    assert len(contributions(database)) == 1 and audit(database) == []


async def test_unregistered_chat_cannot_reverse_or_read_totals(engine, database):
    """A stranger gets only the join explanation, once, whatever it sends."""
    await head_records_one(engine)
    stranger = Chat(engine, "telegram", "9999")
    [explanation] = await stranger.send("/huybienlai KH2026-00001 Ghi nhầm")
    assert "mã mời" in explanation and "KH2026" not in explanation
    assert await stranger.press("/huybienlai KH2026-00001 x") == []
    assert await stranger.send("/quytonghop") == []
    assert await stranger.press("/quytonghop") == []
    assert len(contributions(database)) == 1 and audit(database) == []
    with Session(database) as session:
        assert len(session.exec(select(Person)).all()) == 1
