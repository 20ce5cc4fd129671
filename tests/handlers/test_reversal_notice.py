"""When an admin reverses a receipt, the person who recorded it is told why, once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from handlers.engine import Engine as DialogEngine
from handlers.quiet import QuietHours
from storage.db import transaction
from storage.models import OutboxMessage, Person, Role
from storage.roster import remove_person
from tests.support.chat import Chat, joined
from tests.support.clock import FakeClock
from tests.support.fund import contributions, plain, say, tap, up_to_summary, village_head

REVERSED = "Đã hủy biên lai KH2026-00001 bằng bút toán KH2026-00002 (-1.500.000 ₫)."
HEAD_TOLD = "Đã báo cho anh/chị Trần Văn Tâm, người ghi biên lai."
NOTICE = (
    "Biên lai KH2026-00001 (Nguyễn Văn Bình, 1.500.000 ₫) đã được hủy. Lý do: Ghi nhầm số tiền."
)


async def admin(engine: DialogEngine) -> Chat:
    """Lê Thị Hoa, an officer of the culture and society office, on Telegram."""
    return await joined(engine, Role.ADMIN, "Lê Thị Hoa", external_id="2001")


async def reverse_first(officer: Chat, reason: str = "Ghi nhầm số tiền.") -> list[str]:
    """The officer reverses KH2026-00001 with a reason and confirms; return her replies."""
    await officer.send(f"/huybienlai KH2026-00001 {reason}")
    return await tap(officer, "Hủy biên lai")


def notices(database: Engine) -> list[OutboxMessage]:
    """Every reversal notice queued, in order."""
    with Session(database) as session:
        query = select(OutboxMessage).where(
            col(OutboxMessage.idempotency_key).startswith("reversal:")
        )
        return list(session.exec(query.order_by(col(OutboxMessage.id))))


async def test_the_village_head_is_told_on_telegram_with_the_reason(engine, database):
    """The head records 1,5 triệu from Nguyễn Văn Bình; Hoa reverses it: the head reads which
    receipt, whose money, how much and why, and how to record it again; Hoa reads he was told."""
    head = await village_head(engine)
    await up_to_summary(head)
    await head.tap("Xác nhận")
    officer = await admin(engine)
    head.inbox()

    assert await reverse_first(officer) == [f"{REVERSED}\n{HEAD_TOLD}"]

    assert plain(head.inbox()) == [f"{NOTICE}\nNếu cần ghi lại, anh/chị gửi /quy."]
    [notice] = notices(database)
    with Session(database) as session:
        head_id = session.exec(select(Person.id).where(Person.name == "Trần Văn Tâm")).one()
    reversal = contributions(database)[-1]
    assert notice.idempotency_key == f"reversal:{reversal.id}:recorder:{head_id}:telegram"
    assert (notice.channel, notice.chat_id, notice.person_id) == ("telegram", "1001", head_id)
    assert notice.not_before.replace(tzinfo=dt.UTC) == engine.clock()


async def test_the_village_head_is_told_on_zalo_in_words_he_can_type(engine, database):
    """A head on Zalo, who types rather than taps, is told to type “quỹ” to record again."""
    head = await village_head(engine, channel="zalo", external_id="z-1001")
    await up_to_summary(head)
    await head.tap("Xác nhận")
    officer = await admin(engine)
    head.inbox()

    assert await reverse_first(officer, "Ghi nhầm số tiền") == [f"{REVERSED}\n{HEAD_TOLD}"]

    assert plain(head.inbox()) == [f"{NOTICE}\nNếu cần ghi lại, anh/chị gửi “quỹ”."]
    [notice] = notices(database)
    assert (notice.channel, notice.chat_id) == ("zalo", "z-1001")
    assert notice.choices == []


async def test_an_admin_reversing_her_own_receipt_tells_nobody(engine, database):
    """Hoa records a contribution herself and reverses it: only she hears of it."""
    officer = await admin(engine)
    await up_to_summary(officer)
    await officer.tap("Xác nhận")
    head = await village_head(engine)
    head.inbox()

    assert await reverse_first(officer) == [REVERSED]

    assert head.inbox() == []
    assert notices(database) == []


async def test_a_removed_recorder_is_not_told(engine, database):
    """The head who recorded the receipt has left the roster: the reversal goes ahead, unsaid."""
    head = await village_head(engine)
    await up_to_summary(head)
    await head.tap("Xác nhận")
    officer = await admin(engine)
    with transaction(database) as session:
        gone = session.exec(select(Person).where(Person.name == "Trần Văn Tâm")).one()
        remove_person(session, gone, actor_id=None, now=engine.clock())
    head.inbox()

    assert await reverse_first(officer) == [REVERSED]

    assert notices(database) == []
    assert [c.amount for c in contributions(database)] == [1_500_000, -1_500_000]


async def test_at_night_the_notice_waits_for_the_morning(database, clock: FakeClock):
    """Hoa reverses at 22:00: the head's notice is due at 07:00 and Hoa reads when it goes."""
    night = DialogEngine(database, clock=clock, quiet_hours=QuietHours.parse("21:00-07:00"))
    head = await village_head(night)
    await up_to_summary(head)
    await head.tap("Xác nhận")
    officer = await admin(night)
    clock.now = dt.datetime(2026, 3, 20, 15, 0, tzinfo=dt.UTC)  # 22:00 in the commune

    assert await say(officer, "/huybienlai KH2026-00001 Ghi nhầm số tiền") != []
    assert await tap(officer, "Hủy biên lai") == [
        f"{REVERSED}\n{HEAD_TOLD}\nĐang trong giờ nghỉ, tin sẽ được gửi lúc 07:00 ngày 21/03/2026."
    ]

    [notice] = notices(database)
    morning = dt.datetime(2026, 3, 21, 0, 0, tzinfo=dt.UTC)
    assert notice.not_before.replace(tzinfo=dt.UTC) == morning
    assert notice.text.startswith("Biên lai KH2026-00001 (Nguyễn Văn Bình, 1.500.000")
