"""/thongbao: an admin sends an announcement to everyone, a role, or chosen units."""

from __future__ import annotations

from handlers.broadcast_fanout import fan_out
from handlers.broadcast_report import describe_audience, excerpt, progress_text
from handlers.context import Context
from handlers.file_refs import media_ref, photos_reach
from handlers.i18n import N_
from handlers.registry import Step, choice_step, command, step
from handlers.unit_picker import show_units, take_units
from storage.broadcasts import (
    count_audience,
    create_broadcast,
    progress,
    running_broadcast,
)
from storage.directives import units_for_target
from storage.media import keep as keep_media
from storage.models import Person, Role

MAX_TEXT = 4000
"""Longest announcement; the sender splits it under each channel's own limit."""


@command(
    "thongbao",
    roles={Role.ADMIN.value},
    menu_label=N_("Broadcast"),
    menu_order=15,
    summary=N_("an announcement"),
)
async def new_broadcast(ctx: Context) -> Step | None:
    """Show the broadcast still going out, if any; otherwise ask for the announcement."""
    running = running_broadcast(ctx.session)
    if running is None:
        return _ask_text(ctx)
    _ = ctx._
    author = ctx.session.get(Person, running.author_id)
    name = author.name if author else ""
    ctx.say(progress_text(ctx.session, _, running, name, progress(ctx.session, running)))
    ctx.data["author"] = name if running.author_id != ctx.person.id else ""
    ctx.ask(
        _("Start a new announcement?"),
        [("new", _("New announcement")), ("close", _("Close"))],
    )
    return receive_next


@choice_step
async def receive_next(ctx: Context) -> Step | None:
    """After the progress view: start a new announcement, or close the view."""
    if ctx.choice == "new":
        return _ask_text(ctx)
    author = ctx.data.get("author", "")
    if author:
        ctx.say(
            ctx._("OK. {name} gets the delivery report when it has all gone out.").format(
                name=author
            )
        )
    else:
        ctx.say(ctx._("OK. You get the delivery report when it has all gone out."))
    return None


def _ask_text(ctx: Context) -> Step:
    _ = ctx._
    if photos_reach("zalo"):
        ctx.ask(_("Type the announcement. You may also send a photo with the text as its caption."))
    else:
        ctx.ask(
            _(
                "Type the announcement. You may also send a photo with the text as its caption; "
                "people on Zalo receive the text only."
            )
        )
    return receive_text


@step
async def receive_text(ctx: Context) -> Step:
    """Take the announcement's text, and a photo with it where the channel sends one."""
    _ = ctx._
    photo = ctx.inbound.photo
    if photo:
        # The bot's own copy: a Telegram file id means nothing on Zalo, a Zalo URL expires.
        media_id = keep_media(
            ctx.session,
            channel=ctx.inbound.channel,
            platform_ref=photo,
            kind="photo",
            person_id=ctx.person.id,
            now=ctx.now,
        )
        ctx.data.update(photo=media_ref(media_id), media_channel="")
        if not ctx.text:
            if photos_reach("zalo"):
                ctx.ask(_("Photo received. Now type the text to send with it."))
            else:
                ctx.ask(
                    _(
                        "Photo received. Now type the text to send with it; people on Zalo "
                        "receive the text only."
                    )
                )
            return receive_text
    text = ctx.text
    if not (0 < len(text) <= MAX_TEXT and any(ch.isalpha() for ch in text)):
        ctx.reask(
            _("The announcement is text of at most {limit} characters.").format(
                limit=_.number(MAX_TEXT)
            )
        )
        return receive_text
    ctx.data["text"] = text
    return _ask_audience(ctx)


def _ask_audience(ctx: Context) -> Step:
    _ = ctx._
    ctx.ask(
        _("Who should receive it?"),
        [
            ("everyone", _("Everyone")),
            ("admins", _("Administrators")),
            ("leaders", _("Commune leaders")),
            ("focal", _("All focal points")),
            ("villages", _("All villages")),
            ("schools", _("All schools")),
            ("units", _("Choose units")),
        ],
    )
    return receive_audience


@choice_step
async def receive_audience(ctx: Context) -> Step:
    """Take the audience, or start the pick-units list."""
    if ctx.choice == "units":
        if not units_for_target(ctx.session, "all"):
            ctx.reask(ctx._("There are no units yet."))
            return receive_audience
        ctx.data["picked"] = []
        return _ask_units(ctx)
    ctx.data["audience"] = {"kind": ctx.choice}
    return _ask_confirmation(ctx)


_UNITS_PROMPT = N_(
    "Choose the units whose focal points receive it (choose again to remove), then Done."
)


def _ask_units(ctx: Context) -> Step:
    show_units(ctx, ctx._(_UNITS_PROMPT))
    return receive_units


@step
async def receive_units(ctx: Context) -> Step:
    """Tick or untick units on the pick list, one or several at once, or finish it."""
    picked = take_units(ctx, ctx._(_UNITS_PROMPT))
    if picked is None:
        return receive_units
    ctx.data["audience"] = {"kind": "units", "unit_ids": picked}
    return _ask_confirmation(ctx)


def _nobody(ctx: Context) -> Step:
    """Say the audience has no one in it, and ask for the audience again."""
    audience = describe_audience(ctx.session, ctx._, ctx.data["audience"])
    ctx.say(
        ctx._("No one would receive it ({audience}): there is nobody there apart from you.").format(
            audience=audience
        )
    )
    return _ask_audience(ctx)


def _ask_confirmation(ctx: Context) -> Step:
    _ = ctx._
    audience = ctx.data["audience"]
    count = count_audience(ctx.session, audience, exclude=ctx.person.id)
    if count == 0:
        return _nobody(ctx)
    lines = [_("Please check the announcement:"), excerpt(ctx.data["text"]), ""]
    if ctx.data.get("photo"):
        lines.append(
            _("With a photo.")
            if photos_reach("zalo")
            else _("With a photo (people on Zalo receive the text only).")
        )
    lines += [
        _("To: {audience}").format(audience=describe_audience(ctx.session, _, audience)),
        _("Recipients: {count} people").format(count=_.number(count)),
        "",
        _("Send this announcement?"),
    ]
    ctx.ask("\n".join(lines), [("send", _("Send")), ("cancel", _("Cancel"))])
    return receive_confirmation


@choice_step
async def receive_confirmation(ctx: Context) -> Step | None:
    """Send the announcement to each recipient once, or cancel it."""
    _ = ctx._
    if ctx.choice == "cancel":
        ctx.say(_("Cancelled. The announcement was not sent."))
        return None
    audience = ctx.data["audience"]
    recipients = count_audience(ctx.session, audience, exclude=ctx.person.id)
    if not recipients:
        return _nobody(ctx)
    assert ctx.person.id is not None
    photo, media_channel = ctx.data.get("photo", ""), ctx.data.get("media_channel", "")
    broadcast = create_broadcast(
        ctx.session,
        author_id=ctx.person.id,
        text=ctx.data["text"],
        photo=photo,
        media_channel=media_channel,
        audience=audience,
        recipients=recipients,
        now=ctx.now,
    )
    # The first recipients now; a large audience's rest in the background (fan_out_pending).
    fan_out(ctx.session, broadcast, now=ctx.now, timezone=ctx.timezone, quiet=ctx.quiet)
    sending = _(
        "Sending the announcement to {count} people. You will get a delivery report when "
        "it has all gone out."
    ).format(count=_.number(recipients))
    ctx.say("\n".join(filter(None, [sending, ctx.quiet_note()])))
    return None
