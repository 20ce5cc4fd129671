"""Set-based reads and writes for passes that queue many messages at once."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Row, Table, any_, bindparam, literal_column, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.models import (
    Conversation,
    Identity,
    OutboxMessage,
    OutboxStatus,
    Person,
    Role,
    Unit,
)

CHUNK = 20_000
"""Values looked up per query; they travel as one array (PostgreSQL) or JSON text (SQLite)."""


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    """Yield `values` in slices of at most `size`."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def among(session: Session, column: Any, values: Iterable[Any]) -> Any:
    """Say `column IN values` with one bound parameter however many values there are.

    An IN list of thousands of parameters costs more to build than the query costs to run.
    """
    listed = list(values)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, listed, type_=postgresql.ARRAY(column.type)))
    rows = text("SELECT value FROM json_each(:values)").bindparams(values=json.dumps(listed))
    return column.in_(rows.columns(literal_column("value")))


def dialect_insert(session: Session, table: Table) -> Any:
    """An INSERT in the database's own dialect, which can say ON CONFLICT."""
    # ON CONFLICT is spelled by the dialect's own insert; both backends have it.
    dialect = session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(table)


def insert_new(
    session: Session, table: Table, rows: list[dict[str, Any]], unique: str
) -> set[Any]:
    """Insert `rows`, skipping those whose `unique` column is taken; return the values inserted.

    The unique key decides between two passes: on PostgreSQL the later one waits for the
    earlier's commit and then skips, on SQLite the write lock orders them.
    """
    if not rows:
        return set()
    connection = session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    # Bound by hand with the columns' own converters: per-row statement handling costs more
    # than the database's work here, and the rows are all alike.
    converters = [
        (index, _cached(table.c[name].type.dialect_impl(dialect).bind_processor(dialect)))
        for index, name in enumerate(names)
    ]
    converters = [(index, convert) for index, convert in converters if convert is not None]
    if dialect.name == "postgresql":
        return _insert_columns(connection, table, names, rows, unique, converters)
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    values = "(" + ", ".join([mark] * len(names)) + ")"
    columns = ", ".join(f'"{name}"' for name in names)
    inserted: set[Any] = set()
    size = max(1, 10_000 // len(names))
    for part in chunks(rows, size):
        sql = (
            f'INSERT INTO "{table.name}" ({columns}) VALUES {", ".join([values] * len(part))}'
            f' ON CONFLICT ("{unique}") DO NOTHING RETURNING "{unique}"'
        )
        params: list[Any] = []
        for row in part:
            bound = [row[name] for name in names]
            for index, convert in converters:
                bound[index] = convert(bound[index])
            params += bound
        inserted.update(found for (found,) in connection.exec_driver_sql(sql, tuple(params)))
    return inserted


def _insert_columns(
    connection: Any, table: Table, names: list[str], rows: list[dict[str, Any]], unique: str,
    converters: list[tuple[int, Any]],
) -> set[Any]:
    """PostgreSQL: bind one array per column and unnest them, a handful of parameters."""
    dialect = connection.dialect
    arrays = ", ".join(f"%s::{table.c[name].type.compile(dialect)}[]" for name in names)
    columns = ", ".join(f'"{name}"' for name in names)
    sql = (
        f'INSERT INTO "{table.name}" ({columns}) SELECT * FROM unnest({arrays})'
        f' ON CONFLICT ("{unique}") DO NOTHING RETURNING "{unique}"'
    )
    inserted: set[Any] = set()
    for part in chunks(rows, 5000):
        values = [[row[name] for row in part] for name in names]
        for index, convert in converters:
            values[index] = [convert(value) for value in values[index]]
        inserted.update(found for (found,) in connection.exec_driver_sql(sql, tuple(values)))
    return inserted


def _cached(convert: Any) -> Any:
    """Remember a converter's results for times: a batch holds the same few."""
    if convert is None:
        return None
    seen: dict[Any, Any] = {}

    def cached(value: Any) -> Any:
        found = seen.get(value, seen) if isinstance(value, dt.datetime) else seen
        if found is seen:
            found = convert(value)
            if isinstance(value, dt.datetime):
                seen[value] = found
        return found

    return cached


def save_prompts(session: Session, prompts: dict[tuple[str, str], tuple[str, list[list[str]]]],
                 now: Any) -> None:
    """Record each chat's last numbered question, creating the chat's conversation if needed."""
    table = Conversation.__table__  # type: ignore[attr-defined]
    rows = [
        {"channel": channel, "external_id": external_id, "step": "", "data": {},
         "prompt": prompt, "choices": choices, "offer": 0, "updated_at": now}
        for (channel, external_id), (prompt, choices) in prompts.items()
    ]
    for part in chunks(rows, 500):
        statement = dialect_insert(session, table)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.channel, table.c.external_id],
            set_={"prompt": statement.excluded.prompt, "choices": statement.excluded.choices},
        )
        session.execute(statement, list(part))


