"""A Telegram chat's command menu follows its person's role and language, without a query."""

from __future__ import annotations

from typing import Any

from bot.app import TelegramCommands
from handlers.engine import Engine as DialogEngine
from handlers.messages import Inbound
from storage.models import Role
from tests.support.chat import Chat, joined


class MenuChannel:
    """Records the command menus the bot sets, as the Telegram adapter would send them."""

    def __init__(self) -> None:
        self.menus: list[tuple[str, str, str]] = []

    async def set_commands(self, chat_id: str, role: str, locale: str) -> bool:
        """Note the menu a chat was given."""
        self.menus.append((chat_id, role, locale))
        return True


def recording(engine: DialogEngine) -> list[Any]:
    """Keep what the engine returns for each message, as the app hands it to the menu keeper."""
    results: list[Any] = []
    handle = engine.handle

    async def handled(inbound: Inbound) -> Any:
        result = await handle(inbound)
        results.append(result)
        return result

    engine.handle = handled  # type: ignore[method-assign]
    return results


async def test_a_village_head_gets_her_menu_once_and_again_only_when_her_language_changes(
    engine: DialogEngine,
) -> None:
    results = recording(engine)
    channel = MenuChannel()
    commands = TelegramCommands(channel)  # type: ignore[arg-type]

    head: Chat = await joined(engine, Role.FOCAL, "Chị Lan", unit="Thôn Đông")
    for _ in range(3):
        await head.send("/menu")
    for result in results:
        await commands.refresh("1001", result)
    assert channel.menus == [("1001", "focal", "vi")]

    seen = len(results)
    await head.send("/ngonngu")
    assert await head.tap("English") == ["Language set to English."]
    await head.send("/menu")
    for result in results[seen:]:
        await commands.refresh("1001", result)
    assert channel.menus == [("1001", "focal", "vi"), ("1001", "focal", "en")]


async def test_a_stranger_without_a_code_gets_no_menu(engine: DialogEngine) -> None:
    results = recording(engine)
    channel = MenuChannel()
    commands = TelegramCommands(channel)  # type: ignore[arg-type]

    stranger = Chat(engine, external_id="2002")
    assert await stranger.send("xin chào")
    await commands.refresh("2002", results[-1])
    assert channel.menus == []
