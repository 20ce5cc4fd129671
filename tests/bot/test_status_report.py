"""The DOCX report on directives (`hoctap export report`), opened with python-docx and read
paragraph by paragraph and cell by cell against the commune's records."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from docx.shared import Pt
from openpyxl import load_workbook
from sqlmodel import Session

from bot.cli import main
from bot.config import get_settings
from bot.status_export import export_status
from bot.status_report import export_status_report
from storage.models import Directive
from tests.bot.test_cli_export_status import ANSWER, seed_commune
from tests.support.libreoffice import convert, needs_libreoffice

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = dt.date(2025, 4, 5)
HEADINGS = ["STT", "Đơn vị", "Đầu mối", "Nhận lúc", "Tình trạng", "Báo cáo gần nhất",
            "Ghi chú", "Ảnh"]  # fmt: skip
UNITS_12 = [
    ["1", "Thôn Bắc Sơn", "Hoàng Thị Én", "Chưa nhận", "Gặp khó khăn\nQuá hạn",
     "09:00 ngày 06/03/2025", "Thiếu kinh phí mua sách cho học sinh", "0"],
    ["2", "Thôn Đông", "Nguyễn Thị Ánh\nTrần Văn Tâm", "06:00 ngày 02/03/2025", "Đã hoàn thành",
     "15:00 ngày 20/03/2025", "Đã hoàn thành", "0"],
    ["3", "Thôn Tây", "Phạm Văn Đức", "09:00 ngày 03/03/2025", "Đang thực hiện\nQuá hạn",
     "11:15 ngày 10/03/2025", "Đã họp dân, đang vận động", "2"],
    ["4", "Trường TH An Hưng", "—", "Chưa nhận", "Chưa triển khai\nQuá hạn", "Chưa báo cáo",
     "", "0"],
]  # fmt: skip
"""Directive 12/CV-UBND on 05/04/2025: Cũ is archived, the school's one focal point left."""
SUMMARY_12 = (
    "Công văn được giao cho 4 đơn vị; 2 đơn vị đã xác nhận nhận công văn. Đến ngày 05/04/2025, "
    "tình trạng báo cáo của các đơn vị: Đã hoàn thành: 1 đơn vị; Đang thực hiện: 1 đơn vị; "
    "Chưa triển khai: 1 đơn vị; Gặp khó khăn: 1 đơn vị; hạn hoàn thành ngày 31/03/2025, "
    "3 đơn vị quá hạn."
)
DIFFICULTY_12 = [
    "- Thôn Bắc Sơn (báo cáo lúc 09:00 ngày 06/03/2025): Thiếu kinh phí mua sách cho học sinh",
    f"Trả lời lúc 16:00 ngày 07/03/2025 (Lê Thị Hoa): {ANSWER}",
    "Chưa xử lý.",
]


def texts(path: Path) -> list[str]:
    """The document's paragraphs outside tables, empty ones left out."""
    return [paragraph.text for paragraph in Document(str(path)).paragraphs if paragraph.text]


def rows(table) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """A table's cells as text, a cell's paragraphs joined by line breaks."""
    return [[cell.text for cell in row.cells] for row in table.rows]


def write_report(database, tmp_path: Path, numbers: list[str], commune: str) -> Path:  # type: ignore[no-untyped-def]
    """Seed the commune and write the report on the directives with these numbers."""
    ids = seed_commune(database)
    path = tmp_path / "bao-cao.docx"
    with Session(database) as session:
        directives = [session.get(Directive, ids[number]) for number in numbers]
        count = export_status_report(session, directives, TODAY, ZONE, path, commune)  # type: ignore[arg-type]
    assert count == sum({"12": 4, "15": 2}[number] for number in numbers)
    return path


