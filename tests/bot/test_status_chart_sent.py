"""/tinhhinh <công văn> through the apps: the unit list, then the chart as a picture.

On Telegram the chart is uploaded as a photo with its caption; on Zalo, where the bot has a
public address, it is a photo by a signed link the bot's own endpoint serves; without one,
Zalo gets the unit list alone.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from bot.attachments import Attachments
from bot.channels.telegram import TelegramChannel
from bot.channels.zalo import ZaloChannel
from bot.file_server import FileServer
from bot.links import LinkSigner
from bot.status_chart import chart_renderer
from handlers.file_refs import use_public_links
from storage.models import ProgressStatus, Role
from tests.support.assignments import SeededDirective, seed_directive, seed_person, seed_report
from tests.support.chat import joined
from tests.support.fake_zalo import FakeZalo
from tests.support.wired import Wired

ADMIN = 9001
"""Trần Thị Hoa, the culture officer, on Telegram."""
ZALO_ADMIN = "8a7f3c2e1b0d4f65"
CAPTION = "Biểu đồ tình hình: 2/3 đơn vị đã báo cáo"
UNITS = ["Thôn Đông", "Thôn Tây", "Thôn Bắc"]


@pytest.fixture
def plan(database, clock) -> SeededDirective:
    """The plan to three villages: Thôn Đông done, Thôn Tây facing a difficulty, Thôn Bắc
    silent."""
    directive = seed_directive(database, "669/KH-SGDĐT", "V/v triển khai Đề án", UNITS)
    head = seed_person(database, "Nguyễn Văn An", unit="Thôn Đông")
    reports = {"Thôn Đông": ProgressStatus.DONE, "Thôn Tây": ProgressStatus.DIFFICULTY}
    for unit, status in reports.items():
        seed_report(database, directive.assignments[unit], head, status, clock.now)
    return directive


@pytest.fixture
def folders(tmp_path: Path) -> dict[str, Path]:
    """The bot's export and media folders."""
    found = {"export": tmp_path / "exports", "media": tmp_path / "media"}
    for folder in found.values():
        folder.mkdir()
    return found


@pytest.fixture
def public_links() -> Iterator[None]:
    """The bot has a public address (PUBLIC_URL), for this test only."""
    use_public_links(True)
    yield
    use_public_links(False)


@pytest.fixture
def zalo() -> Iterator[FakeZalo]:
    """A fake Zalo Bot API on 127.0.0.1."""
    server = FakeZalo().start()
    yield server
    server.stop()


def attachments(database, folders, clock, public_url: str = "") -> Attachments:
    """File references resolved as bot.app wires them, charts drawn on the fake clock."""
    chart = chart_renderer(database, folders["export"], clock=clock)
    return Attachments(LinkSigner(b"secret", public_url), folders, chart=chart, clock=clock)


def charts(folders: dict[str, Path]) -> list[Path]:
    """The charts drawn so far."""
    return sorted((folders["export"] / "charts").glob("*.png"))


async def test_telegram_admin_gets_the_chart_uploaded_after_the_list(
    engine, database, clock, fake, plan, folders
):
    """Hoa sends /tinhhinh with the plan's id: the unit list comes, then the chart, a
    1000×600 PNG uploaded with its caption. The next page has no chart."""
    await joined(engine, Role.ADMIN, "Trần Thị Hoa", external_id=str(ADMIN))
    channel = TelegramChannel(fake.token, fake.url, poll_timeout=1, send_timeout=2)
    async with Wired(channel, engine, clock) as bot:
        bot.sender.attachments = attachments(database, folders, clock)
        await bot.send_queued()
        before = len(fake.messages_to(ADMIN))

        fake.user_sends(ADMIN, f"/tinhhinh {plan.id}")
        await bot.turn()

    units, chart = fake.messages_to(ADMIN)[before:]
    assert units["text"].startswith("📄 669/KH-SGDĐT — V/v triển khai Đề án")
    assert chart["caption"] == CAPTION and "photo" in chart
    [upload] = fake.uploads[ADMIN]
    [drawn] = charts(folders)
    assert (upload.filename, upload.data) == (drawn.name, drawn.read_bytes())
    with Image.open(io.BytesIO(upload.data)) as image:
        assert (image.format, image.size) == ("PNG", (1000, 600))


async def test_zalo_admin_gets_the_chart_by_a_link_the_bot_serves(
    engine, database, clock, zalo, plan, folders, public_links
):
    """With PUBLIC_URL set, the Zalo admin gets the chart as a photo by link, captioned,
    and the link opens the very PNG drawn."""
    files = FileServer(LinkSigner(b"secret"), folders, clock=clock).start()
    try:
        await joined(engine, Role.ADMIN, "Lê Thị Hoa", channel="zalo", external_id=ZALO_ADMIN)
        channel = ZaloChannel(zalo.token, zalo.url, poll_timeout=1)
        async with Wired(channel, engine, clock) as bot:
            public_url = f"http://127.0.0.1:{files.port}"
            bot.sender.attachments = attachments(database, folders, clock, public_url)
            await bot.send_queued()

            zalo.user_sends(ZALO_ADMIN, f"tình hình {plan.id}")
            await bot.turn()

        [photo] = zalo.photos_to(ZALO_ADMIN)
        assert zalo.messages_to(ZALO_ADMIN)[-1] == CAPTION
        [drawn] = charts(folders)
        served = httpx.get(photo)
        assert served.status_code == 200
        assert served.content == drawn.read_bytes()
        assert served.content.startswith(b"\x89PNG")
    finally:
        files.stop()


async def test_without_a_public_address_zalo_gets_the_list_alone(
    engine, database, clock, zalo, plan, folders
):
    """No PUBLIC_URL: no chart is offered on Zalo, so none is drawn."""
    await joined(engine, Role.ADMIN, "Lê Thị Hoa", channel="zalo", external_id=ZALO_ADMIN)
    channel = ZaloChannel(zalo.token, zalo.url, poll_timeout=1)
    async with Wired(channel, engine, clock) as bot:
        bot.sender.attachments = attachments(database, folders, clock)
        await bot.send_queued()
        before = len(zalo.messages_to(ZALO_ADMIN))

        zalo.user_sends(ZALO_ADMIN, f"tình hình {plan.id}")
        await bot.turn()

    [units] = zalo.messages_to(ZALO_ADMIN)[before:]
    assert units.startswith("📄 669/KH-SGDĐT — V/v triển khai Đề án")
    assert zalo.photos_to(ZALO_ADMIN) == []
    assert not (folders["export"] / "charts").exists()
