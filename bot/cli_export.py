"""`hoctap export ledger` and `export status`: the fund ledger and directives' status as XLSX.

The DOCX documents (`export report`, `export disclosure`) are in bot/cli_report.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.cli_database import CommandError, open_existing_database
from bot.config import Settings
from bot.ledger_export import export_ledger
from bot.status_export import export_status
from storage.models import Directive, utcnow
from storage.progress import open_directives
from storage.text import fold_name

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


def check_out_suffix(out: str, suffix: str = ".xlsx") -> None:
    """Refuse an --out that would not be read as this kind of file."""
    if out and Path(out).suffix.lower() != suffix:
        raise CommandError(f"--out {out} must end in {suffix}")


def cannot_write(path: Path, error: OSError) -> int:
    """Say the file could not be written; return the exit code."""
    print(f"cannot write {path}: {error.strerror or error}", file=sys.stderr)
    return 2


def export_ledger_command(args: argparse.Namespace, settings: Settings) -> int:
    """Write the fund ledger of a period to an XLSX file and say where, with how many rows."""
    today = utcnow().astimezone(ZoneInfo(settings.timezone)).date()
    first, last = ledger_period(args, today)
    check_out_suffix(args.out)
    path = Path(args.out) if args.out else default_file(first, last)
    database = open_existing_database(settings)
    try:
        with Session(database) as session:
            count = export_ledger(session, first, last, path)
    except OSError as error:
        return cannot_write(path, error)
    finally:
        database.dispose()
    print(f"wrote {path.resolve()}")
    print(f"{count} ledger rows dated {first:%Y-%m-%d} to {last:%Y-%m-%d}")
    return 0


def slug(text: str) -> str:
    """Spell a name for a file name, ASCII only for any file system: '12/KH-UBND' is
    '12-kh-ubnd', 'Thôn Đông' 'thon-dong'."""
    folded = fold_name(text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", folded))


def status_file(
    directive: Directive | None, today: dt.date, prefix: str = "tinh-hinh", suffix: str = ".xlsx"
) -> Path:
    """Name the status workbook: tinh-hinh-12-kh-ubnd-2026-03-31.xlsx, or for every open
    directive tinh-hinh-cong-van-dang-mo-2026-03-31.xlsx."""
    named = slug(directive.number) if directive is not None else ""
    return Path(f"{prefix}-{named or 'cong-van-dang-mo'}-{today:%Y-%m-%d}{suffix}")


def chosen_directives(session: Session, directive_id: int | None) -> list[Directive]:
    """Return the directive asked for, or every open one; CommandError when there is none."""
    if directive_id is None:
        directives = open_directives(session)
        if not directives:
            raise CommandError("no open directives: every unit has reported done")
        return directives
    chosen = session.get(Directive, directive_id)
    if chosen is None:
        raise CommandError(f"no directive with id {directive_id}")
    return [chosen]


def export_status_command(args: argparse.Namespace, settings: Settings) -> int:
    """Write the status of one directive, or of every open one, to an XLSX file."""
    zone = ZoneInfo(settings.timezone)
    today = utcnow().astimezone(zone).date()
    check_out_suffix(args.out)
    database = open_existing_database(settings)
    try:
        with Session(database) as session:
            directives = chosen_directives(session, args.directive)
            chosen = directives[0] if args.directive is not None else None
            path = Path(args.out) if args.out else status_file(chosen, today)
            try:
                count = export_status(session, directives, today, zone, path)
            except OSError as error:
                return cannot_write(path, error)
    finally:
        database.dispose()
    print(f"wrote {path.resolve()}")
    print(f"{count} units in {len(directives)} directive sheet(s)")
    return 0


def add_commands(commands: Any) -> Any:
    """Add `export ledger` and `export status` to the `hoctap` parser; return the `export`
    subcommands, for bot/cli_report.py to add the documents."""
    export = commands.add_parser("export", help="export data as XLSX or DOCX").add_subparsers(
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
    status = export.add_parser(
        "status",
        help="the status of one directive, or of every open one (tình hình thực hiện)",
        description="One sheet per directive: its number, date, subject and deadline, then one "
        "row per unit (focal points, received at, status, last report, note, difficulty and its "
        "answer, photos, overdue) and a summary.",
    )
    status.add_argument(
        "directive", nargs="?", type=int, help="the directive's id (default: every open one)"
    )
    status.add_argument("--out", help="the .xlsx file (default: tinh-hinh-NUMBER-DATE.xlsx)")
    status.set_defaults(action=export_status_command)
    return export
