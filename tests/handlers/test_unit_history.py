"""/tinhhinh → a directive → a unit: the unit's reports, and 'Xem ảnh' sending its photos."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session, select

from handlers.file_refs import use_public_links
from storage.db import transaction
from storage.media import mark_failed
from storage.models import Media, Role, Unit
from tests.support.assignments import seed_directive
from tests.support.chat import Chat, joined

PLAN = ("669/KH-SGDĐT", "V/v tiếp tục triển khai Đề án Xây dựng xã hội học tập 2021 - 2030")
TITLE = f"📄 {PLAN[0]} — {PLAN[1]}"
BACK = "Quay lại danh sách đơn vị"


@pytest.fixture
def links() -> Iterator[None]:
    """Every test starts without a public address and leaves none behind."""
    use_public_links(False)
    yield
    use_public_links(False)


@pytest.fixture
def plan(database) -> int:
    """The plan assigned to Thôn 2 and Thôn 3."""
    return seed_directive(database, *PLAN, ["Thôn 2", "Thôn 3"]).id


def unit_id(database, name: str) -> int:
    """A unit's id, by its name."""
    with Session(database) as session:
        found = session.exec(select(Unit.id).where(Unit.name == name)).first()
        assert found is not None
        return found


def media_ids(database) -> list[int]:
    """The ids of every kept photo and file, oldest first."""
    with Session(database) as session:
        return list(session.exec(select(Media.id).order_by(Media.id)))  # type: ignore[arg-type]


async def two_reports(engine, clock) -> Chat:
    """An, head of Thôn 2, reports 'in progress' with two photos on the 20th and 'done' with
    a photo and a file on the 21st."""
    head = await joined(engine, Role.FOCAL, "Nguyễn Văn An", unit="Thôn 2", external_id="1001")
    await head.send("/baocao")
    await head.tap("Đang thực hiện")
    await head.send("Đã họp dân", photo="AgACAgMeeting")
    await head.send(photo="AgACAgHall")
    await head.tap("Gửi báo cáo")
    clock.advance(days=1)
    await head.send("/baocao")
    await head.tap("Đã hoàn thành")
    await head.send(photo="AgACAgDone")
    await head.send(document="BQACAgList", document_name="danh-sach.pdf")
    await head.send("Đã tổ chức xong")
    await head.tap("Gửi báo cáo")
    return head


async def test_the_admin_sees_a_units_reports_and_its_photos(engine, database, clock, plan, links):
    """Mai opens the plan, taps Thôn 2 and sees both reports, newest first; 'Xem ảnh (3)'
    sends the three photos, each alone, captioned with the unit and the report's time."""
    await two_reports(engine, clock)
    mai = await joined(engine, Role.ADMIN, "Trần Thị Mai", external_id="9001")
    await mai.send(f"/tinhhinh {plan}")
    assert mai.labels() == ["Nhắc các đơn vị chưa báo cáo", "Thôn 2"]

    assert await mai.tap("Thôn 2") == [
        "\n".join(
            [
                TITLE,
                "Thôn 2",
                "",
                "• 08:00 ngày 21/03/2026 — Nguyễn Văn An: Đã hoàn thành",
                "   Ghi chú: Đã tổ chức xong",
                "   Kèm theo: 1 ảnh, 1 tệp.",
                "• 08:00 ngày 20/03/2026 — Nguyễn Văn An: Đang thực hiện",
                "   Ghi chú: Đã họp dân",
                "   Kèm theo: 2 ảnh.",
            ]
        )
    ]
    assert mai.labels() == ["Xem ảnh (3)", BACK]

    meeting, hall, done, _list = media_ids(database)
    assert await mai.tap("Xem ảnh (3)") == [
        "Thôn 2 — 08:00 ngày 20/03/2026",
        "Thôn 2 — 08:00 ngày 20/03/2026",
        "Thôn 2 — 08:00 ngày 21/03/2026",
    ]
    assert [row.photo for row in mai.last] == [
        f"media:{meeting}",
        f"media:{hall}",
        f"media:{done}",
    ]
    units, _chart = await mai.tap(BACK)
    assert units.startswith(f"{TITLE}\nHạn: 31/03/2026\n\nThôn 2: Đã hoàn thành, báo cáo lúc")


