"""The dialog engine: one transaction per inbound event, from dedupe to queued replies."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import replace

from sqlalchemy import Engine as Database
from sqlmodel import Session

from handlers import joining, routing
from handlers.context import Context
from handlers.dialog_state import load as _conversation
from handlers.dialog_state import save as _save
from handlers.features import load_features
from handlers.i18n import Translator
from handlers.messages import PRIORITY_REPLY, Inbound, Outbound, Recipient
from handlers.outbox import callback, deliver_notice, enqueue
from handlers.quiet import QuietHours
from handlers.roster import removed_chat
from storage.db import StorageUnavailable, is_outage, transaction
from storage.models import Conversation, Identity, OutboxMessage, Person, utcnow
from storage.text import clean_text
from storage.turns import account_of, remember_event, replies_waiting

log = logging.getLogger(__name__)

load_features()


class Handled(list[int]):
    """The outbox row ids an event queued, with the role and language of the person it came from.

    The channel keeps a chat's command menu matching these without a query per message.
    `handed` are the replies already leased to the sender at insert (see Engine.hand_off);
    the others wait for its claim.
    """

    def __init__(
        self, ids: list[int], role: str, locale: str, handed: list[OutboxMessage] | None = None
    ) -> None:
        super().__init__(ids)
        self.role, self.locale = role, locale
        self.handed = handed or []

    @property
    def unclaimed(self) -> bool:
        """Whether some queued row still needs the sender's claim."""
        return len(self.handed) < len(self)


