"""Export requests: one run claims a request, a crashed run's lease runs out, a run that lost
its lease cannot finish; and migration 0012 goes down and up."""

from __future__ import annotations

import datetime as dt
import threading

from alembic import command
from sqlalchemy import Engine, inspect
from sqlmodel import Session

from storage.db import alembic_config, transaction
from storage.export_requests import (
    add_request,
    claim,
    claimable_requests,
    mark_done,
    mark_failed,
)
from storage.models import ExportRequest, Person, Role

NOW = dt.datetime(2026, 3, 20, 1, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(minutes=10)


def asked(database: Engine) -> int:
    """An officer asks for the ledger of 2026; return the request's id."""
    with transaction(database) as session:
        officer = Person(name="Lê Thị Hoa", role=Role.ADMIN.value)
        session.add(officer)
        session.flush()
        request = add_request(
            session,
            person_id=officer.id or 0,
            channel="telegram",
            chat_id="9001",
            kind="ledger",
            params={"first": "2026-01-01", "last": "2026-12-31"},
            now=NOW,
        )
        return request.id or 0


def stored(database: Engine, request_id: int) -> ExportRequest:
    """The request as stored."""
    with Session(database) as session:
        found = session.get(ExportRequest, request_id)
        assert found is not None
        return found


def test_two_runs_at_once_claim_a_request_once(database: Engine) -> None:
    """Eight runs claim the same request at the same moment: exactly one gets it."""
    request_id = asked(database)
    start = threading.Barrier(8)
    won: list[dt.datetime] = []

    def run() -> None:
        start.wait()
        with transaction(database) as session:
            until = claim(session, request_id, NOW, LEASE)
        if until is not None:
            won.append(until)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert won == [NOW + LEASE]
    assert stored(database, request_id).status == "working"
    with Session(database) as session:
        assert claimable_requests(session, NOW) == []


def test_a_crashed_runs_lease_runs_out_and_it_cannot_finish_after(database: Engine) -> None:
    """The first run crashed while building: until its lease ends the request is nobody
    else's; then the next run takes it, and the first, were it to wake, changes nothing."""
    request_id = asked(database)
    with transaction(database) as session:
        first = claim(session, request_id, NOW, LEASE)
    assert first is not None
    later = NOW + LEASE + dt.timedelta(seconds=1)
    with Session(database) as session:
        assert claimable_requests(session, NOW + LEASE - dt.timedelta(seconds=1)) == []
        assert claimable_requests(session, later) == [request_id]
    with transaction(database) as session:
        second = claim(session, request_id, later, LEASE)
    assert second is not None
    with transaction(database) as session:
        assert not mark_done(session, request_id, first, ["1/a.xlsx"], later)
        assert not mark_failed(session, request_id, first, "late", later)
        assert mark_done(session, request_id, second, ["1/so-quy-khuyen-hoc-2026.xlsx"], later)
    request = stored(database, request_id)
    assert (request.status, request.files, request.error) == (
        "done",
        ["1/so-quy-khuyen-hoc-2026.xlsx"],
        "",
    )
    with Session(database) as session:
        assert claimable_requests(session, later + LEASE * 10) == []


def test_migration_0012_goes_down_and_up(database: Engine) -> None:
    """Downgrading drops the requests' table; upgrading makes it again, empty."""
    asked(database)
    config = alembic_config(database.url.render_as_string(hide_password=False))
    database.dispose()
    command.downgrade(config, "0011")
    try:
        assert "exportrequest" not in inspect(database).get_table_names()
        database.dispose()
    finally:
        command.upgrade(config, "head")
    assert asked(database) == 1
