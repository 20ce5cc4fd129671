"""The menu, help, the language switch, and /start for people already registered."""

from __future__ import annotations

from handlers.context import Context
from handlers.i18n import N_
from handlers.registry import Step, choice_step, command, commands_for
from storage.models import Role

EVERYONE = {Role.ADMIN.value, Role.LEADER.value, Role.FOCAL.value}


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
    """Explain how to use the bot, with the commands this person may use."""
    lines = [
        ctx._(
            "Tap a button or reply with its number. /huy cancels any dialog; "
            "/menu shows what you can do; /ngonngu changes the language."
        ),
        "",
    ]
    for found in commands_for(ctx.person.role):
        if found.menu_label:
            lines.append(f"/{found.name} — {ctx._(found.menu_label)}")
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
    ctx._ = type(ctx._)(ctx.choice, ctx.timezone)
    ctx.say(ctx._("Language set to English."))
    return None
