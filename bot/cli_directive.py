"""`hoctap directive import FILE [--send]`: what a directive file says about itself, and what
it lacks; with --send, the directive registered and pushed to its units as /congvan does."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.cli_database import CommandError, known_units, open_existing_database
from bot.config import Settings
from handlers.dates import DateError, parse_date
from handlers.document_fields import ExtractedDirective, extract_directive
from handlers.document_sections import Deadline, PartialDate
from handlers.i18n import N_, Translator
from handlers.matching import normalize
from handlers.quiet import QuietHours
from storage.db import transaction
from storage.directives import units_for_target
from storage.models import UnitKind, utcnow
from storage.units_import import parse_kind

UNIT_KINDS = {
    UnitKind.VILLAGE: N_("Village"),
    UnitKind.SCHOOL: N_("School"),
    UnitKind.OFFICE: N_("Office"),
}
FIELD_NAMES = {
    "kind": N_("kind of document"),
    "number": N_("number"),
    "symbol": N_("symbol"),
    "issuer": N_("issuing body"),
    "place": N_("place of issue"),
    "issued_on": N_("date of issue"),
    "subject": N_("subject"),
    "recipients": N_("addressees"),
    "distribution": N_("copies to"),
    "sections": N_("tasks per unit"),
    "deadlines": N_("deadlines"),
    "signer": N_("signer"),
    "signer_role": N_("signer's title"),
    "content": N_("text"),
}
ALL_UNITS = {"all", "tat ca"}
NO_DEADLINE = {"none", "khong", "khong co"}
IMPORT_HELP = """Read a directive (công văn, kế hoạch…) and print what it says about itself:
kind, number and symbol, issuing body, place and date, subject, addressees, the tasks
for each kind of unit, deadlines and signer; then what could not be found.

The file: a PDF with a text layer (a scan has none), a Word document (.docx), or text
in UTF-8, UTF-16 or Windows-1258. Nothing is stored or sent, unless --send.

