"""Issue 9: recording a contribution takes at most 6 inputs, on Telegram and on Zalo.

An input is each message or tap the person sends, from /quy (or its menu tap) to the
confirmation. The village head below answers whatever the bot asks, the shortest way a
person would (the offered default or one typed answer), so the count is the dialog's own.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support.chat import Chat
from tests.support.fund import contributions, village_head

MAX_INPUTS = 6


class CountingChat(Chat):
    """A chat that counts what its person sends: every message, number or tap."""

    inputs = 0

    async def send(self, text: str = "", **extra: str) -> list[str]:
        """Send as usual, counting one input."""
        self.inputs += 1
        return await super().send(text, **extra)


def _answer(chat: CountingChat, question: str) -> tuple[str, str] | None:
    """What a village head sends to this question: ('tap', label), ('say', text) or None."""
    # Only the question just asked counts: an earlier message's buttons are not on offer.
    labels = [label for _cid, label in chat.last[-1].choices]
    for label in ("Xác nhận", "Cá nhân", "Hôm nay", "Bỏ qua"):
        if label in labels:
            return ("tap", label)
    if "tên" in question.lower():
        return ("say", "Nguyễn Văn Bình")
    if "số tiền" in question.lower():
        return ("say", "1,5 triệu")
    return None


async def _record_one(chat: CountingChat, start: str) -> int:
    """Start /quy by typing it or by the menu, answer until the receipt; return the inputs."""
    if start == "menu":
        await chat.send("/menu")
        chat.inputs = 0  # Opening the menu is not part of the dialog; its tap is.
        [question] = await chat.tap("Ghi nhận đóng góp Quỹ khuyến học")
    else:
        [question] = await chat.send("/quy")
    for _turn in range(15):
        answer = _answer(chat, question)
        assert answer is not None, f"no answer for {question!r} with {chat.labels()}"
        kind, value = answer
        replies = await (chat.tap(value) if kind == "tap" else chat.send(value))
        if value == "Xác nhận":
            assert any("Số biên lai: KH2026-00001" in reply for reply in replies), replies
            return chat.inputs
        question = replies[-1]
    raise AssertionError("the dialog never reached its confirmation")


@pytest.mark.parametrize("start", ["typed", "menu"])
@pytest.mark.parametrize("channel", ["telegram", "zalo"])
async def test_contribution_takes_at_most_six_inputs(engine, database, channel, start):
    """From /quy to the receipt in at most 6 inputs; the row holds the defaults and amount."""
    head = await village_head(engine, channel, f"{channel}-head")
    chat = CountingChat(engine, channel, head.external_id)
    chat.seen = head.seen
    inputs = await _record_one(chat, start)
    assert inputs <= MAX_INPUTS, f"{channel}, {start}: {inputs} inputs"
    [row] = contributions(database)
    assert (row.donor_name, row.donor_kind, row.amount) == ("Nguyễn Văn Bình", "person", 1_500_000)
    assert row.contributed_on == dt.date(2026, 3, 20)
