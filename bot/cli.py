"""The `hoctap` command line: run the bot, upgrade the database, invite people, manage units,
export the fund ledger, read a directive file."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlmodel import Session

from bot.cli_database import (
    CommandError,
    database_location,
    known_units,
    open_existing_database,
    resolve_unit,
    shown_url,
)
from bot.cli_directive import add_commands as add_directive_commands
from bot.cli_report import add_commands as add_export_commands
from bot.cli_roster import add_commands as add_roster_commands
from bot.config import Settings, get_settings
from handlers.i18n import use_voice
from storage.db import transaction, upgrade
from storage.housekeeping import prune
from storage.models import Role, utcnow
from storage.people import create_invite, focal_counts, list_units, telegram_link
from storage.unit_table import UnreadableFile, read_table
from storage.units_import import UnitsFileError, import_units

Action = Callable[[argparse.Namespace, Settings], int]
IMPORT_HELP = """Add the units listed in a file; nothing is added unless every row is right.

The file: CSV separated by commas, semicolons or tabs, in UTF-8 (with or without BOM),
Windows-1258 or CP1252; or an Excel workbook (.xlsx), first sheet.
The first row names the columns: "Tên đơn vị" (or "name") and "Loại" (or "kind");
other columns, such as STT, are ignored.
Kinds (case and accents optional):
  village: thôn, xóm, ấp, bản, buôn, tổ dân phố, khu phố
  school:  trường, mầm non, tiểu học, THCS, THPT
  office:  cơ quan, trung tâm, phòng
