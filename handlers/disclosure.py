"""Công khai: a unit's contributions to the fund for a period, as the village is shown them.

Only receipts that still stand are listed (a reversed receipt and its reversal cancel out and
are both left out); a donor who is not to be named in public is shown as Anonymous. The text
is plain, for pasting into the village's Zalo group; bot/disclosure_docx.py prints the same
list for the village hall.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session

from handlers.fund_donor import ANONYMOUS
from handlers.i18n import Translator
from storage.models import Unit
from storage.receipts import standing_contributions


@dataclass(frozen=True)
class Gift:
    """One standing contribution as the public sees it."""

    donor: str
    amount: int
    given_on: dt.date


def public_gifts(
    session: Session, unit_id: int, first: dt.date, last: dt.date, _: Translator
) -> list[Gift]:
    """List a unit's standing contributions of the period, anonymous donors unnamed."""
    return [
        Gift(_(ANONYMOUS) if row.anonymous else row.donor_name, row.amount, row.contributed_on)
        for row in standing_contributions(session, unit_id, first, last)
    ]


def disclosure_text(
    session: Session, unit_id: int, first: dt.date, last: dt.date, _: Translator
) -> str:
    """Write the disclosure of a unit's contributions as plain text: a heading, a numbered
    list (donor, amount, date), then the count and total."""
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise LookupError(f"unit {unit_id} does not exist")
    gifts = public_gifts(session, unit_id, first, last, _)
    lines = [
        _("Contributions to the study-promotion fund of {unit} from {first} to {last}:").format(
            unit=unit.name, first=_.date(first), last=_.date(last)
        )
    ]
    lines += [
        _("{number}. {donor}: {amount} ({date})").format(
            number=number, donor=gift.donor, amount=_.money(gift.amount), date=_.date(gift.given_on)
        )
        for number, gift in enumerate(gifts, start=1)
    ]
    if not gifts:
        lines.append(_("No contributions in this period."))
    lines.append(
        _("Total: {count} contribution(s), {amount}.").format(
            count=_.number(len(gifts)), amount=_.money(sum(gift.amount for gift in gifts))
        )
    )
    return "\n".join(lines)
