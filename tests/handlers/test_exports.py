"""/xuat: an admin or leader asks for a file in a few taps; the request is stored in the same
turn for the background job, and Zalo without a public address is told where files are."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from handlers.file_refs import use_public_links
from storage.models import Role
from tests.support.chat import joined
from tests.support.exports import EAST, NUMBER, OLDER_NUMBER, office, requests
from tests.support.fund import NOT_ALLOWED

ASK_KIND = "Anh/chị muốn xuất tệp gì?"
KINDS = ["Tình hình thực hiện công văn", "Sổ quỹ khuyến học", "Công khai đóng góp"]
ASK_PERIOD = "Thời gian nào? Chọn năm hoặc gõ hai ngày, ví dụ 01/01/2026-31/03/2026."
ON_TELEGRAM = "Tệp sẽ được gửi vào đây ngay khi lập xong."
ON_ZALO = "Khi lập xong, liên kết tải về sẽ được gửi vào đây; liên kết dùng được trong 1 ngày."
NO_FILES_ON_ZALO = (
    "Zalo không nhận được tệp nên không gửi tệp xuất ở đây. Trên Telegram, anh/chị chọn "
    "“Xuất báo cáo” trong menu; trên máy chủ, chạy lệnh hoctap export status hoặc hoctap "
    "export ledger."
)
BAD_PERIOD = (
    "Vui lòng chọn năm, hoặc gõ khoảng thời gian gồm hai ngày, ví dụ 01/01/2026-31/03/2026."
)


@pytest.fixture(autouse=True)
def no_public_address() -> Iterator[None]:
    """The bot has no PUBLIC_URL unless a test says so; the setting never leaks to another."""
    use_public_links(False)
    yield
    use_public_links(False)


async def test_three_taps_ask_for_one_directive_status(engine, database):
    """The officer sends /xuat, taps the status, then the directive: the request is stored
    for the job, and she is told the file comes here when ready."""
    town = await office(engine)
    assert await town.admin.send("/xuat") == [ASK_KIND]
    assert town.admin.labels() == KINDS
    assert await town.admin.tap(KINDS[0]) == ["Công văn nào?"]
    assert town.admin.labels() == [
        "Tất cả công văn đang mở",
        "12/UBND-VHXH — V/v xây dựng xã hội học…",
        f"{OLDER_NUMBER} — V/v rà soát quỹ khuyến học",
    ]
    assert await town.admin.tap(town.admin.labels()[1]) == [
        f"Đang lập: Tình hình thực hiện công văn số {NUMBER}.\n{ON_TELEGRAM}"
    ]
    [request] = requests(database)
    assert (request.kind, request.params, request.status) == (
        "status",
        {"directive_id": town.directive_id},
        "pending",
    )
    assert (request.channel, request.chat_id, request.files) == ("telegram", "9001", [])


async def test_every_open_directive_at_once(engine, database):
    """'Tất cả công văn đang mở' asks for one file of every open directive."""
    town = await office(engine)
    await town.admin.send("/xuat")
    await town.admin.tap(KINDS[0])
    assert await town.admin.tap("Tất cả công văn đang mở") == [
        f"Đang lập: Tình hình thực hiện các công văn đang mở, ngày 20/03/2026.\n{ON_TELEGRAM}"
    ]
    assert [r.params for r in requests(database)] == [{"directive_id": None}]


async def test_the_ledger_of_this_year_last_year_or_a_typed_period(engine, database):
    """A year is one tap; a period is typed as two dates, in the ways officials write them."""
    town = await office(engine)
    admin = town.admin
    await admin.send("/xuat")
    assert await admin.tap(KINDS[1]) == [ASK_PERIOD]
    assert admin.labels() == ["Năm 2026", "Năm 2025"]
    assert await admin.tap("Năm 2026") == [f"Đang lập: Sổ quỹ khuyến học năm 2026.\n{ON_TELEGRAM}"]
    await admin.send("/xuat")
    await admin.tap(KINDS[1])
    assert await admin.tap("Năm 2025") == [f"Đang lập: Sổ quỹ khuyến học năm 2025.\n{ON_TELEGRAM}"]
    typed_periods = (
        "01/01/2026-31/03/2026",
        "từ ngày 1/1 đến ngày 31/3/2026",
        "1.1 – 31.03",
        "2026-01-01 - 2026-03-31",
    )
    for typed in typed_periods:
        await admin.send("/xuat")
        await admin.tap(KINDS[1])
        assert await admin.send(typed) == [
            f"Đang lập: Sổ quỹ khuyến học từ ngày 01/01/2026 đến ngày 31/03/2026.\n{ON_TELEGRAM}"
        ]
    periods = [(r.kind, r.params["first"], r.params["last"]) for r in requests(database)]
    assert periods == [
        ("ledger", "2026-01-01", "2026-12-31"),
        ("ledger", "2025-01-01", "2025-12-31"),
        *[("ledger", "2026-01-01", "2026-03-31")] * 4,
    ]


async def test_a_period_not_understood_is_asked_again(engine, database):
    """One date, a date that does not exist, or an end before the start: each is explained,
    the question comes again and nothing is requested; then a right period goes through."""
    town = await office(engine)
    admin = town.admin
    await admin.send("/xuat")
    await admin.tap(KINDS[1])
    assert await admin.send("31/03/2026") == [BAD_PERIOD, ASK_PERIOD]
    assert await admin.send("tháng 3") == [BAD_PERIOD, ASK_PERIOD]
    assert await admin.send("1999") == [BAD_PERIOD, ASK_PERIOD]
    assert await admin.send("01/01/2026-31/02/2026") == [
        "Có ngày không hợp lệ. Vui lòng kiểm tra và gửi lại khoảng thời gian.",
        ASK_PERIOD,
    ]
    assert await admin.send("31/03/2026-01/01/2026") == [
        "Ngày bắt đầu phải trước ngày kết thúc: 31/03/2026 sau 01/01/2026.",
        ASK_PERIOD,
    ]
    assert requests(database) == []
    assert await admin.send("2025") == [f"Đang lập: Sổ quỹ khuyến học năm 2025.\n{ON_TELEGRAM}"]
    assert len(requests(database)) == 1


async def test_a_units_public_notice_of_this_year(engine, database):
    """Công khai đóng góp: the officer picks the unit, the period is this year."""
    town = await office(engine)
    await town.admin.send("/xuat")
    assert await town.admin.tap(KINDS[2]) == ["Công khai đóng góp năm 2026 của đơn vị nào?"]
    assert town.admin.labels() == [EAST, "Thôn Tây", "Trường THCS An Hưng"]
    assert await town.admin.tap(EAST) == [
        f"Đang lập: Công khai đóng góp của {EAST} năm 2026.\n{ON_TELEGRAM}"
    ]
    [request] = requests(database)
    assert request.kind == "disclosure"
    assert request.params["first"] == "2026-01-01" and request.params["last"] == "2026-12-31"


async def test_zalo_without_a_public_address_is_told_where_files_are(engine, database):
    """No PUBLIC_URL: Zalo cannot get the file, so the officer learns at once where it can be
    had, whether she sends the word or its menu label; nothing is requested."""
    await office(engine, channel="zalo", external_id="zhoa")
    chat = await joined(engine, Role.LEADER, "Hoàng Văn Hùng", channel="zalo", external_id="zh")
    assert await chat.send("xuất") == [NO_FILES_ON_ZALO]
    assert await chat.send("Xuat bao cao") == [NO_FILES_ON_ZALO]
    assert requests(database) == []


async def test_zalo_with_a_public_address_gets_a_link_later(engine, database):
    """With PUBLIC_URL the Zalo officer types 'xuat', then numbers: the ledger of this year is
    two numbers away, and she is told a one-day link will come."""
    use_public_links(True)
    town = await office(engine, channel="zalo", external_id="zhoa")
    replies = await town.admin.send("xuat")
    assert replies[0].startswith(ASK_KIND)
    await town.admin.send("2")
    assert await town.admin.send("1") == [f"Đang lập: Sổ quỹ khuyến học năm 2026.\n{ON_ZALO}"]
    [request] = requests(database)
    assert (request.channel, request.chat_id, request.kind) == ("zalo", "zhoa", "ledger")


async def test_a_focal_point_cannot_export(engine, database):
    """The head of Thôn Đông is refused /xuat, and 'xuất' is no word of his: he gets the menu."""
    town = await office(engine)
    assert await town.head.send("/xuat") == [NOT_ALLOWED]
    assert await town.head.send("xuất") == ["Anh/chị muốn làm gì?"]
    assert "Xuất báo cáo" not in town.head.labels()
    assert requests(database) == []


async def test_a_leader_may_export(engine, database):
    """Leaders read the commune's records: /xuat is theirs too."""
    await office(engine)
    leader = await joined(engine, Role.LEADER, "Hoàng Văn Hùng", external_id="7001")
    await leader.send("/xuat")
    await leader.tap(KINDS[1])
    await leader.tap("Năm 2026")
    [request] = requests(database)
    assert request.kind == "ledger"


async def test_no_open_directive_no_request(engine, database):
    """Every directive done: there is nothing to export, and the officer is told so."""
    admin = await joined(engine, Role.ADMIN, "Lê Thị Hoa", external_id="9001")
    await admin.send("/xuat")
    assert await admin.tap(KINDS[0]) == [
        "Hiện không có công văn nào đang thực hiện: các đơn vị đã hoàn thành."
    ]
    assert requests(database) == []
