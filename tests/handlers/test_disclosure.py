"""The disclosure text for a village's Zalo group: Thôn Đông's standing gifts, anonymous
donors unnamed, a reversed receipt left out with its reversal, then the count and total."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from handlers.disclosure import disclosure_text
from handlers.i18n import Translator
from tests.support.disclosure import seed_gifts

YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def plain(text: str) -> str:
    """Show babel's non-breaking space before ₫ as a plain space."""
    return text.replace("\xa0", " ")


def test_thon_dong_in_2026(database):
    """Four gifts stand in 2026: Bình's, an Ẩn danh one, the Lan family's kept out of public
    lists (shown Ẩn danh), the Đỗ clan's. Hùng's 20 triệu was reversed: neither it nor its
    reversal is listed, nor Thôn Tây's gift, nor December 2025's."""
    east = seed_gifts(database)
    with Session(database) as session:
        text = disclosure_text(session, east, *YEAR, Translator("vi"))
    assert plain(text) == (
        "Công khai các khoản đóng góp Quỹ khuyến học, khuyến tài của Thôn Đông từ ngày "
        "01/01/2026 đến ngày 31/12/2026:\n"
        "1. Nguyễn Văn Bình: 1.500.000 ₫ (ngày 02/03/2026)\n"
        "2. Ẩn danh: 500.000 ₫ (ngày 05/03/2026)\n"
        "3. Ẩn danh: 2.000.000 ₫ (ngày 06/03/2026)\n"
        "4. Dòng họ Đỗ: 3.000.000 ₫ (ngày 01/04/2026)\n"
        "Tổng cộng: 4 lượt đóng góp, 7.000.000 ₫."
    )
    assert "Lê Văn Hùng" not in text and "Phạm Thị Lan" not in text
    assert not set("*_`#") & set(text)


def test_a_period_with_nothing_given(database):
    """March 10 to 31: nothing stood in it; the text says so and totals 0."""
    east = seed_gifts(database)
    with Session(database) as session:
        text = disclosure_text(
            session, east, dt.date(2026, 3, 10), dt.date(2026, 3, 31), Translator("vi")
        )
    assert plain(text).splitlines()[1:] == [
        "Chưa có khoản đóng góp nào trong thời gian này.",
        "Tổng cộng: 0 lượt đóng góp, 0 ₫.",
    ]


def test_in_english(database):
    """An English reader gets the same list in English, anonymous donors as Anonymous."""
    east = seed_gifts(database)
    with Session(database) as session:
        text = disclosure_text(
            session, east, dt.date(2026, 3, 1), dt.date(2026, 3, 31), Translator("en")
        )
    assert plain(text).splitlines() == [
        "Contributions to the study-promotion fund of Thôn Đông from Mar 1, 2026 to "
        "Mar 31, 2026:",
        "1. Nguyễn Văn Bình: ₫1,500,000 (Mar 2, 2026)",
        "2. Anonymous: ₫500,000 (Mar 5, 2026)",
        "3. Anonymous: ₫2,000,000 (Mar 6, 2026)",
        "Total: 3 contribution(s), ₫4,000,000.",
    ]
