"""The study-promotion fund ledger (sổ quỹ khuyến học) as an Excel workbook.

Sheet one lists every receipt of the period, reversals as negative rows naming the receipt
they undo; sheet two totals it per unit, per donor kind and overall. Amounts are numbers in
a đồng format and dates real dates, so the office can sum, filter and print it as it is.
The headings are Vietnamese: the ledger is the commune's record, whoever exports it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import Session, col, select

from bot.workbook import BOLD, DATE, lay_out_table, write_headings, write_row, write_title
from handlers.fund import DONOR_KINDS, OFFICE, donor_kind_label
from handlers.i18n import Translator
from storage.models import Unit
from storage.ordering import unit_order
from storage.receipts import Receipt, receipts_between

LEDGER_SHEET, TOTALS_SHEET = "Sổ quỹ", "Tổng hợp"
TITLE = "SỔ QUỸ KHUYẾN HỌC"
TOTALS_TITLE = "TỔNG HỢP QUỸ KHUYẾN HỌC"
HEADINGS = (
    "STT",
    "Ngày",
    "Số biên lai",
    "Đơn vị",
    "Người đóng góp",
    "Loại",
    "Số tiền (đồng)",
    "Ghi chú",
    "Người ghi",
    "Hủy biên lai",
    "Bị hủy bởi",
    "Ẩn danh",
)
BY_UNIT, BY_KIND, GRAND_TOTAL = "Theo đơn vị", "Theo loại người đóng góp", "Tổng cộng"
TOTAL_HEADINGS = ("Số lượt", "Số tiền (đồng)")
HEADER_ROW = 4
"""Rows 1–2 name the ledger and its period; the receipts' column headings are on row 4."""
MONEY = '#,##0 "₫"'
WIDTHS = (6, 12, 15, 24, 28, 14, 16, 40, 22, 15, 15, 9)
ANONYMOUS_MARK = "Có"
"""In the Ẩn danh column: the donor is not named in public (the name stays as recorded)."""


@dataclass
class Tally:
    """A net amount and the contributions still standing (a reversal takes one back)."""

    count: int = 0
    amount: int = 0

    def add(self, receipt: Receipt) -> None:
        """Count one ledger row in."""
        self.count += -1 if receipt.reverses else 1
        self.amount += receipt.entry.amount


@dataclass
class LedgerTotals:
    """The period's totals: per unit (Vietnamese list order), per donor kind, overall."""

    units: list[tuple[str, Tally]] = field(default_factory=list)
    kinds: list[tuple[str, Tally]] = field(default_factory=list)
    grand: Tally = field(default_factory=Tally)


def period_text(first: dt.date, last: dt.date) -> str:
    """Name the period as the office writes it: 'Từ ngày 01/01/2026 đến ngày 31/12/2026'."""
    return f"Từ ngày {first:%d/%m/%Y} đến ngày {last:%d/%m/%Y}"


def period_totals(session: Session, receipts: Iterable[Receipt], _: Translator) -> LedgerTotals:
    """Total the receipts per unit (every unit in use, nothing given being 0), kind and overall."""
    listed = list(receipts)
    # Units in use even with nothing recorded: a unit that gave nothing is worth seeing.
    units = session.exec(select(Unit).where(col(Unit.archived_at).is_(None))).all()
    by_unit: dict[tuple[bool, tuple[int, str]], tuple[str, Tally]] = {
        (False, unit_order(unit.kind, unit.name)): (unit.name, Tally()) for unit in units
    }
    by_kind = {kind: Tally() for kind in DONOR_KINDS}
    totals = LedgerTotals()
    for receipt in listed:
        office = not receipt.unit_name
        key = (office, unit_order(receipt.unit_kind, receipt.unit_name))
        name = _(OFFICE) if office else receipt.unit_name
        by_unit.setdefault(key, (name, Tally()))[1].add(receipt)
        by_kind.setdefault(receipt.entry.donor_kind, Tally()).add(receipt)
        totals.grand.add(receipt)
    # The office (no unit) goes last, as in /quytonghop.
    totals.units = [by_unit[key] for key in sorted(by_unit)]
    totals.kinds = [(donor_kind_label(_, kind), tally) for kind, tally in by_kind.items()]
    return totals


def build_workbook(session: Session, first: dt.date, last: dt.date) -> tuple[Workbook, int]:
    """Build the ledger of receipts dated `first`..`last`; return it and its receipt count."""
    _ = Translator("vi")
    receipts = receipts_between(session, first, last)
    book = Workbook()
    ledger = book.active
    assert ledger is not None
    ledger.title = LEDGER_SHEET
    _write_ledger(ledger, receipts, first, last, _)
    _write_totals(book.create_sheet(TOTALS_SHEET), period_totals(session, receipts, _), first, last)
    return book, len(receipts)


def export_ledger(session: Session, first: dt.date, last: dt.date, path: Path) -> int:
    """Write the ledger workbook of `first`..`last` to `path`; return how many receipts it holds."""
    book, count = build_workbook(session, first, last)
    book.save(path)
    return count


def _title(sheet: Worksheet, title: str, first: dt.date, last: dt.date) -> None:
    write_title(sheet, title)
    sheet["A2"] = period_text(first, last)


def _write_ledger(
    sheet: Worksheet, receipts: list[Receipt], first: dt.date, last: dt.date, _: Translator
) -> None:
    _title(sheet, TITLE, first, last)
    write_headings(sheet, HEADER_ROW, HEADINGS)
    for number, receipt in enumerate(receipts, start=1):
        entry = receipt.entry
        row = HEADER_ROW + number
        values = (
            number,
            entry.contributed_on,
            entry.receipt_no,
            receipt.unit_name or _(OFFICE),
            entry.donor_name,
            donor_kind_label(_, entry.donor_kind),
            entry.amount,
            # Left empty rather than holding '', so filters list them as (Blanks).
            entry.note or None,
            receipt.recorder or None,
            receipt.reverses or None,
            receipt.reversed_by or None,
            ANONYMOUS_MARK if entry.anonymous else None,
        )
        write_row(sheet, row, values)
        sheet.cell(row, 2).number_format = DATE
        sheet.cell(row, 7).number_format = MONEY
    total_row = HEADER_ROW + len(receipts) + 1
    sheet.cell(total_row, 1, GRAND_TOTAL).font = BOLD
    amount = sheet.cell(total_row, 7, sum(receipt.entry.amount for receipt in receipts))
    amount.number_format, amount.font = MONEY, BOLD
    lay_out_table(sheet, HEADER_ROW, WIDTHS)


def _write_totals(sheet: Worksheet, totals: LedgerTotals, first: dt.date, last: dt.date) -> None:
    _title(sheet, TOTALS_TITLE, first, last)
    row = HEADER_ROW
    for heading, lines in ((BY_UNIT, totals.units), (BY_KIND, totals.kinds)):
        write_headings(sheet, row, (heading, *TOTAL_HEADINGS))
        for name, tally in lines:
            row += 1
            _tally_row(sheet, row, name, tally)
        row += 2
    _tally_row(sheet, row, GRAND_TOTAL, totals.grand, bold=True)
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 10
    sheet.column_dimensions["C"].width = 18


def _tally_row(sheet: Worksheet, row: int, name: str, tally: Tally, *, bold: bool = False) -> None:
    cells = [sheet.cell(row, 1, name), sheet.cell(row, 2, tally.count)]
    amount = sheet.cell(row, 3, tally.amount)
    amount.number_format = MONEY
    if bold:
        for cell in [*cells, amount]:
            cell.font = BOLD
