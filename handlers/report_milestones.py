"""Which milestone of a directive a report answers: the unit's next one, or one it picks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session

from handlers.i18n import Translator
from handlers.report_text import shorten
from storage.directive_tasks import milestones_done, milestones_for, milestones_of
from storage.models import Assignment, Milestone, ProgressReport, Unit

WHAT_LIMIT = 80
"""How much of what is due a milestone's line shows; the push and /toanvan have the rest."""
LABEL_LIMIT = 50
"""How much of what is due a milestone's choice shows, so the list stays readable."""


@dataclass
class UnitMilestones:
    """The milestones that apply to one unit's assignment, and those it reported done."""

    applying: list[Milestone] = field(default_factory=list)
    done: set[int] = field(default_factory=set)

    def find(self, milestone_id: int | None) -> Milestone | None:
        """Return the applying milestone with this id, if any."""
        return next((m for m in self.applying if m.id == milestone_id), None)

    def next(self, today: dt.date) -> Milestone | None:
        """The milestone a report answers unless told: the first unfinished one not yet past,
        else the last unfinished (overdue), else the last (a correction after finishing)."""
        unfinished = [m for m in self.applying if m.id not in self.done]
        upcoming = [m for m in unfinished if m.due_on >= today]
        if upcoming:
            return upcoming[0]
        if unfinished:
            return unfinished[-1]
        return self.applying[-1] if self.applying else None

    def after(self, milestone: Milestone) -> Milestone | None:
        """The first unfinished milestone after this one, if any."""
        later = self.applying[self.applying.index(milestone) + 1 :]
        return next((m for m in later if m.id not in self.done), None)


def unit_milestones(session: Session, assignment: Assignment) -> UnitMilestones:
    """Read the milestones of an assignment's directive that apply to its unit."""
    unit = session.get(Unit, assignment.unit_id)
    kind = unit.kind if unit is not None else ""
    applying = milestones_for(milestones_of(session, assignment.directive_id), kind)
    if not applying:
        return UnitMilestones()
    done = milestones_done(session, [assignment.id or 0]).get(assignment.id or 0, set())
    return UnitMilestones(applying, done)


def milestone_line(_: Translator, milestone: Milestone) -> str:
    """'Mốc: 20/12/2025 — gửi kế hoạch…', what a report answers."""
    if not milestone.what:
        return _("Milestone: {date}").format(date=_.date(milestone.due_on))
    return _("Milestone: {date} — {what}").format(
        date=_.date(milestone.due_on), what=shorten(milestone.what, WHAT_LIMIT)
    )


def milestone_label(_: Translator, milestone: Milestone, *, done: bool) -> str:
    """Label a milestone choice: '20/12 — gửi kế hoạch…', marked when the unit finished it."""
    label = _.day_month(milestone.due_on)
    if milestone.what:
        label += " — " + shorten(milestone.what, LABEL_LIMIT)
    if done:
        label += " " + _("(done)")
    return label


def named_milestone(milestones: dict[int, Milestone], report: ProgressReport) -> Milestone | None:
    """The milestone a report answered, worth naming: when its directive has several."""
    if report.milestone_id is None or len(milestones) < 2:
        return None
    return milestones.get(report.milestone_id)


def milestones_by_id(session: Session, directive_id: int) -> dict[int, Milestone]:
    """A directive's milestones by id."""
    return {m.id or 0: m for m in milestones_of(session, directive_id)}
