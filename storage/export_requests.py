"""Files asked for in the chat: the request written in the person's turn, claimed by one
background run at a time, then marked done or failed.

A run claims a request by moving it from pending to working with a lease, in one conditional
update: of two runs at once, one gets it. A run that crashed leaves its lease to run out, and
the request is claimed again. Finishing checks the lease is still the run's own, so a run that
outlived its lease never finishes a request another run took over.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, update
from sqlmodel import Session, col, select

from storage.models import ExportRequest, ExportStatus

ERROR_LENGTH = 500


def add_request(
    session: Session,
    *,
    person_id: int,
    channel: str,
    chat_id: str,
    kind: str,
    params: dict[str, Any],
    now: dt.datetime,
) -> ExportRequest:
    """Write a request for the background job; it is built once the turn has committed."""
    request = ExportRequest(
        person_id=person_id,
        channel=channel,
        chat_id=chat_id,
        kind=kind,
        params=params,
        created_at=now,
    )
    session.add(request)
    session.flush()
    return request


def _claimable(now: dt.datetime) -> ColumnElement[bool]:
    waiting = col(ExportRequest.status) == ExportStatus.PENDING.value
    abandoned = and_(
        col(ExportRequest.status) == ExportStatus.WORKING.value,
        col(ExportRequest.leased_until) < now,
    )
    return or_(waiting, abandoned)


def claimable_requests(session: Session, now: dt.datetime, limit: int = 20) -> list[int]:
    """The ids of requests waiting to be built, or abandoned by a run that crashed; oldest first."""
    query = (
        select(ExportRequest.id).where(_claimable(now)).order_by(col(ExportRequest.id)).limit(limit)
    )
    return [int(found) for found in session.exec(query) if found is not None]


def claim(
    session: Session, request_id: int, now: dt.datetime, lease: dt.timedelta
) -> dt.datetime | None:
    """Take a request to build it: its lease's end, or None when another run has it or it is
    finished."""
    until = now + lease
    statement = (
        update(ExportRequest)
        .where(col(ExportRequest.id) == request_id, _claimable(now))
        .values(status=ExportStatus.WORKING.value, leased_until=until)
        .execution_options(synchronize_session=False)
    )
    result = session.execute(statement)
    return until if result.rowcount == 1 else None  # type: ignore[attr-defined]


def _settle(session: Session, request_id: int, lease: dt.datetime, values: dict[str, Any]) -> bool:
    statement = (
        update(ExportRequest)
        .where(
            col(ExportRequest.id) == request_id,
            col(ExportRequest.status) == ExportStatus.WORKING.value,
            col(ExportRequest.leased_until) == lease,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return session.execute(statement).rowcount == 1  # type: ignore[attr-defined]


def mark_done(
    session: Session, request_id: int, lease: dt.datetime, files: list[str], now: dt.datetime
) -> bool:
    """Record the files built; False when the run's lease is no longer its own (another run
    took the request over), and then nothing is changed."""
    values = {"status": ExportStatus.DONE.value, "files": files, "done_at": now}
    return _settle(session, request_id, lease, values)


def mark_failed(
    session: Session, request_id: int, lease: dt.datetime, error: str, now: dt.datetime
) -> bool:
    """Record why the files could not be built; False as for mark_done."""
    values = {
        "status": ExportStatus.FAILED.value,
        "error": error[:ERROR_LENGTH],
        "done_at": now,
    }
    return _settle(session, request_id, lease, values)
