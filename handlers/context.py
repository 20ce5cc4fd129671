"""What a step sees of one inbound event, and where it puts its replies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from handlers.i18n import Translator
from handlers.messages import INERT, PRIORITY_FANOUT, Choice, Inbound, Outbound, Recipient
from handlers.quiet import QuietHours
from storage.models import Identity, Person
from storage.people import people_with_roles
from storage.text import clean_text

LABEL_LIMIT = 100
"""Longest chosen label shown in place of the buttons."""

Render = Callable[[Translator], tuple[str, list[Choice]]]
"""Builds a message in a recipient's language: (text, choices)."""


@dataclass
class Notice:
    """A message for another person, rendered later in that person's language."""

    person_id: int
    render: Render
    key: str | None = None
    document: str = ""
    photo: str = ""
    media_channel: str = ""
    """The channel a photo or document reference came from; other channels cannot use it."""
    priority: int = PRIORITY_FANOUT
    broadcast_id: int | None = None
    """The broadcast this message belongs to, so its delivery can be reported."""


@dataclass
class Context:
    """One inbound event as a step sees it: who, what they said, and the dialog so far."""

    session: Session
    inbound: Inbound
    person: Person
    identity: Identity
    data: dict[str, Any]
    now: dt.datetime
    timezone: str
    text: str = ""
    choice: str = ""
    args: str = ""
    replies: list[Outbound] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    prompt: str = ""
    offered: list[Choice] = field(default_factory=list)
    quiet: QuietHours | None = None
    """The commune's quiet hours, in which messages to other people wait."""
    asked: bool = False
    """Whether this event asked a question (new or repeated), to be remembered for the answer."""
    tap_settled: bool = False
    """Whether a reply already decides what becomes of the buttons of the message tapped."""
    stale_tap: bool = False
    """Whether the button tapped belonged to an earlier question and did nothing."""
    _: Translator = field(init=False)

    def __post_init__(self) -> None:
        self._ = Translator(self.person.locale, self.timezone, channel=self.inbound.channel)

    @property
    def here(self) -> Recipient:
        """The chat this event came from."""
        return Recipient(self.inbound.channel, self.inbound.chat_id, self.person.id)

    @property
    def today(self) -> dt.date:
        """The commune's calendar date now."""
        return self._.today(self.now)

    def delivery_time(self) -> dt.datetime:
        """When a message to another person queued now goes out: now, or after quiet hours."""
        return self.quiet.next_allowed(self.now) if self.quiet is not None else self.now

    def quiet_note(self) -> str:
        """A line saying when messages to others will go out, if quiet hours hold them; else ''."""
        delivery = self.delivery_time()
        if delivery <= self.now:
            return ""
        return self._("It is quiet hours now: people will receive it at {time}.").format(
            time=self._.when(delivery)
        )

    def say(self, text: str, *, photo: str = "", document: str = "") -> None:
        """Reply with a message that asks nothing."""
        self.replies.append(Outbound(self.here, text, photo=photo, document=document))

    def ask(self, text: str, choices: list[Choice] | None = None) -> None:
        """Reply with a question; it is repeated when the answer is not understood."""
        # Stored to map the answer: labels from rows saved before text was cleaned must match
        # what people type, and PostgreSQL cannot store a NUL at all.
        self.prompt = clean_text(text)
        self.offered = [(cid, clean_text(label)) for cid, label in choices or []]
        self.asked = True
        self.replies.append(Outbound(self.here, self.prompt, list(self.offered)))

    def ask_in_place(self, text: str, choices: list[Choice]) -> None:
        """Ask again with changed choices: on the message tapped, where its buttons can change.

        Only the same question is changed so (only its buttons change, not its text);
        another question, a typed answer or a numbered-list channel gets a new message.
        """
        # A tap that was taken answers the current question: that message shows its text.
        same = clean_text(text) == self.prompt
        self.ask(text, choices)
        tapped = self.inbound.tapped_message_id
        if tapped and same and not self.tap_settled:
            self.replies[-1].edit_message_id = tapped
            self.tap_settled = True

    def settle_tap(self) -> None:
        """Take the buttons off the message tapped, leaving one inert line with the choice.

        Old buttons so never pile up in the chat; a button that did nothing (stale) is just
        taken away. Nothing happens when no button was tapped, or a reply already changed
        that message (ask_in_place).
        """
        tapped = self.inbound.tapped_message_id
        if not tapped or self.tap_settled:
            return
        self.tap_settled = True
        label = clean_text(self.inbound.tapped_label)[:LABEL_LIMIT]
        shown = [(INERT, f"✓ {label}")] if label and not self.stale_tap else []
        # After the replies: the answer is not held back by the edit in the chat's pace.
        self.replies.append(Outbound(self.here, "", shown, edit_message_id=tapped))

    def reask(self, problem: str) -> None:
        """Explain what was wrong with the answer and ask the same question again."""
        self.say(problem)
        self.ask(self.prompt, self.offered)

    def notify(self, person_id: int, render: Render, **options: Any) -> None:
        """Queue a message for another person, in their own language."""
        self.notices.append(Notice(person_id, render, **options))

    def people(self, *roles: str) -> list[Person]:
        """Return everyone holding one of `roles`."""
        return people_with_roles(self.session, set(roles))