class Engine:
    """Turns inbound events into stored state and queued replies."""

    def __init__(
        self,
        database: Database,
        *,
        timezone: str = "Asia/Ho_Chi_Minh",
        default_locale: str = "vi",
        clock: Callable[[], dt.datetime] = utcnow,
        quiet_hours: QuietHours | None = None,
        hand_off: dt.timedelta | None = None,
    ) -> None:
        self.database = database
        # Set by a running bot whose sender takes replies straight from the event: each is
        # leased this long at insert, so no claim has to find it, and nobody else sends it.
        self.hand_off = hand_off
        self.quiet_hours = quiet_hours
        self.timezone = timezone
        self.default_locale = default_locale
        self.clock = clock

    async def handle(self, inbound: Inbound) -> list[int]:
        """Process one inbound event; return the ids of the outbox rows it queued.

        Raises StorageUnavailable when the database is down or locked: nothing was stored,
        so the channel must not confirm the event, and hands it over again later.
        """
        cleaned = _cleaned(inbound)
        # Typed, but nothing readable is left: say so rather than treat it as a blank answer.
        emptied = bool(inbound.text.strip()) and not cleaned.text.strip()
        inbound = cleaned
        try:
            with transaction(self.database) as session:
                return await self._handle(session, inbound, emptied)
        except Exception as error:
            if is_outage(error):
                raise StorageUnavailable(str(error.__class__.__name__)) from error
            log.exception("step failed for %s", inbound.message_key)
        try:
            return self._apologise(inbound)
        except Exception as error:
            if is_outage(error):
                raise StorageUnavailable(str(error.__class__.__name__)) from error
            raise

    async def _handle(self, session: Session, inbound: Inbound, emptied: bool) -> list[int]:
        if not remember_event(session, inbound.message_key, utcnow()):
            log.info("duplicate inbound %s dropped: already handled", inbound.message_key)
            return []
        conversation = _conversation(session, inbound)
        account = account_of(session, inbound.channel, inbound.external_id)
        if account is None:
            return self._stranger(session, inbound, conversation)
        identity, person = account
        if removed_chat(session, person, identity, inbound):
            return self._stranger(session, inbound, conversation)
        if not identity.reachable or identity.chat_id != inbound.chat_id:
            identity.reachable, identity.unreachable_reason = True, ""
            identity.chat_id = inbound.chat_id
        # The app a person wrote from last is where messages they did not ask for go.
        identity.last_seen_at = self.clock()
        session.add(identity)
        ctx = self._context(session, inbound, person, identity, conversation)
        if emptied and not (inbound.choice or inbound.photo or inbound.document):
            ctx.say(ctx._("That message has no text that can be read. Please type it again."))
            outcome = routing.stay(ctx, conversation)
        else:
            outcome = await routing.route(ctx, conversation)
            ctx.settle_tap()
        _save(conversation, ctx, outcome)
        session.add(conversation)
        return self._queue(session, ctx, conversation)

    def _stranger(
        self, session: Session, inbound: Inbound, conversation: Conversation
    ) -> list[int]:
        """Let an unregistered chat join with a code, or tell it why not (see handlers.joining)."""
        now = self.clock()
        locale = inbound.locale_hint or self.default_locale
        translator = Translator(locale, self.timezone, channel=inbound.channel)
        answer = joining.answer_stranger(
            session, inbound, conversation, now, translator, self.default_locale
        )
        if isinstance(answer, tuple):
            person, identity = answer
            ctx = self._context(session, inbound, person, identity, conversation)
            outcome = joining.welcome(ctx)
            _save(conversation, ctx, outcome)
            session.add(conversation)
            return self._queue(session, ctx, conversation)
        rows = [
            enqueue(session, Outbound(_here(inbound), text), translator.locale, now)
            for text in answer
        ]
        session.flush()
        return [row.id for row in rows if row and row.id]

    def _context(
        self,
        session: Session,
        inbound: Inbound,
        person: Person,
        identity: Identity,
        conversation: Conversation,
    ) -> Context:
        ctx = Context(
            session=session,
            inbound=inbound,
            person=person,
            identity=identity,
            data=dict(conversation.data),
            now=self.clock(),
            timezone=self.timezone,
            text=inbound.text.strip(),
            quiet=self.quiet_hours,
        )
        ctx.prompt = conversation.prompt
        ctx.offered = [(cid, label) for cid, label in conversation.choices]
        return ctx

    def _queue(self, session: Session, ctx: Context, conversation: Conversation) -> list[int]:
        """Write the replies and notices of this event to the outbox."""
        rows = []
        handed: list[OutboxMessage] = []
        hand_off = self._may_hand_off(session, ctx)
        for reply in ctx.replies:
            reply.choices = callback(reply.choices, conversation.offer)
            row = enqueue(session, reply, ctx.person.locale, ctx.now)
            rows.append(row)
            if hand_off is not None and row is not None and _answers(row, ctx):
                row.leased_until = hand_off
                handed.append(row)
        for notice in ctx.notices:
            rows.extend(
                deliver_notice(
                    session, notice, self.timezone, ctx.now, self.quiet_hours, notice.broadcast_id
                )
            )
        session.flush()
        ids = [row.id for row in rows if row is not None and row.id is not None]
        return Handled(ids, ctx.person.role, ctx.person.locale, handed)

    def _may_hand_off(self, session: Session, ctx: Context) -> dt.datetime | None:
        """The lease for this event's replies, or None when they must wait for a claim.

        Not when an earlier reply to the chat is still unsent: it goes first, by the claim.
        """
        if self.hand_off is None or not ctx.replies:
            return None
        chat = ctx.inbound
        if replies_waiting(session, chat.channel, chat.chat_id, PRIORITY_REPLY):
            return None
        return ctx.now + self.hand_off

    def _apologise(self, inbound: Inbound) -> list[int]:
        """After a failed step: keep the event as seen and say sorry; the dialog is untouched."""
        with transaction(self.database) as session:
            remember_event(session, inbound.message_key, utcnow())
            account = account_of(session, inbound.channel, inbound.external_id)
            person = account[1] if account else None
            locale = person.locale if person else self.default_locale
            _ = Translator(locale, self.timezone, channel=inbound.channel)
            text = _(
                "Sorry, something went wrong on our side. What you entered before is kept; "
                "please send your answer again."
            )
            row = enqueue(session, Outbound(_here(inbound), text), locale, self.clock())
            session.flush()
            return [row.id] if row and row.id else []


def _cleaned(inbound: Inbound) -> Inbound:
    """The event with its typed text in the one form the bot stores (see storage.text)."""
    return replace(
        inbound,
        text=clean_text(inbound.text),
        # Button data carries typed text too ('/huybienlai KH2026-00001 reason').
        choice=clean_text(inbound.choice),
        display_name=clean_text(inbound.display_name),
        document_name=clean_text(inbound.document_name),
    )


def _answers(row: OutboxMessage, ctx: Context) -> bool:
    """Whether an outbox row is a reply to the event's own chat, due now."""
    inbound = ctx.inbound
    return (
        row.channel == inbound.channel
        and row.chat_id == inbound.chat_id
        and row.priority <= PRIORITY_REPLY
        and row.not_before <= ctx.now
    )


def _here(inbound: Inbound) -> Recipient:
    return Recipient(inbound.channel, inbound.chat_id)
