"""/mamoi: admins list the invite and linking codes that still work, and revoke one."""

from __future__ import annotations

from handlers.context import Context
from handlers.i18n import N_, Translator
from handlers.joining import ROLE_NAMES
from handlers.matching import parse_id
from handlers.registry import Step, choice_step, command
from handlers.words import command_word
from storage.models import AuditEntry, InviteCode, Person, Role, Unit
from storage.people import open_invites, revoke_invite

ADMINS = {Role.ADMIN.value}
MAX_SHOWN = 20
"""Codes offered at once, newest first: enough for a commune, short enough for Zalo."""


@command("mamoi", roles=ADMINS, menu_label=N_("Open codes"), menu_order=72)
async def open_codes(ctx: Context) -> Step | None:
    """List the codes that would still work, with who they are for, and ask which to revoke."""
    _ = ctx._
    codes = list(reversed(open_invites(ctx.session, ctx.now)))
    if not codes:
        ctx.say(_("No invite or linking code is open now."))
        return None
    shown = codes[:MAX_SHOWN]
    lines = [_("Codes that still work ({count}):").format(count=_.number(len(codes)))]
    if len(codes) > len(shown):
        lines.append(_("The {count} newest are shown.").format(count=_.number(len(shown))))
    lines.extend(f"• {describe(ctx, invite)}" for invite in shown)
    keep = _("Which code should be revoked? It stops working at once. {huy} keeps them all.")
    lines += ["", keep.format(huy=command_word(_, "huy"))]
    ctx.ask("\n".join(lines), [(f"code{invite.id}", _shown_code(invite)) for invite in shown])
    return receive_code_to_revoke


@choice_step
async def receive_code_to_revoke(ctx: Context) -> Step | None:
    """Revoke the chosen code and record it in the audit log."""
    _ = ctx._
    invite_id = parse_id(ctx.choice.removeprefix("code"))
    revoked = revoke_invite(ctx.session, invite_id, ctx.now) if invite_id is not None else None
    if revoked is None:
        ctx.say(_("That code was used or revoked meanwhile, or has expired; nothing changed."))
        return None
    ctx.session.add(
        AuditEntry(
            at=ctx.now,
            person_id=ctx.person.id,
            action="invite.revoke",
            detail={
                "code": revoked.code,
                "role": revoked.role,
                "unit_id": revoked.unit_id,
                "links_person": revoked.links_person,
            },
        )
    )
    ctx.say(_("Code {code} is revoked; it no longer works.").format(code=_shown_code(revoked)))
    return None


def describe(ctx: Context, invite: InviteCode) -> str:
    """One line about an open code: what it gives, who made it, until when."""
    _ = ctx._
    return "{code} — {what} — {maker} — {until}".format(
        code=_shown_code(invite),
        what=_what(ctx, _, invite),
        maker=_maker(ctx, _, invite),
        until=_("until {time}").format(time=_.when(invite.expires_at)),
    )


def _shown_code(invite: InviteCode) -> str:
    # A linking code binds a chat to someone's account: admins need to stop it, not to use it.
    return f"{invite.code[:4]}····" if invite.links_person else invite.code


def _what(ctx: Context, _: Translator, invite: InviteCode) -> str:
    if invite.links_person is not None:
        owner = ctx.session.get(Person, invite.links_person)
        return _("linking code of {name}").format(name=(owner.name if owner else "") or "—")
    role = _(ROLE_NAMES[Role(invite.role)])
    unit = ctx.session.get(Unit, invite.unit_id) if invite.unit_id else None
    return _("{role} of {unit}").format(role=role, unit=unit.name) if unit else role


def _maker(ctx: Context, _: Translator, invite: InviteCode) -> str:
    if invite.created_by is None:
        return _("made on the server")
    maker = ctx.session.get(Person, invite.created_by)
    return _("made by {name}").format(name=(maker.name if maker else "") or "—")
