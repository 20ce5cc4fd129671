"""A directive's status (tình hình thực hiện) as an Excel workbook, one sheet per directive.

Each sheet names the directive and its deadline, then has one row per unit in use: focal
points, when first received, status, last report, note, difficulty and its answer, photos,
overdue; for a directive with tasks per unit, also the task the unit was given and its next
deadline with what is due then; then a summary. Times are real datetimes in the commune's
time zone, so the office can sort and filter; the headings are Vietnamese like the ledger's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import Session

from bot.workbook import BOLD, DATE, lay_out_table, write_headings, write_row, write_title
from handlers.directive_push import UnitPart, unit_parts
from handlers.i18n import Translator
from handlers.report_news import status_label
from storage.difficulties import ThreadState, thread_states
from storage.directive_tasks import tasks_of
from storage.models import Directive, ProgressStatus
from storage.status_details import assigned_units, directive_facts

TITLE = "TÌNH HÌNH THỰC HIỆN CÔNG VĂN"
HEADINGS = (
    "STT",
    "Đơn vị",
    "Đầu mối",
    "Đã nhận lúc",
    "Tình trạng",
    "Báo cáo gần nhất",
    "Ghi chú gần nhất",
    "Khó khăn / trả lời",
    "Số ảnh",
    "Quá hạn",
)
TASK_HEADINGS = ("Nhiệm vụ", "Mốc tới", "Việc đến hạn")
"""Added for a directive with tasks per unit: the unit's task, its next deadline and what is
due then (left empty once the unit is done, as /tinhhinh does)."""
WHOLE_TEXT = "Toàn văn công văn"
"""The task of a unit the directive gives no part of its own: the whole text."""
SUMMARY_HEADINGS = ("Số đơn vị", "Đã nhận", "Đã báo cáo", "Đã hoàn thành", "Quá hạn")
NO_DEADLINE = "Không có hạn"
UNANSWERED, RESOLVED = "Chưa trả lời", "Đã xử lý"
YES, NO = "Có", "Không"
HEADER_ROW = 7
"""Rows 1–5 name the directive; the units' column headings are on row 7."""
DATETIME = "DD/MM/YYYY HH:MM"
WIDTHS = (6, 24, 28, 17, 17, 17, 40, 40, 8, 9)
TASK_WIDTHS = (40, 12, 40)
SHEET_NAME_LENGTH = 31
FORBIDDEN_IN_SHEET_NAMES = "[]:*?/\\"


@dataclass(frozen=True)
class Summary:
    """How many units the sheet lists and how far they got."""

    units: int
    acknowledged: int
    reported: int
    done: int
    overdue: int


def local_time(moment: dt.datetime | None, zone: ZoneInfo) -> dt.datetime | None:
    """Return a stored (UTC) time as the commune's wall-clock time, naive as Excel wants it."""
    if moment is None:
        return None
    # SQLite hands stored times back without their UTC offset.
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(zone).replace(tzinfo=None)


def difficulty_text(state: ThreadState | None) -> str | None:
    """Say where the unit's latest difficulty stands: unanswered, the answer and who, resolved."""
    if state is None:
        return None
    if state.resolved_at is not None:
        return RESOLVED
    if not state.latest_text:
        return UNANSWERED
    return f"{state.latest_text} ({state.latest_by})" if state.latest_by else state.latest_text


def sheet_name(directive: Directive, taken: Iterable[str]) -> str:
    """Name a directive's sheet after its number: Excel's forbidden characters become '-',
    at most 31 characters, unlike any name in `taken` (Excel ignores case)."""
    base = "".join("-" if ch in FORBIDDEN_IN_SHEET_NAMES else ch for ch in directive.number)
    base = base.strip().strip("'") or f"Công văn {directive.id}"
    used = {name.casefold() for name in taken}
    name, copy = base[:SHEET_NAME_LENGTH], 1
    while name.casefold() in used:
        copy += 1
        suffix = f" ({copy})"
        name = base[: SHEET_NAME_LENGTH - len(suffix)] + suffix
    return name


