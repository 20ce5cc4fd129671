"""Benchmark: the background and status work on a commune grown large.

Seeds, with bulk inserts, U units (default 10,000) with two focal points each, directives due
today over those units (N due assignments, default 100,000), 1,000 newer open directives to
100 units each, and a fund ledger of R rows (default 1,000,000, about 2% of them reversals)
collected by the first 100 units (--ledger-units) and the office.
Then it times, median of 3 runs each, beside a hand-written SQL baseline for the same answer:

- the reminder pass, called as the scheduler calls it (bot.scheduler.reminder_pass);
- directive_status of one directive to all U units (escalations, the digest, /tinhhinh <id>);
- /quytonghop and /tinhhinh, sent by an admin through the real dialog engine.

    .venv/bin/python bench/background.py                      # SQLite in a temporary folder
    .venv/bin/python bench/background.py --assignments 10000 --skip-reminders
    .venv/bin/python bench/background.py --database-url postgresql+psycopg://…/db --reset

It is a script, not a test; it touches nothing but the given database.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Connection, Engine, Table, func, text
from sqlmodel import Session, SQLModel, select

from bench.broadcast import reset
from bot.scheduler import reminder_pass
from handlers.engine import Engine as DialogEngine
from handlers.messages import Inbound
from handlers.reminder_policy import ReminderPolicy
from storage.db import make_engine, upgrade
from storage.fund_totals import check_fund_totals, rebuild_fund_totals
from storage.ledger import fund_totals, ledger_totals
from storage.models import (
    Acknowledgement,
    Assignment,
    Contribution,
    Directive,
    Identity,
    OutboxMessage,
    Person,
    ProgressReport,
    Reminder,
    Unit,
)
from storage.progress import directive_status

RUNS = 3
LIST_DIRECTIVES, LIST_UNITS = 1_000, 100
ADMIN_CHAT = "9001"
ZONE = dt.timezone(dt.timedelta(hours=7))
TODAY = dt.date(2026, 3, 20)
NOW = dt.datetime(2026, 3, 20, 8, 5, tzinfo=ZONE).astimezone(dt.UTC)
"""08:05 in the commune on the due directives' deadline: the due-day reminders fall due."""
CHUNK = 20_000


def bulk(connection: Connection, table: Table, rows: Iterable[dict[str, Any]]) -> None:
    """Insert rows in large executemany batches."""
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, CHUNK)):
        connection.execute(table.insert(), batch)


def table(model: type[SQLModel]) -> Table:
    """The Core table of a model."""
    return model.__table__  # type: ignore[attr-defined,no-any-return]


