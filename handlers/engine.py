"""The dialog engine: one transaction per inbound event, from dedupe to queued replies."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sqlalchemy import Engine as Database
from sqlmodel import Session

from handlers import interruptions, joining
from handlers.context import Context
from handlers.dialog_state import KEEP
from handlers.dialog_state import load as _conversation
from handlers.dialog_state import save as _save
from handlers.features import load_features
from handlers.i18n import Translator
from handlers.matching import match_choice, normalize
from handlers.messages import PRIORITY_REPLY, Inbound, Outbound, Recipient
from handlers.outbox import BUTTON_CHANNELS, callback, deliver_notice, enqueue, typed_commands
from handlers.quiet import QuietHours
from handlers.registry import Command, find_command, find_step, wants_choice
from handlers.roster import removed_chat
from storage.db import StorageUnavailable, is_outage, transaction
from storage.models import Conversation, Identity, OutboxMessage, Person, utcnow
from storage.text import clean_text
from storage.turns import account_of, remember_event, replies_waiting

log = logging.getLogger(__name__)

load_features()

_LOCAL_CHOICE = re.compile(r"^(\d+)\.(.+)$")
_WORD_COMMANDS = {"menu": "/menu", "huy": "/huy", "help": "/help", "tro giup": "/help"}


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
            outcome = self._stay(ctx, conversation)
        else:
            outcome = await self._route(ctx, conversation)
            ctx.settle_tap()
        _save(conversation, ctx, outcome)
        session.add(conversation)
        return self._queue(session, ctx, conversation)

    def _stranger(
        self, session: Session, inbound: Inbound, conversation: Conversation
    ) -> list[int]:
        """Let an unregistered chat join with a code, or tell it why not (see handlers.joining)."""
        now = self.clock()
        translator = Translator(inbound.locale_hint or self.default_locale, self.timezone)
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

    async def _route(self, ctx: Context, conversation: Conversation) -> Any:
        """Decide what this event means (command, choice or answer) and run it."""
        inbound = ctx.inbound
        command = ""
        if inbound.choice:
            if inbound.choice.startswith("/"):
                command = inbound.choice
            else:
                local = _LOCAL_CHOICE.match(inbound.choice)
                offered = {cid for cid, _label in conversation.choices}
                if local and int(local[1]) == conversation.offer and local[2] in offered:
                    ctx.choice = local[2]
                else:
                    return self._stale(ctx, conversation)
        elif ctx.text.startswith("/") and (_is_command(ctx.text) or not conversation.step):
            command = ctx.text
        elif ctx.text:
            hit = match_choice(ctx.text, ctx.offered)
            if hit and hit.startswith("/"):
                command = hit
            elif hit:
                ctx.choice = hit
            elif normalize(ctx.text) in _WORD_COMMANDS:
                command = _WORD_COMMANDS[normalize(ctx.text)]
        if command:
            return await self._command(ctx, conversation, command)
        return await self._continue(ctx, conversation)

    async def _command(
        self, ctx: Context, conversation: Conversation, text: str, *, fresh: bool = False
    ) -> Any:
        """Run a slash command, or refuse it, leaving any dialog as it was.

        `fresh` runs it as if no dialog were in progress (the person chose to discard it).
        """
        name, _, args = text[1:].partition(" ")
        name = name.split("@", 1)[0].lower()
        busy = bool(conversation.step) and not fresh
        if name == "huy":
            ctx.data = {}
            if not busy:
                ctx.say(ctx._("Nothing is in progress. Send /menu to see what you can do."))
                return None
            ctx.say(
                ctx._("Cancelled. Nothing from that dialog was saved. Send /menu to start again.")
            )
            return None
        found = find_command(name)
        if found is None or ctx.person.role not in found.roles:
            if found is None:
                ctx.say(ctx._("I don't know that command. Send /menu to see what you can do."))
            else:
                ctx.say(
                    ctx._(
                        "That command is not available to you. Send /menu to see what you can do."
                    )
                )
            return self._stay(ctx, conversation)
        ctx.args = args.strip()
        ctx.text, ctx.choice = "", ""
        if busy and found.keeps_dialog:
            return await self._one_shot(ctx, conversation, found)
        what = interruptions.in_progress(ctx._, conversation.data) if busy else ""
        if what:
            ctx.data = dict(conversation.data)
            choices = [list(choice) for choice in conversation.choices]
            return interruptions.ask(
                ctx, conversation.step, conversation.prompt, choices, what, text
            )
        ctx.data = {"command": name}
        return await found.start(ctx)

    async def _one_shot(self, ctx: Context, conversation: Conversation, found: Command) -> Any:
        """Answer a tap or /help mid-dialog, then offer the dialog's question again, exactly."""
        ctx.data = {}
        first = len(ctx.replies)
        await found.start(ctx)
        if ctx.inbound.channel not in BUTTON_CHANNELS:
            # A number must keep answering the dialog: the one-shot's choices are spelled out.
            for reply in ctx.replies[first:]:
                if reply.choices:
                    reply.text = typed_commands(ctx._, reply.text, reply.choices)
                    reply.choices = []
        ctx.data = dict(conversation.data)
        ctx.prompt = conversation.prompt
        ctx.offered = [(cid, label) for cid, label in conversation.choices]
        return self._stay(ctx, conversation)

    async def _continue(self, ctx: Context, conversation: Conversation) -> Any:
        """Give the answer to the step the dialog is waiting in."""
        if not conversation.step:
            ctx.say(ctx._("Send /menu to see what you can do."))
            return None
        step = find_step(conversation.step)
        owner = find_command(str(conversation.data.get("command", "")))
        allowed = owner is None or ctx.person.role in owner.roles
        if step is None or not allowed:
            ctx.data = {}
            ctx.say(ctx._("That dialog has ended. Send /menu to start again."))
            return None
        if wants_choice(conversation.step) and not ctx.choice:
            ctx.reask(ctx._("Please choose one of the options."))
            return KEEP
        outcome = await step(ctx)
        if isinstance(outcome, interruptions.Discard):
            return await self._command(ctx, conversation, outcome.command, fresh=True)
        return outcome

    def _stale(self, ctx: Context, conversation: Conversation) -> Any:
        """Answer a button from an old message without acting on it."""
        ctx.stale_tap = True
        ctx.say(ctx._("That button belongs to an earlier message and no longer works."))
        if not conversation.step:
            ctx.say(ctx._("Send /menu to see what you can do."))
        return self._stay(ctx, conversation)

    def _stay(self, ctx: Context, conversation: Conversation) -> Any:
        """Leave the dialog where it was, repeating its question if it has one."""
        if conversation.step and conversation.prompt:
            ctx.ask(conversation.prompt, ctx.offered)
        return KEEP

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
            _ = Translator(locale, self.timezone)
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


def _is_command(text: str) -> bool:
    """Tell '/menu' or '/ack 12' from an answer that merely starts with a slash."""
    name = text[1:].split(" ", 1)[0].split("@", 1)[0].lower()
    return name == "huy" or find_command(name) is not None or (name.isascii() and name.isalpha())
