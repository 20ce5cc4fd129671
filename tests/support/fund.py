"""Helpers for the fund dialogs' tests: a registered village head, shortcuts through /quy."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, select

from handlers.engine import Engine as DialogEngine
from storage.models import Contribution, Conversation, OutboxMessage, Role
from tests.support.chat import Chat, joined

CHOOSE = "Vui lòng chọn một trong các mục dưới đây."
STALE = "Nút này thuộc tin nhắn cũ và không còn hiệu lực."
NOT_ALLOWED = "Anh/chị không có quyền dùng lệnh này. Gửi /menu để xem các việc anh/chị có thể làm."
ASK_NOTE = {
    "telegram": "Ghi chú (ví dụ mục đích, chuyển khoản)? Gõ ghi chú hoặc chọn Bỏ qua.",
    # Zalo has no button to name: the hint names the number to reply.
    "zalo": "Ghi chú (ví dụ mục đích, chuyển khoản)? Gõ ghi chú, hoặc trả lời 1 để bỏ qua.",
}
ASK_DATE = {
    "telegram": "Ngày đóng góp? Chọn Hôm nay hoặc gõ ngày, ví dụ 15/03.",
    "zalo": "Ngày đóng góp? Trả lời 1 nếu là hôm nay, hoặc gõ ngày, ví dụ 15/03.",
}


def plain(replies: list[str]) -> list[str]:
    """Show babel's non-breaking space before ₫ as a plain space, to keep assertions readable."""
    return [reply.replace("\xa0", " ") for reply in replies]


async def say(chat: Chat, text: str = "", **extra: str) -> list[str]:
    """Send a message and return the plain replies."""
    return plain(await chat.send(text, **extra))


async def tap(chat: Chat, label: str) -> list[str]:
    """Tap a choice and return the plain replies."""
    return plain(await chat.tap(label))


async def village_head(
    engine: DialogEngine, channel: str = "telegram", external_id: str = "1001"
) -> Chat:
    """The head of Thôn Đông, registered."""
    return await joined(
        engine,
        Role.FOCAL,
        "Trần Văn Tâm",
        unit="Thôn Đông",
        channel=channel,
        external_id=external_id,
    )


async def up_to_amount(chat: Chat, name: str = "Nguyễn Văn Bình") -> None:
    """Start /quy and give the donor's name (the kind stays the usual one, an individual)."""
    await chat.send("/quy")
    await chat.send(name)


async def up_to_summary(chat: Chat, amount: str = "1,5 triệu") -> list[str]:
    """Go through /quy with the usual kind and date and no note; return the summary replies."""
    await up_to_amount(chat)
    await chat.send(amount)
    return await tap(chat, "Bỏ qua")


def contributions(database: Engine) -> list[Contribution]:
    """Every ledger row, in order."""
    with Session(database) as session:
        return list(session.exec(select(Contribution).order_by(Contribution.id)))  # type: ignore[arg-type]


def dialog_data(database: Engine, chat: Chat) -> dict:  # type: ignore[type-arg]
    """What the chat's conversation row holds so far."""
    with Session(database) as session:
        row = session.exec(
            select(Conversation).where(Conversation.external_id == chat.external_id)
        ).one()
        return dict(row.data)


def old_button(database: Engine, chat: Chat, label: str) -> str:
    """The callback data of the first dialog button (not a command) with this label."""
    with Session(database) as session:
        rows = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.chat_id == chat.external_id)
            .order_by(OutboxMessage.id)  # type: ignore[arg-type]
        )
        return next(
            cid
            for row in rows
            for cid, shown in row.choices
            if shown == label and not cid.startswith("/")
        )
