"""While a broadcast goes out /thongbao shows its progress; when done, its author gets a report."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from handlers.broadcast_report import queue_broadcast_reports
from handlers.messages import PRIORITY_FANOUT
from handlers.quiet import QuietHours
from storage.db import transaction
from storage.models import Broadcast, OutboxMessage, OutboxStatus, Person
from tests.support.broadcasts import (
    AN,
    ASK_TEXT,
    BINH,
    CUONG,
    DUNG,
    HOA,
    HUNG,
    MEETING,
    block,
    broadcast,
    mark_rows,
    office,
)

ZONE = "Asia/Ho_Chi_Minh"
PROGRESS = (
    "Thông báo do Trần Thị Mai gửi lúc 08:00 ngày 20/03/2026 chưa gửi xong:\n"
    f"{MEETING}\n"
    "\n"
    "Gửi tới: tất cả mọi người\n"
    "Đã gửi: 2/6 người\n"
    "Không gửi được: 1\n"
    "Đang chờ gửi: 3"
)
HEADING = (
    "📊 Kết quả gửi thông báo anh/chị soạn lúc 08:00 ngày 20/03/2026:\n" + MEETING[:120] + "…\n\n"
)


def reports(database, clock) -> int:
    """Play the sender after a pass: queue the reports that are due, in its own transaction."""
    with transaction(database) as session:
        return queue_broadcast_reports(session, ZONE, clock.now)


def stored(database, broadcast_id: int) -> Broadcast:
    """The broadcast as stored now."""
    with Session(database) as session:
        found = session.get(Broadcast, broadcast_id)
        assert found is not None
        return found


async def test_progress_while_it_goes_out(engine, database):
    """An and Cường got it, Bình's failed, three wait: 2 sent, 1 failed, 3 wait."""
    town = await office(engine)
    sent = await broadcast(town.mai)
    mark_rows(database, sent, OutboxStatus.SENT, AN)
    mark_rows(database, sent, OutboxStatus.SENT, CUONG, channel="telegram")
    mark_rows(database, sent, OutboxStatus.FAILED, BINH)
    town.hoa.inbox()

    assert await town.hoa.send("/thongbao") == [PROGRESS, "Soạn thông báo mới?"]
    assert town.hoa.labels() == ["Thông báo mới", "Đóng"]
    assert await town.hoa.tap("Đóng") == [
        "Được. Khi gửi xong, Trần Thị Mai sẽ nhận kết quả gửi thông báo."
    ]
    assert await town.mai.send("/thongbao") == [PROGRESS, "Soạn thông báo mới?"]
    assert await town.mai.tap("Đóng") == [
        "Được. Khi gửi xong, anh/chị sẽ nhận kết quả gửi thông báo."
    ]
    await town.mai.send("/thongbao")
    assert await town.mai.tap("Thông báo mới") == [ASK_TEXT]
    assert reports(database, engine.clock) == 0
    assert stored(database, sent).reported_at is None


async def test_once_nothing_waits_a_new_announcement_starts_at_once(engine, database):
    """Every row done but no report yet: /thongbao asks for the text, no progress shown."""
    town = await office(engine)
    sent = await broadcast(town.mai)
    mark_rows(database, sent, OutboxStatus.SENT, HOA, HUNG, AN, BINH, CUONG, DUNG)
    assert await town.mai.send("/thongbao") == [ASK_TEXT]


async def test_report_names_who_failed_and_who_cannot_be_reached(engine, database, clock):
    """3 of 6 got it; Dung's send failed; Bình and Hùng blocked the bot."""
    town = await office(engine)
    sent = await broadcast(town.mai)
    mark_rows(database, sent, OutboxStatus.SENT, HOA, AN)
    # Linked on Telegram and Zalo, Cường gets one copy, on Telegram where he wrote last.
    mark_rows(database, sent, OutboxStatus.SENT, CUONG, channel="telegram")
    mark_rows(database, sent, OutboxStatus.FAILED, BINH, HUNG)
    block(database, BINH, "zalo")
    block(database, HUNG, "telegram")
    assert reports(database, clock) == 0, "Dung's message still waits"

    mark_rows(database, sent, OutboxStatus.FAILED, DUNG)
    clock.advance(minutes=5)
    assert reports(database, clock) == 1
    assert town.mai.inbox() == [
        HEADING + "Đã gửi tới 3/6 người.\n"
        "Không gửi được (1): Đỗ Thị Dung\n"
        "Không liên lạc được (2; đã chặn bot hoặc không còn dùng ứng dụng): "
        "Hoàng Văn Hùng, Lê Thị Bình"
    ]
    [row] = town.mai.last
    assert (row.priority, row.broadcast_id) == (PRIORITY_FANOUT, None)
    assert row.idempotency_key == f"broadcast:{sent}:report:telegram"
    reported = stored(database, sent).reported_at
    assert reported is not None
    assert reported.replace(tzinfo=dt.UTC) == clock.now


async def test_everyone_reached_says_so(engine, database, clock):
    """All six got it: the report says 6 of 6 and names nobody."""
    town = await office(engine)
    sent = await broadcast(town.mai)
    mark_rows(database, sent, OutboxStatus.SENT, HOA, HUNG, AN, BINH, CUONG, DUNG)
    assert reports(database, clock) == 1
    assert town.mai.inbox() == [HEADING + "Đã gửi tới 6/6 người."]


