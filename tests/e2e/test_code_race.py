"""Two `hoctap run` processes on one database race for the same invite codes.

One process serves Telegram, the other Zalo (as two servers sharing a database would). For
each code a Telegram user and a Zalo user send it at the same moment: exactly one of them joins,
the other is told the code is not valid, and no second person is left behind.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from storage.db import make_engine, upgrade
from storage.models import Identity, InviteCode, Person, Role
from tests.e2e.test_commune_day import TelegramUser, ZaloUser
from tests.e2e.test_faults import Bot, environment
from tests.support.chat import invite
from tests.support.databases import BACKENDS, postgres_database
from tests.support.fake_telegram import FakeTelegram
from tests.support.fake_zalo import FakeZalo

CODES = 8
WAIT = 30.0
ASKS_NAME = "họ và tên"
REFUSED = "Mã mời không đúng hoặc đã hết hạn"


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database on each backend, by URL for the bot processes."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'hoctap.db'}"
        upgrade(url)
        return url
    url, engine = postgres_database()
    engine.dispose()
    return url


@pytest.fixture
def bots(tmp_path: Path, database_url: str) -> Iterator[tuple[FakeTelegram, FakeZalo]]:
    """A Telegram-only and a Zalo-only `hoctap run`, both ready, on the same database."""
    telegram, zalo = FakeTelegram().start(), FakeZalo().start()
    env = environment(database_url, telegram, zalo)
    only_telegram = {k: v for k, v in env.items() if not k.startswith("ZALO_")}
    only_zalo = {k: v for k, v in env.items() if not k.startswith("TELEGRAM_")}
    (tmp_path / "t").mkdir()
    (tmp_path / "z").mkdir()
    running = [Bot(only_telegram, tmp_path / "t"), Bot(only_zalo, tmp_path / "z")]
    try:
        for bot in running:
            assert bot.logs("channel ready"), bot.log()
        yield telegram, zalo
    finally:
        for bot in running:
            bot.stop()
        telegram.stop()
        zalo.stop()


def test_a_code_sent_at_once_from_two_processes_makes_one_person(database_url, bots) -> None:  # type: ignore[no-untyped-def]
    """Eight codes, each sent by a Telegram and a Zalo user at the same moment: eight people,
    each code used once, and every loser told the code is not valid."""
    telegram, zalo = bots
    database = make_engine(database_url)
    codes = [invite(database, Role.FOCAL, "Thôn Đông") for _ in range(CODES)]
    pairs = [
        (TelegramUser(telegram, 700_000 + n), ZaloUser(zalo, f"race{n:02d}ab12cd34ef"))
        for n in range(CODES)
    ]
    for code, (on_telegram, on_zalo) in zip(codes, pairs, strict=True):
        on_telegram.says(f"/start {code}")
        on_zalo.says(code)

    deadline = time.monotonic() + WAIT
    outcomes: list[tuple[str, str]] = []
    while time.monotonic() < deadline:
        outcomes = [
            (_answer(telegram.messages_to(t.user_id)), _answer(_texts(zalo, z.user_id)))
            for t, z in pairs
        ]
        if all(both for pair in outcomes for both in pair):
            break
        time.sleep(0.1)

    one_each = {(ASKS_NAME, REFUSED), (REFUSED, ASKS_NAME)}
    assert all(pair in one_each for pair in outcomes), outcomes
    with Session(database) as session:
        people = session.exec(select(func.count()).select_from(Person)).one()
        identities = session.exec(select(func.count()).select_from(Identity)).one()
        used = session.exec(
            select(func.count()).select_from(InviteCode).where(InviteCode.used_at != None)  # noqa: E711
        ).one()
    database.dispose()
    assert (people, identities, used) == (CODES, CODES, CODES)


def _texts(zalo: FakeZalo, user_id: str) -> list[str]:
    return list(zalo.messages_to(user_id))


def _answer(messages: list) -> str:  # type: ignore[type-arg]
    """Which of the two answers a chat got, if any yet."""
    for message in messages:
        text = message if isinstance(message, str) else message.get("text") or ""
        if REFUSED in text:
            return REFUSED
        if ASKS_NAME in text:
            return ASKS_NAME
    return ""

