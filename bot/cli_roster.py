"""`hoctap people …` and `hoctap units archive`: keeping the roster current from the shell."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sqlmodel import Session

from bot.cli_database import CommandError, open_existing_database, resolve_unit
from bot.config import Settings
from handlers.quiet import QuietHours
from handlers.roster import farewell
from storage.db import transaction
from storage.models import Person, utcnow
from storage.people import focal_counts
from storage.roster import RosterError, archive_unit, list_people, move_person, remove_person

REMOVAL_REFUSED = {
    "removed": "{who} was already removed",
    "last_admin": "{who} is the last admin and cannot be removed; invite another admin first",
}
MOVE_REFUSED = {
    "removed": "{who} has been removed",
    "not_focal": "{who} is not a focal point; only focal points belong to a unit",
    "archived": "{unit} is archived",
    "same": "{who} is already a focal point of {unit}",
}


def _person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise CommandError(f"no person with id {person_id}; see: hoctap people list")
    return person


def _who(person: Person) -> str:
    return f"{person.id} ({person.name or '-'})"


def people_list(args: argparse.Namespace, settings: Settings) -> int:
    """Print everyone not removed: id, role, unit and name."""
    database = open_existing_database(settings)
    try:
        with Session(database) as session:
            rows = [
                (person.id, person.role, unit.name if unit else "-", person.name or "-")
                for person, unit in list_people(session)
            ]
    finally:
        database.dispose()
    if not rows:
        print("nobody yet; invite someone with: hoctap invite --role admin")
    for person_id, role, unit, name in rows:
        print(f"{person_id}\t{role}\t{unit}\t{name}")
    return 0


def people_remove(args: argparse.Namespace, settings: Settings) -> int:
    """Remove a person: nothing more is sent to them, their chats are told once."""
    database = open_existing_database(settings)
    try:
        with transaction(database) as session:
            person = _person(session, args.id)
            now = utcnow()
            try:
                chats = remove_person(session, person, actor_id=None, now=now)
            except RosterError as error:
                print(REMOVAL_REFUSED[error.reason].format(who=_who(person)), file=sys.stderr)
                return 2
            quiet = QuietHours.parse(settings.quiet_hours, settings.timezone)
            told = farewell(session, person, chats, settings.timezone, now, quiet)
            print(f"removed {_who(person)}; told on {len(told)} chats")
    finally:
        database.dispose()
    return 0


def people_move(args: argparse.Namespace, settings: Settings) -> int:
    """Make a focal point a focal point of another unit."""
    database = open_existing_database(settings)
    try:
        with transaction(database) as session:
            person = _person(session, args.id)
            unit = resolve_unit(session, args.unit)
            try:
                old = move_person(session, person, unit, actor_id=None, now=utcnow())
            except RosterError as error:
                problem = MOVE_REFUSED[error.reason].format(who=_who(person), unit=unit.name)
                print(problem, file=sys.stderr)
                return 2
            print(f"moved {_who(person)} from {old.name if old else '-'} to {unit.name}")
    finally:
        database.dispose()
    return 0


def units_archive(args: argparse.Namespace, settings: Settings) -> int:
    """Archive a unit: gone from lists, status and reminders; its records kept."""
    database = open_existing_database(settings)
    try:
        with transaction(database) as session:
            unit = resolve_unit(session, args.name)
            focal = focal_counts(session).get(unit.id or 0, 0)
            archive_unit(session, unit, actor_id=None, now=utcnow())
    finally:
        database.dispose()
    print(f"archived {unit.name}")
    if focal:
        print(f"its {focal} focal points get nothing more for it; move or remove them")
    return 0


def add_commands(commands: Any, units: Any) -> None:
    """Add `people list|remove|move` and `units archive` to the `hoctap` parser."""
    people = commands.add_parser("people", help="the people using the bot").add_subparsers(
        dest="people", required=True
    )
    people.add_parser("list", help="list people (id, role, unit, name)").set_defaults(
        action=people_list
    )
    remove = people.add_parser("remove", help="remove a person; their history is kept")
    remove.add_argument("id", type=int, help="the person's id (see: hoctap people list)")
    remove.set_defaults(action=people_remove)
    move = people.add_parser("move", help="move a focal point to another unit")
    move.add_argument("id", type=int, help="the person's id (see: hoctap people list)")
    move.add_argument("--unit", required=True, help="name of the unit they now work for")
    move.set_defaults(action=people_move)
    archive = units.add_parser("archive", help="archive a unit; its history is kept")
    archive.add_argument("name", help="the unit's name")
    archive.set_defaults(action=units_archive)
