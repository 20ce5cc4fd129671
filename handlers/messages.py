"""Channel-neutral messages: what arrives from a chat and what goes back to one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

Choice = tuple[str, str]
"""A button: (id, label). The id goes back as callback data; the label is shown."""

BUTTON_CHANNELS = frozenset({"telegram"})
"""Channels that show choices as buttons and take slash commands; the others get a numbered
list, and people type words there."""


@dataclass(frozen=True)
class Inbound:
    """One event from a chat: a text, a button tap, a photo or a file."""

    channel: str
    external_id: str
    chat_id: str
    message_key: str
    at: dt.datetime
    text: str = ""
    choice: str = ""
    photo: str = ""
    document: str = ""
    document_name: str = ""
    callback_id: str = ""
    locale_hint: str = ""
    display_name: str = ""
    tapped_message_id: str = ""
    """For a button tap: the platform id of the bot's message that carried the button."""
    tapped_label: str = ""
    """For a button tap: the label of the button, as the person saw it."""
    document_text: str = ""
    """For a file: its text, when the app let the bot read it before handling the event."""
    document_state: str = ""
    """For a file: 'read', 'scanned' (pictures only), 'unreadable', or '' (not tried)."""


@dataclass(frozen=True)
class Recipient:
    """Where a message goes: one chat on one channel."""

    channel: str
    chat_id: str
    person_id: int | None = None


@dataclass
class Outbound:
    """A message to a chat; `choices` become buttons or a numbered list."""

    to: Recipient
    text: str
    choices: list[Choice] = field(default_factory=list)
    photo: str = ""
    document: str = ""
    idempotency_key: str | None = None
    priority: int = 0
    edit_message_id: str = ""
    """The platform id of an earlier message of the bot whose buttons this one replaces, in
    place; channels that cannot change a message send the text (if any) as a new one."""


INERT = "~"
"""The id of a button that only shows what was chosen: a tap on it does nothing."""

PRIORITY_REPLY = 0
PRIORITY_FANOUT = 10
PRIORITY_BROADCAST = 20