def focal_points_of(session: Session, unit_ids: Iterable[int]) -> dict[int, list[Row[Any]]]:
    """Return the focal points (id, unit_id, locale, preferred_channel) of units, oldest first.

    Removed people and archived units are left out, as in focal_points.
    """
    found: dict[int, list[Row[Any]]] = defaultdict(list)
    for part in chunks(sorted(set(unit_ids))):
        query = (
            select(Person.id, Person.unit_id, Person.locale, Person.preferred_channel)
            .join(Unit, col(Unit.id) == col(Person.unit_id))
            .where(
                Person.role == Role.FOCAL.value,
                among(session, col(Person.unit_id), part),
                col(Person.removed_at).is_(None),
                col(Unit.archived_at).is_(None),
            )
            .order_by(col(Person.id))
        )
        for row in session.exec(query):
            found[row.unit_id].append(row)
    return found


def identities_of(session: Session, person_ids: Iterable[int]) -> dict[int, list[Row[Any]]]:
    """Return every chat account of the people, by person id."""
    found: dict[int, list[Row[Any]]] = defaultdict(list)
    for part in chunks(sorted(set(person_ids))):
        query = select(
            Identity.id, Identity.person_id, Identity.channel, Identity.external_id,
            Identity.chat_id, Identity.reachable, Identity.last_seen_at,
        ).where(among(session, col(Identity.person_id), part)).order_by(col(Identity.id))
        for row in session.exec(query):
            found[row.person_id].append(row)
    return found


def conversations_of(
    session: Session, chats: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], Row[Any]]:
    """Return the conversation rows of chats given as (channel, external id)."""
    wanted = set(chats)
    found: dict[tuple[str, str], Row[Any]] = {}
    for part in chunks(sorted({external for _channel, external in wanted})):
        query = select(
            Conversation.channel, Conversation.external_id, Conversation.step,
            Conversation.prompt, Conversation.choices, Conversation.offer,
        ).where(among(session, col(Conversation.external_id), part))
        for row in session.exec(query):
            if (row.channel, row.external_id) in wanted:
                found[(row.channel, row.external_id)] = row
    return found


def queued_keys(session: Session, keys: Iterable[str]) -> set[str]:
    """Return those of `keys` that some outbox row already carries."""
    found: set[str] = set()
    for part in chunks(sorted(set(keys))):
        query = select(OutboxMessage.idempotency_key).where(
            among(session, col(OutboxMessage.idempotency_key), part)
        )
        found.update(key for key in session.exec(query) if key is not None)
    return found


def pending_row(
    *,
    channel: str,
    chat_id: str,
    person_id: int | None,
    text: str,
    choices: list[list[str]],
    locale: str,
    priority: int,
    key: str,
    due: dt.datetime,
    now: dt.datetime,
    broadcast_id: int | None = None,
) -> dict[str, Any]:
    """Spell an outbox row waiting to be sent, for a bulk insert."""
    return {
        "channel": channel,
        "chat_id": chat_id,
        "person_id": person_id,
        "text": text,
        "choices": choices,
        "photo": "",
        "document": "",
        "locale": locale,
        "priority": priority,
        "broadcast_id": broadcast_id,
        "idempotency_key": key,
        "status": OutboxStatus.PENDING.value,
        "attempts": 0,
        "parts_sent": 0,
        "first_attempt_at": None,
        "not_before": due,
        "leased_until": None,
        "last_error": "",
        "created_at": now,
        "sent_at": None,
    }
