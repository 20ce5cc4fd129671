"""/thongbao: an admin writes an announcement, chooses who gets it, checks and sends it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

from handlers.broadcast_report import queue_broadcast_reports
from handlers.engine import Engine as DialogEngine
from handlers.file_refs import use_public_links
from handlers.messages import PRIORITY_BROADCAST, Inbound
from handlers.quiet import QuietHours
from storage.db import transaction
from storage.models import Broadcast, Media, OutboxMessage, OutboxStatus, Role, Unit
from storage.people import add_unit
from tests.support.broadcasts import (
    AN,
    ASK_AUDIENCE,
    ASK_TEXT,
    ASK_UNITS_BY_NUMBER,
    AUDIENCE_LABELS,
    BINH,
    CENTRE,
    CUONG,
    DUNG,
    EAST,
    HOA,
    HUNG,
    MAI,
    MEETING,
    MENU,
    NO_MENU,
    SCHOOL,
    STALE,
    WEST,
    announcement,
    broadcast,
    broadcast_rows,
    mark_rows,
    office,
    person_named,
    preview,
    recipients_by_name,
    sending,
    up_to_preview,
)
from tests.support.chat import Chat, joined

TOO_LONG = "Nội dung thông báo phải là chữ, tối đa 4.000 ký tự."
EVERYONE = {
    HOA: ["telegram"],
    HUNG: ["telegram"],
    AN: ["telegram"],
    BINH: ["zalo"],
    CUONG: ["telegram"],
    DUNG: ["telegram"],
}


def kept_media(database) -> list[Media]:
    """Every photo the bot keeps a copy of, oldest first."""
    with Session(database) as session:
        return list(session.exec(select(Media).order_by(Media.id)))  # type: ignore[arg-type]


def broadcasts(database) -> list[Broadcast]:
    """Every broadcast stored, oldest first."""
    with Session(database) as session:
        return list(session.exec(select(Broadcast).order_by(Broadcast.id)))  # type: ignore[arg-type]


async def test_admin_announces_a_meeting_to_everyone(engine, database):
    """Text, Everyone, a preview counting 6 people (not herself), Send: one row per chat."""
    town = await office(engine)
    mai = town.mai
    assert await mai.send("/thongbao") == [ASK_TEXT]
    assert await mai.send(MEETING) == [ASK_AUDIENCE]
    assert mai.labels() == AUDIENCE_LABELS
    assert await mai.tap("Tất cả mọi người") == [preview(MEETING, "tất cả mọi người", 6)]
    assert mai.labels() == ["Gửi", "Hủy"]
    assert await mai.tap("Gửi") == [sending(6)]

    [sent] = broadcasts(database)
    with Session(database) as session:
        assert sent.author_id == person_named(session, MAI).id
        ids = {name: person_named(session, name).id for name in EVERYONE}
    assert (sent.text, sent.photo, sent.media_channel) == (MEETING, "", "")
    assert (sent.audience, sent.recipients, sent.reported_at) == ({"kind": "everyone"}, 6, None)
    assert sent.created_at.replace(tzinfo=dt.UTC) == dt.datetime(2026, 3, 20, 1, 0, tzinfo=dt.UTC)
    assert recipients_by_name(database, sent.id) == EVERYONE
    rows = broadcast_rows(database, sent.id)
    assert {row.text for row in rows} == {announcement()}
    assert {(row.priority, row.status, row.photo, row.choices == []) for row in rows} == {
        (PRIORITY_BROADCAST, "pending", "", True)
    }
    assert sorted(row.idempotency_key for row in rows) == sorted(
        f"broadcast:{sent.id}:person:{ids[name]}:{channel}"
        for name, channels in EVERYONE.items()
        for channel in channels
    )
    assert town.an.inbox() == [announcement()]
    assert town.binh.inbox() == [announcement()]
    assert town.cuong.inbox() == [announcement()]
    # Linked on both apps, Cường gets it once: on Telegram, where he wrote from last.
    assert town.cuong_zalo.inbox() == []
    assert mai.inbox() == []


@pytest.mark.parametrize(
    ("label", "words", "expected"),
    [
        ("Quản trị viên", "các quản trị viên", {HOA: ["telegram"]}),
        ("Lãnh đạo xã", "lãnh đạo xã", {HUNG: ["telegram"]}),
        (
            "Tất cả đầu mối",
            "tất cả đầu mối",
            {AN: ["telegram"], BINH: ["zalo"], CUONG: ["telegram"], DUNG: ["telegram"]},
        ),
        ("Tất cả các thôn", "đầu mối của tất cả các thôn", {AN: ["telegram"], BINH: ["zalo"]}),
        ("Tất cả các trường", "đầu mối của tất cả các trường", {CUONG: ["telegram"]}),
    ],
)
async def test_each_audience_reaches_exactly_its_people(engine, database, label, words, expected):
    """Admins, leaders, focal points, villages, schools: the preview counts them, they get it."""
    town = await office(engine)
    assert await up_to_preview(town.mai, label) == [preview(MEETING, words, len(expected))]
    assert await town.mai.tap("Gửi") == [sending(len(expected))]
    [sent] = broadcasts(database)
    assert sent.recipients == len(expected)
    assert recipients_by_name(database, sent.id) == expected


async def test_zalo_admin_picks_units_by_number(engine, database):
    """On Zalo the admin answers with numbers and words; the chosen units' focal points get it."""
    town = await office(engine, mai_channel="zalo")
    mai = town.mai
    await mai.send("/thongbao")
    await mai.send(MEETING)
    assert await mai.send("7") == [ASK_UNITS_BY_NUMBER]
    assert mai.labels() == [EAST, WEST, SCHOOL, CENTRE, "Xong"]
    assert await mai.send("5") == [
        "Vui lòng chọn ít nhất một đơn vị, rồi chọn Xong.",
        ASK_UNITS_BY_NUMBER,
    ]
    assert await mai.send("2") == [ASK_UNITS_BY_NUMBER]
    await mai.send("4")
    assert mai.labels() == [EAST, f"✓ {WEST}", SCHOOL, f"✓ {CENTRE}", "Xong"]
    assert await mai.send("hello") == [
        "Vui lòng gửi số thứ tự đơn vị, từ 1 đến 4, ví dụ 1 3 5 hoặc 1-4, hoặc “tất cả”. "
        "Danh sách chưa thay đổi.",
        ASK_UNITS_BY_NUMBER,
    ]
    assert await mai.send("xong") == [preview(MEETING, f"đầu mối của {WEST}, {CENTRE}", 2)]
    assert await mai.send("Gửi") == [sending(2)]

    [sent] = broadcasts(database)
    with Session(database) as session:
        units = {u.name: u.id for u in session.exec(select(Unit))}
    assert sent.audience == {"kind": "units", "unit_ids": [units[WEST], units[CENTRE]]}
    assert recipients_by_name(database, sent.id) == {BINH: ["zalo"], DUNG: ["telegram"]}
    assert town.binh.inbox() == [announcement()]


