"""Faults at the edge, end to end: `hoctap run` as a real process against the fake Bot APIs.

An update Telegram's library cannot parse, getUpdates answers of the wrong shape, a refused
token on one channel, the database going away: no message is lost and the bot keeps serving
on every channel that still can.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from storage.db import upgrade
from storage.models import Contribution, Role
from tests.e2e.test_commune_day import HOCTAP, TelegramUser, ZaloUser
from tests.support.chat import invite
from tests.support.databases import postgres_database
from tests.support.fake_telegram import FakeTelegram
from tests.support.fake_zalo import FakeZalo
from tests.support.tcp_proxy import TcpProxy

WAIT = 30.0
HEAD, STRANGER = 222_000_222, 333_000_333
PRINCIPAL, VISITOR = "8a7f3c2e1b0d4f65", "5b2e9d1c7a3f8e40"
EXPLAINED = "mã mời"
"""Part of what a stranger is told: how to join with an invite code."""


@pytest.fixture
def fakes() -> Iterator[tuple[FakeTelegram, FakeZalo]]:
    """Fake Telegram and Zalo Bot API servers on 127.0.0.1."""
    telegram, zalo = FakeTelegram().start(), FakeZalo().start()
    yield telegram, zalo
    telegram.stop()
    zalo.stop()


def environment(url: str, telegram: FakeTelegram, zalo: FakeZalo, **extra: str) -> dict[str, str]:
    """The process environment of the bot pointing at the fakes and the database at `url`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))}
    env.update(
        DATABASE_URL=url,
        TELEGRAM_BOT_TOKEN=telegram.token,
        TELEGRAM_API_URL=telegram.url,
        ZALO_BOT_TOKEN=zalo.token,
        ZALO_API_URL=zalo.url,
        POLL_TIMEOUT="1",
        LOG_LEVEL="DEBUG",
        QUIET_HOURS="off",
    )
    env.update(extra)
    return env


class Bot:
    """`hoctap run` in the background, its output in a log file."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.path = cwd / "bot.log"
        self._log = self.path.open("w")
        self.process = subprocess.Popen(
            [HOCTAP, "run"], env=env, cwd=cwd, stdout=self._log, stderr=subprocess.STDOUT
        )

    def log(self) -> str:
        """What the bot has logged so far."""
        return self.path.read_text(encoding="utf-8")

    def logs(self, fragment: str) -> bool:
        """Wait until the log holds `fragment` (or the process ended); say whether it does."""
        deadline = time.monotonic() + WAIT
        while fragment not in self.log() and time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        return fragment in self.log()

    def stop(self) -> int:
        """SIGTERM, then the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=20)
        finally:
            self.process.kill()
            self._log.close()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A migrated SQLite database for the bot."""
    url = f"sqlite:///{tmp_path / 'hoctap.db'}"
    upgrade(url)
    return url


def test_an_update_the_library_cannot_parse_is_skipped_and_both_channels_go_on(
    tmp_path: Path, fakes: tuple[FakeTelegram, FakeZalo], sqlite_url: str
) -> None:
    """Odd updates wait in the queue when the bot starts; it skips them without logging what
    was written, confirms them (no crash loop on restart) and answers the good ones behind."""
    telegram, zalo = fakes
    secret = "Số tài khoản 0123456789 của tôi"
    sender = {"id": STRANGER, "is_bot": False}
    chat = {"id": STRANGER, "type": "private"}
    telegram.push_update(
        {"message": {"message_id": 1, "from": sender, "chat": chat, "date": "yesterday",
                     "text": secret}}
    )
    telegram.push_update(
        {"message": {"message_id": 2, "from": sender, "chat": {"id": STRANGER}, "date": 1,
                     "text": secret}}
    )
    telegram.push_update(
        {"message": {"message_id": 3, "from": sender, "chat": chat, "date": "?", "text": secret}},
        with_update_id=False,
    )
    telegram.user_sends(HEAD, "xin chào")
    zalo.user_sends(VISITOR, "xin chào")
    bot = Bot(environment(sqlite_url, telegram, zalo), tmp_path)
    try:
        TelegramUser(telegram, HEAD).sees(EXPLAINED)
        ZaloUser(zalo, VISITOR).sees(EXPLAINED)
        assert telegram.wait_for(lambda: telegram.unconfirmed() == [], WAIT)
        assert bot.process.poll() is None
    finally:
        code = bot.stop()
    log = bot.log()
    assert code == 0, log
    assert "skipped: cannot read it (ValueError)" in log
    assert secret not in log
    assert telegram.messages_to(STRANGER) == []


def test_bad_get_updates_answers_on_both_channels_are_waited_out(
    tmp_path: Path, fakes: tuple[FakeTelegram, FakeZalo], sqlite_url: str
) -> None:
    """An HTML page, {"ok": true} alone, a result that is no list: each channel pauses and
    asks again; nobody's message is lost and the process never stops."""
    telegram, zalo = fakes
    for fake in (telegram, zalo):
        html = "<html><h1>502 Bad Gateway</h1></html>"
        fake.answer_raw_next("getUpdates", 200, html, "text/html")
        fake.answer_raw_next("getUpdates", 200, '{"ok": true}')
        fake.answer_raw_next("getUpdates", 200, '{"ok": true, "result": "busy"}')
        fake.answer_raw_next("getUpdates", 403, '{"ok": false, "error_code": 403, '
                             '"description": "Forbidden"}')
    telegram.user_sends(HEAD, "xin chào")
    zalo.user_sends(VISITOR, "xin chào")
    bot = Bot(environment(sqlite_url, telegram, zalo), tmp_path)
    try:
        TelegramUser(telegram, HEAD).sees(EXPLAINED)
        ZaloUser(zalo, VISITOR).sees(EXPLAINED)
        assert bot.process.poll() is None
    finally:
        code = bot.stop()
    log = bot.log()
    assert code == 0, log
    assert "Telegram getUpdates failed" in log and "Zalo getUpdates failed" in log