With --send (which is the confirmation), the directive is stored and pushed to the focal
points of its units exactly as /congvan sends it after reading the file: the villages and
schools its tasks and "Kính gửi" address, and the offices they name; each unit gets its own
task first, with its deadline. The running bot delivers the messages. Nothing is stored
unless the document gives the number, date of issue and subject; the units (--units) and
the deadline (--deadline) may be given when it names none."""


def directive_import(args: argparse.Namespace, settings: Settings) -> int:
    """Print the fields read from a directive file, and the fields missing from it; with
    --send, store the directive and queue its push to its units."""
    # Imported here, like `run`'s channels: python-docx and pypdf slow every other command.
    from handlers.document_text import UnreadableDocument, read_document

    _ = Translator("vi", settings.timezone)
    if not args.send and (args.units or args.deadline):
        print("--units and --deadline go with --send", file=sys.stderr)
        return 2
    now = utcnow()
    choice = sending_choice(args, _.today(now)) if args.send else None
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as error:
        print(f"cannot read {path}: {error.strerror}", file=sys.stderr)
        return 2
    try:
        document = read_document(data, path.name)
    except UnreadableDocument as error:
        print(f"{path}: {error}", file=sys.stderr)
        return 2
    print(f"{path}: read as {document.described}")
    if document.scanned:
        print(_("No text can be read in this file (a scan)."), file=sys.stderr)
        return 2
    found = extract_directive(document.text)
    for line in summary(found, _):
        print(line)
    if choice is None:
        return 0
    return send(settings, found, document.text, choice, now)


@dataclass(frozen=True)
class Sending:
    """What --units and --deadline say, checked before the file is read."""

    kinds: frozenset[str] | None = None
    """The kinds of unit to send to; None: the units the document names."""
    deadline_given: bool = False
    deadline: dt.date | None = None


def sending_choice(args: argparse.Namespace, today: dt.date) -> Sending:
    """Read --units and --deadline; CommandError says what is wrong with either."""
    kinds: frozenset[str] | None = None
    if args.units is not None:
        words = [word.strip() for word in args.units.split(",") if word.strip()]
        if any(normalize(word) in ALL_UNITS for word in words):
            words = [kind.value for kind in UnitKind]
        found = [parse_kind(word) for word in words]
        if not words or None in found:
            raise CommandError(
                f"--units {args.units!r}: use kinds of unit separated by commas, such as "
                "village,school (also office, or thôn, trường, cơ quan), or all"
            )
        kinds = frozenset(kind.value for kind in found if kind is not None)
    if args.deadline is None:
        return Sending(kinds)
    if normalize(args.deadline) in NO_DEADLINE:
        return Sending(kinds, deadline_given=True)
    try:
        deadline = parse_date(args.deadline, today, allow_past=True, allow_future=True)
    except DateError:
        raise CommandError(
            f"--deadline {args.deadline!r} is not a date; use dd/mm/yyyy, or none"
        ) from None
    if deadline < today:
        raise CommandError(f"--deadline {args.deadline!r} is in the past")
    return Sending(kinds, deadline_given=True, deadline=deadline)


def send(
    settings: Settings, found: ExtractedDirective, text: str, choice: Sending, now: dt.datetime
) -> int:
    """Store the directive read and queue its push, as confirming /congvan does; refuse,
    storing nothing, when a field /congvan would ask for is missing."""
    # The dialogs' modules: only sending needs them.
    from handlers.directive_import import read_fields
    from handlers.directive_review import missing_fields
    from handlers.directive_send import refusal_lines, send_directive, sent_lines

    _ = Translator("vi", settings.timezone)
    today = _.today(now)
    try:
        quiet = QuietHours.parse(settings.quiet_hours, settings.timezone)
    except ValueError as error:
        raise CommandError(f"bad setting QUIET_HOURS: {error}") from None
    database = open_existing_database(settings)
    try:
        with transaction(database) as session:
            data = read_fields(session, found, text, today)
            if choice.kinds is not None:
                units = [u for u in units_for_target(session, "all") if u.kind in choice.kinds]
                if not units:
                    kinds = ", ".join(sorted(choice.kinds))
                    raise CommandError(f"no units of kind {kinds}; {known_units(session)}")
                data["unit_ids"] = [unit.id for unit in units]
            if choice.deadline_given:
                deadline = choice.deadline
                data["deadline"] = deadline.isoformat() if deadline is not None else None
            missing = missing_fields(data)
            if missing:
                printed = found.issued_on
                late = printed if printed is not None and printed > today else None
                raise CommandError("\n".join(refusal_lines(_, missing, late)))
            sent = send_directive(session, data, now=now, timezone=settings.timezone, quiet=quiet)
    finally:
        database.dispose()
    for line in sent_lines(_, sent, now):
        print(line)
    return 0


def summary(read: ExtractedDirective, _: Translator) -> list[str]:
    """Return the lines that show a directive's fields, labelled, and what is missing."""
    empty = _("(not found)")
    issued = _date(read.issued, _) if read.issued else ""
    fields = [
        (_("Kind of document"), read.kind),
        (_("Number"), read.number),
        (_("Symbol"), read.symbol),
        (_("Issuing body"), read.issuer),
        (_("Place of issue"), read.place),
        (_("Date of issue"), issued),
        (_("Subject"), read.subject),
        (_("Addressees"), "; ".join(read.recipients)),
        (_("Tasks per unit"), _.number(len(read.sections)) if read.sections else ""),
    ]
    lines = [f"{label}: {value or empty}" for label, value in fields]
    for section in read.sections:
        kind = _(UNIT_KINDS[section.unit_kind]) if section.unit_kind else _("unit of no kind")
        lines.append(f"  {section.heading} ({kind})")
    deadlines = _.number(len(read.deadlines)) if read.deadlines else empty
    label = _("Deadlines")
    lines.append(f"{label}: {deadlines}")
    lines += [f"  {_deadline(deadline, read, _)}" for deadline in read.deadlines]
    role = f" ({read.signer_role})" if read.signer_role else ""
    signed, copies = _("Signed by"), _("Copies to")
    lines.append(f"{signed}: {read.signer or empty}{role}")
    lines.append(f"{copies}: {'; '.join(read.distribution) or empty}")
    missing = ", ".join(_(FIELD_NAMES[name]) for name in read.missing) or _("nothing")
    lines.append(_("Missing: {fields}").format(fields=missing))
    return lines


def _date(when: PartialDate, _: Translator) -> str:
    """Show a printed date: dd/mm/yyyy when whole, else as printed, marked incomplete."""
    if when.date is not None:
        return _.date(when.date)
    return _("{printed} (incomplete)").format(printed=when.text)


def _deadline(deadline: Deadline, read: ExtractedDirective, _: Translator) -> str:
    """Show one deadline with the section it is in and its sentence."""
    where = ""
    if deadline.section is not None:
        where = f" [{read.sections[deadline.section].heading}]"
    return f"{_date(deadline.when, _)}{where}: {deadline.sentence}"


def add_commands(commands: Any) -> None:
    """Add `directive import` to the `hoctap` parser."""
    directive = commands.add_parser("directive", help="directive files").add_subparsers(
        dest="directive", required=True
    )
    importer = directive.add_parser(
        "import",
        help="show the fields read from a directive file",
        description=IMPORT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    importer.add_argument("file", help="PDF with a text layer, DOCX, or text")
    importer.add_argument(
        "--send",
        action="store_true",
        help="store the directive and send it to its units (this is the confirmation)",
    )
    importer.add_argument(
        "--units",
        help="with --send: the kinds of unit to send it to instead of those the document "
        "names, e.g. village,school, or all",
    )
    importer.add_argument(
        "--deadline",
        help="with --send: the deadline, dd/mm/yyyy, when the document sets none "
        "(or to replace it); 'none' for no deadline",
    )
    importer.set_defaults(action=directive_import)
