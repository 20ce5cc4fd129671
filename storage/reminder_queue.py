"""The reminder pass's set-based statements: claim a range of assignments, queue their messages.

The database does the per-row work: one INSERT … SELECT records a range's reminders, one more
writes their messages from a few rendered templates, so a pass costs a handful of statements
per batch however many assignments fall due.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import BindParameter, Integer, Row, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session, col, select

from storage.models import Assignment, OutboxMessage, ProgressStatus, Reminder, Role
from storage.outbox_bulk import among

UNIT_MARK = "\x01unit\x01"
ASSIGNMENT_MARK = "\x01assignment\x01"
"""Stand-ins in rendered templates, filled per row by the database; control characters never
reach stored names or subjects (clean_text strips them)."""

_ASSIGNMENT_IN_JSON = json.dumps(ASSIGNMENT_MARK)[1:-1]

_DONE = ProgressStatus.DONE.value

_PLAN_FITS = "(plan.unit_kind = '' OR plan.unit_kind = u.kind)"
"""A plan for one kind of unit reminds only units of that kind."""

_MILESTONE_OPEN = f"""(plan.milestone_id = 0 OR NOT EXISTS (
    SELECT 1 FROM progressreport r WHERE r.assignment_id = a.id
    AND r.milestone_id = plan.milestone_id AND r.status = '{_DONE}'
    AND NOT EXISTS (SELECT 1 FROM progressreport later WHERE later.assignment_id = a.id
                    AND later.milestone_id = r.milestone_id AND later.id > r.id)))"""
"""The unit has not finished the plan's milestone: its latest report on it is not Done."""

_DUE = f"""
    FROM assignment a
    JOIN plan ON plan.directive_id = a.directive_id
    JOIN unit u ON u.id = a.unit_id
    WHERE a.status != '{_DONE}' AND u.archived_at IS NULL AND {_PLAN_FITS}
      AND {_MILESTONE_OPEN}
      AND EXISTS (SELECT 1 FROM person f WHERE f.unit_id = a.unit_id
                  AND f.role = '{Role.FOCAL.value}' AND f.removed_at IS NULL)
"""
"""Open assignments of units in use that have a focal point, joined to the plan that fits
them. A unit without focal points is left unrecorded, so whoever joins later is reminded."""

_OUTBOX = OutboxMessage.__table__.name  # type: ignore[attr-defined]

_KEY = "'assignment:' || CAST(a.id AS TEXT) || ':' || plan.tag"


@dataclass(frozen=True)
class Plan:
    """The reminder due now for one directive's open assignments, or for those of one kind of
    unit and one of its milestones: its kind and its moment."""

    directive_id: int
    kind: str
    due_at: dt.datetime
    milestone_id: int = 0
    """The milestone reminded of; 0 for the directive's one deadline."""
    unit_kind: str = ""
    """The kind of unit reminded; '' for every unit of the directive."""

    @property
    def tag(self) -> str:
        """What the reminder's key says after the assignment: 'before-3d', 'm7:before-3d', or
        'village:before-3d' for a kind of unit no milestone applies to."""
        if self.milestone_id:
            return f"m{self.milestone_id}:{self.kind}"
        return f"{self.unit_kind}:{self.kind}" if self.unit_kind else self.kind


class Claimed(NamedTuple):
    """An assignment whose reminder this pass recorded, and the key it was recorded under."""

    assignment_id: int
    directive_id: int
    unit_id: int
    key: str


@dataclass(frozen=True)
class Template:
    """A reminder rendered for one language, plan, kind of unit ('' for every kind) and
    acknowledgement, with stand-ins."""

    locale: str
    plan: int
    """The plan's position in the pass's list."""
    unit_kind: str
    acknowledged: bool
    text: str
    choices: list[list[str]]


def _values(
    name: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], types: dict[str, Any]
) -> tuple[str, list[BindParameter[Any]]]:
    """Spell a CTE of literal rows with one bound parameter per value."""
    params: list[BindParameter[Any]] = []
    tuples = []
    for number, row in enumerate(rows):
        marks = []
        for column, value in zip(columns, row, strict=True):
            param = f"{name}_{column}_{number}"
            params.append(bindparam(param, value, type_=types.get(column)))
            marks.append(f":{param}")
        tuples.append("(" + ", ".join(marks) + ")")
    return f"{name}({', '.join(columns)}) AS (VALUES {', '.join(tuples)})", params


