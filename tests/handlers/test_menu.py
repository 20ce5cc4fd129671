"""The menu, help, and /start for someone already registered: what each role may do."""

from __future__ import annotations

from storage.models import Role
from tests.support.chat import joined


async def test_admin_menu_offers_the_office_work(engine):
    """An admin sees directives, broadcasts, status, the fund, invites and units."""
    chat = await joined(engine, Role.ADMIN, "Lê Thị Hoa")
    await chat.send("/menu")
    assert chat.labels() == [
        "Gửi công văn mới",
        "Gửi thông báo",
        "Tình hình thực hiện công văn",
        "Ghi nhận đóng góp Quỹ khuyến học",
        "Tổng hợp Quỹ khuyến học",
        "Xem biên lai",
        "Xuất báo cáo",
        "Hủy biên lai",
        "Tạo mã mời",
        "Mã mời còn hiệu lực",
        "Đơn vị",
        "Dùng thêm Zalo/Telegram",
        "Ngôn ngữ",
    ]


async def test_focal_point_menu_offers_reports_and_the_fund_only(engine):
    """A village head sees reporting and the fund, nothing of the office's."""
    chat = await joined(engine, Role.FOCAL, "Nguyễn Văn An", unit="Thôn Đông")
    await chat.send("menu")
    assert chat.labels() == [
        "Báo cáo tiến độ",
        "Ghi nhận đóng góp Quỹ khuyến học",
        "Xem biên lai",
        "Dùng thêm Zalo/Telegram",
        "Ngôn ngữ",
    ]


async def test_leader_menu_offers_status_and_totals(engine):
    """A commune leader reads; they do not enter."""
    chat = await joined(engine, Role.LEADER, "Phạm Văn Cường")
    await chat.send("/menu")
    assert chat.labels() == [
        "Tình hình thực hiện công văn",
        "Tổng hợp Quỹ khuyến học",
        "Xem biên lai",
        "Xuất báo cáo",
        "Dùng thêm Zalo/Telegram",
        "Ngôn ngữ",
    ]


async def test_help_lists_the_commands_of_the_role(engine):
    """/help explains buttons and numbers, then lists this person's commands."""
    chat = await joined(engine, Role.FOCAL, "Nguyễn Văn An", unit="Thôn Đông")
    [text] = await chat.send("/help")
    assert "/baocao — Báo cáo tiến độ" in text
    assert "/quy — Ghi nhận đóng góp Quỹ khuyến học" in text
    assert "/congvan" not in text


async def test_start_again_reminds_who_you_are(engine):
    """A registered person sending /start is not asked to join again."""
    chat = await joined(engine, Role.FOCAL, "Nguyễn Văn An", unit="Thôn Đông")
    replies = await chat.send("/start ABCDEFGH")
    assert replies == ["Anh/chị Nguyễn Văn An đã đăng ký trước đó.", "Anh/chị muốn làm gì?"]
