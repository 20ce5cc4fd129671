"""Queries about units, people, their chat accounts and invite codes."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import ColumnElement, func, update
from sqlmodel import Session, col, select

from storage.models import InviteCode, Person, Role, Setting, Unit, UnitKind
from storage.ordering import sorted_units
from storage.text import clean_text, fold_name

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
INVITE_LIFETIME = dt.timedelta(days=7)


def create_invite(
    session: Session,
    role: str,
    now: dt.datetime,
    *,
    unit_id: int | None = None,
    created_by: int | None = None,
    links_person: int | None = None,
) -> InviteCode:
    """Create a one-time invite code for `role` (and unit), valid for seven days."""
    while True:
        code = _new_code()
        if session.exec(select(InviteCode).where(InviteCode.code == code)).first() is None:
            break
    invite = InviteCode(
        code=code,
        role=role,
        unit_id=unit_id,
        created_by=created_by,
        links_person=links_person,
        created_at=now,
        expires_at=now + INVITE_LIFETIME,
    )
    session.add(invite)
    session.flush()
    return invite


def _new_code() -> str:
    # A digit in every code lets one quoted inside a sentence be told from an ordinary word.
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if any(ch.isdigit() for ch in code):
            return code


def find_invite(session: Session, code: str) -> InviteCode | None:
    """Return the invite with this code, used or not."""
    return session.exec(select(InviteCode).where(InviteCode.code == code)).first()


def invite_is_open(session: Session, invite: InviteCode, now: dt.datetime) -> bool:
    """Tell whether the code would work now: unused, unrevoked, unexpired, its maker in office."""
    if invite.used_at is not None or invite.revoked_at is not None or invite.expires_at <= now:
        return False
    if invite.links_person is not None:
        owner = session.get(Person, invite.links_person)
        return owner is not None and owner.removed_at is None
    if invite.created_by is None:
        return True  # printed on the server by the operator
    # What an admin handed out stops working when they are demoted or removed.
    maker = session.get(Person, invite.created_by)
    return maker is not None and maker.removed_at is None and maker.role == Role.ADMIN.value


def _still_open(now: dt.datetime) -> list[ColumnElement[bool]]:
    return [
        col(InviteCode.used_at).is_(None),
        col(InviteCode.revoked_at).is_(None),
        col(InviteCode.expires_at) > now,
    ]


def claim_invite(session: Session, invite: InviteCode, now: dt.datetime) -> bool:
    """Mark the invite used at `now`; False when another chat claimed or revoked it first."""
    # A conditional UPDATE: of two chats racing for one code the database lets exactly one win
    # (PostgreSQL makes the second wait for the first, then finds the row no longer open).
    result = session.execute(
        update(InviteCode)
        .where(col(InviteCode.id) == invite.id, *_still_open(now))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.refresh(invite)
    return True


def revoke_invite(session: Session, invite_id: int, now: dt.datetime) -> InviteCode | None:
    """Revoke an open code; None when it was used, revoked or expired meanwhile."""
    result = session.execute(
        update(InviteCode)
        .where(col(InviteCode.id) == invite_id, *_still_open(now))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    invite = session.get(InviteCode, invite_id)
    if invite is not None:
        session.refresh(invite)
    return invite


def open_invites(session: Session, now: dt.datetime) -> list[InviteCode]:
    """Return the codes that would still work now, oldest first."""
    query = select(InviteCode).where(*_still_open(now)).order_by(col(InviteCode.id))
    return [invite for invite in session.exec(query) if invite_is_open(session, invite, now)]


def open_link_codes(session: Session, person_id: int, now: dt.datetime) -> list[InviteCode]:
    """Return a person's linking codes that are still open, oldest first."""
    query = (
        select(InviteCode)
        .where(InviteCode.links_person == person_id, *_still_open(now))
        .order_by(col(InviteCode.id))
    )
    return list(session.exec(query))


def find_unit(session: Session, name: str, *, archived: bool = True) -> Unit | None:
    """Return the unit with this name, ignoring case and surrounding spaces.

    An archived unit keeps its name (names are unique), so by default it is found too;
    `archived=False` finds only units still in use, as choosing a unit for someone needs.
    """
    wanted = _clean(name).casefold()
    query = select(Unit) if archived else select(Unit).where(col(Unit.archived_at).is_(None))
    for unit in session.exec(query):
        if unit.name.casefold() == wanted:
            return unit
    return None


def find_look_alike(session: Session, name: str) -> Unit | None:
    """Return a unit, archived or not, whose name differs from `name` at most in case, accents
    or spacing ("Thon Dong" for Thôn Đông): the same unit, typed another way."""
    wanted = fold_name(name)
    for unit in session.exec(select(Unit)):
        if fold_name(unit.name) == wanted:
            return unit
    return None


def list_units(session: Session, kind: str | None = None) -> list[Unit]:
    """Return the units in use (not archived), optionally of one kind, in list order."""
    query = select(Unit).where(col(Unit.archived_at).is_(None))
    if kind:
        query = query.where(Unit.kind == kind)
    return sorted_units(session.exec(query))


def add_unit(session: Session, name: str, kind: str) -> Unit:
    """Create a unit; the caller has checked the name is free and the kind valid."""
    unit = Unit(name=_clean(name), kind=UnitKind(kind).value)
    session.add(unit)
    session.flush()
    return unit


def focal_counts(session: Session) -> dict[int, int]:
    """Return how many focal points each unit in use has, by unit id (units with none are absent).

    Removed people and archived units are not counted.
    """
    query = (
        select(Person.unit_id, func.count(col(Person.id)))
        .join(Unit, col(Unit.id) == col(Person.unit_id))
        .where(
            Person.role == Role.FOCAL.value,
            col(Person.removed_at).is_(None),
            col(Unit.archived_at).is_(None),
        )
        .group_by(col(Person.unit_id))
    )
    return {unit_id: count for unit_id, count in session.exec(query) if unit_id is not None}


def _clean(name: str) -> str:
    # Phones send Vietnamese both composed and decomposed, and pasted names carry invisible
    # characters: compare and store one clean form.
    return " ".join(clean_text(name).split())


def read_setting(session: Session, key: str) -> str:
    """Return a stored setting, or '' when it was never written."""
    found = session.get(Setting, key)
    return found.value if found else ""


def write_setting(session: Session, key: str, value: str) -> None:
    """Store a setting, replacing any earlier value."""
    found = session.get(Setting, key) or Setting(key=key)
    found.value = value
    session.add(found)


def telegram_link(session: Session, code: str) -> str:
    """Return the Telegram deep link that redeems `code`, or '' if the bot's name is unknown."""
    username = read_setting(session, "telegram_username")
    return f"https://t.me/{username}?start={code}" if username else ""


def people_with_roles(session: Session, roles: set[str]) -> list[Person]:
    """Return everyone holding one of `roles` and not removed, oldest first."""
    query = (
        select(Person)
        .where(col(Person.role).in_(sorted(roles)), col(Person.removed_at).is_(None))
        .order_by(col(Person.id))
    )
    return list(session.exec(query))
