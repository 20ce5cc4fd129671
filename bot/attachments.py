"""Turns the bot's file references (handlers/file_refs.py) into what each chat app can take.

Telegram takes uploads: a local file is sent as one (a Telegram photo already known by its
file_id is sent by it). Zalo takes a photo only by URL and no documents: with PUBLIC_URL set,
a photo becomes a signed link to the bot's copy and a document becomes a link line in the
text; without it both are left out and the text goes alone. A photo still being downloaded
defers the message a few seconds; one that cannot be had is left out, never the text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.channels.base import Delivery, SendResult
from bot.links import LinkSigner
from handlers.file_refs import UPLOAD_CHANNELS, split_ref
from storage.models import utcnow

log = logging.getLogger(__name__)
NOT_READY_SECONDS = 5.0


@dataclass(frozen=True)
class Found:
    """Where a referenced file is: the app's own reference, a local file, or nowhere yet."""

    native: str = ""
    """A reference the app itself knows (file_id, URL); used as is."""
    native_channel: str = ""
    """The app `native` belongs to; '' when any app can use it (a public URL)."""
    path: Path | None = None
    pending: bool = False
    """The file is on its way (a download not finished): an app that cannot use `native`
    and could use the copy asks again shortly."""


MediaLookup = Callable[[int], Found]
ChartRenderer = Callable[[int], Path | None]


class Attachments:
    """Resolves a delivery's file references for one app, at the moment it is sent."""

    def __init__(
        self,
        signer: LinkSigner,
        folders: Mapping[str, Path],
        media: MediaLookup | None = None,
        chart: ChartRenderer | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.signer, self.clock = signer, clock
        self.folders = {purpose: Path(folder) for purpose, folder in folders.items()}
        self.media, self.chart = media, chart

    @staticmethod
    def needed(delivery: Delivery) -> bool:
        """True when the delivery carries a reference only the bot can resolve."""
        return any(split_ref(ref)[0] for ref in (delivery.photo, delivery.document) if ref)

    def resolve(self, channel: str, delivery: Delivery) -> Delivery | SendResult:
        """The delivery as `channel` can send it, or a result that defers it."""
        photo = self._find(delivery.photo)
        document = self._find(delivery.document)
        if self._waits(channel, photo) or self._waits(channel, document):
            return SendResult(
                ok=False, deferred=True, retry_after=NOT_READY_SECONDS, error="file not ready yet"
            )
        if channel in UPLOAD_CHANNELS:
            return self._uploads(channel, delivery, photo, document)
        return self._links(channel, delivery, photo, document)

    def _waits(self, channel: str, found: Found) -> bool:
        """Whether the message must wait for the file: it is on its way, this app cannot use
        the platform's own reference, and could use the bot's copy once it is there."""
        if not found.pending or _usable(found, channel):
            return False
        return channel in UPLOAD_CHANNELS or bool(self.signer.public_url)

    def _find(self, ref: str) -> Found:
        scheme, rest = split_ref(ref)
        if not ref or not scheme:
            return Found(native=ref)
        try:
            if scheme == "export":
                path = self.folders["export"] / rest
                return Found(path=path if path.is_file() else None)
            if scheme == "media" and self.media is not None:
                return self.media(int(rest))
            if scheme == "chart" and self.chart is not None:
                return Found(path=self.chart(int(rest)))
        except (ValueError, OSError):
            log.exception("could not find the file of %s", ref)
        return Found()

    def _uploads(
        self, channel: str, delivery: Delivery, photo: Found, document: Found
    ) -> Delivery:
        # The app's own reference first: nothing to upload (a Telegram file_id).
        photo_native = photo.native if _usable(photo, channel) else ""
        document_native = document.native if _usable(document, channel) else ""
        photo_file = None if photo_native else photo.path
        document_file = None if document_native else document.path
        return dataclasses.replace(
            delivery,
            photo=photo_native,
            photo_file=photo_file,
            document=document_native,
            document_file=document_file,
            document_name=document_file.name if document_file else delivery.document_name,
        )

    def _links(self, channel: str, delivery: Delivery, photo: Found, document: Found) -> Delivery:
        photo_url = self._url(photo, channel)
        text = delivery.text
        document_url = self._url(document, channel)
        if document_url:
            text = f"{text}\n{document_url}" if text.strip() else document_url
        return dataclasses.replace(delivery, text=text, photo=photo_url, document="")

    def _url(self, found: Found, channel: str) -> str:
        if _usable(found, channel):
            return found.native
        if found.path is None:
            return ""
        for purpose, folder in self.folders.items():
            if found.path.resolve().is_relative_to(folder.resolve()):
                name = found.path.resolve().relative_to(folder.resolve()).as_posix()
                return self.signer.link(purpose, name, self.clock())
        return ""


def _usable(found: Found, channel: str) -> bool:
    """Whether `channel` can send the platform's own reference of a file as it is."""
    return bool(found.native) and found.native_channel in ("", channel)