def _plan_cte(plans: Sequence[Plan]) -> tuple[str, list[BindParameter[Any]]]:
    due_type = Reminder.__table__.c.due_at.type  # type: ignore[attr-defined]
    rows = [
        (
            number,
            plan.directive_id,
            plan.milestone_id,
            plan.unit_kind,
            plan.tag,
            plan.kind,
            plan.due_at,
        )
        for number, plan in enumerate(plans)
    ]
    columns = ("plan_id", "directive_id", "milestone_id", "unit_kind", "tag", "kind", "due_at")
    return _values("plan", columns, rows, {"due_at": due_type})


def due_assignments(session: Session, plans: Sequence[Plan]) -> dict[int, int]:
    """Return the unit of each open assignment the plans would remind, by assignment id."""
    if not plans:
        return {}
    cte, params = _plan_cte(plans)
    query = text(f"WITH {cte} SELECT a.id, a.unit_id {_DUE}").bindparams(*params)
    return dict(session.execute(query).all())


def claim_range(
    session: Session,
    plans: Sequence[Plan],
    low: int,
    high: int,
    now: dt.datetime,
    units: Mapping[int, int],
) -> list[Claimed]:
    """Record the reminders of the due assignments with ids in [low, high]; return those
    recorded here, not by an earlier or parallel pass, by assignment id.

    `units` gives the unit of the assignments known already; the others are looked up.
    """
    cte, params = _plan_cte(plans)
    at = Reminder.__table__.c.at.type  # type: ignore[attr-defined]
    statement = text(
        f"WITH {cte} INSERT INTO reminder (key, kind, directive_id, assignment_id, due_at, at)"
        f" SELECT {_KEY}, plan.kind, a.directive_id, a.id, plan.due_at, :now {_DUE}"
        " AND a.id BETWEEN :low AND :high"
        " ON CONFLICT (key) DO NOTHING RETURNING assignment_id, directive_id, key"
    ).bindparams(*params, bindparam("now", now, type_=at), low=low, high=high)
    recorded = session.execute(statement).all()
    missing = [assignment for assignment, _directive, _key in recorded if assignment not in units]
    if missing:
        query = select(Assignment.id, Assignment.unit_id).where(
            among(session, col(Assignment.id), missing)
        )
        units = {**units, **{row[0]: row[1] for row in session.exec(query)}}
    return sorted(
        Claimed(assignment, directive, units[assignment], key)
        for assignment, directive, key in recorded
    )


def _among(session: Session, column: str, name: str, values: Iterable[int]) -> tuple[str, Any]:
    """Say `column IN values` in SQL text with one bound parameter, as `among` does."""
    listed = sorted(set(values))
    if session.get_bind().dialect.name == "postgresql":
        return f"{column} = ANY(:{name})", bindparam(name, listed, type_=ARRAY(Integer))
    return f"{column} IN (SELECT value FROM json_each(:{name}))", bindparam(
        name, json.dumps(listed)
    )


def _json(session: Session, expression: str) -> str:
    # SQLite keeps JSON as its text; PostgreSQL wants the type said.
    if session.get_bind().dialect.name == "postgresql":
        return f"CAST({expression} AS JSON)"
    return expression


_KEY_BASE = f"{_KEY} || ':person:' || CAST(p.id AS TEXT)"