def seed(database: Engine, args: argparse.Namespace) -> dict[str, int]:
    """Fill the database; return the ids the timings need."""
    rng = random.Random(args.seed)
    created = dt.datetime(2026, 1, 5, 2, 0, tzinfo=dt.UTC)
    units, people_per_unit = args.units, 2
    due_directives = max(1, args.assignments // units)
    due_units = min(units, args.assignments)
    with database.begin() as connection:
        bulk(
            connection,
            table(Unit),
            (
                {"id": n, "name": f"Thôn {n:05d}", "kind": "village", "created_at": created}
                for n in range(1, units + 1)
            ),
        )
        people = [
            {
                "id": 1 + u * people_per_unit + k,
                "name": f"Trưởng thôn {u}-{k}",
                "role": "focal",
                "unit_id": u + 1,
                "locale": "vi",
                "created_at": created,
                "preferred_channel": "",
            }
            for u in range(units)
            for k in range(people_per_unit)
        ]
        admin = len(people) + 1
        people.append({**people[0], "id": admin, "name": "Trần Thị Hoa", "role": "admin"})
        people[-1]["unit_id"] = None
        bulk(connection, table(Person), people)
        bulk(
            connection,
            table(Identity),
            (
                {
                    "person_id": p["id"],
                    "channel": "telegram",
                    "external_id": ADMIN_CHAT if p["id"] == admin else str(8_000_000 + p["id"]),
                    "chat_id": ADMIN_CHAT if p["id"] == admin else str(8_000_000 + p["id"]),
                    "reachable": rng.random() > 0.05,
                    "unreachable_reason": "",
                    "created_at": created,
                }
                for p in people
            ),
        )
        directives, assignments = [], []
        for d in range(due_directives + LIST_DIRECTIVES):
            due = d < due_directives
            directives.append(
                {
                    "id": d + 1,
                    "number": f"{d + 1}/UBND",
                    "issued_on": dt.date(2026, 1, 1) + dt.timedelta(days=d // 20),
                    "subject": f"V/v việc số {d + 1}",
                    "content": "",
                    "file_ref": "",
                    "file_name": "",
                    "deadline": TODAY if due else dt.date(2026, 12, 31),
                    "created_by": admin,
                    "created_at": created,
                }
            )
            everyone = range(1, units + 1)
            targets = everyone[:due_units] if due else rng.sample(everyone, LIST_UNITS)
            for unit_id in targets:
                done = not due and rng.random() < 0.3
                assignments.append(
                    {
                        "id": len(assignments) + 1,
                        "directive_id": d + 1,
                        "unit_id": unit_id,
                        "status": "done" if done else "not_started",
                        "reported_at": created if done else None,
                    }
                )
        bulk(connection, table(Directive), directives)
        bulk(connection, table(Assignment), assignments)
        acks, reports = [], []
        for a in assignments:
            first = 1 + (a["unit_id"] - 1) * people_per_unit
            for person_id in (first, first + 1):
                if rng.random() < 0.5:
                    acks.append(
                        {"assignment_id": a["id"], "person_id": person_id, "at": created}
                    )
            if a["status"] == "done" or rng.random() < 0.2:
                reports.append(
                    {
                        "assignment_id": a["id"],
                        "person_id": first,
                        "status": a["status"],
                        "note": "Đang triển khai",
                        "photo_ref": "",
                        "at": created,
                    }
                )
        bulk(connection, table(Acknowledgement), acks)
        bulk(connection, table(ProgressReport), reports)
        ledger_units = min(units, args.ledger_units)
        bulk(connection, table(Contribution), ledger_rows(rng, args.ledger, ledger_units, admin))
    with Session(database) as session:
        # The bulk load bypassed record_contribution, so the running totals are summed once.
        rebuild_fund_totals(session)
        session.commit()
    return {"admin": admin, "status_directive": 1, "units": due_units}


def ledger_rows(rng: random.Random, count: int, units: int, admin: int) -> Iterable[dict]:
    """Contributions over three years, about 2% of them reversed by a later row."""
    originals: list[tuple[int, dict]] = []
    for n in range(1, count + 1):
        if originals and rng.random() < 0.02:
            original_id, original = originals.pop(rng.randrange(len(originals)))
            row = {**original, "amount": -original["amount"], "reverses_id": original_id}
        else:
            day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(3 * 365))
            row = {
                "unit_id": rng.randint(1, units) if rng.random() < 0.9 else None,
                "recorded_by": admin,
                "donor_name": "Gia đình ông Bình",
                "donor_kind": "family",
                "amount": 100_000 * rng.randint(1, 50),
                "contributed_on": day,
                "note": "",
                "reverses_id": None,
            }
            originals.append((n, row))
        year = 2024 + n * 3 // (count + 1)
        yield {
            **row,
            "id": n,
            "receipt_no": f"KH{year}-{n:07d}",
            "year": year,
            "seq": n,
            "created_at": dt.datetime(year, 6, 1, tzinfo=dt.UTC),
        }


def refresh_statistics(database: Engine) -> None:
    """Give the planner fresh statistics, as autovacuum or the next upgrade would."""
    if database.dialect.name == "postgresql":
        with database.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.execute(text("VACUUM ANALYZE"))
            # The bulk inserts bypassed the sequences; later inserts must not collide.
            for model in (Unit, Person, Identity, Directive, Assignment, Contribution):
                name = table(model).name
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                        f"(SELECT max(id) FROM \"{name}\"))"
                    )
                )
    else:
        with database.begin() as connection:
            connection.execute(text("ANALYZE"))