async def test_an_audience_of_nobody_is_said_and_asked_again(engine, database):
    """Mai is the only admin, there is no leader and Thôn Bắc has no focal point yet."""
    with transaction(database) as session:
        add_unit(session, "Thôn Bắc", "village")
    mai = await joined(engine, Role.ADMIN, MAI, external_id="9001")
    await joined(engine, Role.FOCAL, AN, unit=EAST, external_id="5001")
    await mai.send("/thongbao")
    await mai.send(MEETING)
    assert await mai.tap("Quản trị viên") == [
        "Ngoài anh/chị, chưa có ai để nhận thông báo (các quản trị viên).",
        ASK_AUDIENCE,
    ]
    assert await mai.tap("Lãnh đạo xã") == [
        "Ngoài anh/chị, chưa có ai để nhận thông báo (lãnh đạo xã).",
        ASK_AUDIENCE,
    ]
    await mai.tap("Chọn đơn vị")
    await mai.tap("Thôn Bắc")
    assert await mai.tap("Xong") == [
        "Ngoài anh/chị, chưa có ai để nhận thông báo (đầu mối của Thôn Bắc).",
        ASK_AUDIENCE,
    ]
    assert await mai.tap("Tất cả các thôn") == [preview(MEETING, "đầu mối của tất cả các thôn", 1)]
    assert broadcasts(database) == []