def queue_messages(
    session: Session,
    plans: Sequence[Plan],
    claimed: Sequence[Claimed],
    identity_ids: Iterable[int],
    templates: Sequence[Template],
    channels: Sequence[str],
    *,
    priority: int,
    due: dt.datetime,
    now: dt.datetime,
) -> list[Row[Any]]:
    """Write one message per focal point of each claimed assignment, on the chat whose
    identity id is given, from the templates; return (id, channel, chat_id, idempotency_key)
    of the rows written.

    Left for the caller: chats in the middle of a dialog, people whose notice went to any of
    their chats before (`channels` are all there are), and anyone the templates or identities
    do not cover. Rows are written by assignment, then person.
    """
    if not claimed or not templates:
        return []
    suffixes = {f"chat_{n}": f":{channel}" for n, channel in enumerate(channels)}
    plan_cte, plan_params = _plan_cte(plans)
    template_cte, template_params = _values(
        "template",
        ("locale", "plan_id", "unit_kind", "acknowledged", "text", "choices"),
        [
            (t.locale, t.plan, t.unit_kind, int(t.acknowledged), t.text, json.dumps(t.choices))
            for t in templates
        ],
        {},
    )
    assignments, assignment_param = _among(
        session, "a.id", "assignments", (item.assignment_id for item in claimed)
    )
    # Unary plus: the chat list is a filter, not where SQLite should start (that is quadratic).
    chats, chat_param = _among(session, "+i.id", "chats", identity_ids)
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    moment = table.c.not_before.type
    statement = text(
        f"WITH {plan_cte}, {template_cte}"
        f" INSERT INTO {_OUTBOX} (channel, chat_id, person_id, text, choices, photo,"
        " document, locale, priority, broadcast_id, idempotency_key, status, attempts,"
        " parts_sent, first_attempt_at, not_before, leased_until, last_error, created_at,"
        " sent_at)"
        " SELECT i.channel, i.chat_id, p.id, replace(t.text, :unit_mark, u.name),"
        f" {_json(session, 'replace(t.choices, :assignment_mark, CAST(a.id AS TEXT))')},"
        " '', '', p.locale, :priority, NULL,"
        f" {_KEY_BASE} || ':' || i.channel, :pending, 0, 0, NULL, :due, NULL, '', :now, NULL"
        # CROSS JOIN fixes SQLite's join order to the one that is linear in the assignments
        # (before statistics exist it may start from people instead, which takes minutes);
        # PostgreSQL plans it as it would plain joins.
        " FROM plan CROSS JOIN assignment a CROSS JOIN unit u CROSS JOIN person p"
        " CROSS JOIN identity i CROSS JOIN template t"
        " LEFT JOIN conversation c ON c.channel = i.channel AND c.external_id = i.external_id"
        f" WHERE plan.directive_id = a.directive_id AND u.id = a.unit_id AND {_PLAN_FITS}"
        " AND p.unit_id = a.unit_id AND i.person_id = p.id"
        " AND t.plan_id = plan.plan_id AND (t.unit_kind = '' OR t.unit_kind = u.kind)"
        " AND t.locale = p.locale"
        # A unit given a task of its own is written one by one, with its task.
        " AND NOT EXISTS (SELECT 1 FROM directivetask own WHERE own.directive_id = a.directive_id"
        " AND own.unit_id = a.unit_id)"
        " AND t.acknowledged = CASE WHEN EXISTS (SELECT 1 FROM acknowledgement k"
        " WHERE k.assignment_id = a.id AND k.person_id = p.id) THEN 1 ELSE 0 END"
        f" AND {assignments} AND a.id BETWEEN :low AND :high AND {chats}"
        f" AND p.role = '{Role.FOCAL.value}' AND p.removed_at IS NULL"
        " AND (c.step IS NULL OR c.step = '')"
        f" AND NOT EXISTS (SELECT 1 FROM {_OUTBOX} earlier WHERE earlier.idempotency_key IN"
        f" ({', '.join(f'{_KEY_BASE} || :{name}' for name in suffixes)}))"
        " ORDER BY a.id, p.id"
        " ON CONFLICT (idempotency_key) DO NOTHING"
        " RETURNING id, channel, chat_id, idempotency_key"
    ).bindparams(
        *plan_params,
        *template_params,
        assignment_param,
        chat_param,
        bindparam("due", due, type_=moment),
        bindparam("now", now, type_=moment),
        unit_mark=UNIT_MARK,
        assignment_mark=_ASSIGNMENT_IN_JSON,
        priority=priority,
        pending="pending",
        **suffixes,
        low=claimed[0].assignment_id,
        high=claimed[-1].assignment_id,
    )
    # All rows in one fetch: one by one, 200,000 of them cost a second of Python.
    return list(session.execute(statement).all())


def save_prompts_of(session: Session, outbox_ids: Iterable[int], now: dt.datetime) -> None:
    """Make each of these messages its chat's numbered question, so a reply "1" maps to it;
    at most one message per chat."""
    wanted, param = _among(session, "o.id", "messages", outbox_ids)
    moment = OutboxMessage.__table__.c.created_at.type  # type: ignore[attr-defined]
    statement = text(
        "INSERT INTO conversation (channel, external_id, step, data, prompt, choices, offer,"
        " updated_at)"
        f" SELECT o.channel, i.external_id, '', {_json(session, ':empty')}, o.text, o.choices,"
        f" 0, :now FROM {_OUTBOX} o JOIN identity i ON i.person_id = o.person_id"
        " AND i.channel = o.channel AND i.chat_id = o.chat_id"
        f" WHERE {wanted}"
        " ON CONFLICT (channel, external_id)"
        " DO UPDATE SET prompt = excluded.prompt, choices = excluded.choices"
    ).bindparams(param, bindparam("now", now, type_=moment), empty="{}")
    session.execute(statement)
