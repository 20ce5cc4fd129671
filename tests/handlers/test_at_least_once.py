"""Inbound at-least-once: a confirm that arrives twice records one thing, once."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import threading

from sqlmodel import Session, select

from handlers.messages import Inbound
from storage.models import Acknowledgement, Contribution, OutboxMessage, ProgressReport
from tests.support.assignments import seed_directive
from tests.support.chat import Chat
from tests.support.fund import contributions, up_to_summary, village_head

PLAN = ("45/KH-UBND", "Kế hoạch xây dựng xã hội học tập năm 2026")


def _redelivered(chat: Chat, *, text: str = "", choice: str = "") -> Inbound:
    """The chat's next event, as a platform would hand it over (once or more)."""
    return Inbound(
        channel=chat.channel,
        external_id=chat.external_id,
        chat_id=chat.external_id,
        message_key=f"{chat.channel}:redelivered:{chat.external_id}",
        at=dt.datetime.now(dt.UTC),
        text=text,
        choice=choice,
    )


def _count(database, table) -> int:  # type: ignore[no-untyped-def]
    with Session(database) as session:
        return len(list(session.exec(select(table))))


async def test_a_redelivered_telegram_confirm_records_one_contribution(engine, database):
    """Telegram hands the 'Xác nhận' tap over twice: one receipt, one reply."""
    chat = await village_head(engine)
    await up_to_summary(chat)
    confirm = next(cid for cid, label in chat.choices if label == "Xác nhận")
    tap = _redelivered(chat, choice=confirm)

    assert await engine.handle(tap)
    assert await engine.handle(tap) == []

    assert [row.receipt_no for row in contributions(database)] == ["KH2026-00001"]
    [receipt] = chat.inbox()
    assert "KH2026-00001" in receipt


async def test_a_replayed_zalo_confirm_records_one_contribution(engine, database):
    """Zalo replays the message '1' that confirmed: still one receipt."""
    chat = await village_head(engine, "zalo", "z-head")
    await up_to_summary(chat)
    answer = _redelivered(chat, text="1")

    await engine.handle(answer)
    await engine.handle(answer)

    assert [row.receipt_no for row in contributions(database)] == ["KH2026-00001"]
    assert len(chat.inbox()) == 1


async def test_a_dropped_duplicate_leaves_a_log_line_saying_why(engine, database, caplog):
    """The replayed '1' gets no answer, but the log says it was a duplicate, and of what."""
    chat = await village_head(engine, "zalo", "z-head")
    await up_to_summary(chat)
    answer = _redelivered(chat, text="1")
    await engine.handle(answer)

    with caplog.at_level("INFO", logger="handlers.engine"):
        assert await engine.handle(answer) == []

    assert [record.getMessage() for record in caplog.records] == [
        "duplicate inbound zalo:redelivered:z-head dropped: already handled"
    ]


async def test_a_redelivered_report_and_acknowledgement_are_stored_once(engine, database):
    """The village head's 'Đã nhận' and 'Gửi báo cáo' each arrive twice: one of each is stored
    (the report, which also counts as received, adds no second acknowledgement)."""
    assignment_id = seed_directive(database, *PLAN, ["Thôn Đông"]).assignments["Thôn Đông"]
    chat = await village_head(engine)
    received = _redelivered(chat, choice=f"/ack {assignment_id}")
    await engine.handle(received)
    await engine.handle(received)
    chat.inbox()

    await chat.send("/baocao")
    await chat.tap("Đang thực hiện")
    send = next(cid for cid, label in chat.choices if label == "Gửi báo cáo")
    report = dataclasses.replace(_redelivered(chat, choice=send), message_key="telegram:r2")
    await engine.handle(report)
    await engine.handle(report)

    assert _count(database, Acknowledgement) == 1
    assert _count(database, ProgressReport) == 1
    [confirmation] = chat.inbox()
    assert confirmation.startswith("Đã gửi báo cáo: Đang thực hiện, công văn 45/KH-UBND")


async def test_two_workers_handling_the_same_confirm_at_once_record_it_once(engine, database):
    """Two processes pick up the same redelivered tap at the same moment: one receipt."""
    chat = await village_head(engine)
    await up_to_summary(chat)
    confirm = next(cid for cid, label in chat.choices if label == "Xác nhận")
    tap = _redelivered(chat, choice=confirm)
    start = threading.Barrier(2)
    queued: list[list[int]] = []

    def worker() -> None:
        start.wait()
        queued.append(asyncio.run(engine.handle(tap)))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(len(ids) for ids in queued) == [0, 1]
    assert [row.receipt_no for row in contributions(database)] == ["KH2026-00001"]
    with Session(database) as session:
        replies = session.exec(
            select(OutboxMessage).where(OutboxMessage.text.contains("KH2026-00001"))  # type: ignore[attr-defined]
        ).all()
    assert len(replies) == 1
    assert _count(database, Contribution) == 1