def test_the_report_on_one_directive(database, tmp_path):
    """Header, date, title naming 12/CV-UBND with its date and subject, the summary, a row per
    unit in use (the silent school 'Chưa báo cáo'), Bắc Sơn's difficulty with the office's
    answer, and the signature block left blank; A4 in Times New Roman."""
    path = write_report(database, tmp_path, ["12"], "An Hưng")
    document = Document(str(path))
    header, units, signatures = document.tables
    assert rows(header) == [
        ["UBND XÃ AN HƯNG\nSố:      /BC-UBND",
         "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"],
    ]  # fmt: skip
    body, country = header.rows[0].cells
    assert body.paragraphs[0].runs[0].bold and not body.paragraphs[1].runs[0].bold
    assert country.paragraphs[0].runs[0].bold
    motto = country.paragraphs[1].runs[0]
    assert motto.bold and motto.underline
    # The header has the template's plain table style, without borders; the units' a grid.
    assert (header.style.name, units.style.name) == ("Normal Table", "Table Grid")
    assert [round(column.width.cm, 1) for column in units.columns] == [
        1.0, 2.6, 2.5, 2.0, 2.1, 2.0, 2.8, 1.0
    ]
    assert texts(path) == [
        "An Hưng, ngày 05 tháng 04 năm 2025",
        "BÁO CÁO",
        "Kết quả thực hiện Công văn số 12/CV-UBND ngày 01/03/2025 của UBND xã An Hưng về việc "
        "tuyên truyền khuyến học (12/CV-UBND)",
        "I. TÌNH HÌNH TRIỂN KHAI",
        SUMMARY_12,
        "II. KẾT QUẢ CỦA TỪNG ĐƠN VỊ",
        "III. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT",
        *DIFFICULTY_12,
    ]
    date_line = next(p for p in document.paragraphs if p.text.startswith("An Hưng, ngày"))
    assert date_line.runs[0].italic and date_line.alignment == 2  # right
    assert rows(units) == [HEADINGS, *UNITS_12]
    assert rows(signatures) == [
        ["Nơi nhận:\n- Các đơn vị được giao;\n- Lưu: VT.",
         "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n\n\n\n"],
    ]  # fmt: skip
    section = document.sections[0]
    # Word stores lengths in twips: compare to the millimetre.
    page = [section.page_width, section.page_height, section.left_margin, section.right_margin,
            section.top_margin, section.bottom_margin]  # fmt: skip
    assert [round(length.cm, 1) for length in page] == [21.0, 29.7, 3.0, 2.0, 2.0, 2.0]
    normal = document.styles["Normal"]
    assert (normal.font.name, normal.font.size) == ("Times New Roman", Pt(14))


def test_the_report_on_every_open_directive_has_a_section_each(database, tmp_path):
    """12/CV-UBND and 15/KH-UBND: one title, a numbered section each with its own table;
    Đông's difficulty answered and resolved, the school's unanswered."""
    path = write_report(database, tmp_path, ["12", "15"], "An Hưng")
    document = Document(str(path))
    _header, first, second, _signatures = document.tables
    assert rows(first)[1:] == UNITS_12
    assert rows(second)[1:] == [
        ["1", "Thôn Đông", "Nguyễn Thị Ánh\nTrần Văn Tâm", "Chưa nhận", "Gặp khó khăn",
         "09:00 ngày 02/04/2025", "Chưa có hội trường", "0"],
        ["2", "Trường TH An Hưng", "—", "Chưa nhận", "Gặp khó khăn", "10:00 ngày 02/04/2025",
         "Thiếu giáo viên", "0"],
    ]  # fmt: skip
    found = texts(path)
    assert found[1:3] == ["BÁO CÁO", "Kết quả thực hiện các công văn đang triển khai"]
    second_section = found.index(
        "2. Công văn số 15/KH-UBND ngày 01/04/2025 của UBND xã An Hưng về việc tuyên truyền "
        "khuyến học (15/KH-UBND)"
    )
    assert found[3] == (
        "1. Công văn số 12/CV-UBND ngày 01/03/2025 của UBND xã An Hưng về việc tuyên truyền "
        "khuyến học (12/CV-UBND)"
    )
    assert found[second_section + 2].endswith(
        "Gặp khó khăn: 2 đơn vị; công văn không có hạn hoàn thành."
    )
    assert found[-6:] == [
        "- Thôn Đông (báo cáo lúc 09:00 ngày 02/04/2025): Chưa có hội trường",
        "Trả lời lúc 09:00 ngày 03/04/2025 (Lê Thị Hoa): Mượn nhà văn hóa",
        "Đã xử lý (Lê Thị Hoa, 09:00 ngày 04/04/2025).",
        "- Trường TH An Hưng (báo cáo lúc 10:00 ngày 02/04/2025): Thiếu giáo viên",
        "Chưa trả lời.",
        "Chưa xử lý.",
    ]


