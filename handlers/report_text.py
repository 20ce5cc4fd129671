"""How reports are shown: directive titles, notes shortened to fit a message, attachments."""

from __future__ import annotations

from typing import Any

from handlers.file_refs import media_ref, public_links
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


def media_id_of(entry: list[str]) -> int | None:
    """The id of the bot's copy of an attachment ([kind, ref, name, media id]), or None for
    one sent before the bot kept copies."""
    found = entry[3] if len(entry) > 3 else ""
    return int(found) if found.isdigit() else None


def file_ref(entry: list[str]) -> str:
    """The reference a message carries an attachment by: the bot's copy ('media:ID') when
    it keeps one, which every app can show, else the platform's own."""
    media_id = media_id_of(entry)
    return media_ref(media_id) if media_id is not None else entry[1]


def files_of(attachments: list[list[str]], channel: str) -> dict[str, Any]:
    """The photo, document and media channel options of a notice about a report: its first
    photo and first file; a platform's own reference keeps to the app it came from."""
    photo = next((entry for entry in attachments if entry[0] == "photo"), None)
    document = next((entry for entry in attachments if entry[0] == "file"), None)
    chosen = [entry for entry in (photo, document) if entry is not None]
    own = any(media_id_of(entry) is None for entry in chosen)
    return {
        "photo": file_ref(photo) if photo else "",
        "document": file_ref(document) if document else "",
        "media_channel": channel if own else "",
    }


def photos_elsewhere(_: Translator, attachments: list[list[str]]) -> str:
    """On an app that cannot be sent the photos (Zalo without a public address), say where
    they can be seen; else ''."""
    photos, _files = attachment_counts(attachments)
    if not photos or _.buttons or public_links():
        return ""
    return _(
        "The photos can be seen on Telegram: Status of directives → the directive → the unit."
    )