def median_ms(run: Callable[[], Any], before: Callable[[], Any] = lambda: None) -> float:
    """Run `run` RUNS times (calling `before` untimed ahead of each); the median in ms."""
    times = []
    for _ in range(RUNS):
        before()
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def raw(database: Engine, sql: str, **params: Any) -> Callable[[], Any]:
    """A baseline: one hand-written statement, rows fetched."""

    def run() -> Any:
        with database.connect() as connection:
            return connection.execute(text(sql), params).all()

    return run


STATUS_SQL = """
SELECT a.id, u.name, u.kind, a.status, a.reported_at,
  (SELECT count(*) FROM person p WHERE p.unit_id = a.unit_id AND p.role = 'focal'
     AND p.removed_at IS NULL),
  (SELECT count(*) FROM acknowledgement k JOIN person p ON p.id = k.person_id
    WHERE k.assignment_id = a.id AND p.unit_id = a.unit_id AND p.role = 'focal'
      AND p.removed_at IS NULL)
FROM assignment a JOIN unit u ON u.id = a.unit_id
WHERE a.directive_id = :directive AND u.archived_at IS NULL
"""
TOTALS_SQL = """
SELECT unit_id, sum(amount), sum(CASE WHEN reverses_id IS NULL THEN 1 ELSE -1 END)
FROM contribution {where} GROUP BY unit_id
"""
LIST_SQL = """
SELECT a.directive_id, count(*), sum(CASE WHEN a.status = 'done' THEN 1 ELSE 0 END)
FROM assignment a JOIN unit u ON u.id = a.unit_id
WHERE u.archived_at IS NULL AND a.directive_id IN (
  SELECT d2.id FROM directive d2 WHERE EXISTS (
    SELECT 1 FROM assignment o JOIN unit ou ON ou.id = o.unit_id
    WHERE o.directive_id = d2.id AND o.status != 'done' AND ou.archived_at IS NULL)
  ORDER BY d2.issued_on DESC, d2.id DESC LIMIT 10)
GROUP BY a.directive_id
"""
DUE = """
FROM assignment a JOIN directive d ON d.id = a.directive_id JOIN unit u ON u.id = a.unit_id
WHERE a.status != 'done' AND d.deadline = :today AND u.archived_at IS NULL
"""
REMINDER_SQL = (
    """INSERT INTO reminder (key, kind, directive_id, assignment_id, due_at, at)
SELECT 'base:' || CAST(a.id AS TEXT), 'due-day', a.directive_id, a.id, :now, :now""" + DUE,
    """INSERT INTO outboxmessage (channel, chat_id, person_id, text, choices, photo, document,
  locale, priority, broadcast_id, idempotency_key, status, attempts, parts_sent,
  first_attempt_at, not_before, leased_until, last_error, created_at, sent_at)
SELECT i.channel, i.chat_id, p.id, 'Nhắc việc: ' || u.name, {choices}, '', '', p.locale, 10, NULL,
  'base:' || CAST(a.id AS TEXT) || ':' || CAST(p.id AS TEXT) || ':' || i.channel, 'pending',
  0, 0, NULL, :now, NULL, '', :now, NULL"""
    + DUE.replace("WHERE", """JOIN person p ON p.unit_id = a.unit_id AND p.role = 'focal'
  AND p.removed_at IS NULL JOIN identity i ON i.person_id = p.id WHERE"""),
)
"""The pass's writes by hand: a reminder per due assignment, a message per focal point."""


def raw_writes(database: Engine, statements: Iterable[str], **params: Any) -> Callable[[], Any]:
    """A baseline: hand-written INSERT … SELECT statements in one transaction."""
    choices = "CAST('[]' AS JSON)" if database.dialect.name == "postgresql" else "'[]'"

    def run() -> Any:
        with database.begin() as connection:
            for statement in statements:
                connection.execute(text(statement.format(choices=choices)), params)

    return run


def command(engine: DialogEngine, counter: Iterable[int], words: str) -> Callable[[], Any]:
    """An admin's command through the real engine, one fresh message each run."""

    def run() -> Any:
        inbound = Inbound(
            channel="telegram",
            external_id=ADMIN_CHAT,
            chat_id=ADMIN_CHAT,
            message_key=f"bench:{next(iter(counter))}",
            at=NOW,
            text=words,
        )
        return asyncio.run(engine.handle(inbound))

    return run


