"""Test databases: a migrated SQLite template copied per test, and PostgreSQL when configured.

Under pytest-xdist each worker runs on its own PostgreSQL database, named after
TEST_DATABASE_URL's and the worker (`hoctap_ci_123_gw0`): created when the worker starts,
dropped when it ends, so two workers never empty or migrate each other's tables.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.util import LRUCache
from sqlmodel import SQLModel

from storage.db import make_engine, upgrade

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def sqlite_template(directory: Path) -> Path:
    """Migrate one SQLite file that every test copies, so migrations run once."""
    template = directory / "template.db"
    if not template.exists():
        upgrade(f"sqlite:///{template}")
    return template


COMPILED_STATEMENTS = 2000
"""Room for every statement the suite runs on one backend (some 400), compiled once."""
_compiled: dict[str, tuple[Dialect, LRUCache]] = {}


def compiled_once(engine: Engine) -> Engine:
    """Let a test's engine reuse the SQL the tests before it compiled on the same backend.

    The bot keeps one engine, and so compiles each statement once, for its whole life; a
    fresh engine per test would compile them all again in every test, a quarter of the
    suite's time. SQLAlchemy keys its compiled statements on the dialect object, so every
    test engine on a backend takes the first one's dialect (same driver, same server) and
    cache. Connections, pools and events stay the engine's own.
    """
    backend = engine.dialect.name
    if backend not in _compiled:
        with engine.connect():
            pass  # the first connection reads the server's version into the dialect
        _compiled[backend] = (engine.dialect, LRUCache(COMPILED_STATEMENTS))
    dialect, cache = _compiled[backend]
    engine.dialect = dialect
    engine.pool._dialect = dialect
    engine._compiled_cache = cache
    return engine


def sqlite_database(template: Path, directory: Path) -> tuple[str, Engine]:
    """Copy the template into a fresh file and open it."""
    path = directory / "hoctap.db"
    shutil.copy(template, path)
    url = f"sqlite:///{path}"
    return url, compiled_once(make_engine(url))


_base_url = os.environ.get("TEST_DATABASE_URL", "")
"""The database CI created: the workers' own are made, and dropped, from a connection to it."""


def _on_base() -> Engine:
    """An engine on the configured database, outside transactions, to create and drop others."""
    return create_engine(_base_url, isolation_level="AUTOCOMMIT")


def claim_worker_database() -> str | None:
    """Point TEST_DATABASE_URL at this xdist worker's own database, created if missing.

    Returns the database's name, or None outside xdist or without TEST_DATABASE_URL.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not _base_url or not worker:
        return None
    base = make_url(_base_url)
    name = f"{base.database}_{worker}"
    engine = _on_base()
    try:
        with engine.connect() as connection:
            found = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
            if not found:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    os.environ["TEST_DATABASE_URL"] = base.set(database=name).render_as_string(hide_password=False)
    return name


def drop_worker_database(name: str) -> None:
    """Drop a worker's database at the end, closing whatever a test left connected to it."""
    engine = _on_base()
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


_postgres_migrated = False


def postgres_database() -> tuple[str, Engine]:
    """Open the configured PostgreSQL database, migrated once and emptied per test."""
    global _postgres_migrated
    url = os.environ["TEST_DATABASE_URL"]
    if not _postgres_migrated:
        upgrade(url)
        _postgres_migrated = True
    engine = compiled_once(make_engine(url))
    names = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    return url, engine
