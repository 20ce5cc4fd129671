"""What every `hoctap` command shares: the database it may open and the unit an operator typed."""

from __future__ import annotations

import difflib
from pathlib import Path

from sqlalchemy import Engine, inspect, make_url
from sqlmodel import Session, col, select

from bot.config import Settings
from handlers.matching import normalize
from storage.db import make_engine, upgrade
from storage.models import Unit
from storage.ordering import sorted_units
from storage.people import list_units
from storage.text import clean_text

SCHEMA_TABLES = {"alembic_version", "unit", "person"}
"""Tables whose presence says a database is hoctap's, not an empty or foreign one."""


class CommandError(Exception):
    """A command cannot go on: main prints the message on stderr and exits with `code`."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def shown_url(url: str) -> str:
    """Return a database URL fit for printing: the password hidden."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_file(url: str) -> Path | None:
    """Return the file an SQLite URL names (absolute), or None for another backend or memory."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).resolve()


def database_location(settings: Settings) -> str:
    """Say which database the settings point at: the SQLite file, or the URL without password."""
    path = _sqlite_file(settings.database_url)
    return f"SQLite {path}" if path else shown_url(settings.database_url)


def open_existing_database(settings: Settings) -> Engine:
    """Open the bot's database for a command that reads or adds data; never create a new one.

    A wrong working directory or DATABASE_URL would otherwise give the operator a fresh empty
    database that the bot never reads (an invite code nobody can redeem). CommandError (exit 2)
    names the place looked at. Migrations still pending on a real database are applied.
    """
    path = _sqlite_file(settings.database_url)
    hint = (
        f"DATABASE_URL is {shown_url(settings.database_url)}; run the command in the bot's "
        "folder or set DATABASE_URL to the bot's database (a new one is made by: hoctap db upgrade)"
    )
    if path is not None and not path.is_file():
        raise CommandError(f"no database at {path}; {hint}")
    database = make_engine(settings.database_url)
    try:
        tables = set(inspect(database).get_table_names())
    except BaseException:
        database.dispose()
        raise
    if SCHEMA_TABLES - tables:
        database.dispose()
        raise CommandError(f"{database_location(settings)} holds no hoctap tables; {hint}")
    upgrade(settings.database_url)
    return database


def known_units(session: Session) -> str:
    """Name the units in use, or say how to add some."""
    names = [unit.name for unit in list_units(session)]
    if not names:
        return "no units yet; add them with: hoctap units import FILE.csv"
    return "known units: " + ", ".join(names)


def resolve_unit(session: Session, wanted: str) -> Unit:
    """Find the unit an operator typed, ignoring case, spacing and diacritics (đ = d).

    CommandError lists the closest names when none matches, or the candidates when several do.
    """
    typed = " ".join(clean_text(wanted).split())
    # Archived units too, so the operator hears "archived" rather than "unknown".
    units = list(session.exec(select(Unit).order_by(col(Unit.id))))
    for unit in units:
        if unit.name.casefold() == typed.casefold():
            return _active(unit)
    key = normalize(typed)
    folded = [unit for unit in units if normalize(unit.name) == key]
    if len(folded) == 1:
        return _active(folded[0])
    if folded:
        names = ", ".join(unit.name for unit in sorted_units(folded))
        raise CommandError(f"{typed!r} matches several units: {names}; type it with its accents")
    by_key = {normalize(unit.name): unit.name for unit in units if unit.archived_at is None}
    closest = difflib.get_close_matches(key, list(by_key), n=3, cutoff=0.6)
    if closest:
        raise CommandError(
            f"unknown unit {typed!r}; closest: " + ", ".join(by_key[name] for name in closest)
        )
    raise CommandError(f"unknown unit {typed!r}; {known_units(session)}")


def _active(unit: Unit) -> Unit:
    if unit.archived_at is not None:
        raise CommandError(f"unit {unit.name!r} is archived")
    return unit
