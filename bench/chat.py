"""Benchmark: chat turns per second and reply latency, hoctap beside a bare echo bot.

A fake Bot API runs in its own process on 127.0.0.1 and plays N focal points walking
/menu, /baocao, /huy, /quy, /huy. A turn is one message and the first reply to it. First a bare
python-telegram-bot echo bot is measured against the same fake, then the real `hoctap run`
(per-chat pacing lifted by its settings): turns/s with every focal point waiting for its reply
before the next message (closed loop), then p50/p99 reply latency with messages offered at a
fixed rate (open loop).

    .venv/bin/python bench/chat.py                                # SQLite in a temporary folder
    .venv/bin/python bench/chat.py --people 200 --seconds 20 --rates 50,100
    .venv/bin/python bench/chat.py --database-url postgresql+psycopg://…/db --reset

It is a script, not a test; it never touches anything but 127.0.0.1 and the given database.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine

from storage.db import make_engine, transaction, upgrade
from storage.models import Identity, Person

FIRST_CHAT = 7_100_000_001
WALK = ["/menu", "/baocao", "/huy", "/quy", "/huy"]
ECHO_BOT = """
import sys
from telegram.ext import Application, MessageHandler, filters
url, token = sys.argv[1], sys.argv[2]
async def echo(update, context):
    await update.message.reply_text(update.message.text)
app = Application.builder().token(token).base_url(url + "/bot").build()
app.add_handler(MessageHandler(filters.TEXT, echo))
app.run_polling(poll_interval=0.0, timeout=10)
"""


def serve_fake_telegram(pipe: Connection) -> None:
    """In the child process: the fake Bot API and the focal points, until told to stop."""
    from tests.support.fake_telegram import FakeTelegram

    class TimedTelegram(FakeTelegram):
        """Notes when each message to a chat arrived."""

        def __init__(self) -> None:
            super().__init__()
            self.arrived: queue.SimpleQueue[tuple[int, float]] = queue.SimpleQueue()

        def _send(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            status, body = super()._send(method, params)
            if status == 200:
                self.arrived.put((int(params["chat_id"]), time.perf_counter()))
            return status, body

    fake = TimedTelegram().start()
    pipe.send((fake.url, fake.token))
    while True:
        order = pipe.recv()
        if order[0] == "stop":
            break
        if order[0] == "closed":
            pipe.send(_closed(fake, order[1], order[2]))
        elif order[0] == "open":
            pipe.send(_open(fake, order[1], order[2], order[3]))
    fake.stop()


def _settle(fake: Any) -> None:
    """Let stray replies of the last phase arrive, then forget them."""
    time.sleep(1.0)
    while not fake.arrived.empty():
        fake.arrived.get()


def _closed(fake: Any, chats: list[int], seconds: float) -> dict[str, Any]:
    """Every chat sends its next message as soon as the last one was answered."""
    _settle(fake)
    step = dict.fromkeys(chats, 0)
    waiting: dict[int, float] = {}
    latencies: list[float] = []
    started = time.perf_counter()
    for chat in chats:
        waiting[chat] = time.perf_counter()
        fake.user_sends(chat, WALK[0])
    end = started + seconds
    while time.perf_counter() < end:
        try:
            chat, at = fake.arrived.get(timeout=0.5)
        except queue.Empty:
            continue
        sent = waiting.pop(chat, None)
        if sent is None:
            continue  # a second message of the same reply
        latencies.append(at - sent)
        step[chat] += 1
        waiting[chat] = time.perf_counter()
        fake.user_sends(chat, WALK[step[chat] % len(WALK)])
    elapsed = time.perf_counter() - started
    return {"turns": len(latencies), "per_second": len(latencies) / elapsed}


def _open(fake: Any, chats: list[int], rate: float, seconds: float) -> dict[str, Any]:
    """Messages offered at `rate` a second, round the chats, whatever the answers do."""
    _settle(fake)
    lock = threading.Lock()
    waiting: dict[int, list[float]] = {}
    latencies: list[float] = []
    done = threading.Event()

    def collect() -> None:
        while not done.is_set() or waiting:
            try:
                chat, at = fake.arrived.get(timeout=0.5)
            except queue.Empty:
                if done.is_set():
                    return
                continue
            with lock:
                pushes = waiting.get(chat)
                if not pushes:
                    continue
                latencies.append(at - pushes.pop(0))
                if not pushes:
                    del waiting[chat]

    collector = threading.Thread(target=collect, daemon=True)
    collector.start()
    count = int(rate * seconds)
    started = time.perf_counter()
    for n in range(count):
        time.sleep(max(0.0, started + n / rate - time.perf_counter()))
        chat = chats[n % len(chats)]
        with lock:
            waiting.setdefault(chat, []).append(time.perf_counter())
        fake.user_sends(chat, WALK[(n // len(chats)) % len(WALK)])
    # Replies still due get ten more seconds; what has not come by then counts as lost.
    deadline = time.perf_counter() + 10
    while waiting and time.perf_counter() < deadline:
        time.sleep(0.1)
    done.set()
    collector.join(2)
    ordered = sorted(latencies)
    return {
        "offered": count,
        "answered": len(ordered),
        "p50": statistics.median(ordered) if ordered else float("nan"),
        "p99": ordered[int(len(ordered) * 0.99) - 1] if ordered else float("nan"),
    }


def seed(database: Engine, people: int) -> list[int]:
    """Register `people` focal points, each with a Telegram chat."""
    chats = list(range(FIRST_CHAT, FIRST_CHAT + people))
    with transaction(database) as session:
        for number, chat in enumerate(chats):
            person = Person(name=f"Trưởng thôn {number}", role="focal")
            session.add(person)
            session.flush()
            assert person.id is not None
            session.add(
                Identity(
                    person_id=person.id,
                    channel="telegram",
                    external_id=str(chat),
                    chat_id=str(chat),
                )
            )
    return chats


def peak_rss_mb(pid: int) -> float:
    """A process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(pipe: Connection, chats: list[int], args: argparse.Namespace, open_loop: bool) -> Any:
    """Warm up, then the closed loop and (for hoctap) the open loop at each rate."""
    pipe.send(("closed", chats, 3.0))
    pipe.recv()
    pipe.send(("closed", chats, args.seconds))
    closed = pipe.recv()
    opened = {}
    if open_loop:
        for rate in args.rates:
            pipe.send(("open", chats, rate, args.seconds))
            opened[rate] = pipe.recv()
    return closed, opened


