"""Công khai on paper: one unit's contributions of a period, to post at the village hall.

The same list as the text for the village's Zalo group (handlers/disclosure.py): standing
receipts only, anonymous donors shown as 'Ẩn danh', a total row and the total in words; the
unit's head and the commune office sign by hand.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlmodel import Session

from bot.document import (
    Signer,
    add_date_line,
    add_grid_table,
    add_header,
    add_signatures,
    add_text,
    add_title,
    start_document,
)
from bot.ledger_export import period_text
from handlers.disclosure import public_gifts
from handlers.i18n import Translator
from handlers.money import amount_in_words
from storage.models import Unit, UnitKind

TITLE = "CÔNG KHAI DANH SÁCH ĐÓNG GÓP QUỸ KHUYẾN HỌC, KHUYẾN TÀI"
HEADINGS = ("STT", "Người đóng góp", "Số tiền (đồng)", "Ngày")
WIDTHS = (1.5, 8.0, 3.5, 3.0)
TOTAL = "Tổng cộng"
HEADS = {
    UnitKind.VILLAGE.value: "TRƯỞNG THÔN",
    UnitKind.SCHOOL.value: "HIỆU TRƯỞNG",
    UnitKind.OFFICE.value: "THỦ TRƯỞNG ĐƠN VỊ",
}
"""Who signs for the unit, by its kind."""
OFFICE = Signer(("XÁC NHẬN CỦA UBND XÃ",))


def export_disclosure(
    session: Session,
    unit_id: int,
    first: dt.date,
    last: dt.date,
    today: dt.date,
    path: Path,
    commune: str,
) -> int:
    """Write the disclosure of a unit's contributions of `first`..`last` to `path`; return
    how many contributions it lists."""
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise LookupError(f"unit {unit_id} does not exist")
    _ = Translator("vi")
    gifts = public_gifts(session, unit_id, first, last, _)
    document = start_document()
    add_header(document, commune, issuer=unit.name)
    add_date_line(document, commune, today)
    add_title(document, TITLE, f"Đơn vị: {unit.name}", period_text(first, last))
    rows = [
        (str(number), gift.donor, _.number(gift.amount), f"{gift.given_on:%d/%m/%Y}")
        for number, gift in enumerate(gifts, start=1)
    ]
    total = sum(gift.amount for gift in gifts)
    rows.append(("", f"{TOTAL} ({len(gifts)} lượt)", _.number(total), ""))
    table = add_grid_table(document, HEADINGS, rows, WIDTHS, right=frozenset({0, 2}))
    for cell in table.rows[-1].cells:
        for run in cell.paragraphs[0].runs:
            run.bold = True
    add_text(document, "")
    add_text(document, f"Số tiền bằng chữ: {amount_in_words(total)}.")
    head = Signer((HEADS.get(unit.kind, HEADS[UnitKind.OFFICE.value]),))
    add_signatures(document, head, OFFICE)
    document.save(str(path))
    return len(gifts)