def test_a_refused_token_stops_that_channel_only_and_the_last_one_stops_the_bot(
    tmp_path: Path, fakes: tuple[FakeTelegram, FakeZalo], sqlite_url: str
) -> None:
    """Telegram refuses the token (401): an ERROR says so, Zalo keeps answering. When Zalo
    refuses its token too, no channel is left and the process exits non-zero."""
    telegram, zalo = fakes
    bot = Bot(environment(sqlite_url, telegram, zalo), tmp_path)
    try:
        telegram.user_sends(HEAD, "xin chào")
        TelegramUser(telegram, HEAD).sees(EXPLAINED)
        telegram.fail_next("getUpdates", 401, "Unauthorized", count=1000)
        assert bot.logs("ERROR"), bot.log()
        assert re.search(r"ERROR .*telegram channel stopped: .*Unauthorized", bot.log())
        zalo.user_sends(VISITOR, "xin chào")
        ZaloUser(zalo, VISITOR).sees(EXPLAINED)
        assert bot.process.poll() is None
        zalo.fail_next("getUpdates", 401, "Unauthorized", count=1000)
        code = bot.process.wait(timeout=WAIT)
    finally:
        bot.stop()
    log = bot.log()
    assert code == 1, log
    assert re.search(r"ERROR .*zalo channel stopped: .*401", log)
    assert "No channel left" in log


def test_a_token_refused_at_start_leaves_the_other_channel_serving(
    tmp_path: Path, fakes: tuple[FakeTelegram, FakeZalo], sqlite_url: str
) -> None:
    """A wrong Telegram token at start is reported, and Zalo serves all the same."""
    telegram, zalo = fakes
    env = environment(sqlite_url, telegram, zalo, TELEGRAM_BOT_TOKEN="123456:not-the-token")
    bot = Bot(env, tmp_path)
    try:
        zalo.user_sends(VISITOR, "xin chào")
        ZaloUser(zalo, VISITOR).sees(EXPLAINED)
        assert bot.process.poll() is None
    finally:
        code = bot.stop()
    log = bot.log()
    assert code == 0, log
    assert re.search(r"ERROR .*telegram channel could not start", log)
    assert "not-the-token" not in log


