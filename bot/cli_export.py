"""`hoctap export ledger`: the study-promotion fund ledger as an XLSX workbook."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.cli_database import CommandError, open_existing_database
from bot.config import Settings
from bot.ledger_export import export_ledger
from storage.models import utcnow

DATE_FORMS = ("%Y-%m-%d", "%d/%m/%Y")
"""How a date may be typed: ISO, or day/month/year as the office writes it."""


def read_date(text: str, option: str) -> dt.date:
    """Read a typed date (2026-03-31 or 31/03/2026); CommandError names the option."""
    for form in DATE_FORMS:
        try:
            return dt.datetime.strptime(text.strip(), form).date()
        except ValueError:
            continue
    raise CommandError(f"{option} {text!r} is not a date; use 2026-03-31 or 31/03/2026")


def ledger_period(args: argparse.Namespace, today: dt.date) -> tuple[dt.date, dt.date]:
    """Return the period asked for: this calendar year unless --from / --to say otherwise."""
    last = read_date(args.to, "--to") if args.to else dt.date(today.year, 12, 31)
    # Only --to given: that year from its first day, not a range starting in another year.
    first = read_date(args.start, "--from") if args.start else dt.date(last.year, 1, 1)
    if first > last:
        raise CommandError(f"--from {first:%Y-%m-%d} is after --to {last:%Y-%m-%d}")
    return first, last


def default_file(first: dt.date, last: dt.date) -> Path:
    """Name the workbook after its period: so-quy-khuyen-hoc-2026.xlsx for a whole year."""
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31) and first.year == last.year:
        return Path(f"so-quy-khuyen-hoc-{first.year}.xlsx")
    return Path(f"so-quy-khuyen-hoc-{first:%Y-%m-%d}-den-{last:%Y-%m-%d}.xlsx")


def export_ledger_command(args: argparse.Namespace, settings: Settings) -> int:
    """Write the fund ledger of a period to an XLSX file and say where, with how many rows."""
    today = utcnow().astimezone(ZoneInfo(settings.timezone)).date()
    first, last = ledger_period(args, today)
    path = Path(args.out) if args.out else default_file(first, last)
    if path.suffix.lower() != ".xlsx":
        raise CommandError(f"--out {path} must end in .xlsx")
    database = open_existing_database(settings)
    try:
        with Session(database) as session:
            count = export_ledger(session, first, last, path)
    except OSError as error:
        print(f"cannot write {path}: {error.strerror or error}", file=sys.stderr)
        return 2
    finally:
        database.dispose()
    print(f"wrote {path.resolve()}")
    print(f"{count} ledger rows dated {first:%Y-%m-%d} to {last:%Y-%m-%d}")
    return 0


def add_commands(commands: Any) -> None:
    """Add `export ledger` to the `hoctap` parser."""
    export = commands.add_parser("export", help="export data as XLSX").add_subparsers(
        dest="export", required=True
    )
    ledger = export.add_parser(
        "ledger",
        help="the study-promotion fund ledger (sổ quỹ khuyến học)",
        description="Every receipt of the period with reversals as negative rows, then totals "
        "per unit, per donor kind and overall. Dates: 2026-03-31 or 31/03/2026.",
    )
    ledger.add_argument("--from", dest="start", help="first date (default: 1 January)")
    ledger.add_argument("--to", help="last date (default: 31 December of this year)")
    ledger.add_argument("--out", help="the .xlsx file (default: so-quy-khuyen-hoc-YEAR.xlsx)")
    ledger.set_defaults(action=export_ledger_command)
