"""The disclosure page to post at the village hall (`hoctap export disclosure`), opened with
python-docx and read cell by cell."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from sqlmodel import Session

from bot.cli import main
from bot.config import get_settings
from bot.disclosure_docx import export_disclosure
from tests.support.disclosure import seed_gifts
from tests.support.libreoffice import convert, needs_libreoffice

TODAY = dt.date(2026, 12, 1)
GIFTS_2026 = [
    ["STT", "Người đóng góp", "Số tiền (đồng)", "Ngày"],
    ["1", "Nguyễn Văn Bình", "1.500.000", "02/03/2026"],
    ["2", "Ẩn danh", "500.000", "05/03/2026"],
    ["3", "Ẩn danh", "2.000.000", "06/03/2026"],
    ["4", "Dòng họ Đỗ", "3.000.000", "01/04/2026"],
    ["", "Tổng cộng (4 lượt)", "7.000.000", ""],
]
"""Thôn Đông's standing gifts of 2026: Hùng's reversed 20 triệu and its reversal left out,
the Lan family (kept out of public lists) shown Ẩn danh."""


def texts(document) -> list[str]:  # type: ignore[no-untyped-def]
    """The paragraphs outside tables, empty ones left out."""
    return [paragraph.text for paragraph in document.paragraphs if paragraph.text]


def rows(table) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """A table's cells as text."""
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_the_page_for_thon_dong_in_2026(database, tmp_path):
    """Header (commune over the village, national motto), date, title, unit and period, the
    table with its total row in bold, the total in words, and both signatures left blank."""
    east = seed_gifts(database)
    path = tmp_path / "cong-khai.docx"
    with Session(database) as session:
        count = export_disclosure(
            session, east, dt.date(2026, 1, 1), dt.date(2026, 12, 31), TODAY, path, "An Hưng"
        )
    assert count == 4
    document = Document(str(path))
    header, gifts, signatures = document.tables
    assert rows(header) == [
        ["UBND XÃ AN HƯNG\nTHÔN ĐÔNG",
         "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"],
    ]  # fmt: skip
    assert header.rows[0].cells[0].paragraphs[1].runs[0].bold
    assert texts(document) == [
        "An Hưng, ngày 01 tháng 12 năm 2026",
        "CÔNG KHAI DANH SÁCH ĐÓNG GÓP QUỸ KHUYẾN HỌC, KHUYẾN TÀI",
        "Đơn vị: Thôn Đông",
        "Từ ngày 01/01/2026 đến ngày 31/12/2026",
        "Số tiền bằng chữ: bảy triệu đồng.",
    ]
    assert rows(gifts) == GIFTS_2026
    assert all(run.bold for cell in gifts.rows[-1].cells for run in cell.paragraphs[0].runs)
    assert rows(signatures) == [["TRƯỞNG THÔN\n\n\n\n", "XÁC NHẬN CỦA UBND XÃ\n\n\n\n"]]


@needs_libreoffice
def test_libreoffice_converts_the_page_to_pdf(database, tmp_path):
    """The page opens in LibreOffice: it converts to a PDF without error."""
    east = seed_gifts(database)
    path = tmp_path / "cong-khai.docx"
    with Session(database) as session:
        export_disclosure(session, east, dt.date(2026, 1, 1), dt.date(2026, 12, 31), TODAY,
                          path, "")  # fmt: skip
    assert convert(path, "pdf").read_bytes().startswith(b"%PDF")


@pytest.fixture
def cli(monkeypatch, tmp_path, database):  # type: ignore[no-untyped-def]
    """The CLI on the test database, run in a temporary folder, COMMUNE_NAME unset."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database.url.render_as_string(hide_password=False))
    monkeypatch.delenv("COMMUNE_NAME", raising=False)
    monkeypatch.delenv("TIMEZONE", raising=False)
    get_settings.cache_clear()
    return database


def test_hoctap_export_disclosure_prints_the_text_and_writes_the_page(cli, capsys, tmp_path):
    """`hoctap export disclosure "thon dong" --from 01/03/2026 --to 2026-03-31`: the text for
    Zalo on the terminal, the page in cong-khai-thon-dong-2026-03-01-den-2026-03-31.docx with
    dots for the commune's name."""
    seed_gifts(cli)
    argv = ["export", "disclosure", "thon dong", "--from", "01/03/2026", "--to", "2026-03-31"]
    assert main(argv) == 0
    path = tmp_path / "cong-khai-thon-dong-2026-03-01-den-2026-03-31.docx"
    assert capsys.readouterr().out.replace("\xa0", " ") == (
        "Công khai các khoản đóng góp Quỹ khuyến học, khuyến tài của Thôn Đông từ ngày "
        "01/03/2026 đến ngày 31/03/2026:\n"
        "1. Nguyễn Văn Bình: 1.500.000 ₫ (ngày 02/03/2026)\n"
        "2. Ẩn danh: 500.000 ₫ (ngày 05/03/2026)\n"
        "3. Ẩn danh: 2.000.000 ₫ (ngày 06/03/2026)\n"
        "Tổng cộng: 3 lượt đóng góp, 4.000.000 ₫.\n"
        "\n"
        f"wrote {path}\n"
        "3 contributions of Thôn Đông dated 2026-03-01 to 2026-03-31\n"
    )
    document = Document(str(path))
    assert rows(document.tables[1])[1:] == [*GIFTS_2026[1:4], ["", "Tổng cộng (3 lượt)",
                                                               "4.000.000", ""]]  # fmt: skip
    assert document.tables[0].rows[0].cells[0].paragraphs[0].text == "UBND XÃ ……………"
    today = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    assert texts(document)[0] == f"……………, ngày {today:%d} tháng {today:%m} năm {today:%Y}"


def test_a_unit_by_its_id_and_the_default_file(cli, capsys, tmp_path):
    """By id, this year by default: cong-khai-thon-dong-YEAR.docx."""
    east = seed_gifts(cli)
    year = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).year
    assert main(["export", "disclosure", str(east)]) == 0
    assert (tmp_path / f"cong-khai-thon-dong-{year}.docx").exists()
    assert f"of Thôn Đông dated {year}-01-01 to {year}-12-31" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["export", "disclosure", "Thôn Nam"], "unknown unit 'Thôn Nam'"),
        (["export", "disclosure", "Thôn Đông", "--out", "x.pdf"], "--out x.pdf must end in .docx"),
        (["export", "disclosure", "Thôn Đông", "--from", "2026-04-01", "--to", "2026-03-01"],
         "--from 2026-04-01 is after --to 2026-03-01"),
    ],
)  # fmt: skip
def test_hoctap_export_disclosure_refuses(cli, capsys, tmp_path, argv, error):
    """An unknown unit, a file not ending in .docx, a period ending before it starts: exit 2,
    nothing written."""
    seed_gifts(cli)
    assert main(argv) == 2
    assert error in capsys.readouterr().err
    assert list(tmp_path.glob("*.docx")) == []