async def test_the_audience_is_counted_again_when_sending(engine, database):
    """The only leader becomes a focal point after the preview: nothing is sent, choose again."""
    town = await office(engine)
    await up_to_preview(town.mai, "Lãnh đạo xã")
    with transaction(database) as session:
        hung = person_named(session, HUNG)
        hung.role, hung.unit_id = Role.FOCAL.value, None
        session.add(hung)
    assert await town.mai.tap("Gửi") == [
        "Ngoài anh/chị, chưa có ai để nhận thông báo (lãnh đạo xã).",
        ASK_AUDIENCE,
    ]
    assert broadcasts(database) == []
    assert await town.mai.tap("Tất cả các trường") == [
        preview(MEETING, "đầu mối của tất cả các trường", 1)
    ]


async def test_photo_with_caption_reaches_telegram_and_without_a_public_address_not_zalo(
    engine, database
):
    """The photo is kept as the bot's copy and goes with the text to Telegram chats; without
    a public address Zalo chats get the text only, as the preview said."""
    town = await office(engine)
    mai = town.mai
    await mai.send("/thongbao")
    assert await mai.send(MEETING, photo="AgACAgIAAxkBAAIBZ2") == [ASK_AUDIENCE]
    assert await mai.tap("Tất cả các thôn") == [
        preview(MEETING, "đầu mối của tất cả các thôn", 2, photo=True)
    ]
    await mai.tap("Gửi")
    [sent] = broadcasts(database)
    [kept] = kept_media(database)
    assert (kept.channel, kept.platform_ref, kept.kind) == (
        "telegram",
        "AgACAgIAAxkBAAIBZ2",
        "photo",
    )
    assert (sent.photo, sent.media_channel) == (f"media:{kept.id}", "")
    rows = broadcast_rows(database, sent.id)
    # Both rows carry the copy; the Zalo sender leaves it out while there is no public address.
    assert sorted((row.channel, row.photo, row.text) for row in rows) == [
        ("telegram", f"media:{kept.id}", announcement()),
        ("zalo", f"media:{kept.id}", announcement()),
    ]


async def test_with_a_public_address_a_photo_sent_on_zalo_reaches_everyone(engine, database):
    """With PUBLIC_URL the admin is not warned about Zalo; a photo Mai sends from Zalo (a long
    image URL) is kept and goes with the text to both apps."""
    use_public_links(True)
    try:
        town = await office(engine, mai_channel="zalo")
        mai = town.mai
        photo = "https://photo-stal-2.zadn.vn/" + "p" * 400 + ".jpg"
        assert await mai.send("/thongbao") == [
            "Anh/chị nhập nội dung thông báo. Có thể gửi kèm một ảnh, nội dung ghi ở phần chú "
            "thích ảnh."
        ]
        assert await mai.send(photo=photo) == [
            "Đã nhận ảnh. Bây giờ anh/chị nhập nội dung gửi kèm."
        ]
        await mai.send(MEETING)
        [shown] = await mai.tap("Tất cả các thôn")
        assert "\n\nKèm ảnh.\nGửi tới: đầu mối của tất cả các thôn\n" in shown
        await mai.tap("Gửi")
    finally:
        use_public_links(False)
    [sent] = broadcasts(database)
    [kept] = kept_media(database)
    assert (kept.channel, kept.platform_ref) == ("zalo", photo)
    rows = broadcast_rows(database, sent.id)
    assert sorted((row.channel, row.photo) for row in rows) == [
        ("telegram", f"media:{kept.id}"),
        ("zalo", f"media:{kept.id}"),
    ]


