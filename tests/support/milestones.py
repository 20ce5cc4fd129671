"""The learning-society plan the milestone tests build on: 12/KH-UBND of 07/03/2026."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from storage.models import Directive, utcnow

SUBJECT = "Xây dựng xã hội học tập"


def learning_plan(
    session: Session, deadline: dt.date, created_at: dt.datetime | None = None
) -> Directive:
    """Store 12/KH-UBND, due `deadline`, entered at `created_at` (now when not given)."""
    directive = Directive(
        number="12/KH-UBND",
        issued_on=dt.date(2026, 3, 7),
        subject=SUBJECT,
        content="Toàn văn kế hoạch",
        deadline=deadline,
        created_at=created_at or utcnow(),
    )
    session.add(directive)
    session.flush()
    return directive