def clear_reminders(database: Engine) -> None:
    """Forget the previous pass, so each timed pass queues everything again."""
    with database.begin() as connection:
        connection.execute(table(OutboxMessage).delete())
        connection.execute(table(Reminder).delete())


def measure(database: Engine, ids: dict[str, int], args: argparse.Namespace) -> list[tuple]:
    """Time each figure and its baseline; return (name, ours ms, baseline ms, note) rows."""
    rows: list[tuple] = []
    if not args.skip_reminders:
        policy = ReminderPolicy()
        ours = median_ms(
            lambda: reminder_pass(database, policy, NOW), lambda: clear_reminders(database)
        )
        with Session(database) as session:
            queued = session.exec(select(func.count()).select_from(OutboxMessage)).one()
        base = median_ms(
            raw_writes(database, REMINDER_SQL, today=TODAY, now=NOW),
            lambda: clear_reminders(database),
        )
        rows.append(("reminder pass", ours, base, f"{queued} messages; base = 2 INSERT…SELECT"))
        clear_reminders(database)

    def status() -> Any:
        with Session(database) as session:
            return directive_status(session, ids["status_directive"], TODAY)

    ours = median_ms(status)
    base = median_ms(raw(database, STATUS_SQL, directive=ids["status_directive"]))
    rows.append(("directive_status", ours, base, f"{ids['units']} units"))

    def totals() -> Any:
        with Session(database) as session:
            return fund_totals(session, year=2026), fund_totals(session, year=None)

    this_year = "WHERE contributed_on BETWEEN '2026-01-01' AND '2026-12-31'"
    base = median_ms(
        lambda: (
            raw(database, TOTALS_SQL.format(where=this_year))(),
            raw(database, TOTALS_SQL.format(where=""))(),
        )
    )
    counter = itertools.count()
    engine = DialogEngine(database, clock=lambda: NOW)
    rows.append(("fund_totals ×2", median_ms(totals), base, f"{args.ledger} ledger rows"))

    def summed() -> Any:
        with Session(database) as session:
            return ledger_totals(session, year=2026), ledger_totals(session, year=None)

    def check() -> Any:
        with Session(database) as session:
            assert check_fund_totals(session) == {}

    rows.append(("ledger_totals ×2", median_ms(summed), base, "summed from the ledger rows"))
    rows.append(("totals check", median_ms(check), base, "recount and compare"))
    rows.append(("/quytonghop", median_ms(command(engine, counter, "/quytonghop")), base, ""))
    base = median_ms(raw(database, LIST_SQL))
    ours = median_ms(command(engine, counter, "/tinhhinh"))
    rows.append(("/tinhhinh", ours, base, f"{LIST_DIRECTIVES} open × {LIST_UNITS} units"))
    return rows


def main() -> int:
    """Seed once, time every figure, print them."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--assignments", type=int, default=100_000, help="due assignments")
    parser.add_argument("--ledger", type=int, default=1_000_000, help="ledger rows")
    parser.add_argument("--ledger-units", type=int, default=100, help="units that collect")
    parser.add_argument("--skip-reminders", action="store_true")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp folder")
    parser.add_argument("--reset", action="store_true", help="empty the database first")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="hoctap-bench-") as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        upgrade(url)
        database = make_engine(url)
        if args.reset:
            reset(database)
        with Session(database) as session:
            if session.exec(select(func.count()).select_from(Unit)).one():
                print("the database is not empty: use a scratch one, or --reset", file=sys.stderr)
                return 2
        started = time.monotonic()
        ids = seed(database, args)
        refresh_statistics(database)
        seeded = time.monotonic() - started
        rows = measure(database, ids, args)
        database.dispose()

    backend = "postgresql" if url.startswith("postgresql") else "sqlite"
    print(f"database {backend} (seeded in {seeded:.0f} s); median of {RUNS} runs, ms")
    print(f"{'figure':<18}{'ours':>10}{'raw SQL':>10}{'ratio':>8}  note")
    for name, ours, base, note in rows:
        ratio = f"{ours / base:.1f}×" if base else "—"
        print(f"{name:<18}{ours:>10.1f}{base:>10.1f}{ratio:>8}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