async def test_photo_first_then_the_text(engine, database):
    """A photo without a caption is kept while the bot asks for the text to go with it."""
    town = await office(engine)
    mai = town.mai
    await mai.send("/thongbao")
    assert await mai.send(photo="AgACAgIAAxkBAAIBZ2") == [
        "Đã nhận ảnh. Bây giờ anh/chị nhập nội dung gửi kèm; người dùng Zalo chỉ nhận phần chữ."
    ]
    assert await mai.send("Ảnh hội nghị sơ kết.") == [ASK_AUDIENCE]
    await mai.tap("Lãnh đạo xã")
    await mai.tap("Gửi")
    [sent] = broadcasts(database)
    [kept] = kept_media(database)
    assert (sent.text, sent.photo, sent.media_channel) == (
        "Ảnh hội nghị sơ kết.",
        f"media:{kept.id}",
        "",
    )
    assert [row.photo for row in broadcast_rows(database, sent.id)] == [f"media:{kept.id}"]


@pytest.mark.parametrize("junk", ["", "   ", "12345", "😀", "x" * 4001, "/"])
async def test_empty_or_too_long_text_is_asked_again(engine, database, junk):
    """No letter, nothing at all or over 4.000 characters: explained, then the question again."""
    mai = await joined(engine, Role.ADMIN, MAI, external_id="9001")
    await mai.send("/thongbao")
    assert await mai.send(junk) == [TOO_LONG, ASK_TEXT]
    assert await mai.send("a" * 4000) == [ASK_AUDIENCE]


async def test_a_long_text_is_shortened_in_the_preview(engine, database):
    """The preview shows the first 300 characters; the recipients get all of it."""
    town = await office(engine)
    text = "Thông báo lịch họp. " * 30
    assert await up_to_preview(town.mai, "Lãnh đạo xã", text) == [
        preview(text[:300].rstrip() + "…", "lãnh đạo xã", 1)
    ]
    await town.mai.tap("Gửi")
    assert town.hung.inbox() == [announcement(text.strip())]


async def test_cancel_sends_and_stores_nothing(engine, database):
    """Hủy at the preview: nothing stored, nothing queued for anyone."""
    town = await office(engine)
    await up_to_preview(town.mai, "Tất cả mọi người")
    assert await town.mai.tap("Hủy") == ["Đã hủy. Thông báo chưa được gửi."]
    assert broadcasts(database) == []
    with Session(database) as session:
        assert session.exec(select(OutboxMessage).where(OutboxMessage.priority > 0)).all() == []


async def test_double_tap_on_telegram_sends_once(engine, database):
    """The Gửi button tapped twice, and the tap redelivered: one broadcast, one row per chat."""
    town = await office(engine)
    mai = town.mai
    await up_to_preview(mai, "Tất cả mọi người")
    [send] = [cid for cid, label in mai.choices if label == "Gửi"]
    assert await mai.press(send) == [sending(6)]
    assert await mai.press(send) == [STALE, MENU]
    redelivered = Inbound(
        channel="telegram",
        external_id="9001",
        chat_id="9001",
        message_key="telegram:redelivered:1",
        at=dt.datetime.now(dt.UTC),
        choice=send,
    )
    await engine.handle(redelivered)
    await engine.handle(redelivered)
    assert mai.inbox() == [STALE, MENU]
    [sent] = broadcasts(database)
    assert len(broadcast_rows(database, sent.id)) == 6


async def test_double_reply_on_zalo_sends_once(engine, database):
    """On Zalo '1' (Gửi) sent twice: the second is no longer an answer to anything."""
    town = await office(engine, mai_channel="zalo")
    mai = town.mai
    await up_to_preview(mai, "Tất cả mọi người")
    assert await mai.send("1") == [sending(6)]
    assert await mai.send("1") == [MENU]
    [sent] = broadcasts(database)
    assert len(broadcast_rows(database, sent.id)) == 6


async def test_the_menu_offers_it_to_admins_only(engine):
    """Admins see Gửi thông báo in /menu; a focal point does not, and is refused the command."""
    town = await office(engine)
    await town.mai.send("/menu")
    assert "Gửi thông báo" in town.mai.labels()
    town.an.inbox()
    await town.an.send("/menu")
    assert "Gửi thông báo" not in town.an.labels()
    assert await town.an.send("/thongbao") == ["Anh/chị không có quyền dùng lệnh này. " + NO_MENU]


