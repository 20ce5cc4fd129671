"""/congvan from the document itself: a file or pasted text read into the directive's fields.

What the reader finds (handlers/document_fields.py) fills the dialog's data; what it cannot
find is asked next, one question each (handlers/directive_review.py). The tasks addressed to
villages and schools become those kinds' tasks; a section addressed to an office becomes that
unit's task when a unit of that name exists. Every whole date becomes a milestone, and the
latest one the directive's deadline; dates in a part addressed to an office are that
office's own and are left out.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session

from handlers.context import Context
from handlers.directive_review import ask_missing
from handlers.document_fields import ExtractedDirective, extract_directive
from handlers.document_sections import unit_kind
from handlers.registry import Step, step
from storage.directives import units_for_target
from storage.models import Unit, UnitKind
from storage.text import fold_name

PASTED_MIN_WORDS = 20
"""A reply to 'What is the number?' of this many words (or lines) is the directive, pasted."""
PASTED_MAX_CHARS = 60_000
MAX_CONTENT = 20_000
MAX_WHAT = 160
_KIND_TARGETS = {UnitKind.VILLAGE.value: "villages", UnitKind.SCHOOL.value: "schools"}


def is_pasted_directive(text: str) -> bool:
    """True for a text that is a directive pasted whole, not a number typed."""
    return len(text.split()) >= PASTED_MIN_WORDS or text.strip().count("\n") >= 3


def take_pasted(ctx: Context) -> Step:
    """Keep the first part of a pasted directive and ask for the rest, or to read it."""
    ctx.data["pasted"] = [ctx.text]
    return _ask_more(ctx)


def _ask_more(ctx: Context) -> Step:
    _ = ctx._
    size = sum(len(part) for part in ctx.data["pasted"])
    ctx.ask(
        _(
            "Received the text ({count} characters). Paste the rest if there is more, "
            "then choose Read the text."
        ).format(count=_.number(size)),
        [("read", _("Read the text"))],
    )
    return receive_pasted


@step
async def receive_pasted(ctx: Context) -> Step:
    """Join the parts of a long paste (chat apps split it); read them on Read the text."""
    if ctx.choice == "read":
        return read_text(ctx, "\n".join(ctx.data.pop("pasted")))
    if not ctx.text or sum(len(part) for part in ctx.data["pasted"]) > PASTED_MAX_CHARS:
        ctx.reask(ctx._("Paste the text of the directive, or choose Read the text."))
        return receive_pasted
    ctx.data["pasted"] = [*ctx.data["pasted"], ctx.text]
    return _ask_more(ctx)


def import_document(ctx: Context) -> Step:
    """Read a directive's file; a scan or an unreadable file is entered by hand, attached."""
    _ = ctx._
    inbound = ctx.inbound
    name = " ".join(inbound.document_name.split())[:200] or _("attached file")
    ctx.data.update(file_ref=inbound.document[:300], file_name=name)
    if inbound.document_state == "read" and inbound.document_text.strip():
        return read_text(ctx, inbound.document_text)
    if inbound.document_state == "scanned":
        problem = _("Could not read any text in this file (a scan).")
    else:
        problem = _("Could not read this file.")
    from handlers.directives import ask_number

    ctx.say(problem + " " + _("Please enter the directive; the file will be sent with it."))
    return ask_number(ctx)


def read_text(ctx: Context, text: str) -> Step:
    """Fill the directive from its text, say what was read, and ask what is missing."""
    found = extract_directive(text)
    fill(ctx, found, text)
    return ask_missing(ctx)


def fill(ctx: Context, found: ExtractedDirective, text: str) -> None:
    """Put what was read into the dialog's data; a field not found stays out of it."""
    ctx.data.update(read_fields(ctx.session, found, text, ctx.today))


def read_fields(
    session: Session, found: ExtractedDirective, text: str, today: dt.date
) -> dict[str, Any]:
    """The directive's fields as /congvan keeps them, from what was read; a field not found
    (or an issue date after `today`) is left out, to be asked.

    `hoctap directive import --send` takes the same fields, so both send the same directive.
    """
    data: dict[str, Any] = {"review": True, "kind": found.kind}
    if found.reference:
        data["number"] = found.reference
    elif found.symbol:
        data["symbol"] = found.symbol
    if found.issued_on is not None and found.issued_on <= today:
        data["issued_on"] = found.issued_on.isoformat()
    if found.subject:
        data["subject"] = " ".join(found.subject.split())[:500]
    data["content"] = (found.content or text).strip()[:MAX_CONTENT]
    tasks, unit_ids = _tasks(session, found)
    data["tasks"] = tasks
    if unit_ids:
        data["unit_ids"] = unit_ids
    milestones = _milestones(found)
    data["milestones"] = milestones
    if milestones:
        data["deadline"] = max(date for date, _what, _kind in milestones)
    return data


def _tasks(session: Session, found: ExtractedDirective) -> tuple[list[list[object]], list[int]]:
    """The tasks per kind or per named unit, and the units they (and the recipients) name."""
    offices = units_for_target(session, "all")
    tasks: list[list[object]] = []
    kinds: set[str] = set()
    named: list[int] = []
    for section in found.sections:
        kind = section.unit_kind.value if section.unit_kind else ""
        if kind in _KIND_TARGETS:
            tasks.append([section.heading, section.body, kind, None])
            kinds.add(kind)
        elif (unit := _unit_named(offices, section.addressee)) is not None:
            tasks.append([section.heading, section.body, "", unit.id])
            named.append(unit.id or 0)
    for recipient in found.recipients:
        _addressed, kind_found = unit_kind(recipient)
        if kind_found is not None and kind_found.value in _KIND_TARGETS:
            kinds.add(kind_found.value)
        elif (unit := _unit_named(offices, recipient)) is not None:
            named.append(unit.id or 0)
    unit_ids = [
        unit.id or 0
        for kind in sorted(kinds)
        for unit in units_for_target(session, _KIND_TARGETS[kind])
    ]
    return tasks, list(dict.fromkeys(unit_ids + named))


def _unit_named(units: list[Unit], addressee: str) -> Unit | None:
    """The unit an addressee names ('Trung tâm Dịch vụ sự nghiệp công xã'), if exactly one."""
    wanted = fold_name(addressee)
    matches = [
        unit
        for unit in units
        if unit.kind == UnitKind.OFFICE.value
        and (fold_name(unit.name) in wanted or wanted in fold_name(unit.name))
    ]
    return matches[0] if len(matches) == 1 else None


def _milestones(found: ExtractedDirective) -> list[tuple[str, str, str]]:
    """Every whole date the document sets, with what is due and for which kind of unit."""
    milestones: dict[tuple[str, str], tuple[str, str, str]] = {}
    for deadline in found.deadlines:
        date = deadline.when.date
        if date is None:
            continue
        kind = ""
        if deadline.section is not None:
            section = found.sections[deadline.section]
            kind = section.unit_kind.value if section.unit_kind else ""
            if kind not in _KIND_TARGETS:
                # An office's own part (often the sender's department): not the units' date.
                continue
        what = " ".join(deadline.sentence.split())
        if len(what) > MAX_WHAT:
            what = what[: MAX_WHAT - 1].rstrip() + "…"
        milestones.setdefault((date.isoformat(), kind), (date.isoformat(), what, kind))
    return sorted(milestones.values())
