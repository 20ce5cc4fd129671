"""What a unit's focal points learn of each other's reports: the latest one, and each new one."""

from __future__ import annotations

from handlers.context import Context, Render
from handlers.i18n import N_, Translator
from handlers.messages import Choice
from handlers.report_milestones import milestone_line, milestones_by_id, named_milestone
from handlers.report_text import attachments_line, echo_note, files_of
from storage.directives import focal_points
from storage.models import Directive, Milestone, ProgressReport, ProgressStatus
from storage.unit_reports import latest_report

STATUS_LABELS = {
    ProgressStatus.NOT_STARTED.value: N_("Not started yet"),
    ProgressStatus.IN_PROGRESS.value: N_("In progress"),
    ProgressStatus.DONE.value: N_("Completed"),
    ProgressStatus.DIFFICULTY.value: N_("Facing difficulties"),
}
"""The four statuses a unit reports, in the order they are offered."""


def status_label(_: Translator, status: str) -> str:
    """Return the reader's word for a progress status, e.g. 'Đang thực hiện'."""
    label = STATUS_LABELS[status]
    return _(label)


def latest_report_text(ctx: Context, assignment_id: int) -> str:
    """Describe the unit's latest report on an assignment (status, note, who, when), or ''."""
    found = latest_report(ctx.session, assignment_id)
    if found is None:
        return ""
    report, reporter = found
    _ = ctx._
    lines = [
        _("Latest report of your unit: {status}, by {name} at {time}.").format(
            status=status_label(_, report.status),
            name=reporter.name or "—",
            time=_.when(report.at),
        )
    ]
    if report.note:
        lines.append(_("Note: {note}").format(note=echo_note(_, report.note)))
    if with_line := attachments_line(_, report.attachments):
        lines.append(with_line)
    return "\n".join(lines)


def tell_colleagues(
    ctx: Context, report: ProgressReport, directive: Directive, unit_id: int, unit_name: str
) -> int:
    """Tell the unit's other focal points about a new report; return how many were told."""
    milestone = named_milestone(milestones_by_id(ctx.session, directive.id or 0), report)
    render = colleague_notice(report, directive.number, ctx.person.name, unit_name, milestone)
    told = 0
    for person in focal_points(ctx.session, unit_id):
        if person.id is None or person.id == ctx.person.id:
            continue
        ctx.notify(
            person.id,
            render,
            key=f"report:{report.id}:colleague:{person.id}",
            **files_of(report.attachments, ctx.inbound.channel),
        )
        told += 1
    return told


def colleague_notice(
    report: ProgressReport,
    number: str,
    reporter: str,
    unit_name: str,
    milestone: Milestone | None = None,
) -> Render:
    """Build 'Anh/chị X (Thôn Đông) đã báo cáo …' for a colleague, in their language, with
    the milestone it answered when there are several."""
    status, note, at, attachments = report.status, report.note, report.at, report.attachments
    assignment_id = report.assignment_id

    def render(_: Translator) -> tuple[str, list[Choice]]:
        lines = [
            _("{name} ({unit}) reported on directive no. {number}: {status}.").format(
                name=reporter or "—", unit=unit_name, number=number, status=status_label(_, status)
            )
        ]
        if milestone is not None:
            lines.append(milestone_line(_, milestone))
        if note:
            lines.append(_("Note: {note}").format(note=echo_note(_, note)))
        if with_line := attachments_line(_, attachments):
            lines.append(with_line)
        lines.append(_("At {time}.").format(time=_.when(at)))
        return "\n".join(lines), [(f"/baocao {assignment_id}", _("Report"))]

    return render