def test_a_platform_unreachable_at_start_is_started_later(
    tmp_path: Path, fakes: tuple[FakeTelegram, FakeZalo], sqlite_url: str
) -> None:
    """Telegram answers 502 when the bot starts: Zalo serves at once, Telegram a little later."""
    telegram, zalo = fakes
    telegram.fail_next("getMe", 502, "Bad Gateway")
    telegram.user_sends(HEAD, "xin chào")
    zalo.user_sends(VISITOR, "xin chào")
    bot = Bot(environment(sqlite_url, telegram, zalo), tmp_path)
    try:
        ZaloUser(zalo, VISITOR).sees(EXPLAINED)
        TelegramUser(telegram, HEAD).sees(EXPLAINED)
        assert bot.process.poll() is None
    finally:
        code = bot.stop()
    log = bot.log()
    assert code == 0, log
    assert "telegram channel could not start yet" in log
    assert "telegram channel ready" in log


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs TEST_DATABASE_URL")
def test_a_database_outage_loses_no_message_and_no_tap(
    tmp_path: Path, fakes: tuple[FakeTelegram, FakeZalo]
) -> None:
    """PostgreSQL goes away for a few seconds while the village head taps "Xác nhận" on a
    contribution and both heads write: afterwards each gets every answer, in order, the
    contribution is recorded once, and the log tells the outage in two lines, not a traceback
    per second."""
    telegram, zalo = fakes
    _direct, database = postgres_database()
    target = make_url(os.environ["TEST_DATABASE_URL"])
    proxy = TcpProxy(target.host or "127.0.0.1", target.port or 5432).start()
    url = target.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    head_code = invite(database, Role.FOCAL, "Thôn Đông")
    principal_code = invite(database, Role.FOCAL, "Trường TH An Hưng")
    bot = Bot(environment(url, telegram, zalo), tmp_path)
    head, principal = TelegramUser(telegram, HEAD), ZaloUser(zalo, PRINCIPAL)
    try:
        head.says(f"/start {head_code}")
        head.sees("họ và tên")
        head.says("Nguyễn Văn An")
        head.sees("Cảm ơn anh/chị Nguyễn Văn An")
        principal.says(principal_code)
        principal.sees("họ và tên")
        principal.says("Trần Thị Bích")
        principal.sees("Cảm ơn anh/chị Trần Thị Bích")
        head.says("/quy")
        head.sees("người đóng góp")
        head.says("Dòng họ Nguyễn")
        head.sees("Số tiền")
        head.says("2tr")
        head.sees("Ghi chú")
        head.taps("Bỏ qua")
        head.sees("hai triệu đồng")

        proxy.cut()
        head.taps("Xác nhận")
        head.says("/menu")
        principal.says("/menu")
        principal.says("/help")
        # The updates wait on Telegram, unconfirmed, while the database is away.
        time.sleep(3)
        assert len(telegram.unconfirmed()) == 2
        proxy.restore()

        # In the order written: the receipt, then the menu; the menu, then the help.
        head.sees("Số biên lai")
        head.sees("Anh/chị muốn làm gì?")
        principal.sees("Anh/chị muốn làm gì?")
        principal.sees("“ngôn ngữ”")
    finally:
        code = bot.stop()
        proxy.stop()
    log = bot.log()
    assert code == 0, log
    with Session(database) as session:
        contributions = session.exec(select(Contribution)).all()
    database.dispose()
    assert [c.amount for c in contributions] == [2_000_000]
    assert log.count("holding inbound messages") == 1, log
    assert re.search(r"database back after \d+ s", log)
    assert "Traceback" not in log, log
    # Loops that touch the database every second say so once, not once a second.
    errors = [line.split(" ", 2)[2] for line in log.splitlines() if " ERROR " in line]
    assert len(errors) == len(set(errors)), errors
