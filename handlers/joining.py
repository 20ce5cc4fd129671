"""Joining with an invite code, and asking a newcomer's name."""

from __future__ import annotations

import datetime as dt
import re

from sqlmodel import Session

from handlers.context import Context
from handlers.i18n import N_, Translator
from handlers.messages import Inbound
from handlers.registry import Step, step
from storage.models import Identity, Person, Role, Unit
from storage.people import CODE_ALPHABET, CODE_LENGTH, find_invite

_CODE = re.compile(rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")
MAX_NAME = 80

ROLE_NAMES = {
    Role.ADMIN: N_("administrator"),
    Role.LEADER: N_("commune leader"),
    Role.FOCAL: N_("focal point"),
}


def code_in(text: str) -> str:
    """Return the invite code in '/start CODE' or a bare code, or ''."""
    words = text.strip().split()
    if words and words[0].split("@", 1)[0].lower() == "/start":
        words = words[1:]
    candidate = "".join(words).replace("-", "").upper()
    return candidate if _CODE.match(candidate) else ""


def redeem(
    session: Session, inbound: Inbound, now: dt.datetime, locale: str
) -> tuple[Person, Identity] | str | None:
    """Bind this chat to a new person if it sent a valid code; else why not, or None."""
    code = code_in(inbound.text)
    if not code:
        return None
    invite = find_invite(session, code)
    if invite is None:
        return "unknown"
    if invite.used_at is not None:
        return "used"
    if invite.expires_at <= now:
        return "expired"
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
    )
    invite.used_at, invite.used_by = now, person.id
    session.add_all([identity, invite])
    session.flush()
    return person, identity


def explain(translator: Translator, reason: str | None) -> str:
    """Tell an unregistered chat how to join, and why its code did not work."""
    _ = translator
    how = _(
        "This is the learning-society bot of the commune office. To join, ask the office "
        "for an invite code and send it here (on Telegram: /start CODE)."
    )
    problems = {
        "unknown": _("That invite code does not exist. Please check it with the office."),
        "used": _("That invite code has already been used. Please ask the office for a new one."),
        "expired": _("That invite code has expired. Please ask the office for a new one."),
    }
    return f"{problems[reason]}\n{how}" if reason in problems else how


def welcome(ctx: Context) -> Step | None:
    """Greet the newcomer with their role and unit, and ask their name."""
    from handlers.menu import show_menu

    _ = ctx._
    if ctx.person.name:
        # A linking code: someone already known, now on a second chat app.
        ctx.say(_("This chat is now linked to {name}.").format(name=ctx.person.name))
        show_menu(ctx)
        return None
    role = _(ROLE_NAMES[Role(ctx.person.role)])
    unit = ctx.session.get(Unit, ctx.person.unit_id) if ctx.person.unit_id else None
    if unit is not None:
        ctx.say(
            _("Welcome! You have joined as {role} of {unit}.").format(role=role, unit=unit.name)
        )
    else:
        ctx.say(_("Welcome! You have joined as {role}.").format(role=role))
    ctx.ask(_("What is your full name?"))
    return receive_name


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
