"""Fixtures: a migrated database per test, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from handlers.engine import Engine as DialogEngine
from handlers.i18n import Voice, use_voice
from tests.support.clock import FakeClock
from tests.support.databases import (
    BACKENDS,
    claim_worker_database,
    drop_worker_database,
    postgres_database,
    sqlite_database,
    sqlite_template,
)
from tests.support.tls import share_default_context

_worker_database: str | None = None


def pytest_configure(config: pytest.Config) -> None:
    """Each xdist worker runs PostgreSQL tests on a database of its own; HTTP clients share
    one TLS context."""
    global _worker_database
    _worker_database = claim_worker_database()
    share_default_context()


def pytest_unconfigure(config: pytest.Config) -> None:
    """Drop the worker's database once its tests are done."""
    if _worker_database:
        drop_worker_database(_worker_database)


@pytest.fixture(scope="session")
def template_dir(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A folder holding the migrated SQLite template."""
    return sqlite_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, template_dir, tmp_path) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    """A freshly migrated, empty database on each backend."""
    if request.param == "sqlite":
        _url, engine = sqlite_database(template_dir, tmp_path)
    else:
        _url, engine = postgres_database()
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    """A clock fixed at 08:00 on 20/03/2026 in the commune (01:00 UTC)."""
    return FakeClock(dt.datetime(2026, 3, 20, 1, 0, tzinfo=dt.UTC))


@pytest.fixture
def engine(database: Engine, clock: FakeClock) -> DialogEngine:
    """The dialog engine on the test database and the fake clock."""
    return DialogEngine(database, clock=clock)


@pytest.fixture(autouse=True)
def default_voice() -> Iterator[None]:
    """Every test starts with the catalog's own voice; one that sets another (the CLI reads
    ADDRESS_FORM) leaves no trace in the next."""
    use_voice(Voice())
    yield
    use_voice(Voice())
