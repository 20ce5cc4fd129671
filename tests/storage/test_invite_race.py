"""Two chats racing for one single-use invite code: exactly one of them joins, every time."""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import threading
from collections.abc import Callable

from sqlalchemy import Engine
from sqlmodel import Session, select

from handlers.engine import Engine as DialogEngine
from handlers.messages import Inbound
from storage.db import StorageUnavailable, make_engine
from storage.models import Identity, InviteCode, OutboxMessage, Person, Role, utcnow
from tests.support.chat import invite

ROUNDS = 30
NOT_VALID = "Mã mời không đúng hoặc đã hết hạn."
_keys = itertools.count(1)


def _inbound(chat: str, code: str) -> Inbound:
    return Inbound(
        channel="zalo",
        external_id=chat,
        chat_id=chat,
        message_key=f"zalo:race:{chat}:{next(_keys)}",
        at=utcnow(),
        text=code,
    )


async def _deliver(engine: DialogEngine, inbound: Inbound) -> None:
    """Hand the event to the engine as a channel would: again while the database is busy."""
    for _attempt in range(50):
        try:
            await engine.handle(inbound)
            return
        except StorageUnavailable:
            await asyncio.sleep(0.05)
    raise AssertionError(f"{inbound.message_key} was never stored")


def _racer(url: str, racer: str, codes: list[str], barrier: Callable[[], object]) -> None:
    """One worker process (or thread): for each code, wait for the other, then send it."""
    database = make_engine(url)
    engine = DialogEngine(database)

    async def run() -> None:
        for index, code in enumerate(codes):
            barrier()
            await _deliver(engine, _inbound(f"{racer}-{index}", code))

    try:
        asyncio.run(run())
    finally:
        database.dispose()


def _process_racer(url: str, racer: str, codes: list[str], barrier) -> None:  # type: ignore[no-untyped-def]
    _racer(url, racer, codes, barrier.wait)


def _codes(database: Engine) -> list[str]:
    return [invite(database, Role.FOCAL, "Thôn Đông", utcnow()) for _ in range(ROUNDS)]


def _assert_one_winner_per_code(database: Engine, codes: list[str]) -> None:
    """Each code made exactly one person with one chat; the other chat was told 'not valid'."""
    with Session(database) as session:
        people = session.exec(select(Person)).all()
        identities = session.exec(select(Identity)).all()
        assert len(people) == len(identities) == ROUNDS
        for index, code in enumerate(codes):
            chats = {f"a-{index}", f"b-{index}"}
            [winner] = [i for i in identities if i.external_id in chats]
            row = session.exec(select(InviteCode).where(InviteCode.code == code)).one()
            assert row.used_by == winner.person_id
            [loser] = chats - {winner.external_id}
            texts = session.exec(
                select(OutboxMessage.text).where(OutboxMessage.chat_id == loser)
            ).all()
            assert len(texts) == 1 and texts[0].startswith(NOT_VALID)


def test_two_processes_racing_for_each_code_make_one_person(database):
    """Two bot processes get the same code from two chats at the same instant, 30 times."""
    url = database.url.render_as_string(hide_password=False)
    codes = _codes(database)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2, timeout=120)
    workers = [
        context.Process(target=_process_racer, args=(url, racer, codes, barrier))
        for racer in ("a", "b")
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    assert [worker.exitcode for worker in workers] == [0, 0]
    _assert_one_winner_per_code(database, codes)


def test_two_threads_racing_for_each_code_make_one_person(database):
    """Two chats served by two threads of one process send the same code at once, 30 times."""
    url = database.url.render_as_string(hide_password=False)
    codes = _codes(database)
    barrier = threading.Barrier(2, timeout=120)
    failures: list[BaseException] = []

    def race(racer: str) -> None:
        try:
            _racer(url, racer, codes, barrier.wait)
        except BaseException as error:
            failures.append(error)
            barrier.abort()

    threads = [threading.Thread(target=race, args=(racer,)) for racer in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert failures == []
    _assert_one_winner_per_code(database, codes)

