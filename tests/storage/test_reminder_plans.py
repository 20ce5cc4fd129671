"""SQLite's plan for the reminder messages: linear in the assignments, statistics or not."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event, text

from handlers.reminders import run_reminders
from tests.handlers.test_reminders import REMINDERS_ONLY
from tests.support.databases import sqlite_database
from tests.support.reminder_crowd import MORNING, seed_crowd


def message_plan(database: Engine) -> list[str]:
    """Run the morning pass; return SQLite's plan for its INSERT of reminder messages."""
    plans: list[list[str]] = []

    def explain(conn, _cursor, statement, params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if statement.startswith("WITH plan") and "template" in statement and not plans:
            query = statement.split(" ON CONFLICT")[0]
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + query, params).all()
            plans.append([row[3] for row in rows])

    event.listen(database, "before_cursor_execute", explain)
    try:
        assert run_reminders(database, REMINDERS_ONLY, MORNING).reminders > 0
    finally:
        event.remove(database, "before_cursor_execute", explain)
    assert plans, "the pass wrote no reminder messages with INSERT … SELECT"
    return plans[0]


def loops(plan: list[str]) -> list[str]:
    """The tables of a plan in the order SQLite nests them (outermost first)."""
    order: list[str] = []
    for step in plan:
        words = step.split()
        if words[0] in {"SCAN", "SEARCH"} and words[1] in {"plan", "a", "u", "p", "i", "t"}:
            order.append(words[1])
    return order


def without_statistics(database: Engine) -> None:
    """Forget what ANALYZE learnt, as in a commune's database before its first restart."""
    with database.begin() as connection:
        found = connection.execute(text("SELECT 1 FROM sqlite_master WHERE name='sqlite_stat1'"))
        if found.first():
            connection.execute(text("DELETE FROM sqlite_stat1"))
        connection.execute(text("ANALYZE sqlite_master"))


def test_the_messages_are_planned_from_the_assignments_even_without_statistics(
    template_dir: Any, tmp_path: Any
) -> None:
    """A commune's database grew since its last ANALYZE: SQLite still walks the due
    assignments first and finds their people by unit, rather than walking every focal point
    for each directive (minutes instead of a second at 20,000 assignments)."""
    _url, database = sqlite_database(template_dir, tmp_path)
    seed_crowd(database)
    without_statistics(database)

    assert loops(message_plan(database)) == ["plan", "a", "u", "p", "i", "t"]
