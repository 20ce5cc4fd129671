"""Benchmark: the memory of `hoctap run` with 100,000 people, idle and after a broadcast.

The people are seeded straight into the database (one admin, N commune leaders with a Telegram
chat, the rest focal points, all on Telegram); the bot runs as a real process against a fake
Bot API on 127.0.0.1. The admin sends /thongbao to the leaders through the fake, the outbox drains
(sending limits lifted), and the bot's resident memory is read from /proc: idle, after the
broadcast, and its peak. A bare python-telegram-bot echo bot is measured beside it.

    .venv/bin/python bench/memory.py                               # SQLite in a temporary folder
    .venv/bin/python bench/memory.py --people 100000 --recipients 10000
    .venv/bin/python bench/memory.py --database-url postgresql+psycopg://…/db --reset

It is a script, not a test; it never touches anything but 127.0.0.1 and the given database.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, insert, select

from bench.broadcast import reset
from bench.chat import ECHO_BOT
from storage.db import make_engine, upgrade
from storage.models import Identity, Person
from tests.support.fake_telegram import FakeTelegram

ADMIN = 6_000_000_001
FIRST_CHAT = 6_100_000_001


def seed(database: Engine, people: int, recipients: int) -> None:
    """One admin, `recipients` commune leaders and the rest focal points, each on Telegram."""
    table, chats = Person.__table__, Identity.__table__  # type: ignore[attr-defined]
    with database.begin() as connection:
        rows = [{"name": "Chị Hoa", "role": "admin", "locale": "vi", "preferred_channel": ""}]
        rows += [
            {
                "name": f"Người {n}",
                "role": "leader" if n < recipients else "focal",
                "locale": "vi",
                "preferred_channel": "",
            }
            for n in range(people)
        ]
        for start in range(0, len(rows), 5000):
            connection.execute(insert(table), rows[start : start + 5000])
        ids = list(connection.execute(select(table.c.id).order_by(table.c.id)).scalars())
        accounts = [
            {
                "person_id": person_id,
                "channel": "telegram",
                "external_id": str(chat),
                "chat_id": str(chat),
                "reachable": True,
                "unreachable_reason": "",
            }
            for person_id, chat in zip(
                ids, [ADMIN, *range(FIRST_CHAT, FIRST_CHAT + people)], strict=False
            )
        ]
        for start in range(0, len(accounts), 5000):
            connection.execute(insert(chats), accounts[start : start + 5000])


def rss_mb(pid: int) -> tuple[float, float]:
    """A process's resident memory now and at its peak (VmRSS, VmHWM), in MB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0]) / 1024
    return found["VmRSS"], found["VmHWM"]


def tap(fake: FakeTelegram, chat: int, label: str) -> None:
    """Tap the button with this label on the bot's last message."""
    assert fake.wait_for(lambda: any(text == label for _, text in fake.last_buttons(chat)), 60)
    data = next(data for data, text in fake.last_buttons(chat) if text == label)
    fake.user_taps(chat, data)


def broadcast(fake: FakeTelegram, recipients: int, timeout: float) -> float:
    """The admin sends an announcement to the commune leaders; return seconds until all arrived."""
    fake.user_sends(ADMIN, "/thongbao")
    assert fake.wait_for(lambda: len(fake.messages_to(ADMIN)) >= 1, 60)
    fake.user_sends(ADMIN, "Họp dân 19:30 tối nay tại nhà văn hoá thôn.")
    tap(fake, ADMIN, "Lãnh đạo xã")
    tap(fake, ADMIN, "Gửi")
    started = time.monotonic()
    delivered = lambda: sum(fake.sent_counts().values()) - len(fake.messages_to(ADMIN))  # noqa: E731
    fake.wait_for(lambda: delivered() >= recipients, timeout)
    return time.monotonic() - started


def main() -> int:
    """Run the benchmark once and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--idle", type=float, default=5.0, help="seconds to wait idle")
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp folder")
    parser.add_argument("--reset", action="store_true", help="empty the database first")
    args = parser.parse_args()

    fake = FakeTelegram().start()
    with tempfile.TemporaryDirectory(prefix="hoctap-bench-") as folder:
        echo = subprocess.Popen([sys.executable, "-c", ECHO_BOT, fake.url, fake.token])
        time.sleep(args.idle)
        echo_idle, echo_peak = rss_mb(echo.pid)
        echo.terminate()
        echo.wait(10)

        url = args.database_url or f"sqlite:///{folder}/bench.db"
        upgrade(url)
        database = make_engine(url)
        if args.reset:
            reset(database)
        seed(database, args.people, args.recipients)
        database.dispose()
        environment = {
            **os.environ,
            "DATABASE_URL": url,
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_URL": fake.url,
            "TELEGRAM_RATE": "100000",
            "TELEGRAM_CHAT_RATE": "100000",
            "QUIET_HOURS": "off",
            "POLL_TIMEOUT": "10",
            "LOG_LEVEL": "WARNING",
        }
        hoctap = Path(sys.executable).with_name("hoctap")
        bot = subprocess.Popen([str(hoctap), "run"], env=environment, cwd=folder)
        try:
            time.sleep(args.idle)
            idle, _ = rss_mb(bot.pid)
            seconds = broadcast(fake, args.recipients, timeout=600)
            time.sleep(2)
            after, peak = rss_mb(bot.pid)
        finally:
            bot.terminate()
            bot.wait(20)
    fake.stop()

    backend = "postgresql" if url.startswith("postgresql") else "sqlite"
    print(f"database          {backend}, {args.people} people")
    print(f"echo bot          idle {echo_idle:.0f} MB (peak {echo_peak:.0f} MB)")
    print(f"hoctap idle       {idle:.0f} MB")
    print(f"after broadcast   {after:.0f} MB, peak {peak:.0f} MB")
    print(f"broadcast         {args.recipients} delivered in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
