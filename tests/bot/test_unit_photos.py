"""'Xem ảnh' under a unit in /tinhhinh, as the office sees it in each app through the fakes:
on Telegram the photos themselves, each captioned; on Zalo with PUBLIC_URL, links that open
the photos the head sent."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from sqlmodel import Session, select

from bot.channels.telegram import TelegramChannel
from bot.channels.zalo import ZaloChannel
from bot.file_server import FileServer
from bot.links import LinkSigner
from bot.media_fetch import MediaFetcher
from storage.models import Role, Unit
from tests.support.assignments import seed_directive
from tests.support.evidence import (
    PLAN,
    SECRET,
    Bot,
    attachments_for,
    public_links,
    register,
    until_kept,
)
from tests.support.fake_telegram import FakeTelegram
from tests.support.fake_zalo import FakeZalo

HEAD, MAI, ZL_HOA = 5001, 9001, "zl-admin-hoa"
MEETING = b"\xff\xd8\xff\xe0 the village meeting \xff\xd9"
HALL = b"\x89PNG\r\n\x1a\n the culture house, repaired"
CAPTION = "Thôn 2 — 08:00 ngày 20/03/2026"


def unit_id(database, name: str) -> int:
    """A unit's id, by its name."""
    with Session(database) as session:
        found = session.exec(select(Unit.id).where(Unit.name == name)).first()
        assert found is not None
        return found


async def test_xem_anh_on_telegram_and_on_zalo(
    database, engine, clock, tmp_path: Path, fake: FakeTelegram, zalo_fake: FakeZalo
):
    """An reports with two photos on Telegram. Mai taps Thôn 2, then 'Xem ảnh (2)': two
    photos arrive, captioned. Hoa asks the same on Zalo: two links that open the same bytes."""
    plan = seed_directive(database, *PLAN, ["Thôn 2"]).id
    register(database, "Nguyễn Văn An", Role.FOCAL, "telegram", str(HEAD), unit="Thôn 2")
    register(database, "Trần Thị Mai", Role.ADMIN, "telegram", str(MAI))
    register(database, "Lê Thị Hoa", Role.ADMIN, "zalo", ZL_HOA)
    folders = {"media": tmp_path / "media", "export": tmp_path / "exports"}
    files = FileServer(LinkSigner(SECRET), folders, clock=clock).start()
    attachments = attachments_for(
        database, folders, clock, public_url=f"http://127.0.0.1:{files.port}"
    )
    telegram = TelegramChannel(fake.token, fake.url, poll_timeout=1, send_timeout=2)
    zalo = ZaloChannel(zalo_fake.token, zalo_fake.url, poll_timeout=1, send_timeout=2)
    fetcher = MediaFetcher(database, {"telegram": telegram}, folders["media"], 1 << 16, clock=clock)

    async def tap(bot: Bot, chat: int, label: str) -> None:
        # The newest message with buttons: the status chart, sent after the list, has none.
        offered = [m for m in fake.messages_to(chat) if "reply_markup" in m][-1]
        buttons = fake.buttons_of(chat, offered["message_id"])
        fake.user_taps(
            chat, next(d for d, shown in buttons if shown == label), offered["message_id"]
        )
        await bot.turn()

    try:
        with public_links(True):
            async with (
                Bot(telegram, engine, clock, attachments, fetcher) as office,
                Bot(zalo, engine, clock, attachments, fetcher) as zbot,
            ):
                fake.user_sends(HEAD, "/baocao")
                await office.turn()
                await tap(office, HEAD, "Đang thực hiện")
                fake.user_sends_photo(HEAD, "AgACAgMeeting", data=MEETING)
                await office.turn()
                fake.user_sends_photo(HEAD, "AgACAgHall", data=HALL)
                await office.turn()
                await tap(office, HEAD, "Gửi báo cáo")
                await fetcher.fetch_due()
                await until_kept(database, 2)

                fake.user_sends(MAI, f"/tinhhinh {plan}")
                await office.turn()
                await tap(office, MAI, "Thôn 2")
                await tap(office, MAI, "Xem ảnh (2)")

                zalo_fake.user_sends(ZL_HOA, f"/tinhhinh {plan} anh {unit_id(database, 'Thôn 2')}")
                await zbot.turn()
        links = zalo_fake.photos_to(ZL_HOA)
        opened = [await asyncio.to_thread(httpx.get, link) for link in links]
    finally:
        files.stop()

    photos = [m for m in fake.messages_to(MAI) if "photo" in m]
    assert [(m["photo"][0]["file_id"], m["caption"]) for m in photos] == [
        ("AgACAgMeeting", CAPTION),
        ("AgACAgHall", CAPTION),
    ]
    assert [response.content for response in opened] == [MEETING, HALL]
    assert [response.headers["content-type"] for response in opened] == ["image/jpeg", "image/png"]
    assert zalo_fake.messages_to(ZL_HOA) == [CAPTION, CAPTION]
