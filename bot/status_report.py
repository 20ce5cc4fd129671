"""A directive's results as a Vietnamese administrative report (báo cáo), in DOCX.

The same figures as the status workbook (bot/status_export.py), from the same queries: per
directive a summary paragraph, a table of the units and the difficulties with the office's
answers; then one signature block for the commune's chair. Several directives make one
report with a section each. A directive with tasks per unit has its units' table split by
task, as the office reads it: the villages under the villages' task and their next deadline,
the schools under theirs, each office given a task of its own, then the units left the whole
text.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

from docx.document import Document
from sqlmodel import Session

from bot.document import (
    BLANK_NAME,
    Signer,
    add_date_line,
    add_grid_table,
    add_header,
    add_signatures,
    add_text,
    add_title,
    start_document,
)
from bot.status_export import local_time, unit_parts_of
from handlers.directive_push import UnitPart, part_groups
from handlers.i18n import Translator
from handlers.report_news import status_label
from storage.models import Directive, ProgressStatus, UnitKind
from storage.progress import DirectiveStatus, UnitProgress
from storage.status_details import Difficulty, DirectiveFacts, difficulties, directive_facts

NUMBER_LINE = "Số:      /BC-UBND"
"""The report's own number is given by the office's clerk when it is signed."""
HEADINGS = ("STT", "Đơn vị", "Đầu mối", "Nhận lúc", "Tình trạng", "Báo cáo gần nhất",
            "Ghi chú", "Ảnh")  # fmt: skip
WIDTHS = (1.0, 2.6, 2.5, 2.0, 2.1, 2.0, 2.8, 1.0)
NOT_RECEIVED, NOT_REPORTED, OVERDUE = "Chưa nhận", "Chưa báo cáo", "Quá hạn"
RECIPIENTS = ("- Các đơn vị được giao;", "- Lưu: VT.")
CHAIR = Signer(("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"))
SUBJECT_PREFIX = re.compile(r"^\s*(v/v|về việc)\s*[:.]?\s*", re.IGNORECASE)
TIME = "%H:%M ngày %d/%m/%Y"
KIND_GROUPS = {
    UnitKind.VILLAGE.value: "Các thôn",
    UnitKind.SCHOOL.value: "Các trường",
    UnitKind.OFFICE.value: "Các cơ quan",
}
STATUS_ORDER = (
    ProgressStatus.DONE.value,
    ProgressStatus.IN_PROGRESS.value,
    ProgressStatus.NOT_STARTED.value,
    ProgressStatus.DIFFICULTY.value,
)


def about(subject: str) -> str:
    """Turn a directive's subject into 'về việc …': 'V/v triển khai …' loses its 'V/v'."""
    stripped = SUBJECT_PREFIX.sub("", subject).strip()
    return f"về việc {stripped}" if stripped != subject.strip() else f"về {stripped}"


def directive_line(directive: Directive, commune: str) -> str:
    """Name a directive as a report does: 'Công văn số 12/CV-UBND ngày 01/03/2025 của UBND
    xã An Hưng về việc …'."""
    return (
        f"Công văn số {directive.number} ngày {directive.issued_on:%d/%m/%Y} "
        f"của UBND xã {commune or BLANK_NAME} {about(directive.subject)}"
    )


def at_time(moment: dt.datetime | None, zone: ZoneInfo) -> str:
    """Write a stored time in the commune's time zone, '08:30 ngày 02/03/2025'; '' for none."""
    local = local_time(moment, zone)
    return f"{local:{TIME}}" if local is not None else ""


def summary_text(status: DirectiveStatus, acknowledged: int, today: dt.date) -> str:
    """Say in one paragraph how far the units got: assigned, received, per status, overdue."""
    _ = Translator("vi")
    counts = {key: sum(unit.status == key for unit in status.units) for key in STATUS_ORDER}
    per_status = "; ".join(f"{status_label(_, key)}: {counts[key]} đơn vị" for key in STATUS_ORDER)
    deadline = status.directive.deadline
    limit = (
        f"hạn hoàn thành ngày {deadline:%d/%m/%Y}, {len(status.overdue)} đơn vị quá hạn"
        if deadline is not None
        else "công văn không có hạn hoàn thành"
    )
    return (
        f"Công văn được giao cho {status.unit_count} đơn vị; {acknowledged} đơn vị đã xác nhận "
        f"nhận công văn. Đến ngày {today:%d/%m/%Y}, tình trạng báo cáo của các đơn vị: "
        f"{per_status}; {limit}."
    )


def difficulty_lines(unit_name: str, found: Difficulty, zone: ZoneInfo) -> list[str]:
    """Write one unit's difficulty: what it reported and when, the office's answers, and
    whether it was resolved."""
    lines = [f"- {unit_name} (báo cáo lúc {at_time(found.at, zone)}): {found.note or '—'}"]
    for answer in found.answers:
        by = f" ({answer.author})" if answer.author else ""
        lines.append(f"Trả lời lúc {at_time(answer.at, zone)}{by}: {answer.text}")
    if not found.answers:
        lines.append("Chưa trả lời.")
    if found.resolved_at is not None:
        by = f"{found.resolved_by}, " if found.resolved_by else ""
        lines.append(f"Đã xử lý ({by}{at_time(found.resolved_at, zone)}).")
    else:
        lines.append("Chưa xử lý.")
    return lines