async def test_at_night_the_announcement_waits_for_the_morning_and_the_admin_is_told(
    database, clock
):
    """At 22:00 the rows are due at 07:00 and the admin reads when people will get it."""
    clock.now = dt.datetime(2026, 3, 20, 15, 0, tzinfo=dt.UTC)  # 22:00 in the commune
    night = DialogEngine(database, clock=clock, quiet_hours=QuietHours.parse("21:00-07:00"))
    town = await office(night)
    await town.mai.send("/thongbao")
    await town.mai.send(MEETING)
    await town.mai.tap("Tất cả mọi người")
    assert await town.mai.tap("Gửi") == [
        sending(6) + "\nĐang trong giờ nghỉ, tin sẽ được gửi lúc 07:00 ngày 21/03/2026."
    ]
    [sent] = broadcasts(database)
    morning = dt.datetime(2026, 3, 21, 0, 0, tzinfo=dt.UTC)
    assert {row.not_before.replace(tzinfo=dt.UTC) for row in broadcast_rows(database, sent.id)} == {
        morning
    }


async def _remove(admin: Chat, label: str) -> None:
    await admin.send("/donvi")
    await admin.tap("Xóa người")
    await admin.tap(label)
    await admin.tap("Xóa")


async def test_removed_people_and_archived_units_are_left_out_of_every_audience(engine, database):
    """Mai removes the leader and archives Thôn Tây: the leader is in no audience, Thôn Tây's
    focal point is not among the focal points or the villages, and the count says so."""
    town = await office(engine)
    mai = town.mai
    await _remove(mai, f"{HUNG} — lãnh đạo xã")
    town.hung.inbox()
    await mai.send("/donvi")
    await mai.tap("Lưu trữ đơn vị")
    await mai.tap(WEST)
    await mai.tap("Lưu trữ")
    mai.inbox()
    assert await up_to_preview(mai, "Lãnh đạo xã") == [
        "Ngoài anh/chị, chưa có ai để nhận thông báo (lãnh đạo xã).",
        ASK_AUDIENCE,
    ]
    assert await mai.tap("Tất cả đầu mối") == [preview(MEETING, "tất cả đầu mối", 3)]
    await mai.tap("Gửi")
    [sent] = broadcasts(database)
    assert recipients_by_name(database, sent.id) == {
        AN: ["telegram"],
        CUONG: ["telegram"],
        DUNG: ["telegram"],
    }
    mark_rows(database, sent.id or 0, OutboxStatus.SENT, AN, CUONG, DUNG)
    await up_to_preview(mai, "Tất cả các thôn")
    await mai.tap("Gửi")
    [_first, villages] = broadcasts(database)
    assert recipients_by_name(database, villages.id) == {AN: ["telegram"]}
    mark_rows(database, villages.id or 0, OutboxStatus.SENT, AN)
    await up_to_preview(mai, "Tất cả mọi người")
    await mai.tap("Gửi")
    [*_earlier, everyone] = broadcasts(database)
    assert HUNG not in recipients_by_name(database, everyone.id)
    # Thôn Tây's village head is out of "everyone" too: the unit is no longer in use.
    assert BINH not in recipients_by_name(database, everyone.id)
    assert town.hung.inbox() == []


async def test_an_author_removed_meanwhile_gets_no_delivery_report(engine, database, clock):
    """Hoa announces, Mai removes Hoa, the messages go out: nobody is sent Hoa's report."""
    town = await office(engine)
    await broadcast(town.hoa, "Tất cả các thôn")
    [sent] = broadcasts(database)
    await _remove(town.mai, f"{HOA} — quản trị viên")
    town.hoa.inbox()
    mark_rows(database, sent.id or 0, OutboxStatus.SENT, AN, BINH)
    with transaction(database) as session:
        assert queue_broadcast_reports(session, "Asia/Ho_Chi_Minh", clock.now) == 0
    assert town.hoa.inbox() == []
