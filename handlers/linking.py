"""/lienket: add a second chat app (Zalo or Telegram) to one's own account, choose the main one."""

from __future__ import annotations

from sqlmodel import select

from handlers.context import Context
from handlers.i18n import N_
from handlers.outbox import CHANNELS
from handlers.registry import Step, command
from handlers.words import command_word
from storage.models import AuditEntry, Identity, Role
from storage.people import create_invite, open_link_codes, revoke_invite, telegram_link

EVERYONE = {Role.ADMIN.value, Role.LEADER.value, Role.FOCAL.value}
APP_NAMES = {"telegram": "Telegram", "zalo": "Zalo"}
LAST_USED = "auto"
"""The argument of '/lienket auto': messages go to the app the person wrote from last."""


@command("lienket", roles=EVERYONE, menu_label=N_("Use another chat app"), menu_order=85)
async def link_another_app(ctx: Context) -> Step | None:
    """Give a one-time code that binds another chat app to this person, or set the main app."""
    if ctx.args.lower() in (*CHANNELS, LAST_USED):
        _set_preferred_app(ctx, ctx.args.lower())
        return None
    _ = ctx._
    for old in open_link_codes(ctx.session, ctx.person.id or 0, ctx.now):
        # One open linking code per person: a code shown earlier may have been seen by others.
        if revoke_invite(ctx.session, old.id or 0, ctx.now) is not None:
            ctx.session.add(
                AuditEntry(
                    at=ctx.now,
                    person_id=ctx.person.id,
                    action="invite.revoke",
                    detail={"code": old.code, "reason": "replaced"},
                )
            )
    if {identity.channel for identity in _chats(ctx)} >= set(CHANNELS):
        ctx.say(_("Your account already has both Telegram and Zalo."))
        ask_preferred_app(ctx)
        return None
    invite = create_invite(
        ctx.session,
        ctx.person.role,
        ctx.now,
        unit_id=ctx.person.unit_id,
        created_by=ctx.person.id,
        links_person=ctx.person.id,
    )
    link = telegram_link(ctx.session, invite.code)
    lines = [
        _("Your linking code: {code}").format(code=invite.code),
        _("Send it to the bot from your other app (Zalo or Telegram) before {expiry}.").format(
            expiry=_.when(invite.expires_at)
        ),
    ]
    if link:
        lines.append(_("On Telegram you can also open: {link}").format(link=link))
    ctx.say("\n".join(lines))
    return None


def ask_preferred_app(ctx: Context) -> None:
    """Offer, in one tap, which app gets the messages the person did not ask for."""
    _ = ctx._
    current = ctx.person.preferred_channel
    now = APP_NAMES.get(current) or _("the app you wrote from last")
    choices = [(f"/lienket {channel}", APP_NAMES[channel]) for channel in CHANNELS]
    choices.append((f"/lienket {LAST_USED}", _("The app I wrote from last")))
    ctx.ask(
        _(
            "Which app should get directives, reminders and announcements? Now: {current}."
        ).format(current=now),
        choices,
    )


def _set_preferred_app(ctx: Context, choice: str) -> None:
    _ = ctx._
    channel = "" if choice == LAST_USED else choice
    if channel and channel not in {identity.channel for identity in _chats(ctx)}:
        ctx.say(
            _("Your account has no {app} chat yet. Send {lienket} to add it first.").format(
                app=APP_NAMES[channel], lienket=command_word(_, "lienket")
            )
        )
        return
    ctx.person.preferred_channel = channel
    ctx.session.add(ctx.person)
    if channel:
        ctx.say(
            _("Done. Directives, reminders and announcements will go to {app}.").format(
                app=APP_NAMES[channel]
            )
        )
    else:
        ctx.say(
            _(
                "Done. Directives, reminders and announcements will go to the app you wrote "
                "from last."
            )
        )


def _chats(ctx: Context) -> list[Identity]:
    return list(ctx.session.exec(select(Identity).where(Identity.person_id == ctx.person.id)))
