"""storage.roster: removing people, archiving units and moving focal points, with their rules,
their audit entries, and what the other queries then leave out."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

from storage.db import transaction
from storage.directives import focal_points, units_for_target
from storage.models import AuditEntry, Person, Role, Unit
from storage.people import find_unit, focal_counts, list_units, people_with_roles
from storage.roster import (
    RosterError,
    archive_unit,
    list_people,
    move_person,
    removal_problem,
    remove_person,
)
from tests.support.assignments import seed_person, seed_unit

NOW = dt.datetime(2026, 3, 20, 2, 0, tzinfo=dt.UTC)


def get_person(session: Session, person_id: int) -> Person:
    found = session.get(Person, person_id)
    assert found is not None
    return found


def get_unit(session: Session, name: str) -> Unit:
    return session.exec(select(Unit).where(Unit.name == name)).one()


def test_the_last_admin_and_oneself_cannot_be_removed(database):
    """Two admins: neither removes herself; once one is gone the other is the last."""
    mai = seed_person(database, "Trần Thị Mai", Role.ADMIN)
    lan = seed_person(database, "Vũ Thị Lan", Role.ADMIN)
    with transaction(database) as session:
        assert removal_problem(session, get_person(session, mai), mai) == "self"
        with pytest.raises(RosterError) as refused:
            remove_person(session, get_person(session, mai), actor_id=mai, now=NOW)
        assert refused.value.reason == "self"
        remove_person(session, get_person(session, lan), actor_id=mai, now=NOW)
        assert removal_problem(session, get_person(session, mai), None) == "last_admin"
        assert removal_problem(session, get_person(session, lan), mai) == "removed"
    with Session(database) as session:
        [entry] = session.exec(select(AuditEntry))
        assert (entry.action, entry.person_id) == ("person.remove", mai)
        assert entry.detail["before"] == {"removed_at": None}
        assert entry.detail["after"] == {"removed_at": NOW.isoformat()}


def test_removed_people_leave_every_query_that_sends_or_counts(database):
    """Bình is removed: no longer a focal point of Thôn Đông, counted, listed or an overseer."""
    an = seed_person(database, "Nguyễn Văn An", unit="Thôn Đông")
    binh = seed_person(database, "Phạm Thị Bình", unit="Thôn Đông")
    hung = seed_person(database, "Hoàng Văn Hùng", Role.LEADER)
    with transaction(database) as session:
        for person_id in (binh, hung):
            remove_person(session, get_person(session, person_id), actor_id=None, now=NOW)
    with Session(database) as session:
        east = get_unit(session, "Thôn Đông")
        assert [p.id for p in focal_points(session, east.id or 0)] == [an]
        assert focal_counts(session) == {east.id: 1}
        assert people_with_roles(session, {Role.LEADER.value}) == []
        assert [p.id for p, _unit in list_people(session)] == [an]
        # The row itself stays, for history.
        assert get_person(session, binh).removed_at is not None


def test_an_archived_unit_leaves_lists_but_its_name_stays_taken(database):
    seed_unit(database, "Thôn Đông")
    seed_unit(database, "Thôn Tây")
    seed_person(database, "Lê Văn Cường", unit="Thôn Tây")
    with transaction(database) as session:
        archive_unit(session, get_unit(session, "Thôn Tây"), actor_id=None, now=NOW)
        with pytest.raises(RosterError):
            archive_unit(session, get_unit(session, "Thôn Tây"), actor_id=None, now=NOW)
    with Session(database) as session:
        west = get_unit(session, "Thôn Tây")
        assert [u.name for u in list_units(session)] == ["Thôn Đông"]
        assert [u.name for u in units_for_target(session, "all")] == ["Thôn Đông"]
        assert focal_points(session, west.id or 0) == []
        assert focal_counts(session) == {}
        assert find_unit(session, "thôn tây") == west
        assert find_unit(session, "thôn tây", archived=False) is None
        [entry] = session.exec(select(AuditEntry))
        assert entry.detail == {
            "unit_id": west.id,
            "name": "Thôn Tây",
            "before": {"archived_at": None},
            "after": {"archived_at": NOW.isoformat()},
        }


def test_moving_a_focal_point_and_what_is_refused(database):
    an = seed_person(database, "Nguyễn Văn An", unit="Thôn Đông")
    hung = seed_person(database, "Hoàng Văn Hùng", Role.LEADER)
    seed_unit(database, "Thôn Tây")
    seed_unit(database, "Thôn Bắc")
    with transaction(database) as session:
        west, north = get_unit(session, "Thôn Tây"), get_unit(session, "Thôn Bắc")
        old = move_person(session, get_person(session, an), west, actor_id=None, now=NOW)
        assert old is not None and old.name == "Thôn Đông"
        archive_unit(session, north, actor_id=None, now=NOW)
        for person_id, unit, reason in (
            (an, west, "same"),
            (an, north, "archived"),
            (hung, west, "not_focal"),
        ):
            with pytest.raises(RosterError) as refused:
                move_person(session, get_person(session, person_id), unit, actor_id=None, now=NOW)
            assert refused.value.reason == reason
    with Session(database) as session:
        assert [p.id for p in focal_points(session, get_unit(session, "Thôn Tây").id or 0)] == [an]
        moves = session.exec(select(AuditEntry).where(AuditEntry.action == "person.move"))
        assert [entry.detail["after"]["unit"] for entry in moves] == ["Thôn Tây"]