def main() -> int:
    """Run the benchmark once and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--rates", default="50,100", help="offered turns/s for the latency")
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp folder")
    parser.add_argument("--reset", action="store_true", help="empty the database first")
    args = parser.parse_args()
    args.rates = [float(rate) for rate in args.rates.split(",") if rate]

    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    server = context.Process(target=serve_fake_telegram, args=(theirs,), daemon=True)
    server.start()
    api_url, token = ours.recv()
    chats = list(range(FIRST_CHAT, FIRST_CHAT + args.people))
    with tempfile.TemporaryDirectory(prefix="hoctap-bench-") as folder:
        echo = subprocess.Popen([sys.executable, "-c", ECHO_BOT, api_url, token])
        try:
            time.sleep(2)
            echo_closed, _ = measure(ours, chats, args, open_loop=False)
            echo_rss = peak_rss_mb(echo.pid)
        finally:
            echo.terminate()
            echo.wait(10)

        url = args.database_url or f"sqlite:///{folder}/bench.db"
        if args.reset:
            from bench.broadcast import reset

            upgrade(url)
            reset(make_engine(url))
        upgrade(url)
        database = make_engine(url)
        seed(database, args.people)
        database.dispose()
        environment = {
            **os.environ,
            "DATABASE_URL": url,
            "TELEGRAM_BOT_TOKEN": token,
            "TELEGRAM_API_URL": api_url,
            "TELEGRAM_RATE": "100000",
            "TELEGRAM_CHAT_RATE": "100000",
            "POLL_TIMEOUT": "10",
            "LOG_LEVEL": "WARNING",
        }
        hoctap = Path(sys.executable).with_name("hoctap")
        bot = subprocess.Popen([str(hoctap), "run"], env=environment, cwd=folder)
        try:
            time.sleep(3)
            ours_closed, opened = measure(ours, chats, args, open_loop=True)
            bot_rss = peak_rss_mb(bot.pid)
        finally:
            bot.terminate()
            bot.wait(20)
    ours.send(("stop",))
    server.join(10)

    backend = "postgresql" if url.startswith("postgresql") else "sqlite"
    ratio = ours_closed["per_second"] / echo_closed["per_second"]
    print(f"database          {backend}, {args.people} focal points, {args.seconds:g} s a phase")
    print(f"echo bot          {echo_closed['per_second']:.0f} turns/s (peak RSS {echo_rss:.0f} MB)")
    print(f"hoctap            {ours_closed['per_second']:.0f} turns/s (peak RSS {bot_rss:.0f} MB)")
    print(f"ratio             {ratio:.2f} × echo")
    for rate, found in opened.items():
        p50, p99 = found["p50"] * 1000, found["p99"] * 1000
        answered = f"{found['answered']}/{found['offered']} answered"
        print(f"at {rate:g} turns/s    p50 {p50:.0f} ms, p99 {p99:.0f} ms ({answered})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
