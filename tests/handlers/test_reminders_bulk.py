"""The set-based reminder pass queues, for ten thousand assignments, what the old one did."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import asdict

from sqlalchemy import Engine

from handlers.reminders import PassSummary, run_reminders
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
