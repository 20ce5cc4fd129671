"""Joining with an invite or linking code, and asking a newcomer's name."""

from __future__ import annotations

import datetime as dt
import re

from sqlmodel import Session, select

from handlers.context import Context
from handlers.i18n import N_, Translator
from handlers.linking import APP_NAMES, ask_preferred_app
from handlers.messages import Inbound, Outbound, Recipient
from handlers.registry import Step, step
from storage.models import Conversation, Identity, Person, Role, Unit
from storage.people import (
    CODE_ALPHABET,
    CODE_LENGTH,
    claim_invite,
    find_invite,
    invite_is_open,
)

_CODE = re.compile(rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")
_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
MAX_NAME = 80
MAX_WRONG_CODES = 5
"""Wrong codes one chat may send within WRONG_CODE_WINDOW before it must wait that long."""
WRONG_CODE_WINDOW = dt.timedelta(hours=1)
EXPLAIN_AGAIN = dt.timedelta(days=1)

ROLE_NAMES = {
    Role.ADMIN: N_("administrator"),
    Role.LEADER: N_("commune leader"),
    Role.FOCAL: N_("focal point"),
}

Joined = tuple[Person, Identity]


def code_in(text: str) -> str:
    """Return the code a message means ('/start CODE', a bare code, one in a sentence), or ''."""
    words = text.strip().split()
    if words and words[0].split("@", 1)[0].lower() == "/start":
        words = words[1:]
    whole = "".join(words).replace("-", "").upper()
    # The whole message is a code attempt when it is one word, or split but holding a digit;
    # two plain words such as "chuc mung" happen to fit the alphabet and are not.
    if _CODE.match(whole) and (len(words) == 1 or _has_digit(whole)):
        return whole
    for word in _WORD.findall(" ".join(words)):
        candidate = word.replace("-", "").upper()
        # Inside a sentence only what looks like a code counts: a digit (every new code has
        # one) or capitals, never an ordinary eight-letter word typed without accents.
        if _CODE.match(candidate) and (_has_digit(candidate) or word.isupper()):
            return candidate
    return ""


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def answer_stranger(
    session: Session,
    inbound: Inbound,
    conversation: Conversation,
    now: dt.datetime,
    translator: Translator,
    locale: str,
) -> Joined | list[str]:
    """Join an unregistered chat that sent a good code; else the replies it gets (maybe none).

    Wrong codes are counted in the chat's conversation row: after MAX_WRONG_CODES within
    WRONG_CODE_WINDOW no code from that chat is checked for WRONG_CODE_WINDOW.
    """
    _ = translator
    data = dict(conversation.data)
    code = code_in(inbound.text)
    if not code:
        last = data.get("explained_at")
        if last and now - dt.datetime.fromisoformat(last) < EXPLAIN_AGAIN:
            return []
        data["explained_at"] = now.isoformat()
        _keep(session, conversation, data)
        return [explain(translator, None)]
    blocked = data.get("codes_blocked_until")
    if blocked and now < dt.datetime.fromisoformat(blocked):
        return [_wait(translator, dt.datetime.fromisoformat(blocked))]
    outcome = redeem(session, inbound, code, now, locale)
    if isinstance(outcome, tuple):
        _keep(session, conversation, {})
        return outcome
    if outcome == "same_app":
        app = APP_NAMES.get(inbound.channel, inbound.channel)
        return [
            _(
                "This code adds another chat app to an account, but that account already has "
                "{app}. One person can have only one {app} account in the bot; send the code "
                "from the other app."
            ).format(app=app)
        ]
    recent = [
        at
        for at in data.get("wrong_codes", [])
        if now - dt.datetime.fromisoformat(at) < WRONG_CODE_WINDOW
    ]
    recent.append(now.isoformat())
    replies = [explain(translator, "invalid")]
    if len(recent) >= MAX_WRONG_CODES:
        until = now + WRONG_CODE_WINDOW
        data["codes_blocked_until"] = until.isoformat()
        recent = []
        replies.append(_wait(translator, until))
    data["wrong_codes"] = recent
    data["explained_at"] = now.isoformat()
    _keep(session, conversation, data)
    return replies


def _keep(session: Session, conversation: Conversation, data: dict[str, object]) -> None:
    conversation.data = data
    session.add(conversation)


def _wait(_: Translator, until: dt.datetime) -> str:
    return _(
        "Too many wrong codes were sent from this chat. Please wait until {time}, then send "
        "the code again."
    ).format(time=_.when(until))


def redeem(
    session: Session, inbound: Inbound, code: str, now: dt.datetime, locale: str
) -> Joined | str:
    """Bind this chat to the code's person (a new one, or the linking code's owner); else why not.

    Reasons are 'invalid' (unknown, used, revoked, expired or void: a guesser must not learn
    which) and 'same_app' (a linking code sent from an app its owner already uses).
    """
    invite = find_invite(session, code)
    if invite is None or not invite_is_open(session, invite, now):
        return "invalid"
    if invite.links_person is not None:
        same_app = session.exec(
            select(Identity).where(
                Identity.person_id == invite.links_person, Identity.channel == inbound.channel
            )
        ).first()
        if same_app is not None:
            return "same_app"
    # Claim before creating anyone: the chat that loses a race leaves nothing behind.
    if not claim_invite(session, invite, now):
        return "invalid"
    person = session.get(Person, invite.links_person) if invite.links_person else None
    if person is None:
        person = Person(role=invite.role, unit_id=invite.unit_id, locale=locale, created_at=now)
        session.add(person)
        session.flush()
    identity = Identity(
        person_id=person.id or 0,
        channel=inbound.channel,
        external_id=inbound.external_id,
        chat_id=inbound.chat_id,
        created_at=now,
        last_seen_at=now,
    )
    invite.used_by = person.id
    session.add_all([identity, invite])
    session.flush()
    return person, identity


def explain(translator: Translator, reason: str | None) -> str:
    """Tell an unregistered chat how to join, and that its code did not work if it sent one."""
    _ = translator
    how = (
        _(
            "This is the learning-society bot of the commune office. To join, ask the office "
            "for an invite code and send it here (on Telegram: /start CODE)."
        )
        if _.buttons
        else _(
            "This is the learning-society bot of the commune office. To join, ask the office "
            "for an invite code and send it here."
        )
    )
    if reason is None:
        return how
    problem = _(
        "That code is wrong or no longer valid. Please check it, or ask the commune office "
        "for a new one."
    )
    return f"{problem}\n{how}"


def welcome(ctx: Context) -> Step | None:
    """Greet the newcomer with their role and unit and ask their name; or confirm a link."""
    others = _other_chats(ctx)
    if others:
        return _linked(ctx, others)
    _ = ctx._
    role = _(ROLE_NAMES[Role(ctx.person.role)])
    unit = ctx.session.get(Unit, ctx.person.unit_id) if ctx.person.unit_id else None
    if unit is not None:
        ctx.say(
            _("The commune office welcomes you as {role} of {unit}.").format(
                role=role, unit=unit.name
            )
        )
    else:
        ctx.say(_("The commune office welcomes you as {role}.").format(role=role))
    ctx.ask(_("What is your full name?"))
    return receive_name


def _other_chats(ctx: Context) -> list[Identity]:
    query = select(Identity).where(
        Identity.person_id == ctx.person.id, Identity.id != ctx.identity.id
    )
    return list(ctx.session.exec(query))


def _linked(ctx: Context, others: list[Identity]) -> Step | None:
    """Confirm the new chat, warn the person's other chats, and offer the app choice."""
    _ = ctx._
    app = APP_NAMES.get(ctx.inbound.channel, ctx.inbound.channel)
    name = ctx.inbound.display_name[:60]
    if name:
        warning = _(
            "The {app} account “{name}” has just been linked to your account. If that "
            "was not you, tell the commune office at once."
        ).format(app=app, name=name)
    else:
        warning = _(
            "A {app} account has just been linked to your account. If that was not you, tell "
            "the commune office at once."
        ).format(app=app)
    # Straight to the chats the person already had, so a stolen code is noticed at once.
    for other in others:
        ctx.replies.append(
            Outbound(Recipient(other.channel, other.chat_id, ctx.person.id), warning)
        )
    ctx.say(_("This chat is now linked to {name}.").format(name=ctx.person.name or "—"))
    ask_preferred_app(ctx)
    return None


@step
async def receive_name(ctx: Context) -> Step | None:
    """Store the newcomer's name and show what they can do."""
    from handlers.directive_push import catch_up
    from handlers.menu import show_menu

    name = " ".join(ctx.text.split())
    if not name or len(name) > MAX_NAME or not any(ch.isalpha() for ch in name):
        ctx.reask(
            ctx._("Please send your full name in letters, at most {limit} characters.").format(
                limit=MAX_NAME
            )
        )
        return receive_name
    ctx.person.name = name
    ctx.session.add(ctx.person)
    ctx.say(ctx._("Thank you, {name}. You are registered.").format(name=name))
    show_menu(ctx)
    catch_up(ctx)
    return None
