"""A finished broadcast counted by person, however many chats each person's message went to."""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session, col, select

from storage.broadcasts import Outcome, audience_people
from storage.models import Broadcast, Identity, OutboxMessage, OutboxStatus, Person
from storage.ordering import sorted_names

_RANK = [OutboxStatus.SENT.value, OutboxStatus.PENDING.value, OutboxStatus.FAILED.value]


def outcome_by_person(session: Session, broadcast: Broadcast) -> Outcome:
    """Say how many people got a finished broadcast, and name those who did not, each once.

    A person got it when any of their chats did. One who did not "cannot be reached" when
    every chat a message to them was tried on is marked unreachable, or when no message was
    queued for them at all; otherwise their sending failed.
    """
    assert broadcast.id is not None
    tried: dict[int, dict[str, str]] = defaultdict(dict)
    rows = session.exec(
        select(OutboxMessage.person_id, OutboxMessage.channel, OutboxMessage.status).where(
            OutboxMessage.broadcast_id == broadcast.id, col(OutboxMessage.person_id).is_not(None)
        )
    )
    for person_id, channel, status in rows:
        assert person_id is not None
        # Should a chat hold several rows, the best outcome on it counts.
        earlier = tried[person_id].get(channel, OutboxStatus.FAILED.value)
        tried[person_id][channel] = min(earlier, status, key=_RANK.index)
    sent = {pid for pid, chats in tried.items() if OutboxStatus.SENT.value in chats.values()}
    missed = {
        pid
        for pid, chats in tried.items()
        if pid not in sent and OutboxStatus.PENDING.value not in chats.values()
    }
    blocked = _blocked_chats(session, missed)
    names = _names(session, missed)
    failed: list[str] = []
    unreachable: list[str] = []
    for pid in missed:
        everywhere_blocked = all((pid, channel) in blocked for channel in tried[pid])
        (unreachable if everywhere_blocked else failed).append(names.get(pid, "—"))
    unreachable += _never_queued(session, broadcast, set(tried), broadcast.recipients - len(tried))
    return Outcome(broadcast.recipients, len(sent), sorted_names(failed), sorted_names(unreachable))


def _blocked_chats(session: Session, person_ids: set[int]) -> set[tuple[int, str]]:
    query = select(Identity.person_id, Identity.channel).where(
        col(Identity.person_id).in_(person_ids), col(Identity.reachable).is_(False)
    )
    return {(pid, channel) for pid, channel in session.exec(query)}


def _names(session: Session, person_ids: set[int]) -> dict[int, str]:
    query = select(Person.id, Person.name).where(col(Person.id).in_(person_ids))
    return {pid: name for pid, name in session.exec(query) if pid is not None}


def _never_queued(
    session: Session, broadcast: Broadcast, queued: set[int], missing: int
) -> list[str]:
    """Name the recipients no message was queued for (no chat left to send to), if any."""
    if missing <= 0:
        return []
    people = audience_people(session, broadcast.audience, exclude=broadcast.author_id)
    created = broadcast.created_at.replace(tzinfo=None)
    # The audience is worked out again now: leave out whoever joined after the broadcast.
    found = [
        person.name or "—"
        for person in people
        if person.id not in queued and person.created_at.replace(tzinfo=None) <= created
    ]
    return found[:missing]
