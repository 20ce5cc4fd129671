"""Database engines, sessions and schema upgrades."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlmodel import Session, create_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    """Create an engine for `url`; SQLite files get WAL mode and a busy timeout."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # WAL lets the CLI read while the bot writes; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def alembic_config(url: str) -> Config:
    """Return an Alembic configuration for the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Apply every migration not yet applied to the database at `url`; refresh SQLite's stats."""
    command.upgrade(alembic_config(url), "head")
    if url.startswith("sqlite"):
        engine = make_engine(url)
        try:
            refresh_statistics(engine)
        finally:
            engine.dispose()


ANALYSIS_LIMIT = 1000
"""Rows SQLite samples per index when it refreshes its statistics: a bounded cost."""


def refresh_statistics(engine: Engine) -> None:
    """Let SQLite's planner see the tables as they are now (PostgreSQL's autovacuum does this).

    SQLite plans from sqlite_stat1 alone: without it a new index may be passed over, and
    statistics taken when the tables were empty mislead it once they have grown.
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.begin() as connection:
        connection.exec_driver_sql(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        connection.execute(text("ANALYZE"))


class StorageUnavailable(Exception):
    """The database cannot be reached or is locked right now; try the same work again later."""


def is_outage(error: BaseException) -> bool:
    """Tell a database that is down, restarting or locked from a bug in the work itself."""
    if isinstance(error, OperationalError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """Open a session whose work commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