async def test_the_report_is_queued_once(engine, database, clock):
    """A second pass queues nothing; nor does one that finds reported_at cleared again."""
    town = await office(engine)
    sent = await broadcast(town.mai)
    mark_rows(database, sent, OutboxStatus.SENT, HOA, HUNG, AN, BINH, CUONG, DUNG)
    assert reports(database, clock) == 1
    assert reports(database, clock) == 0
    with transaction(database) as session:
        again = session.get(Broadcast, sent)
        assert again is not None
        again.reported_at = None
        session.add(again)
    # The report's idempotency key still holds, as when two processes raced past the claim.
    assert reports(database, clock) == 0
    with Session(database) as session:
        key = col(OutboxMessage.idempotency_key)
        query = select(OutboxMessage).where(key.startswith(f"broadcast:{sent}:report"))
        assert len(session.exec(query).all()) == 1
    assert len(town.mai.inbox()) == 1


async def test_two_broadcasts_are_reported_each_to_its_author(engine, database, clock):
    """Mai's and Hoa's broadcasts finish in one pass: each author gets their own report."""
    town = await office(engine)
    first = await broadcast(town.mai, "Lãnh đạo xã")
    mark_rows(database, first, OutboxStatus.SENT, HUNG)
    second = await broadcast(town.hoa, "Tất cả các trường", "Các trường nộp báo cáo trước thứ Sáu.")
    mark_rows(database, second, OutboxStatus.FAILED, CUONG)
    assert reports(database, clock) == 2
    assert town.mai.inbox() == [HEADING + "Đã gửi tới 1/1 người."]
    town.hoa.inbox()
    assert [row.text for row in town.hoa.last] == [
        "📊 Kết quả gửi thông báo anh/chị soạn lúc 08:00 ngày 20/03/2026:\n"
        "Các trường nộp báo cáo trước thứ Sáu.\n\n"
        "Đã gửi tới 0/1 người.\n"
        "Không gửi được (1): Phạm Văn Cường"
    ]
    assert stored(database, second).reported_at is not None


async def test_a_report_due_at_night_waits_for_the_morning(engine, database, clock):
    """Rows finished at 22:00: the report is queued but not before 07:00."""
    town = await office(engine)
    sent = await broadcast(town.mai, "Lãnh đạo xã")
    mark_rows(database, sent, OutboxStatus.SENT, HUNG)
    clock.now = dt.datetime(2026, 3, 20, 15, 0, tzinfo=dt.UTC)
    with transaction(database) as session:
        quiet = QuietHours.parse("21:00-07:00", ZONE)
        assert queue_broadcast_reports(session, ZONE, clock.now, quiet) == 1
    [row] = town.mai.last_rows()
    assert row.not_before.replace(tzinfo=dt.UTC) == dt.datetime(2026, 3, 21, 0, 0, tzinfo=dt.UTC)


# Counting people, not chats: a person on Telegram and Zalo is one recipient.

UNREACHABLE = "Không liên lạc được ({count}; đã chặn bot hoặc không còn dùng ứng dụng): {names}"


def drop_rows(database, broadcast_id: int, name: str, channel: str = "") -> None:
    """Play a sender that queues one message per person: the person has no row on `channel`."""
    with transaction(database) as session:
        person = session.exec(select(Person).where(Person.name == name)).one()
        query = select(OutboxMessage).where(
            OutboxMessage.broadcast_id == broadcast_id, OutboxMessage.person_id == person.id
        )
        for row in session.exec(query):
            if not channel or row.channel == channel:
                session.delete(row)


async def test_a_person_on_two_chats_is_named_once_by_the_chats_tried(engine, database, clock):
    """Cường's Telegram send failed for a passing reason and he blocked the bot on Zalo: he
    could still be reached on Telegram, so he is named once, under failed; Bình, blocked on
    her only chat, cannot be reached."""
    town = await office(engine)
    sent = await broadcast(town.mai)
    mark_rows(database, sent, OutboxStatus.SENT, HOA, HUNG, AN, DUNG)
    mark_rows(database, sent, OutboxStatus.FAILED, CUONG, BINH)
    block(database, CUONG, "zalo")
    block(database, BINH, "zalo")
    assert reports(database, clock) == 1
    assert town.mai.inbox() == [
        HEADING + "Đã gửi tới 4/6 người.\n"
        "Không gửi được (1): Phạm Văn Cường\n" + UNREACHABLE.format(count=1, names=BINH)
    ]


async def test_with_one_message_per_person_the_report_still_counts_people(engine, database, clock):
    """Delivery sends Cường one message, on Telegram, which fails (his Zalo chat is blocked but
    was not tried); Dung's only chat was blocked before, so nothing was queued for her. The
    report still counts six people and names both."""
    town = await office(engine)
    sent = await broadcast(town.mai)
    drop_rows(database, sent, CUONG, "zalo")
    drop_rows(database, sent, DUNG)
    block(database, CUONG, "zalo")
    block(database, DUNG, "telegram")
    mark_rows(database, sent, OutboxStatus.SENT, HOA, HUNG, AN, BINH)
    mark_rows(database, sent, OutboxStatus.FAILED, CUONG)
    assert reports(database, clock) == 1
    assert town.mai.inbox() == [
        HEADING + "Đã gửi tới 4/6 người.\n"
        "Không gửi được (1): Phạm Văn Cường\n" + UNREACHABLE.format(count=1, names=DUNG)
    ]


async def test_progress_counts_a_person_with_no_message_queued_as_failed(engine, database):
    """Cường's one message went out; Dung had no chat to send to: 2 sent, 1 failed, 3 wait."""
    town = await office(engine)
    sent = await broadcast(town.mai)
    drop_rows(database, sent, DUNG)
    mark_rows(database, sent, OutboxStatus.SENT, AN, CUONG)
    town.hoa.inbox()
    assert await town.hoa.send("/thongbao") == [PROGRESS, "Soạn thông báo mới?"]