A name already registered is skipped; one differing from another only in case or accents
(Thon Dong, Thôn Đông) is refused."""


def db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    """Apply every pending migration."""
    upgrade(settings.database_url)
    print(f"database is up to date: {shown_url(settings.database_url)}")
    return 0


def invite(args: argparse.Namespace, settings: Settings) -> int:
    """Create a one-time invite code and print it with how to use it."""
    if args.unit and args.role != Role.FOCAL.value:
        print("--unit is only for focal invites", file=sys.stderr)
        return 2
    database = open_existing_database(settings)
    try:
        with transaction(database) as session:
            if args.role == Role.FOCAL.value and not args.unit:
                raise CommandError(f"focal needs --unit NAME; {known_units(session)}")
            unit = resolve_unit(session, args.unit) if args.unit else None
            code = create_invite(session, args.role, utcnow(), unit_id=unit.id if unit else None)
            link = telegram_link(session, code.code)
    finally:
        database.dispose()
    # Printed only once committed: a code shown is a code that works, whoever reads the output.
    expires = code.expires_at.astimezone(ZoneInfo(settings.timezone))
    print(f"code: {code.code}")
    print(f"role: {code.role}")
    print(f"unit: {unit.name if unit else '-'}")
    print(f"expires: {expires:%Y-%m-%d %H:%M} ({settings.timezone})")
    if link:
        print(f"telegram: {link}")
    else:
        print(f"telegram: send /start {code.code} to the bot")
    print(f"zalo: send {code.code} to the bot")
    return 0


def units_import(args: argparse.Namespace, settings: Settings) -> int:
    """Add the units listed in a CSV or XLSX file (columns Tên đơn vị / name, Loại / kind)."""
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as error:
        print(f"cannot read {path}: {error.strerror}", file=sys.stderr)
        return 2
    # Opened first, so that in the wrong folder nothing is said about the file at all.
    database = open_existing_database(settings)
    try:
        table = read_table(data)
        # Said before any problem: names that look garbled mean the encoding guess was wrong.
        print(f"{path}: read as {table.described}")
        with transaction(database) as session:
            result = import_units(session, table)
    except UnreadableFile as error:
        print(f"{path}: {error}; nothing was imported", file=sys.stderr)
        return 2
    except UnitsFileError as error:
        print(f"{path}: nothing was imported; fix these and import it again:", file=sys.stderr)
        print(error, file=sys.stderr)
        return 2
    finally:
        database.dispose()
    place = table.place
    for row in result.skipped:
        print(f"skipped {place} {row.line}: {row.name} already exists")
    for row in result.archived:
        print(f"skipped {place} {row.line}: {row.name} already exists, archived")
    skipped = len(result.skipped) + len(result.archived)
    print(f"imported {len(result.imported)}, skipped {skipped}")
    return 0


def units_list(args: argparse.Namespace, settings: Settings) -> int:
    """Print each unit with its kind and number of focal points."""
    database = open_existing_database(settings)
    try:
        with Session(database) as session:
            units = list_units(session)
            counts = focal_counts(session)
    finally:
        database.dispose()
    if not units:
        print("no units yet; add them with: hoctap units import FILE.csv")
    for unit in units:
        print(f"{unit.name}\t{unit.kind}\t{counts.get(unit.id or 0, 0)} focal")
    return 0


def _moment(text: str | None, zone: ZoneInfo) -> dt.datetime:
    """Read --now (ISO 8601; naive means the commune's time) as a UTC instant; default now."""
    if text is None:
        return utcnow()
    moment = dt.datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(dt.UTC)


def reminders_run(args: argparse.Namespace, settings: Settings) -> int:
    """Run one reminder pass and housekeeping as of --now (default now); print what they did."""
    # Imported here, like `run`: the other commands need no scheduler.
    from bot.scheduler import policy_from_settings, reminder_pass, retention_from_settings

    try:
        policy = policy_from_settings(settings)
        retention = retention_from_settings(settings)
    except ValueError as error:
        print(f"bad reminder setting: {error}", file=sys.stderr)
        return 2
    try:
        now = _moment(args.now, policy.zone)
    except ValueError:
        print(
            f"--now {args.now!r} is not a date and time; use ISO 8601 such as 2026-03-27T08:00",
            file=sys.stderr,
        )
        return 2
    database = open_existing_database(settings)
    try:
        summary = reminder_pass(database, policy, now)
        # A --now in the future must not delete what is still young today.
        pruned = prune(database, min(now, utcnow()), retention)
    finally:
        database.dispose()
    local = now.astimezone(policy.zone)
    print(f"as of {local:%Y-%m-%d %H:%M} ({policy.timezone})")
    print(f"reminders: {summary.reminders}")
    print(f"escalations: {summary.escalations}")
    print(f"digests: {summary.digests}")
    print(f"messages: {summary.messages} ({summary.deferred} wait for the end of quiet hours)")
    print(
        f"housekeeping: deleted {pruned.inbound_keys} message keys, {pruned.sent} sent "
        f"and {pruned.failed} failed messages"
    )
    if summary.failed:
        print(f"failed: {summary.failed} (see the log; retried on the next pass)", file=sys.stderr)
        return 1
    return 0


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Start every configured channel and serve until stopped."""
    # Imported here so the other commands work without the channel code and its libraries;
    # bot.app sets up logging with the tokens redacted.
    from bot.app import run as run_bot

    return int(run_bot(settings) or 0)


def build_parser() -> argparse.ArgumentParser:
    """Describe the commands and their options."""
    parser = argparse.ArgumentParser(prog="hoctap", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="start the bot").set_defaults(action=run)

    db = commands.add_parser("db", help="database schema").add_subparsers(dest="db", required=True)
    db.add_parser("upgrade", help="apply migrations").set_defaults(action=db_upgrade)

    invite_parser = commands.add_parser("invite", help="print a one-time invite code")
    invite_parser.add_argument("--role", required=True, choices=[role.value for role in Role])
    invite_parser.add_argument("--unit", help="unit name (focal points only)")
    invite_parser.set_defaults(action=invite)

    units = commands.add_parser("units", help="the units").add_subparsers(
        dest="units", required=True
    )
    importer = units.add_parser(
        "import",
        help="add units from a CSV or XLSX file",
        description=IMPORT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    importer.add_argument("file", help="CSV (comma, semicolon or tab) or XLSX (first sheet)")
    importer.set_defaults(action=units_import)
    units.add_parser("list", help="list units").set_defaults(action=units_list)

    reminders = commands.add_parser("reminders", help="deadline reminders").add_subparsers(
        dest="reminders", required=True
    )
    once = reminders.add_parser("run", help="queue the reminders, escalations and digest due")
    once.add_argument("--now", help="as of this time, ISO 8601 (default: now, commune time)")
    once.set_defaults(action=reminders_run)
    add_roster_commands(commands, units)
    add_export_commands(commands)
    add_directive_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one `hoctap` command and return its exit code."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as stop:
        # argparse exits on --help and on usage errors; callers get the code instead.
        return stop.code if isinstance(stop.code, int) else 2
    # The commands other than `run` configure no logging: they never touch a token, and
    # Python's last-resort handler shows only warnings, which keeps Alembic's chatter out.
    try:
        settings = get_settings()
    except ValidationError as error:
        for problem in error.errors():
            name = ".".join(str(part) for part in problem["loc"]).upper()
            print(f"bad setting {name}: {problem['msg']}", file=sys.stderr)
        return 2
    # Before any command renders a message (reminders, a farewell) or starts the bot.
    use_voice(settings.voice())
    action: Action = args.action
    try:
        # One line on stderr, so the operator sees at once which database a command used.
        print(f"database: {database_location(settings)}", file=sys.stderr)
        code = action(args, settings)
        # Flushed here, not at exit, so a reader that went away is handled below.
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # `hoctap invite | head -1`: the reader stopped reading; the work itself is done.
        _discard_stdout()
        return 0
    except CommandError as error:
        print(error, file=sys.stderr)
        return error.code
    except ArgumentError:
        print("DATABASE_URL is not a valid database URL", file=sys.stderr)
        return 1
    except OperationalError as error:
        print(
            f"cannot use the database {shown_url(settings.database_url)}: {error.orig}",
            file=sys.stderr,
        )
        return 1


def _discard_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):
        sys.stdout = os.fdopen(os.dup(devnull), "w")
    finally:
        os.close(devnull)


if __name__ == "__main__":
    raise SystemExit(main())
