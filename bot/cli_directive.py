"""`hoctap directive import FILE`: what a directive file says about itself, and what it lacks."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.config import Settings
from handlers.document_fields import ExtractedDirective, extract_directive
from handlers.document_sections import Deadline, PartialDate
from handlers.i18n import N_, Translator
from storage.models import UnitKind

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
IMPORT_HELP = """Read a directive (công văn, kế hoạch…) and print what it says about itself:
kind, number and symbol, issuing body, place and date, subject, addressees, the tasks
for each kind of unit, deadlines and signer; then what could not be found.

The file: a PDF with a text layer (a scan has none), a Word document (.docx), or text
in UTF-8, UTF-16 or Windows-1258. Nothing is stored or sent."""


def directive_import(args: argparse.Namespace, settings: Settings) -> int:
    """Print the fields read from a directive file, and the fields missing from it."""
    # Imported here, like `run`'s channels: python-docx and pypdf slow every other command.
    from handlers.document_text import UnreadableDocument, read_document

    _ = Translator("vi")
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
    for line in summary(extract_directive(document.text), _):
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
    importer.set_defaults(action=directive_import)
