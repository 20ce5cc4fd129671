"""Answering a difficulty: the office and the unit write back and forth ('Trả lời'), and an
admin or leader marks it resolved ('Đã xử lý'), once, for everyone to see."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.context import Context, Render
from handlers.i18n import Translator
from handlers.matching import parse_id
from handlers.messages import Choice
from handlers.registry import Step, command, step
from handlers.report_text import echo_note
from storage.difficulties import add_answer, latest_difficulty, resolve, resolver
from storage.directives import find_assignment, focal_points
from storage.models import Assignment, Directive, Person, ProgressReport, Role, ThreadSide, Unit

ANSWER, RESOLVE = "traloi", "daxuly"
OVERSEERS = (Role.ADMIN.value, Role.LEADER.value)
"""Who hears of difficulties, answers them for the office and marks them resolved."""


@dataclass(frozen=True)
class Difficulty:
    """A unit's latest difficulty on an assignment, with what messages about it name."""

    assignment: Assignment
    directive: Directive
    report: ProgressReport
    unit_name: str

    @property
    def assignment_id(self) -> int:
        """The assignment's id, which the Answer and Resolved choices carry."""
        return self.assignment.id or 0


def difficulty_choices(_: Translator, assignment_id: int, *, office: bool) -> list[Choice]:
    """The choices under a message about a difficulty: Answer, and for the office Resolved."""
    choices = [(f"/{ANSWER} {assignment_id}", _("Answer"))]
    if office:
        choices.append((f"/{RESOLVE} {assignment_id}", _("Mark resolved")))
    return choices


def _find(ctx: Context, reference: object) -> Difficulty | None:
    """The difficulty the person may answer: any for the office, their own unit's for a
    focal point; None when there is none."""
    assignment_id = parse_id(str(reference).strip())
    found = find_assignment(ctx.session, assignment_id) if assignment_id else None
    if found is None:
        return None
    assignment, directive = found
    if ctx.person.role == Role.FOCAL.value and ctx.person.unit_id != assignment.unit_id:
        return None
    report = latest_difficulty(ctx.session, assignment.id or 0)
    if report is None:
        return None
    unit = ctx.session.get(Unit, assignment.unit_id)
    return Difficulty(assignment, directive, report, unit.name if unit else "—")


def _not_found(ctx: Context) -> None:
    ctx.say(ctx._("That difficulty was not found, or it is not your unit's."))


@command(ANSWER, roles={Role.ADMIN.value, Role.LEADER.value, Role.FOCAL.value})
async def start_answer(ctx: Context) -> Step | None:
    """Ask for the answer to a unit's difficulty."""
    found = _find(ctx, ctx.args)
    if found is None:
        _not_found(ctx)
        return None
    ctx.data["assignment_id"] = found.assignment_id
    ctx.ask(ctx._("What is your answer?"))
    return receive_answer


@step
async def receive_answer(ctx: Context) -> Step | None:
    """Store the answer and send it to the other side of the thread."""
    _ = ctx._
    if not any(ch.isalpha() for ch in ctx.text):
        ctx.reask(_("Please write the answer in words."))
        return receive_answer
    found = _find(ctx, ctx.data.get("assignment_id", ""))
    if found is None or ctx.person.id is None:
        _not_found(ctx)
        return None
    office = ctx.person.role != Role.FOCAL.value
    side = ThreadSide.OFFICE if office else ThreadSide.UNIT
    message = add_answer(ctx.session, found.report, ctx.person.id, side, ctx.text, ctx.now)
    key = f"difficulty-answer:{message.id}"
    if office:
        told = _tell(ctx, _unit_people(ctx, found), _office_answer(found, ctx.text), key)
        _tell(ctx, _overseers(ctx), _answered(found, ctx.person.name, ctx.text), key)
        if told:
            said = _("Your answer was sent to {count} focal point(s) of {unit}.")
        else:
            said = _("{unit} has no focal point yet: your answer is stored.")
        ctx.say(said.format(count=_.number(told), unit=found.unit_name))
        return None
    render = _unit_answer(found, ctx.person.name, ctx.text)
    _tell(ctx, _overseers(ctx), render, key)
    _tell(ctx, _unit_people(ctx, found), _colleague_view(render), key)
    ctx.say(_("Your answer was sent to the commune office."))
    return None


