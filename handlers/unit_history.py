"""/tinhhinh → a directive → a unit: the unit's reports on it, and 'Xem ảnh' for their photos.

`/tinhhinh <directive> donvi <unit>` shows every report (time, who, status, the note
shortened, photos and files); `/tinhhinh <directive> anh <unit>` sends the photos, one
message each, captioned with the unit and the time of the report. Where photos cannot be
sent (Zalo without a public address) the view says how many there are and where to see them.
"""

from __future__ import annotations

from handlers.context import Context
from handlers.file_refs import public_links, split_ref
from handlers.i18n import Translator
from handlers.matching import normalize, parse_id
from handlers.report_milestones import milestone_line, milestones_by_id, named_milestone
from handlers.report_news import status_label
from handlers.report_text import (
    attachment_counts,
    attachments_line,
    directive_title,
    file_ref,
    media_id_of,
    shorten,
)
from handlers.words import command_word
from storage.media import media_of
from storage.models import Directive, MediaStatus, Milestone, Person, ProgressReport, Unit
from storage.unit_reports import unit_history

UNIT, PHOTOS = "donvi", "anh"
"""`/tinhhinh <directive> donvi <unit>`, `/tinhhinh <directive> anh <unit>`."""
REPORTS_SHOWN = 10
PHOTOS_SENT = 10
NOTE_SHOWN = 150
OUTBOX_REF_LENGTH = 300
"""The longest file reference a message can carry (the outbox column)."""


def unit_choice(directive_id: int, unit_id: int) -> str:
    """The choice that opens a unit's reports on a directive."""
    return f"/tinhhinh {directive_id} {UNIT} {unit_id}"


def unit_action(ctx: Context, directive: Directive, action: str) -> bool:
    """Show a unit's reports or send its photos if `action` asks for either; else False."""
    word, _space, rest = action.strip().partition(" ")
    if normalize(word) not in (UNIT, PHOTOS):
        return False
    unit_id = parse_id(rest.strip())
    unit = ctx.session.get(Unit, unit_id) if unit_id else None
    found = unit_history(ctx.session, directive.id or 0, unit.id or 0) if unit else None
    if unit is None or found is None:
        ctx.say(
            ctx._(
                "That unit has no task under this directive. Send {tinhhinh} to see the list."
            ).format(tinhhinh=command_word(ctx._, "tinhhinh"))
        )
        return True
    _assignment, reports = found
    if normalize(word) == UNIT:
        _show(ctx, directive, unit, reports)
    else:
        _send_photos(ctx, unit, reports)
    return True


def _can_send_photos(_: Translator) -> bool:
    return _.buttons or public_links()


def _show(
    ctx: Context, directive: Directive, unit: Unit, reports: list[tuple[ProgressReport, Person]]
) -> None:
    _ = ctx._
    lines = ["📄 " + directive_title(directive, 120), unit.name, ""]
    if not reports:
        lines.append(_("No report yet."))
    milestones = milestones_by_id(ctx.session, directive.id or 0)
    for report, person in reports[:REPORTS_SHOWN]:
        lines.extend(report_lines(_, report, person, named_milestone(milestones, report)))
    if len(reports) > REPORTS_SHOWN:
        older = _("{count} earlier report(s) are not shown.")
        lines.append(older.format(count=_.number(len(reports) - REPORTS_SHOWN)))
    photos = sum(attachment_counts(report.attachments)[0] for report, _person in reports)
    choices = []
    if photos and _can_send_photos(_):
        label = _("See photos ({count})").format(count=_.number(photos))
        choices.append((f"/tinhhinh {directive.id} {PHOTOS} {unit.id}", label))
    elif photos:
        lines.append("")
        lines.append(
            _("{count} photo(s): they can be seen on Telegram.").format(count=_.number(photos))
        )
    choices.append((f"/tinhhinh {directive.id}", _("Back to the units")))
    ctx.ask("\n".join(lines), choices)


def report_lines(
    _: Translator, report: ProgressReport, person: Person, milestone: Milestone | None = None
) -> list[str]:
    """One report in a unit's history: when, who and the status, the milestone it answered,
    then its note and files."""
    lines = [
        "• "
        + _("{time} — {name}: {status}").format(
            time=_.when(report.at), name=person.name or "—", status=status_label(_, report.status)
        )
    ]
    if milestone is not None:
        lines.append("   " + milestone_line(_, milestone))
    if report.note:
        lines.append("   " + _("Note: {note}").format(note=shorten(report.note, NOTE_SHOWN)))
    if with_line := attachments_line(_, report.attachments):
        lines.append("   " + with_line)
    return lines


def _send_photos(ctx: Context, unit: Unit, reports: list[tuple[ProgressReport, Person]]) -> None:
    """Send the unit's newest photos, oldest of them first, one message each."""
    _ = ctx._
    if not _can_send_photos(_):
        ctx.say(_("The photos can be seen on Telegram."))
        return
    entries = [
        (report, entry)
        for report, _person in reversed(reports)
        for entry in report.attachments
        if entry[0] == "photo"
    ]
    kept = media_of(ctx.session, [i for _r, e in entries if (i := media_id_of(e)) is not None])
    usable, lost = [], 0
    for report, entry in entries:
        media = kept.get(media_id_of(entry) or 0)
        if (media is not None and media.status == MediaStatus.FAILED) or not _sendable(ctx, entry):
            lost += 1
        else:
            usable.append((report, file_ref(entry)))
    if not usable:
        ctx.say(_("No photo of this unit can be shown."))
        return
    shown = usable[-PHOTOS_SENT:]
    for report, ref in shown:
        ctx.say(f"{unit.name} — {_.when(report.at)}", photo=ref)
    notes = []
    if len(usable) > len(shown):
        older = _("{count} older photo(s) are not shown.")
        notes.append(older.format(count=_.number(len(usable) - len(shown))))
    if lost:
        notes.append(_("{count} photo(s) could not be kept.").format(count=_.number(lost)))
    if notes:
        ctx.say("\n".join(notes))


def _sendable(ctx: Context, entry: list[str]) -> bool:
    """Whether this chat can be sent the photo: the bot's copy always; a platform's own
    reference (reports from before copies were kept) only where it means something."""
    if media_id_of(entry) is not None:
        return True
    ref = entry[1]
    if len(ref) > OUTBOX_REF_LENGTH or split_ref(ref)[0]:
        return False
    # A URL is Zalo's, shown by any app; anything else is a Telegram file_id.
    return ref.startswith(("http://", "https://")) or ctx.inbound.channel == "telegram"
