"""The set-based reminder pass queues, for ten thousand assignments, what the old one did."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import asdict

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from handlers.reminder_policy import ReminderPolicy
from handlers.reminders import PassSummary, run_reminders
from storage.db import transaction
from storage.models import Identity, OutboxMessage, Person
from tests.handlers.test_reminders import REMINDERS_ONLY
from tests.support.reminder_crowd import MORNING, NIGHT, empty, queued, seed_crowd
from tests.support.reminders_reference import run_reference

_OLD_WAY: dict[str, tuple[list[dict], list[dict]]] = {}


def old_way(database: Engine) -> tuple[list[dict], list[dict]]:
    """The crowd reminded one assignment at a time, in the morning and again at night.

    Worked out once per backend: the old pass is what takes the time here.
    """
    backend = database.dialect.name
    if backend not in _OLD_WAY:
        empty(database)
        seed_crowd(database)
        summaries, after = [], []
        for moment in (MORNING, NIGHT):
            summaries.append(asdict(run_reference(database, REMINDERS_ONLY, moment)))
            after.append(queued(database))
        _OLD_WAY[backend] = summaries, after
    return _OLD_WAY[backend]


def test_a_crowd_is_reminded_exactly_as_one_by_one(database):
    """200 units with 50 directives each: the morning pass (due today, tomorrow, in three
    days, overdue) and the night pass (in quiet hours) queue the same records, messages,
    chats and languages, and the same prompts for numbered replies, as the old pass."""
    summaries, expected = old_way(database)
    assert summaries[0]["reminders"] > 500 and summaries[0]["messages"] > 1000
    assert summaries[1]["deferred"] > 500
    empty(database)
    seed_crowd(database)
    for moment, summary, before in zip((MORNING, NIGHT), summaries, expected, strict=True):
        assert asdict(run_reminders(database, REMINDERS_ONLY, moment)) == summary
        after = queued(database)
        for table in ("reminders", "outbox", "chats"):
            assert after[table] == before[table], table


def test_a_second_pass_and_two_at_once_queue_nothing_twice(database):
    """Two passes started together queue each reminder once; a third finds nothing to do."""
    _summaries, expected = old_way(database)
    empty(database)
    seed_crowd(database)
    results: list[PassSummary] = []

    def run(moment: dt.datetime) -> None:
        results.append(run_reminders(database, REMINDERS_ONLY, moment))

    threads = [threading.Thread(target=run, args=(MORNING,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2 and not any(summary.failed for summary in results)
    assert queued(database) == expected[0]
    assert run_reminders(database, REMINDERS_ONLY, MORNING) == PassSummary()
    assert queued(database) == expected[0]


ESCALATIONS_ONLY = ReminderPolicy.parse(reminder_schedule="off", weekly_digest="off")
OVERSEERS = [("admin", ["telegram"]), ("leader", ["zalo"]), ("admin", ["telegram", "zalo"])]


def add_overseers(database: Engine) -> None:
    """Two admins and a leader of the commune, on Telegram, Zalo and both (ids past the crowd's)."""
    with transaction(database) as session:
        for number, (role, channels) in enumerate(OVERSEERS, start=1):
            person_id = 90_000 + number
            session.add(Person(id=person_id, name=f"Lãnh đạo {number}", role=role))
            session.flush()
            for index, channel in enumerate(channels):
                external = f"{channel}-{person_id}"
                session.add(
                    Identity(
                        id=90_000 + number * 10 + index,
                        person_id=person_id,
                        channel=channel,
                        external_id=external,
                        chat_id=external,
                    )
                )


def escalation_texts(database: Engine) -> list[str]:
    """The texts of the escalations queued, in the order they were queued."""
    with Session(database) as session:
        query = (
            select(OutboxMessage.text)
            .where(col(OutboxMessage.idempotency_key).like("directive:%:overdue:%"))
            .order_by(col(OutboxMessage.id))
        )
        return list(session.exec(query))


def test_overdue_directives_are_escalated_as_one_directive_at_a_time(database):
    """The morning pass tells two admins and a leader of every overdue directive of the crowd,
    naming the first 30 late units and counting the rest, exactly as the old pass did with a
    whole status matrix per directive; a second pass tells nobody again."""
    empty(database)
    seed_crowd(database)
    add_overseers(database)
    reference = asdict(run_reference(database, ESCALATIONS_ONLY, MORNING))
    expected = queued(database)
    empty(database)
    seed_crowd(database)
    add_overseers(database)

    assert asdict(run_reminders(database, ESCALATIONS_ONLY, MORNING)) == reference

    assert queued(database) == expected
    assert reference["escalations"] > 10 and reference["messages"] == 3 * reference["escalations"]
    first = escalation_texts(database)[0]
    assert first.count("\n- ") == 30 and "đơn vị khác" in first
    assert run_reminders(database, ESCALATIONS_ONLY, MORNING) == PassSummary()
