"""The conversation row: where a chat's dialog stands, loaded and saved once per event."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from handlers.context import Context
from handlers.messages import Choice, Inbound
from handlers.registry import Step, step_name
from storage.models import Conversation

KEEP = object()
"""Returned by routing when the dialog stays exactly where it was."""


def load(session: Session, inbound: Inbound) -> Conversation:
    """Load the chat's conversation row, locked for this transaction, or start one."""
    query = (
        select(Conversation)
        .where(
            Conversation.channel == inbound.channel,
            Conversation.external_id == inbound.external_id,
        )
        .with_for_update()
    )
    found = session.exec(query).first()
    if found is not None:
        return found
    conversation = Conversation(channel=inbound.channel, external_id=inbound.external_id)
    try:
        # A push to this chat may create its row at the same moment; then that row is ours.
        with session.begin_nested():
            session.add(conversation)
    except IntegrityError:
        return session.exec(query).one()
    return conversation


def save(conversation: Conversation, ctx: Context, outcome: Any) -> None:
    """Store where the dialog now stands: the next step, its data and what was asked."""
    asked = ctx.asked and bool(ctx.prompt)
    if outcome is KEEP:
        if asked:
            _offer(conversation, ctx.prompt, ctx.offered)
        return
    next_step: Step | None = outcome
    conversation.updated_at = ctx.now
    if next_step is None:
        conversation.step = ""
        conversation.data = {}
        if asked and ctx.offered:
            _offer(conversation, ctx.prompt, ctx.offered)
        else:
            conversation.prompt, conversation.choices = "", []
        return
    conversation.step = step_name(next_step)
    conversation.data = dict(ctx.data)
    if asked:
        _offer(conversation, ctx.prompt, ctx.offered)


def _offer(conversation: Conversation, prompt: str, choices: list[Choice]) -> None:
    stored = [[cid, label] for cid, label in choices]
    # Buttons of an earlier message go stale only when the question really changed.
    if stored and (stored != conversation.choices or prompt != conversation.prompt):
        conversation.offer += 1
    conversation.prompt = prompt
    conversation.choices = stored
