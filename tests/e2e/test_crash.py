"""A crash mid-broadcast: `hoctap run` is killed with SIGKILL while 500 messages go out.

After a restart every recipient has the announcement; the only duplicates are messages the
killed process had sent but not yet marked, at most one per chat in flight.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import col, select

from storage.db import make_engine, transaction, upgrade
from storage.models import Identity, OutboxMessage, OutboxStatus, Person, Role
from tests.support.fake_telegram import FakeTelegram

HOCTAP = str(Path(sys.executable).with_name("hoctap"))
ADMIN = 111_000_111
RECIPIENTS = 500
FIRST_RECIPIENT = 900_000_001
IN_FLIGHT = 8
"""SEND_CONCURRENCY for the bot: how many chats may have a message in flight at once."""
ANNOUNCEMENT = "Họp triển khai Đề án xã hội học tập lúc 14h thứ Hai tại hội trường UBND xã."
WAIT = 60.0


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    """A fake Telegram Bot API on 127.0.0.1."""
    fake = FakeTelegram().start()
    yield fake
    fake.stop()


def commune_of_500(url: str) -> None:
    """An admin on Telegram and 500 focal points, each with a Telegram chat."""
    upgrade(url)
    database = make_engine(url)
    with transaction(database) as session:
        admin = Person(name="Lê Thị Hoa", role=Role.ADMIN.value)
        session.add(admin)
        session.flush()
        session.add(
            Identity(
                person_id=admin.id, channel="telegram", external_id=str(ADMIN), chat_id=str(ADMIN)
            )
        )
        for number in range(RECIPIENTS):
            person = Person(name=f"Trưởng thôn {number + 1}", role=Role.FOCAL.value)
            session.add(person)
            session.flush()
            chat = str(FIRST_RECIPIENT + number)
            session.add(
                Identity(person_id=person.id, channel="telegram", external_id=chat, chat_id=chat)
            )
    database.dispose()


def copies(telegram: FakeTelegram) -> list[int]:
    """How many copies of the announcement each recipient's chat holds."""
    return [
        sum(
            ANNOUNCEMENT in (m.get("text") or "") for m in telegram.messages_to(FIRST_RECIPIENT + n)
        )
        for n in range(RECIPIENTS)
    ]


def start_bot(environment: dict[str, str], cwd: Path, log_name: str) -> subprocess.Popen[bytes]:
    """Start `hoctap run` with its output in a log file."""
    log = (cwd / log_name).open("w")
    return subprocess.Popen(
        [HOCTAP, "run"], env=environment, cwd=cwd, stdout=log, stderr=subprocess.STDOUT
    )


def admin_sees(telegram: FakeTelegram, fragment: str) -> None:
    """Wait for the admin to receive a message containing `fragment`."""

    def arrived() -> bool:
        return any(fragment in (m.get("text") or "") for m in telegram.messages_to(ADMIN))

    assert telegram.wait_for(arrived, WAIT), telegram.messages_to(ADMIN)


def admin_taps(telegram: FakeTelegram, label: str) -> None:
    """Tap a button on the admin's newest message with buttons."""
    [data] = [data for data, shown in telegram.last_buttons(ADMIN) if shown == label]
    telegram.user_taps(ADMIN, data)


def test_a_broadcast_survives_sigkill_and_a_restart(tmp_path: Path, telegram: FakeTelegram) -> None:
    """Killed after about a third went out, restarted: all 500 have it, duplicates within bound."""
    url = f"sqlite:///{tmp_path / 'hoctap.db'}"
    commune_of_500(url)
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))}
    environment.update(
        DATABASE_URL=url,
        TELEGRAM_BOT_TOKEN=telegram.token,
        TELEGRAM_API_URL=telegram.url,
        POLL_TIMEOUT="1",
        QUIET_HOURS="off",
        TELEGRAM_RATE="100",
        SEND_CONCURRENCY=str(IN_FLIGHT),
        OUTBOX_LEASE_SECONDS="5",
    )
    bot = start_bot(environment, tmp_path, "first.log")
    try:
        telegram.user_sends(ADMIN, "/thongbao")
        admin_sees(telegram, "Anh/chị nhập nội dung thông báo")
        telegram.user_sends(ADMIN, ANNOUNCEMENT)
        admin_sees(telegram, "Gửi thông báo tới ai?")
        admin_taps(telegram, "Tất cả mọi người")
        admin_sees(telegram, "Số người nhận: 500")
        admin_taps(telegram, "Gửi")
        assert telegram.wait_for(lambda: sum(map(bool, copies(telegram))) >= 150, WAIT)
    finally:
        bot.send_signal(signal.SIGKILL)
        bot.wait(timeout=10)
    at_kill = copies(telegram)
    assert 150 <= sum(map(bool, at_kill)) < RECIPIENTS, "the kill must land mid-broadcast"

    bot = start_bot(environment, tmp_path, "second.log")
    try:
        assert telegram.wait_for(lambda: all(copies(telegram)), WAIT), (
            tmp_path / "second.log"
        ).read_text()
        # The delivery report comes once every row is recorded sent ("500" alone would
        # match the earlier "Số người nhận: 500" and stop the bot before that).
        admin_sees(telegram, "Đã gửi tới 500/500 người")
    finally:
        bot.send_signal(signal.SIGTERM)
        bot.wait(timeout=20)

    final = copies(telegram)
    duplicates = sum(count - 1 for count in final)
    assert all(count >= 1 for count in final)
    assert duplicates <= IN_FLIGHT, f"{duplicates} duplicates, more than {IN_FLIGHT} in flight"
    database = make_engine(url)
    with transaction(database) as session:
        rows = list(
            session.exec(select(OutboxMessage).where(col(OutboxMessage.broadcast_id).is_not(None)))
        )
    database.dispose()
    assert len(rows) == RECIPIENTS
    assert {row.status for row in rows} == {OutboxStatus.SENT}
