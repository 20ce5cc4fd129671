"""What the files asked for with /xuat are called, and the messages that carry them.

The dialog (handlers/exports.py) and the background job (bot/export_jobs.py) name a request
the same way: 'Sổ quỹ khuyến học năm 2026'. A disclosure also comes as plain text, ready to
forward to the unit's Zalo group.
"""

from __future__ import annotations

import datetime as dt
from pathlib import PurePosixPath
from typing import Any

from sqlmodel import Session

from handlers.i18n import Translator
from storage.models import Directive, ExportKind, Unit

FORMATS = {".xlsx": "Excel", ".docx": "Word", ".pdf": "PDF"}
"""How a file's kind is named beside its title: the programs the office opens them with."""


def period_of(params: dict[str, Any]) -> tuple[dt.date, dt.date]:
    """The first and last day a ledger or disclosure request covers."""
    return dt.date.fromisoformat(params["first"]), dt.date.fromisoformat(params["last"])


def whole_year(first: dt.date, last: dt.date) -> bool:
    """Whether a period is one calendar year, named by its number alone."""
    return first == dt.date(first.year, 1, 1) and last == dt.date(first.year, 12, 31)


def export_subject(
    session: Session, kind: str, params: dict[str, Any], _: Translator, today: dt.date
) -> str:
    """Name what a request holds: 'Sổ quỹ khuyến học năm 2026', 'Tình hình thực hiện công văn
    số 12/UBND-VHXH', 'Công khai đóng góp của Thôn Đông năm 2026'."""
    if kind == ExportKind.STATUS.value:
        directive_id = params.get("directive_id")
        directive = session.get(Directive, directive_id) if directive_id else None
        if directive is None:
            return _("Status of the open directives on {date}").format(date=_.date(today))
        return _("Status of directive {number}").format(number=directive.number)
    first, last = period_of(params)
    if kind == ExportKind.LEDGER.value:
        if whole_year(first, last):
            return _("Study-promotion fund ledger, year {year}").format(year=first.year)
        return _("Study-promotion fund ledger from {first} to {last}").format(
            first=_.date(first), last=_.date(last)
        )
    unit = session.get(Unit, params.get("unit_id"))
    name = unit.name if unit is not None else "—"
    if whole_year(first, last):
        return _("Contributions of {unit}, year {year}").format(unit=name, year=first.year)
    return _("Contributions of {unit} from {first} to {last}").format(
        unit=name, first=_.date(first), last=_.date(last)
    )


def file_title(subject: str, name: str) -> str:
    """One line naming a file: its subject and the program it opens in."""
    kind = FORMATS.get(PurePosixPath(name).suffix.lower())
    return f"{subject} ({kind})" if kind else subject


def link_text(_: Translator, subject: str, name: str) -> str:
    """The text above a file's link where the app takes no files (Zalo)."""
    return _("{file}. The link below opens it for one day:").format(file=file_title(subject, name))


def forward_text(_: Translator) -> str:
    """The line before a disclosure's text, saying it is meant to be forwarded."""
    return _("The public notice below can be forwarded to the unit's Zalo group as it is:")


def failure_text(_: Translator, subject: str) -> str:
    """Tell the person their file could not be made."""
    return _(
        "“{subject}” could not be prepared. Please try again later; if it fails again, tell "
        "whoever runs the system."
    ).format(subject=subject)