def unit_parts_of(session: Session, directive: Directive, today: dt.date) -> dict[int, UnitPart]:
    """What a directive asks of each of its units as of `today` (task, next deadline), by unit
    id; empty for a directive without tasks per unit, whose exports stay as they were."""
    assert directive.id is not None
    if not tasks_of(session, directive.id):
        return {}
    return unit_parts(session, directive, assigned_units(session, directive.id), today)


def task_cells(part: UnitPart | None, status: str) -> tuple[object, ...]:
    """The task heading, next deadline and what is due, for a unit's row."""
    if part is None:
        return (None, None, None)
    heading = part.task.heading if part.task is not None else WHOLE_TEXT
    if status == ProgressStatus.DONE.value:
        return (heading, None, None)
    return (heading, part.deadline, part.due or None)


def export_status(
    session: Session, directives: list[Directive], today: dt.date, zone: ZoneInfo, path: Path
) -> int:
    """Write one status sheet per directive to `path`; return how many unit rows they hold."""
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    rows = 0
    for directive in directives:
        assert directive.id is not None
        sheet = book.create_sheet(sheet_name(directive, book.sheetnames))
        rows += write_directive(sheet, session, directive.id, today, zone)
    book.save(path)
    return rows


def write_directive(
    sheet: Worksheet, session: Session, directive_id: int, today: dt.date, zone: ZoneInfo
) -> int:
    """Fill a sheet with one directive's status; return how many units it lists."""
    _ = Translator("vi")
    facts = directive_facts(session, directive_id, today)
    status, names, received, photos = facts.status, facts.names, facts.received, facts.photos
    threads = thread_states(session, [row.assignment_id for row in status.units])
    parts = unit_parts_of(session, status.directive, today)
    _title(sheet, status.directive)
    write_headings(sheet, HEADER_ROW, HEADINGS + (TASK_HEADINGS if parts else ()))
    for number, unit in enumerate(status.units, start=1):
        row = HEADER_ROW + number
        values: tuple[object, ...] = (
            number,
            unit.unit_name,
            ", ".join(names.get(unit.unit_id, [])) or None,
            local_time(received.get(unit.assignment_id), zone),
            status_label(_, unit.status),
            local_time(unit.reported_at, zone),
            # Left empty rather than holding '', so filters list them as (Blanks).
            unit.latest_note or None,
            difficulty_text(threads.get(unit.assignment_id)),
            photos.get(unit.assignment_id, 0),
            YES if unit.overdue else NO,
        )
        if parts:
            values += task_cells(parts.get(unit.unit_id), unit.status)
        write_row(sheet, row, values)
        sheet.cell(row, 4).number_format = DATETIME
        sheet.cell(row, 6).number_format = DATETIME
        if parts:
            sheet.cell(row, len(HEADINGS) + 2).number_format = DATE
    summary = Summary(
        units=status.unit_count,
        acknowledged=facts.acknowledged,
        reported=status.reported,
        done=status.done,
        overdue=len(status.overdue),
    )
    _summary(sheet, HEADER_ROW + status.unit_count + 2, summary)
    lay_out_table(sheet, HEADER_ROW, WIDTHS + (TASK_WIDTHS if parts else ()))
    return status.unit_count


def _title(sheet: Worksheet, directive: Directive) -> None:
    write_title(sheet, TITLE)
    lines = (
        ("Số", directive.number),
        ("Ngày", directive.issued_on),
        ("Trích yếu", directive.subject),
        ("Hạn hoàn thành", directive.deadline or NO_DEADLINE),
    )
    for row, (label, value) in enumerate(lines, start=2):
        sheet.cell(row, 1, label).font = BOLD
        # Column C: the STT column is too narrow to hold the values.
        cell = sheet.cell(row, 3, value)
        if isinstance(value, dt.date):
            cell.number_format = DATE


def _summary(sheet: Worksheet, row: int, summary: Summary) -> None:
    sheet.cell(row, 1, "Tổng hợp").font = BOLD
    figures = (
        summary.units,
        summary.acknowledged,
        summary.reported,
        summary.done,
        summary.overdue,
    )
    pairs = zip(SUMMARY_HEADINGS, figures, strict=True)
    for column, (heading, figure) in enumerate(pairs, start=2):
        sheet.cell(row, column, heading).font = BOLD
        sheet.cell(row + 1, column, figure).font = BOLD