def test_without_a_commune_name_dots_are_left_to_fill_in(database, tmp_path):
    """COMMUNE_NAME unset: 'UBND XÃ ……………', the date line and the title start with dots."""
    path = write_report(database, tmp_path, ["12"], "")
    document = Document(str(path))
    assert document.tables[0].rows[0].cells[0].paragraphs[0].text == "UBND XÃ ……………"
    found = texts(path)
    assert found[0] == "……………, ngày 05 tháng 04 năm 2025"
    assert "của UBND xã …………… về việc" in found[2]


def test_the_report_and_the_workbook_say_the_same(database, tmp_path):
    """Unit by unit, the DOCX table and the XLSX sheet show the same names, focal points,
    status, note and photos: both come from the same queries."""
    ids = seed_commune(database)
    with Session(database) as session:
        directive = session.get(Directive, ids["12"])
        assert directive is not None
        export_status(session, [directive], TODAY, ZONE, tmp_path / "t.xlsx")
        export_status_report(session, [directive], TODAY, ZONE, tmp_path / "b.docx", "An Hưng")
    sheet = load_workbook(tmp_path / "t.xlsx").active
    assert sheet is not None
    workbook = [
        [row[1], row[2] or "—", row[4], row[6] or "", row[8]]
        for row in sheet.iter_rows(min_row=8, max_row=11, values_only=True)
    ]
    table = Document(str(tmp_path / "b.docx")).tables[1]
    report = [
        [cells[1], cells[2].replace("\n", ", "), cells[4].split("\n")[0], cells[6], int(cells[7])]
        for cells in rows(table)[1:]
    ]
    assert report == workbook


@needs_libreoffice
def test_libreoffice_converts_the_report_to_pdf(database, tmp_path):
    """The report opens in LibreOffice: it converts to a PDF without error."""
    path = write_report(database, tmp_path, ["12", "15"], "An Hưng")
    assert convert(path, "pdf").read_bytes().startswith(b"%PDF")


@pytest.fixture
def cli(monkeypatch, tmp_path, database):  # type: ignore[no-untyped-def]
    """The CLI on the test database, run in a temporary folder, for the commune An Hưng."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database.url.render_as_string(hide_password=False))
    monkeypatch.setenv("COMMUNE_NAME", "xã  An Hưng")
    monkeypatch.delenv("TIMEZONE", raising=False)
    get_settings.cache_clear()
    return database


def test_hoctap_export_report_writes_the_docx(cli, capsys, tmp_path):
    """`hoctap export report ID` names the file after the directive and today, reads
    COMMUNE_NAME ('xã' dropped), and prints the units counted."""
    ids = seed_commune(cli)
    today = dt.datetime.now(ZONE).date()
    assert main(["export", "report", str(ids["12"])]) == 0
    path = tmp_path / f"bao-cao-12-cv-ubnd-{today:%Y-%m-%d}.docx"
    assert capsys.readouterr().out == f"wrote {path}\n4 units in 1 directive section(s)\n"
    found = texts(path)
    assert found[0] == f"An Hưng, ngày {today:%d} tháng {today:%m} năm {today:%Y}"
    assert Document(str(path)).tables[0].rows[0].cells[0].paragraphs[0].text == "UBND XÃ AN HƯNG"
    assert main(["export", "report", "--out", "all.docx"]) == 0
    assert capsys.readouterr().out.endswith("6 units in 2 directive section(s)\n")


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["export", "report", "999"], "no directive with id 999"),
        (["export", "report", "--out", "bao-cao.xlsx"], "--out bao-cao.xlsx must end in .docx"),
    ],
)
def test_hoctap_export_report_refuses(cli, capsys, tmp_path, argv, error):
    """An unknown directive or a file not ending in .docx: exit 2, nothing written."""
    seed_commune(cli)
    assert main(argv) == 2
    assert error in capsys.readouterr().err
    assert list(tmp_path.glob("*.docx")) == []
