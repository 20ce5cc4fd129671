"""How reports are shown: directive titles, notes shortened to fit a message, attachments."""

from __future__ import annotations

from handlers.i18n import Translator
from storage.models import Directive

LONG_NOTE = 2000
"""A note up to this long is simply taken; a longer one is taken too, and the person told."""
NOTE_ECHO = 1300
"""How much of a note a message about the report shows, so the message fits one Zalo text
(2,000 characters) with its heading; the note itself is stored whole."""


def shorten(text: str, limit: int) -> str:
    """Collapse spaces and cut `text` to at most `limit` characters, ending in '…'."""
    return excerpt(" ".join(text.split()), limit)


def excerpt(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, keeping its lines, ending in '…'."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    # Prefer a word boundary, unless that throws away more than half the room.
    boundary = max(cut.rfind(" "), cut.rfind("\n"))
    if boundary >= limit // 2:
        cut = cut[:boundary]
    return cut.rstrip(" \n,;:—-") + "…"


def directive_title(directive: Directive, limit: int) -> str:
    """Return 'number — subject', shortened to `limit` characters."""
    return shorten(f"{directive.number} — {directive.subject}", limit)


def echo_note(_: Translator, note: str) -> str:
    """Return the note as a message about the report shows it: whole, or its beginning."""
    if len(note) <= NOTE_ECHO:
        return note
    kept = _("(shortened: the full note of {length} characters is stored)")
    return excerpt(note, NOTE_ECHO) + "\n" + kept.format(length=_.number(len(note)))


def attachment_counts(attachments: list[list[str]]) -> tuple[int, int]:
    """Count the photos and the files among a report's attachments."""
    photos = sum(1 for kind, *_rest in attachments if kind == "photo")
    return photos, len(attachments) - photos


def attachments_line(_: Translator, attachments: list[list[str]], *, note: bool = False) -> str:
    """Say what came with a report ('With: a note, 2 photo(s), 1 file(s).'), or ''."""
    photos, files = attachment_counts(attachments)
    items = [_("a note")] if note else []
    if photos:
        items.append(_("{count} photo(s)").format(count=_.number(photos)))
    if files:
        items.append(_("{count} file(s)").format(count=_.number(files)))
    return _("With: {items}.").format(items=", ".join(items)) if items else ""


def first_of(attachments: list[list[str]], kind: str) -> str:
    """Return the reference of the first attachment of `kind` ('photo' or 'file'), or ''."""
    return next((ref for found, ref, *_name in attachments if found == kind), "")
