"""Reading a file people send before the dialog sees it, so /congvan can fill a directive.

Steps never fetch anything: the bot fetches a PDF, DOCX or text file from the chat app as it
arrives, reads its text (handlers/document_text.py) in a worker thread, and hands the event
on with the text. A file that cannot be fetched or read in time goes on without text, marked
so; the message itself is never held up for long or dropped.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from pathlib import PurePath

from handlers.document_text import UnreadableDocument, read_document
from handlers.messages import Inbound

log = logging.getLogger(__name__)

READABLE = frozenset({".pdf", ".docx", ".txt"})
MAX_BYTES = 10 * 1024 * 1024
MAX_TEXT = 60_000
TIMEOUT = 20.0

Fetch = Callable[[str, str, int], Awaitable[bytes]]
"""Fetch a file: (app, the app's file reference, most bytes wanted) -> its bytes."""


class DocumentReader:
    """Adds the text of a readable file to the event that carries it."""

    def __init__(self, fetch: Fetch, *, limit: int = MAX_BYTES, timeout: float = TIMEOUT) -> None:
        self.fetch, self.limit, self.timeout = fetch, limit, timeout

    async def prepare(self, inbound: Inbound) -> Inbound:
        """The event with its file's text, or as it came when there is nothing to read."""
        if not inbound.document or inbound.document_state:
            return inbound
        if PurePath(inbound.document_name.lower()).suffix not in READABLE:
            return inbound
        try:
            data = await asyncio.wait_for(
                self.fetch(inbound.channel, inbound.document, self.limit), self.timeout
            )
            read = await asyncio.to_thread(read_document, data, inbound.document_name)
        except UnreadableDocument as refusal:
            log.info("file %r cannot be read: %s", inbound.document_name, refusal)
            return dataclasses.replace(inbound, document_state="unreadable")
        except Exception as error:
            # A slow or failing download: the dialog asks by hand and keeps the file.
            log.warning("could not fetch file %r: %s", inbound.document_name, error)
            return dataclasses.replace(inbound, document_state="unreadable")
        return dataclasses.replace(
            inbound,
            document_text=read.text[:MAX_TEXT],
            document_state="scanned" if read.scanned else "read",
        )
