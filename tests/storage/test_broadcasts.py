"""Broadcast queries: who an audience names, and how far a broadcast has gone, person by person."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, insert
from sqlmodel import Session, col, select

from storage.broadcasts import (
    Outcome,
    Progress,
    audience_people,
    claim_report,
    count_audience,
    create_broadcast,
    finished_unreported,
    outcome,
    progress,
    running_broadcast,
)
from storage.db import transaction
from storage.models import Broadcast, OutboxMessage, OutboxStatus, Person, Role
from tests.support.assignments import mark_unreachable, seed_person, seed_unit

NOW = dt.datetime(2026, 3, 20, 1, 0, tzinfo=dt.UTC)
SENT, FAILED, PENDING = OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.PENDING


@pytest.fixture
def people(database) -> dict[str, int]:
    """Two admins, a leader, focal points of two villages, a school and an office."""
    seed_unit(database, "Thôn Đông", "village")
    seed_unit(database, "Thôn Tây", "village")
    seed_unit(database, "Trường TH An Hưng", "school")
    seed_unit(database, "Văn phòng", "office")
    return {
        "mai": seed_person(database, "Mai", Role.ADMIN),
        "hoa": seed_person(database, "Hoa", Role.ADMIN),
        "hung": seed_person(database, "Hùng", Role.LEADER),
        "an": seed_person(database, "An", unit="Thôn Đông"),
        "an2": seed_person(database, "An Phó", unit="Thôn Đông"),
        "binh": seed_person(database, "Bình", unit="Thôn Tây"),
        "cuong": seed_person(database, "Cường", unit="Trường TH An Hưng"),
        "dung": seed_person(database, "Dung", unit="Văn phòng"),
    }


def names(database, audience: dict, exclude: int | None = None) -> list[str]:
    """The names of the people an audience names, and check the count agrees."""
    with Session(database) as session:
        found = [p.name for p in audience_people(session, audience, exclude=exclude)]
        assert count_audience(session, audience, exclude=exclude) == len(found)
        return found


def unit_ids(database, *unit_names: str) -> list[int]:
    """Ids of units by name."""
    return [seed_unit(database, name) for name in unit_names]


def test_each_audience_names_its_people(database, people):
    """Roles, unit kinds and chosen units; the author is left out wherever she would be."""
    mai = people["mai"]
    everyone = ["Hoa", "Hùng", "An", "An Phó", "Bình", "Cường", "Dung"]
    assert names(database, {"kind": "everyone"}, mai) == everyone
    assert names(database, {"kind": "everyone"}) == ["Mai", *everyone]
    assert names(database, {"kind": "admins"}, mai) == ["Hoa"]
    assert names(database, {"kind": "leaders"}, mai) == ["Hùng"]
    assert names(database, {"kind": "focal"}, mai) == ["An", "An Phó", "Bình", "Cường", "Dung"]
    assert names(database, {"kind": "villages"}, mai) == ["An", "An Phó", "Bình"]
    assert names(database, {"kind": "schools"}, mai) == ["Cường"]
    chosen = {"kind": "units", "unit_ids": unit_ids(database, "Văn phòng", "Thôn Đông")}
    assert names(database, chosen, mai) == ["An", "An Phó", "Dung"]
    assert names(database, {"kind": "units", "unit_ids": []}, mai) == []
    with Session(database) as session, pytest.raises(ValueError):
        audience_people(session, {"kind": "strangers"})


def _broadcast(database, author: int, recipients: int) -> int:
    with transaction(database) as session:
        made = create_broadcast(
            session,
            author_id=author,
            text="Họp lúc 8 giờ.",
            photo="",
            media_channel="",
            audience={"kind": "everyone"},
            recipients=recipients,
            now=NOW,
        )
        # Its rows are queued by hand below: the fan-out has nothing left to do.
        made.fanned_out_at = NOW
        assert made.id is not None
        return made.id


def _rows(database, broadcast_id: int, *rows: tuple[int, str, OutboxStatus]) -> None:
    """Queue (person, channel, status) rows of a broadcast, as the sender would leave them."""
    with transaction(database) as session:
        for person_id, channel, status in rows:
            session.add(
                OutboxMessage(
                    channel=channel,
                    chat_id=f"{person_id}-{channel}",
                    person_id=person_id,
                    broadcast_id=broadcast_id,
                    priority=20,
                    status=status.value,
                    idempotency_key=f"broadcast:{broadcast_id}:person:{person_id}:{channel}",
                )
            )


def _get(database, broadcast_id: int) -> Broadcast:
    with Session(database) as session:
        found = session.get(Broadcast, broadcast_id)
        assert found is not None
        return found


def test_progress_counts_people_not_chats(database, people):
    """Sent on one of two chats is sent; failed on one, waiting on the other is waiting."""
    p = people
    sent = _broadcast(database, p["mai"], 5)
    _rows(
        database,
        sent,
        (p["hoa"], "telegram", SENT),
        (p["an"], "telegram", FAILED),
        (p["an"], "zalo", SENT),
        (p["binh"], "telegram", FAILED),
        (p["binh"], "zalo", PENDING),
        (p["cuong"], "telegram", FAILED),
        (p["dung"], "zalo", PENDING),
    )
    with Session(database) as session:
        assert progress(session, _get(database, sent)) == Progress(5, 2, 1, 2)
        assert running_broadcast(session) == _get(database, sent)
        assert finished_unreported(session) == []


def test_a_finished_broadcast_waits_for_its_report(database, people):
    """No row pending: no longer running, and listed for a report until one is claimed."""
    p = people
    first = _broadcast(database, p["mai"], 1)
    second = _broadcast(database, p["hoa"], 1)
    _rows(database, first, (p["hung"], "telegram", SENT))
    _rows(database, second, (p["hung"], "zalo", PENDING))
    with Session(database) as session:
        assert [b.id for b in finished_unreported(session)] == [first]
        assert running_broadcast(session) == _get(database, second)
    with transaction(database) as session:
        assert claim_report(session, first, NOW)
    with Session(database) as session:
        assert finished_unreported(session) == []
    assert _get(database, first).reported_at is not None


def test_of_two_sessions_that_saw_it_unreported_one_claims_it(database, people):
    """Two senders list the same finished broadcast; the second claim, after the first, loses."""
    sent = _broadcast(database, people["mai"], 1)
    _rows(database, sent, (people["hung"], "telegram", FAILED))
    with Session(database) as slow:
        assert [b.id for b in finished_unreported(slow)] == [sent]
        with transaction(database) as fast:
            assert [b.id for b in finished_unreported(fast)] == [sent]
            assert claim_report(fast, sent, NOW)
        assert not claim_report(slow, sent, NOW + dt.timedelta(seconds=1))
        slow.commit()
    assert _get(database, sent).reported_at.replace(tzinfo=dt.UTC) == NOW  # type: ignore[union-attr]


def test_outcome_names_the_failed_and_the_unreachable(database, people):
    """Failed everywhere and blocked on a chat: unreachable; else failed. Đ sorts after D."""
    p = people
    mark_unreachable(database, p["binh"], "telegram")
    dung = seed_person(database, "Đỗ Dung", unit="Văn phòng")
    sent = _broadcast(database, p["mai"], 6)
    _rows(
        database,
        sent,
        (p["hoa"], "telegram", SENT),
        (p["an"], "telegram", FAILED),
        (p["an"], "zalo", SENT),
        (p["binh"], "telegram", FAILED),
        (p["cuong"], "telegram", FAILED),
        (dung, "telegram", FAILED),
        (p["dung"], "telegram", FAILED),
    )
    with Session(database) as session:
        assert outcome(session, _get(database, sent)) == Outcome(
            6, 2, ["Cường", "Dung", "Đỗ Dung"], ["Bình"]
        )


def test_ten_thousand_rows_take_one_query_each(database):
    """5.000 people with two chats each: progress and outcome aggregate in the database."""
    with transaction(database) as session:
        session.add(Person(name="Mai", role=Role.ADMIN.value))
        session.flush()
        session.execute(
            insert(Person),
            [{"name": f"Người {n:04}", "role": Role.FOCAL.value} for n in range(5000)],
        )
    with Session(database) as session:
        ids = list(session.exec(select(Person.id).order_by(col(Person.id))))
    sent = _broadcast(database, ids[0], 5000)
    # By id modulo 3: sent on Telegram only; failed on Telegram, Zalo still waiting; failed on both.
    statuses = [(SENT, FAILED), (FAILED, PENDING), (FAILED, FAILED)]
    with transaction(database) as session:
        session.execute(
            insert(OutboxMessage),
            [
                {
                    "channel": channel,
                    "chat_id": f"{pid}",
                    "person_id": pid,
                    "broadcast_id": sent,
                    "priority": 20,
                    "status": statuses[pid % 3][channel == "zalo"].value,
                    "choices": [],
                    "idempotency_key": f"broadcast:{sent}:person:{pid}:{channel}",
                    "created_at": NOW,
                    "not_before": NOW,
                }
                for pid in ids[1:]
                for channel in ("telegram", "zalo")
            ],
        )
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(database, "before_cursor_execute", count)
    try:
        with Session(database) as session:
            broadcast = session.get(Broadcast, sent)
            assert broadcast is not None
            statements.clear()
            done = progress(session, broadcast)
            assert len(statements) == 1
            statements.clear()
            result = outcome(session, broadcast)
            assert len(statements) == 2
    finally:
        event.remove(database, "before_cursor_execute", count)
    people = ids[1:]
    sent_count, waiting, failed = (sum(1 for pid in people if pid % 3 == r) for r in range(3))
    assert done == Progress(5000, sent_count, failed, waiting)
    assert (result.sent, len(result.failed), result.unreachable) == (sent_count, failed, [])
    assert result.failed[:2] == [f"Người {pid - 2:04}" for pid in people if pid % 3 == 2][:2]