@command(RESOLVE, roles={Role.ADMIN.value, Role.LEADER.value}, keeps_dialog=True)
async def mark_resolved(ctx: Context) -> Step | None:
    """Mark a unit's difficulty resolved, once; a second time says who did it and when."""
    _ = ctx._
    found = _find(ctx, ctx.args)
    if found is None or ctx.person.id is None:
        _not_found(ctx)
        return None
    number = found.directive.number
    if not resolve(ctx.session, found.report.id or 0, ctx.person.id, ctx.now):
        who = resolver(ctx.session, found.report)
        at = found.report.resolved_at
        ctx.say(
            _("{name} already marked this difficulty of {unit} resolved, at {time}.").format(
                name=who.name if who else "—",
                unit=found.unit_name,
                time=_.when(at) if at else "—",
            )
        )
        return None
    key = f"difficulty-resolved:{found.report.id}"
    told = _tell(ctx, _overseers(ctx), _resolved(found, ctx.person.name), key)
    told += _tell(ctx, _unit_people(ctx, found), _resolved_for_unit(number), key)
    ctx.say(
        _(
            "Marked resolved: the difficulty of {unit}, directive no. {number}. "
            "{count} people were told."
        ).format(unit=found.unit_name, number=number, count=_.number(told))
    )
    return None


def _overseers(ctx: Context) -> list[Person]:
    return [p for p in ctx.people(*OVERSEERS) if p.id != ctx.person.id]


def _unit_people(ctx: Context, found: Difficulty) -> list[Person]:
    people = focal_points(ctx.session, found.assignment.unit_id)
    return [p for p in people if p.id != ctx.person.id]


def _tell(ctx: Context, people: list[Person], render: Render, key: str) -> int:
    """Queue one message per person, once each; return how many were told."""
    for person in people:
        ctx.notify(person.id or 0, render, key=f"{key}:person:{person.id}")
    return len(people)


def _office_answer(found: Difficulty, text: str) -> Render:
    """The office's answer, as the unit's focal points read it."""
    number, assignment_id = found.directive.number, found.assignment_id

    def render(_: Translator) -> tuple[str, list[Choice]]:
        said = _(
            "The commune office answered about the difficulty in directive no. {number}: {text}"
        )
        choices = difficulty_choices(_, assignment_id, office=False)
        return said.format(number=number, text=echo_note(_, text)), choices

    return render


def _answered(found: Difficulty, name: str, text: str) -> Render:
    """An overseer's answer, as the other admins and leaders read it."""
    unit, assignment_id = found.unit_name, found.assignment_id

    def render(_: Translator) -> tuple[str, list[Choice]]:
        said = _("{name} answered the difficulty of {unit}: {text}")
        choices = difficulty_choices(_, assignment_id, office=True)
        return said.format(name=name or "—", unit=unit, text=echo_note(_, text)), choices

    return render


def _unit_answer(found: Difficulty, name: str, text: str) -> Render:
    """A focal point's answer, as the admins and leaders read it."""
    unit, number, assignment_id = found.unit_name, found.directive.number, found.assignment_id

    def render(_: Translator) -> tuple[str, list[Choice]]:
        said = _("{name} ({unit}) answered about the difficulty in directive no. {number}: {text}")
        choices = difficulty_choices(_, assignment_id, office=True)
        text_shown = echo_note(_, text)
        return said.format(name=name or "—", unit=unit, number=number, text=text_shown), choices

    return render


def _colleague_view(render: Render) -> Render:
    """The same message for the unit's other focal points: they may answer, not resolve."""

    def colleague(_: Translator) -> tuple[str, list[Choice]]:
        text, choices = render(_)
        return text, [choice for choice in choices if choice[0].startswith(f"/{ANSWER} ")]

    return colleague


def _resolved(found: Difficulty, name: str) -> Render:
    """'X marked the difficulty of the unit resolved', for the other admins and leaders."""
    unit, number = found.unit_name, found.directive.number

    def render(_: Translator) -> tuple[str, list[Choice]]:
        said = _("{name} marked the difficulty of {unit} in directive no. {number} resolved.")
        return said.format(name=name or "—", unit=unit, number=number), []

    return render


def _resolved_for_unit(number: str) -> Render:
    """The office marked the unit's difficulty resolved, for its focal points."""

    def render(_: Translator) -> tuple[str, list[Choice]]:
        said = _(
            "The commune office marked your unit's difficulty in directive no. {number} resolved."
        )
        return said.format(number=number), []

    return render
