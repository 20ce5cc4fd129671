"""Photos and files people sent with reports: kept by reference at once, downloaded later.

A row is written in the turn the photo arrives (`keep`); a fetcher claims the due ones
(`claim_due`), downloads them and marks each stored or failed (`mark_stored`,
`mark_failed`). A failure is tried again after 30 s, doubling, and given up after
`MAX_TRIES` tries or a day; a file refused for its size or type is given up at once.
The report that carries a photo is never touched here.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import MEDIA_REF_LENGTH, Media, MediaStatus

FIRST_RETRY = dt.timedelta(seconds=30)
MAX_TRIES = 8
GIVE_UP_AFTER = dt.timedelta(days=1)
LEASE = dt.timedelta(minutes=2)
"""How long a claimed row is left to its fetcher before another may take it."""


def keep(
    session: Session,
    *,
    channel: str,
    platform_ref: str,
    kind: str,
    now: dt.datetime,
    file_name: str = "",
    person_id: int | None = None,
) -> int:
    """Record a photo or file to be downloaded; return its id (the same one if kept before)."""
    ref = platform_ref[:MEDIA_REF_LENGTH]
    found = _find(session, channel, ref)
    if found is not None:
        return found
    row = Media(
        channel=channel,
        platform_ref=ref,
        kind=kind,
        file_name=file_name[:255],
        person_id=person_id,
        next_try_at=now,
        created_at=now,
    )
    try:
        # A savepoint: the same photo forwarded twice at once must not cost the turn.
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        found = _find(session, channel, ref)
        assert found is not None
        return found
    return row.id or 0


def _find(session: Session, channel: str, ref: str) -> int | None:
    query = select(Media.id).where(Media.channel == channel, Media.platform_ref == ref)
    return session.exec(query).first()


def claim_due(
    session: Session, now: dt.datetime, limit: int = 10, lease: dt.timedelta = LEASE
) -> list[Media]:
    """Take up to `limit` due downloads for this fetcher: each moves its next try past the
    lease, by a conditional update, so a second fetcher never takes the same row."""
    query = (
        select(Media)
        .where(Media.status == MediaStatus.PENDING, col(Media.next_try_at) <= now)
        .order_by(col(Media.next_try_at), col(Media.id))
        .limit(limit)
    )
    taken: list[Media] = []
    for row in list(session.exec(query)):
        claimed = session.execute(
            update(Media)
            .where(
                col(Media.id) == row.id,
                col(Media.status) == MediaStatus.PENDING,
                col(Media.next_try_at) == row.next_try_at,
            )
            .values(next_try_at=now + lease)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            taken.append(row)
    for row in taken:
        session.expunge(row)
    return taken


def mark_stored(
    session: Session, media_id: int, *, path: str, content_type: str, size: int
) -> None:
    """Note that the file is on the server, at `path` under MEDIA_DIR."""
    row = session.get(Media, media_id)
    if row is None or row.status == MediaStatus.STORED:
        return
    row.status = MediaStatus.STORED
    row.stored_path, row.content_type, row.size = path, content_type[:100], size
    row.attempts += 1
    row.last_error = ""
    session.add(row)


def mark_failed(
    session: Session, media_id: int, error: str, now: dt.datetime, *, final: bool = False
) -> str:
    """Note a failed download: tried again later, or given up (`final`, too many tries, too
    old); return the row's status."""
    row = session.get(Media, media_id)
    if row is None:
        return MediaStatus.FAILED
    if row.status != MediaStatus.PENDING:
        return row.status
    row.attempts += 1
    row.last_error = error[:500]
    created = _aware(row.created_at)
    if final or row.attempts >= MAX_TRIES or now - created >= GIVE_UP_AFTER:
        row.status = MediaStatus.FAILED
    else:
        row.next_try_at = now + FIRST_RETRY * 2 ** (row.attempts - 1)
    session.add(row)
    return row.status


def lookup(session: Session, media_id: int) -> Media | None:
    """The kept photo or file with this id, or None."""
    return session.get(Media, media_id)


def media_of(session: Session, ids: list[int]) -> dict[int, Media]:
    """The kept photos and files with these ids, by id."""
    if not ids:
        return {}
    return {row.id or 0: row for row in session.exec(select(Media).where(col(Media.id).in_(ids)))}


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