async def test_on_zalo_without_a_public_address_photos_are_counted_not_offered(
    engine, database, clock, plan, links
):
    """Hoa on Zalo, no PUBLIC_URL: the view says how many photos there are and where to see
    them, and offers no 'Xem ảnh'; asking for them anyway says the same."""
    await two_reports(engine, clock)
    hoa = await joined(engine, Role.ADMIN, "Lê Thị Hoa", channel="zalo", external_id="zl-hoa")
    thon2 = unit_id(database, "Thôn 2")
    [view] = await hoa.send(f"/tinhhinh {plan} donvi {thon2}")
    assert view.endswith("   Kèm theo: 2 ảnh.\n\nCó 3 ảnh, xem được trên Telegram.")
    assert hoa.labels() == [BACK]
    assert await hoa.send(f"/tinhhinh {plan} anh {thon2}") == ["Ảnh chỉ xem được trên Telegram."]
    assert all(row.photo == "" for row in hoa.last)


async def test_on_zalo_with_a_public_address_photos_are_offered(
    engine, database, clock, plan, links
):
    """With PUBLIC_URL, Hoa on Zalo gets 'Xem ảnh' too, by its number."""
    await two_reports(engine, clock)
    use_public_links(True)
    hoa = await joined(engine, Role.ADMIN, "Lê Thị Hoa", channel="zalo", external_id="zl-hoa")
    await hoa.send(f"/tinhhinh {plan} donvi {unit_id(database, 'Thôn 2')}")
    assert hoa.labels() == ["Xem ảnh (3)", BACK]
    assert len(await hoa.send("1")) == 3
    assert all(row.photo.startswith("media:") for row in hoa.last)


async def test_ten_photos_at_most_and_lost_ones_are_counted(engine, database, clock, plan, links):
    """Twelve photos, one of which could not be kept: the ten newest of the eleven others
    go, and a last message counts the rest."""
    head = await joined(engine, Role.FOCAL, "Nguyễn Văn An", unit="Thôn 2", external_id="1001")
    await head.send("/baocao")
    await head.tap("Đang thực hiện")
    for number in range(12):
        await head.send(photo=f"AgACAgPhoto{number:02d}")
    await head.tap("Gửi báo cáo")
    first = media_ids(database)[0]
    with transaction(database) as session:
        mark_failed(session, first, "HTTP 403", clock.now, final=True)
    mai = await joined(engine, Role.ADMIN, "Trần Thị Mai", external_id="9001")

    sent = await mai.send(f"/tinhhinh {plan} anh {unit_id(database, 'Thôn 2')}")

    assert sent[:10] == ["Thôn 2 — 08:00 ngày 20/03/2026"] * 10
    assert sent[10:] == ["Còn 1 ảnh cũ hơn không gửi.\nCó 1 ảnh không lưu được."]
    assert [row.photo for row in mai.last[:10]] == [
        f"media:{media_id}" for media_id in media_ids(database)[2:]
    ]


async def test_a_unit_outside_the_directive_is_refused(engine, database, plan, links):
    """Thôn 9 was not given the plan: nothing about it is shown."""
    with transaction(database) as session:
        session.add(Unit(name="Thôn 9", kind="village"))
    mai = await joined(engine, Role.ADMIN, "Trần Thị Mai", external_id="9001")
    assert await mai.send(f"/tinhhinh {plan} donvi {unit_id(database, 'Thôn 9')}") == [
        "Đơn vị này không được giao thực hiện công văn này. Gửi /tinhhinh để xem danh sách."
    ]
    [view] = await mai.send(f"/tinhhinh {plan} donvi {unit_id(database, 'Thôn 3')}")
    assert view == f"{TITLE}\nThôn 3\n\nChưa có báo cáo."
    assert mai.labels() == [BACK]
