"""Test databases: a migrated SQLite template copied per test, and PostgreSQL when configured."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sqlalchemy import Engine, text
from sqlmodel import SQLModel

from storage.db import make_engine, upgrade

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def sqlite_template(directory: Path) -> Path:
    """Migrate one SQLite file that every test copies, so migrations run once."""
    template = directory / "template.db"
    if not template.exists():
        upgrade(f"sqlite:///{template}")
    return template


def sqlite_database(template: Path, directory: Path) -> tuple[str, Engine]:
    """Copy the template into a fresh file and open it."""
    path = directory / "hoctap.db"
    shutil.copy(template, path)
    url = f"sqlite:///{path}"
    return url, make_engine(url)


_postgres_migrated = False


def postgres_database() -> tuple[str, Engine]:
    """Open the configured PostgreSQL database, migrated once and emptied per test."""
    global _postgres_migrated
    url = os.environ["TEST_DATABASE_URL"]
    if not _postgres_migrated:
        upgrade(url)
        _postgres_migrated = True
    engine = make_engine(url)
    names = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    return url, engine
