"""/lienket: add a second chat app (Zalo or Telegram) to one's own account."""

from __future__ import annotations

from handlers.context import Context
from handlers.i18n import N_
from handlers.registry import Step, command
from storage.models import Role
from storage.people import create_invite, telegram_link

EVERYONE = {Role.ADMIN.value, Role.LEADER.value, Role.FOCAL.value}


@command("lienket", roles=EVERYONE, menu_label=N_("Use another chat app"), menu_order=85)
async def link_another_app(ctx: Context) -> Step | None:
    """Give a one-time code that binds another chat app to this same person."""
    _ = ctx._
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