def task_groups(
    units: list[UnitProgress], parts: dict[int, UnitPart]
) -> list[tuple[UnitPart, list[UnitProgress]]]:
    """The units grouped by their task and deadline, in list order, the units left the whole
    text last; none when no unit has a task of its own."""
    if not parts:
        return []
    groups = part_groups(units, lambda unit: parts.get(unit.unit_id, UnitPart()))
    return sorted(groups, key=lambda group: group[0].task is None)


def group_heading(part: UnitPart, units: list[UnitProgress]) -> str:
    """'Các thôn (2 đơn vị) — nhiệm vụ: 4. Các ông (bà) Trưởng thôn', or the office named."""
    count = f"({len(units)} đơn vị)"
    task = part.task
    if task is None:
        return f"Các đơn vị khác {count} — thực hiện theo toàn văn công văn"
    if task.unit_id is None and task.unit_kind in KIND_GROUPS:
        return f"{KIND_GROUPS[task.unit_kind]} {count} — nhiệm vụ: {task.heading}"
    names = ", ".join(unit.unit_name for unit in units)
    return f"{names} — nhiệm vụ: {task.heading}"


def deadline_text(part: UnitPart) -> str:
    """'Mốc tới: 28/03/2026 — gửi báo cáo …', or the directive's own deadline."""
    if part.deadline is None:
        return "Không có hạn hoàn thành."
    if part.due:
        return f"Mốc tới: {part.deadline:%d/%m/%Y} — {part.due}"
    return f"Hạn hoàn thành: {part.deadline:%d/%m/%Y}."


def export_status_report(
    session: Session,
    directives: list[Directive],
    today: dt.date,
    zone: ZoneInfo,
    path: Path,
    commune: str,
) -> int:
    """Write the report on these directives to `path`; return how many unit rows it holds."""
    document = start_document()
    add_header(document, commune, number=NUMBER_LINE)
    add_date_line(document, commune, today)
    subject = (
        directive_line(directives[0], commune)
        if len(directives) == 1
        else "các công văn đang triển khai"
    )
    add_title(document, "BÁO CÁO", f"Kết quả thực hiện {subject}")
    rows = 0
    for number, directive in enumerate(directives, start=1):
        assert directive.id is not None
        if len(directives) > 1:
            add_text(document, f"{number}. {directive_line(directive, commune)}", bold=True)
        rows += _section(document, session, directive.id, today, zone)
    add_signatures(document, None, CHAIR, recipients=RECIPIENTS)
    document.save(str(path))
    return rows


def _units_table(
    document: Document, units: list[UnitProgress], facts: DirectiveFacts, zone: ZoneInfo
) -> None:
    """Add the table of these units, numbered from 1, and an empty line after it."""
    _ = Translator("vi")
    names, received, photos = facts.names, facts.received, facts.photos
    rows = [
        (
            str(number),
            unit.unit_name,
            "\n".join(names.get(unit.unit_id, [])) or "—",
            at_time(received.get(unit.assignment_id), zone) or NOT_RECEIVED,
            status_label(_, unit.status) + (f"\n{OVERDUE}" if unit.overdue else ""),
            at_time(unit.reported_at, zone) or NOT_REPORTED,
            unit.latest_note,
            str(photos.get(unit.assignment_id, 0)),
        )
        for number, unit in enumerate(units, start=1)
    ]
    add_grid_table(document, HEADINGS, rows, WIDTHS, right=frozenset({0, 7}))
    add_text(document, "")


def _section(
    document: Document, session: Session, directive_id: int, today: dt.date, zone: ZoneInfo
) -> int:
    """Add one directive's summary, units table and difficulties; return its unit count."""
    facts = directive_facts(session, directive_id, today)
    status = facts.status
    found = difficulties(session, [unit.assignment_id for unit in status.units])
    acknowledged = facts.acknowledged
    add_text(document, "I. TÌNH HÌNH TRIỂN KHAI", bold=True)
    add_text(document, summary_text(status, acknowledged, today))
    add_text(document, "II. KẾT QUẢ CỦA TỪNG ĐƠN VỊ", bold=True)
    parts = unit_parts_of(session, status.directive, today)
    if not parts:
        _units_table(document, status.units, facts, zone)
    for number, (part, units) in enumerate(task_groups(status.units, parts), start=1):
        add_text(document, f"{number}. {group_heading(part, units)}", bold=True)
        add_text(document, deadline_text(part))
        _units_table(document, units, facts, zone)
    add_text(document, "III. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT", bold=True)
    stuck = [(unit.unit_name, found[unit.assignment_id])
             for unit in status.units if unit.assignment_id in found]  # fmt: skip
    if not stuck:
        add_text(document, "Các đơn vị không báo cáo khó khăn, vướng mắc.")
    for unit_name, difficulty in stuck:
        for text in difficulty_lines(unit_name, difficulty, zone):
            add_text(document, text)
    return status.unit_count
