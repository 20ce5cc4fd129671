"""Describing a broadcast in words: its audience, its progress, and the author's delivery report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session

from handlers.context import Notice, Render
from handlers.i18n import Translator
from handlers.messages import PRIORITY_FANOUT, Choice
from handlers.outbox import deliver_notice
from handlers.quiet import QuietHours
from storage.broadcast_outcome import outcome_by_person
from storage.broadcasts import Outcome, Progress, claim_report, finished_unreported
from storage.directives import units_by_id
from storage.models import Broadcast

EXCERPT_CHARS = 300
"""How much of the text the admin sees in a preview, a progress view or a report."""
MAX_NAMES = 50
"""Names listed per line of a report; a long list ends with how many more there are."""


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """Return the text, cut to `limit` characters with '…' when longer."""
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def describe_audience(session: Session, _: Translator, audience: dict[str, Any]) -> str:
    """Say in words who an audience is, e.g. 'the focal points of Thôn Đông, Thôn Tây'."""
    kind = audience.get("kind")
    if kind == "units":
        units = units_by_id(session, [int(uid) for uid in audience.get("unit_ids", [])])
        names = ", ".join(unit.name for unit in units)
        return _("the focal points of {units}").format(units=names)
    words = {
        "everyone": _("everyone"),
        "admins": _("the administrators"),
        "leaders": _("the commune leaders"),
        "focal": _("all focal points"),
        "villages": _("the focal points of all villages"),
        "schools": _("the focal points of all schools"),
    }
    return words.get(str(kind), str(kind))


def progress_text(
    session: Session, _: Translator, broadcast: Broadcast, author: str, done: Progress
) -> str:
    """Describe a broadcast still going out: what, to whom, and how far it has got."""
    # A recipient with no message queued at all (no chat left to send to) has failed too.
    failed = max(done.failed, done.total - done.sent - done.waiting)
    lines = [
        _("An announcement by {name} at {time} is still going out:").format(
            name=author, time=_.when(broadcast.created_at)
        ),
        excerpt(broadcast.text),
        "",
        _("To: {audience}").format(audience=describe_audience(session, _, broadcast.audience)),
        _("Sent: {done}/{total} people").format(
            done=_.number(done.sent), total=_.number(done.total)
        ),
        _("Failed: {count}").format(count=_.number(failed)),
        _("Waiting: {count}").format(count=_.number(done.waiting)),
    ]
    return "\n".join(lines)


def _names(_: Translator, names: list[str]) -> str:
    shown = ", ".join(names[:MAX_NAMES])
    if len(names) > MAX_NAMES:
        more = _("and {count} more").format(count=_.number(len(names) - MAX_NAMES))
        shown = f"{shown} {more}"
    return shown


def report_render(broadcast: Broadcast, result: Outcome) -> Render:
    """Build the author's delivery report, rendered later in the author's language."""
    created, text = broadcast.created_at, broadcast.text

    def render(_: Translator) -> tuple[str, list[Choice]]:
        lines = [
            _("📊 Delivery report of your announcement of {time}:").format(time=_.when(created)),
            excerpt(text, 120),
            "",
            _("Sent to {sent} of {total} people.").format(
                sent=_.number(result.sent), total=_.number(result.total)
            ),
        ]
        if result.failed:
            lines.append(
                _("Failed ({count}): {names}").format(
                    count=_.number(len(result.failed)), names=_names(_, result.failed)
                )
            )
        if result.unreachable:
            lines.append(
                _(
                    "Cannot be reached ({count}; blocked the bot or left the chat app): {names}"
                ).format(
                    count=_.number(len(result.unreachable)), names=_names(_, result.unreachable)
                )
            )
        return "\n".join(lines), []

    return render


def queue_broadcast_reports(
    session: Session, timezone: str, now: dt.datetime, quiet: QuietHours | None = None
) -> int:
    """Queue the delivery report of every finished broadcast to its author; return how many.

    Safe to call after every sending pass, twice, or from two processes at once: a broadcast
    is claimed by setting its reported_at, and the report's idempotency key is unique.
    """
    queued = 0
    for broadcast in finished_unreported(session):
        assert broadcast.id is not None
        if not claim_report(session, broadcast.id, now):
            continue
        render = report_render(broadcast, outcome_by_person(session, broadcast))
        notice = Notice(
            broadcast.author_id,
            render,
            key=f"broadcast:{broadcast.id}:report",
            priority=PRIORITY_FANOUT,
        )
        if deliver_notice(session, notice, timezone, now, quiet):
            queued += 1
    return queued
