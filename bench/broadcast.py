"""Benchmark: one broadcast to 10,000 people through the real Telegram adapter and sender.

A fake Bot API runs in a separate process on 127.0.0.1, accepting at most L sends in any one
second (429 "retry after 1" beyond that) and refusing a random 2% besides. This process seeds
the people and the outbox, then drains it with the real TelegramChannel and OutboxSender paced
at L, and prints how fast it went, who got nothing, who got copies, and its peak memory.

    .venv/bin/python bench/broadcast.py                       # SQLite in a temporary folder
    .venv/bin/python bench/broadcast.py --rate 200 --recipients 10000 --error-rate 0.02
    .venv/bin/python bench/broadcast.py --database-url postgresql+psycopg://…/db --reset

It is a script, not a test; it never touches anything but 127.0.0.1 and the given database.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import resource
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, func, text
from sqlmodel import Session, SQLModel, col, select

from bot.channels.telegram import TelegramChannel
from bot.delivery import OutboxSender, Pace
from handlers.messages import PRIORITY_BROADCAST, Outbound, Recipient
from handlers.outbox import enqueue
from storage.db import make_engine, transaction, upgrade
from storage.models import Identity, OutboxMessage, OutboxStatus, Person, utcnow

FIRST_CHAT = 8_000_000_001
NOTICE = (
    "Thông báo: UBND xã tổ chức hội nghị triển khai Kế hoạch xây dựng xã hội học tập năm 2026 "
    "vào 8 giờ sáng thứ Hai tại hội trường. Đề nghị các đồng chí tham dự đầy đủ, đúng giờ."
)


def serve_fake_telegram(
    pipe: Connection, rate: float, error_rate: float, retry_after: float, seed: int
) -> None:
    """In the child process: run the fake Bot API until asked for its counts."""
    from tests.support.fake_telegram import FakeTelegram

    fake = FakeTelegram()
    fake.limit(rate, retry_after=retry_after)
    fake.refuse_randomly(error_rate, seed=seed, retry_after=retry_after)
    fake.start()
    pipe.send((fake.url, fake.token))
    pipe.recv()  # "counts"
    pipe.send({"sent": fake.sent_counts(), "too_many": fake.too_many})
    pipe.recv()  # "stop"
    fake.stop()


def seed(database: Engine, recipients: int) -> list[int]:
    """Register `recipients` focal points with a Telegram chat, one broadcast row each."""
    chats = list(range(FIRST_CHAT, FIRST_CHAT + recipients))
    now = utcnow()
    with transaction(database) as session:
        people = [Person(name=f"Trưởng thôn {n}", role="focal") for n in range(recipients)]
        session.add_all(people)
        session.flush()
        for person, chat in zip(people, chats, strict=True):
            session.add(
                Identity(
                    person_id=person.id or 0,
                    channel="telegram",
                    external_id=str(chat),
                    chat_id=str(chat),
                )
            )
        for person, chat in zip(people, chats, strict=True):
            message = Outbound(
                Recipient("telegram", str(chat), person.id),
                NOTICE,
                priority=PRIORITY_BROADCAST,
                idempotency_key=f"bench:{chat}",
            )
            enqueue(session, message, "vi", now)
    return chats


def pending(database: Engine) -> int:
    """Rows not yet sent or failed."""
    with Session(database) as session:
        query = select(func.count()).where(col(OutboxMessage.status) == OutboxStatus.PENDING)
        return int(session.exec(query).one())


async def send_all(database: Engine, url: str, token: str, args: argparse.Namespace) -> Any:
    """Drain the outbox through the real adapter; return (seconds, CPU seconds, stats)."""
    channel = TelegramChannel(token, url, send_timeout=10, connections=args.concurrency + 2)
    sender = OutboxSender(
        database,
        {"telegram": channel},
        paces={"telegram": Pace(args.rate, 1)},
        concurrency=args.concurrency,
    )
    started, cpu = time.monotonic(), time.process_time()
    try:
        while True:
            await sender.pass_once()
            if not pending(database):
                break
            await asyncio.sleep(0.05)
    finally:
        await channel.close()
    elapsed, cpu = time.monotonic() - started, time.process_time() - cpu
    return elapsed, cpu, sender.stats["telegram"]


def reset(database: Engine) -> None:
    """Empty every table (only with --reset: meant for a scratch database)."""
    names = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with database.begin() as connection:
        if database.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(SQLModel.metadata.sorted_tables):
                connection.execute(table.delete())


def main() -> int:
    """Run the benchmark once and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=200.0, help="L: the API's limit, msg/s")
    parser.add_argument("--error-rate", type=float, default=0.02, help="random 429 share")
    parser.add_argument("--retry-after", type=float, default=1.0)
    parser.add_argument("--concurrency", type=int, default=12, help="sends in flight")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp folder")
    parser.add_argument("--reset", action="store_true", help="empty the database first")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    with tempfile.TemporaryDirectory(prefix="hoctap-bench-") as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        upgrade(url)
        database = make_engine(url)
        if args.reset:
            reset(database)
        if pending(database):
            print("the outbox is not empty: use a scratch database, or --reset", file=sys.stderr)
            return 2
        seeded = time.monotonic()
        chats = seed(database, args.recipients)
        seeded = time.monotonic() - seeded

        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        server = context.Process(
            target=serve_fake_telegram,
            args=(theirs, args.rate, args.error_rate, args.retry_after, args.seed),
            daemon=True,
        )
        server.start()
        try:
            api_url, token = ours.recv()
            elapsed, cpu, stats = asyncio.run(send_all(database, api_url, token, args))
            ours.send("counts")
            counts = ours.recv()
            ours.send("stop")
        finally:
            server.join(timeout=10)
            if server.is_alive():
                server.terminate()
        database.dispose()

    received: dict[int, int] = counts["sent"]
    lost = sum(1 for chat in chats if not received.get(chat))
    duplicates = sum(max(0, received.get(chat, 0) - 1) for chat in chats)
    achieved = args.recipients / elapsed
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    backend = "postgresql" if url.startswith("postgresql") else "sqlite"
    print(f"database          {backend} (seeded in {seeded:.1f} s)")
    print(f"recipients        {args.recipients}")
    print(f"L (API limit)     {args.rate:g} msg/s, random 429s {args.error_rate:.0%}")
    print(f"concurrency       {args.concurrency}")
    print(f"elapsed           {elapsed:.2f} s")
    print(f"achieved rate     {achieved:.1f} msg/s = {achieved / args.rate:.3f} L")
    print(f"messages lost     {lost}")
    print(f"duplicates        {duplicates}")
    print(f"429s seen         {stats.limited} (server answered {counts['too_many']})")
    print(f"channel pauses    {stats.pauses}")
    print(f"rows failed       {stats.failed}")
    print(f"peak in flight    {stats.peak_in_flight}")
    print(f"sender CPU        {cpu:.1f} s ({cpu / elapsed:.0%} of one core)")
    print(f"peak memory (RSS) {peak_mb:.0f} MB")
    return 0 if not lost and not duplicates else 1


if __name__ == "__main__":
    sys.exit(main())
