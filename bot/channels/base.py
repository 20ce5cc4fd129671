"""What every channel adapter offers, and text splitting shared by them."""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from handlers.messages import Choice, Inbound

InboundHandler = Callable[[Inbound], Awaitable[None]]
"""Called by a channel for each inbound event; returns once the event is stored."""


@dataclass(frozen=True)
class Delivery:
    """One outbox row as a channel sends it."""

    chat_id: str
    text: str
    choices: list[Choice] = field(default_factory=list)
    photo: str = ""
    document: str = ""
    locale: str = "vi"
    skip_parts: int = 0
    """Parts of the split message that reached the chat on earlier tries: send only the rest."""
    edit_message_id: str = ""
    """The bot's message whose buttons this delivery replaces, where the platform can; else
    the text (if any) goes out as a new message."""
    photo_file: Path | None = None
    """A photo on this machine to upload, for channels that take uploads (bot/attachments.py)."""
    document_file: Path | None = None
    """A file on this machine to upload as a document, shown as `document_name`."""
    document_name: str = ""


@dataclass(frozen=True)
class SendResult:
    """How a send went: sent, retry later (maybe after a delay), or never (final).

    `unreachable` marks a final failure that is about the person (blocked the bot, chat gone),
    so their identity is flagged for the admins. `limited` marks a refusal for sending too fast
    (HTTP 429), with the platform's `retry_after` in seconds when it gave one. `parts_sent`
    counts the parts of a split message this call delivered, also when a later part failed.
    """

    ok: bool
    final: bool = False
    unreachable: bool = False
    retry_after: float | None = None
    error: str = ""
    limited: bool = False
    parts_sent: int = 0
    deferred: bool = False
    """Not tried: a file it carries is not ready yet. Says nothing about the platform."""


@dataclass(frozen=True)
class FetchedFile:
    """The bytes of a photo or file a person sent, as downloaded from their app."""

    data: bytes
    content_type: str = ""


class FetchFailed(Exception):
    """A download that did not work: `final` when trying again cannot help (too large,
    unknown to the platform), else worth another try later. The message names no token."""

    def __init__(self, reason: str, *, final: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.final = reason, final


class Channel(Protocol):
    """A chat platform the bot talks through."""

    name: str
    text_limit: int

    async def start(self) -> str:
        """Check the token and prepare the connection; return the bot's name."""

    async def poll(self, handle: InboundHandler) -> None:
        """Fetch inbound events forever, passing each to `handle` before moving on."""

    async def send(self, delivery: Delivery) -> SendResult:
        """Send one message, split as the platform needs, skipping `delivery.skip_parts`."""

    async def close(self) -> None:
        """Release connections."""


def split_text(text: str, limit: int) -> list[str]:
    """Split text under `limit` characters (after NFC) at paragraph, line, then word breaks."""
    text = unicodedata.normalize("NFC", text)
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = _break_point(rest, limit)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest:
        parts.append(rest)
    return [part for part in parts if part]


def _break_point(text: str, limit: int) -> int:
    window = text[: limit + 1]
    for separator in ("\n\n", "\n", " "):
        at = window.rfind(separator, 0, limit)
        # A break in the first fifth would leave a uselessly short piece.
        if at > limit // 5:
            return at
    return limit
