"""The menu, help, the language switch, and /start for people already registered."""

from __future__ import annotations

from handlers.context import Context
from handlers.i18n import N_
from handlers.registry import Step, choice_step, command, commands_for
from handlers.words import command_word
from storage.models import Role

EVERYONE = {Role.ADMIN.value, Role.LEADER.value, Role.FOCAL.value}
HELP_ONLY = {"ack": N_("Acknowledge the newest directive")}
"""Commands worth naming in the help though the menu leaves them out (a tap under a message)."""


def show_menu(ctx: Context) -> None:
    """Offer, as choices, every command this person's role may use."""
    choices = [
        (f"/{c.name}", ctx._(c.menu_label)) for c in commands_for(ctx.person.role) if c.menu_label
    ]
    ctx.ask(ctx._("What would you like to do?"), choices)


@command("menu", roles=EVERYONE, keeps_dialog=True)
async def menu(ctx: Context) -> Step | None:
    """Show the menu."""
    show_menu(ctx)
    return None


@command("start", roles=EVERYONE, keeps_dialog=True)
async def start(ctx: Context) -> Step | None:
    """Remind a registered person who they are, and show the menu."""
    name = ctx.person.name or "—"
    ctx.say(ctx._("You are already registered, {name}.").format(name=name))
    show_menu(ctx)
    return None


@command("help", roles=EVERYONE, keeps_dialog=True)
async def help_text(ctx: Context) -> Step | None:
    """Explain how to use the bot, with the commands this person may use and how to name them."""
    _ = ctx._
    if _.buttons:
        how = _(
            "Tap a button or reply with its number. {huy} cancels any dialog; "
            "{menu} shows what you can do; {ngonngu} changes the language."
        )
    else:
        how = _(
            "Reply with the number of a choice, or type one of the words below. {huy} cancels "
            "any dialog; {menu} shows what you can do; {ngonngu} changes the language."
        )
    names = {name: command_word(_, name) for name in ("huy", "menu", "ngonngu")}
    lines = [how.format(**names), ""]
    for found in commands_for(ctx.person.role):
        if label := found.menu_label or HELP_ONLY.get(found.name, ""):
            lines.append(f"{command_word(_, found.name)} — {_(label)}")
    ctx.say("\n".join(lines))
    return None


LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]


@command("ngonngu", roles=EVERYONE, menu_label=N_("Language"), menu_order=90)
async def choose_language(ctx: Context) -> Step | None:
    """Ask which language this person wants."""
    ctx.ask(ctx._("Which language do you want?"), LANGUAGES)
    return receive_language


@choice_step
async def receive_language(ctx: Context) -> Step | None:
    """Switch this person's language."""
    ctx.person.locale = ctx.choice
    ctx.session.add(ctx.person)
    ctx._ = type(ctx._)(ctx.choice, ctx.timezone, channel=ctx.inbound.channel)
    ctx.say(ctx._("Language set to English."))
    return None
