"""What one event means (a command, a tapped or typed choice, a word, an answer) and running it."""

from __future__ import annotations

import re
from typing import Any

from handlers import interruptions
from handlers.context import Context
from handlers.dialog_state import KEEP
from handlers.matching import match_choice
from handlers.menu import show_menu
from handlers.outbox import BUTTON_CHANNELS, typed_commands
from handlers.registry import Command, find_command, find_step, wants_choice
from handlers.words import CANCEL, command_for, command_word
from storage.models import Conversation

_LOCAL_CHOICE = re.compile(r"^(\d+)\.(.+)$")


async def route(ctx: Context, conversation: Conversation) -> Any:
    """Decide what this event means and run it; return the next step, None or KEEP."""
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
                return _stale(ctx, conversation)
    elif ctx.text.startswith("/") and (_is_command(ctx.text) or not conversation.step):
        command = ctx.text
    elif ctx.text:
        hit = match_choice(ctx.text, ctx.offered)
        if hit and hit.startswith("/"):
            command = hit
        elif hit:
            ctx.choice = hit
        else:
            # The offered choices came first; a word that names a command is one only now
            # (and in a dialog, 'ok' alone stays its answer: see handlers.words).
            command = command_for(ctx.text, ctx.person.role, in_dialog=bool(conversation.step))
    if command:
        return await _run_command(ctx, conversation, command)
    return await _continue(ctx, conversation)


async def _run_command(
    ctx: Context, conversation: Conversation, text: str, *, fresh: bool = False
) -> Any:
    """Run a slash command, or refuse it, leaving any dialog as it was.

    `fresh` runs it as if no dialog were in progress (the person chose to discard it).
    """
    name, _, args = text[1:].partition(" ")
    name = name.split("@", 1)[0].lower()
    busy = bool(conversation.step) and not fresh
    if name == CANCEL:
        ctx.data = {}
        said = (
            ctx._("Cancelled. Nothing from that dialog was saved. Send {menu} to start again.")
            if busy
            else ctx._("Nothing is in progress. Send {menu} to see what you can do.")
        )
        ctx.say(said.format(menu=command_word(ctx._, "menu")))
        return None
    found = find_command(name)
    if found is None or ctx.person.role not in found.roles:
        refusal = (
            ctx._("I don't know that command. Send {menu} to see what you can do.")
            if found is None
            else ctx._("That command is not available to you. Send {menu} to see what you can do.")
        )
        ctx.say(refusal.format(menu=command_word(ctx._, "menu")))
        return stay(ctx, conversation)
    ctx.args = args.strip()
    ctx.text, ctx.choice = "", ""
    if busy and found.keeps_dialog:
        return await _one_shot(ctx, conversation, found)
    what = interruptions.in_progress(ctx._, conversation.data) if busy else ""
    if what:
        ctx.data = dict(conversation.data)
        choices = [list(choice) for choice in conversation.choices]
        return interruptions.ask(ctx, conversation.step, conversation.prompt, choices, what, text)
    ctx.data = {"command": name}
    return await found.start(ctx)


async def _one_shot(ctx: Context, conversation: Conversation, found: Command) -> Any:
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
    return stay(ctx, conversation)


async def _continue(ctx: Context, conversation: Conversation) -> Any:
    """Give the answer to the step the dialog is waiting in; with none, offer the menu."""
    if not conversation.step:
        # A message the bot cannot place: what it can do is the useful answer.
        show_menu(ctx)
        return None
    step = find_step(conversation.step)
    owner = find_command(str(conversation.data.get("command", "")))
    allowed = owner is None or ctx.person.role in owner.roles
    if step is None or not allowed:
        ctx.data = {}
        ctx.say(ctx._("That dialog has ended."))
        show_menu(ctx)
        return None
    if wants_choice(conversation.step) and not ctx.choice:
        ctx.reask(ctx._("Please choose one of the options."))
        return KEEP
    outcome = await step(ctx)
    if isinstance(outcome, interruptions.Discard):
        return await _run_command(ctx, conversation, outcome.command, fresh=True)
    return outcome


def _stale(ctx: Context, conversation: Conversation) -> Any:
    """Answer a button from an old message without acting on it."""
    ctx.stale_tap = True
    ctx.say(ctx._("That button belongs to an earlier message and no longer works."))
    if conversation.step:
        return stay(ctx, conversation)
    show_menu(ctx)
    return None


def stay(ctx: Context, conversation: Conversation) -> Any:
    """Leave the dialog where it was, repeating its question if it has one."""
    if conversation.step and conversation.prompt:
        ctx.ask(conversation.prompt, ctx.offered)
    return KEEP


def _is_command(text: str) -> bool:
    """Tell '/menu' or '/ack 12' from an answer that merely starts with a slash."""
    name = text[1:].split(" ", 1)[0].split("@", 1)[0].lower()
    return name == CANCEL or find_command(name) is not None or (name.isascii() and name.isalpha())
