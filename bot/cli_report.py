"""`hoctap export report` and `export disclosure`: the documents the office prints, as DOCX.

`report` is the báo cáo on one directive, or on every open one; `disclosure` the công khai of
one unit's contributions of a period, printed to the terminal for the village's Zalo group and
written as a page to post at the village hall.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.cli_database import CommandError, open_existing_database, resolve_unit
from bot.cli_export import add_commands as add_workbook_commands
from bot.cli_export import (
    cannot_write,
    check_out_suffix,
    chosen_directives,
    ledger_period,
    slug,
    status_file,
)
from bot.config import Settings
from bot.disclosure_docx import export_disclosure
from bot.status_report import export_status_report
from handlers.disclosure import disclosure_text
from handlers.i18n import Translator
from storage.models import Unit, utcnow


def export_report_command(args: argparse.Namespace, settings: Settings) -> int:
    """Write the report on one directive, or on every open one, to a DOCX file."""
    zone = ZoneInfo(settings.timezone)
    today = utcnow().astimezone(zone).date()
    check_out_suffix(args.out, ".docx")
    database = open_existing_database(settings)
    try:
        with Session(database) as session:
            directives = chosen_directives(session, args.directive)
            chosen = directives[0] if args.directive is not None else None
            path = Path(args.out) if args.out else status_file(chosen, today, "bao-cao", ".docx")
            try:
                count = export_status_report(
                    session, directives, today, zone, path, settings.commune_name
                )
            except OSError as error:
                return cannot_write(path, error)
    finally:
        database.dispose()
    print(f"wrote {path.resolve()}")
    print(f"{count} units in {len(directives)} directive section(s)")
    return 0


def find_unit(session: Session, wanted: str) -> Unit:
    """Find a unit by its id or by its name typed in any case, with or without accents."""
    unit = session.get(Unit, int(wanted)) if wanted.isascii() and wanted.isdigit() else None
    if unit is None:
        return resolve_unit(session, wanted)
    if unit.archived_at is not None:
        raise CommandError(f"unit {unit.name!r} is archived")
    return unit


def disclosure_file(unit: Unit, first: dt.date, last: dt.date) -> Path:
    """Name the disclosure after the unit and period: cong-khai-thon-dong-2026.docx."""
    whole_year = (first.month, first.day, last.month, last.day) == (1, 1, 12, 31)
    if whole_year and first.year == last.year:
        period = str(first.year)
    else:
        period = f"{first:%Y-%m-%d}-den-{last:%Y-%m-%d}"
    return Path(f"cong-khai-{slug(unit.name) or unit.id}-{period}.docx")


def export_disclosure_command(args: argparse.Namespace, settings: Settings) -> int:
    """Print a unit's disclosure text and write its DOCX page."""
    today = utcnow().astimezone(ZoneInfo(settings.timezone)).date()
    first, last = ledger_period(args, today)
    check_out_suffix(args.out, ".docx")
    database = open_existing_database(settings)
    try:
        with Session(database) as session:
            unit = find_unit(session, args.unit)
            assert unit.id is not None
            path = Path(args.out) if args.out else disclosure_file(unit, first, last)
            text = disclosure_text(session, unit.id, first, last, Translator("vi"))
            try:
                count = export_disclosure(
                    session, unit.id, first, last, today, path, settings.commune_name
                )
            except OSError as error:
                return cannot_write(path, error)
    finally:
        database.dispose()
    print(text)
    print()
    print(f"wrote {path.resolve()}")
    print(f"{count} contributions of {unit.name} dated {first:%Y-%m-%d} to {last:%Y-%m-%d}")
    return 0


def add_commands(commands: Any) -> None:
    """Add every `export` command to the `hoctap` parser: the workbooks, then the documents."""
    export = add_workbook_commands(commands)
    report = export.add_parser(
        "report",
        help="a report (báo cáo) on one directive, or on every open one, as DOCX",
        description="The report the office signs: a summary of the units' progress, a table "
        "of the units (as `export status`) and their difficulties with the office's answers. "
        "COMMUNE_NAME heads it.",
    )
    report.add_argument(
        "directive", nargs="?", type=int, help="the directive's id (default: every open one)"
    )
    report.add_argument("--out", help="the .docx file (default: bao-cao-NUMBER-DATE.docx)")
    report.set_defaults(action=export_report_command)
    disclosure = export.add_parser(
        "disclosure",
        help="a unit's contributions to make public (công khai), as text and DOCX",
        description="Prints the list for the village's Zalo group and writes a page to post at "
        "the village hall. Receipts that still stand only; anonymous donors show as Ẩn danh. "
        "Dates: 2026-03-31 or 31/03/2026.",
    )
    disclosure.add_argument("unit", help="the unit's id or name (case and accents optional)")
    disclosure.add_argument("--from", dest="start", help="first date (default: 1 January)")
    disclosure.add_argument("--to", help="last date (default: 31 December of this year)")
    disclosure.add_argument("--out", help="the .docx file (default: cong-khai-UNIT-YEAR.docx)")
    disclosure.set_defaults(action=export_disclosure_command)
