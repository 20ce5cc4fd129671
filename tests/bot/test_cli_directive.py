"""`hoctap directive import FILE`, as the officer runs it on a file from the e-office system."""

from __future__ import annotations

import pytest

from bot.cli import main
from bot.config import get_settings
from tests.support.directive_documents import fixture
from tests.support.document_files import docx_of, scanned_pdf, text_pdf


@pytest.fixture
def cli(monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    """The CLI in a scratch folder; reading a file needs no database."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'hoctap.db'}")
    get_settings.cache_clear()
    return tmp_path


def saved(folder, content: bytes, name: str) -> str:
    path = folder / name
    path.write_bytes(content)
    return str(path)


def err(captured: pytest.CaptureResult[str]) -> str:
    """Stderr after the line every command starts with: which database it opened."""
    first, _newline, rest = captured.err.partition("\n")
    assert first.startswith("database: ")
    return rest


def test_the_draft_cong_van_is_summed_up_and_its_blanks_listed(cli, capsys):
    """The officer checks the An Hưng draft: each field on its own Vietnamese line, the
    tasks with their kind of unit, and the four things the draft does not say."""
    path = saved(cli, fixture("congvan-an-hung-2026.txt").encode(), "congvan.txt")

    assert main(["directive", "import", path]) == 0

    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{path}: read as text in UTF-8",
        "Loại văn bản: Công văn",
        "Số: (không tìm thấy)",
        "Ký hiệu: UBND-VHXH",
        "Cơ quan ban hành: (không tìm thấy)",
        "Nơi ban hành: An Hưng",
        "Ngày ban hành: ngày tháng 03 năm 2026 (chưa đủ)",
        'Trích yếu: V/v tiếp tục triển khai thực hiện Đề án "Xây dựng xã hội học tập giai đoạn '
        '2021 - 2030"',
        "Kính gửi: Trung tâm Dịch vụ sự nghiệp công xã; Hiệu trưởng các trường học trên địa "
        "bàn xã; Các ông (bà) Trưởng thôn",
        "Nhiệm vụ theo đơn vị: 4",
        "  1. Phòng Văn hóa - Xã hội (Cơ quan)",
        "  2. Trung tâm Dịch vụ sự nghiệp công (Cơ quan)",
        "  3. Các cơ sở giáo dục, các trường học trên địa bàn xã (Trường)",
        "  4. Các ông (bà) Trưởng thôn (Thôn)",
        "Thời hạn: (không tìm thấy)",
        "Người ký: Ngô Thị Hải Ninh (TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH)",
        "Nơi nhận: Như trên; CT, các PCT UBND xã (đề b/c); Lưu: VT, VHXXH",
        "Còn thiếu: số, cơ quan ban hành, ngày ban hành, thời hạn",
    ]
    # Reading a file stores nothing: no database is created for it.
    assert not (cli / "hoctap.db").exists()


def test_a_plan_pdf_shows_its_deadlines_with_their_sections(cli, capsys):
    """From the PDF of the kế hoạch: the date reads 07/03/2025, each deadline is shown with
    its section and sentence, and a day without a year is marked incomplete."""
    path = saved(cli, text_pdf(fixture("kehoach-an-hung-2025.txt")), "kehoach.pdf")

    assert main(["directive", "import", path]) == 0

    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{path}: read as PDF, 2 pages"
    assert "Số: 45" in out and "Ký hiệu: KH-VHXH" in out
    assert "Ngày ban hành: 07/03/2025" in out
    assert "Thời hạn: 4" in out
    assert (
        "  15/4 (chưa đủ) [2. Trung tâm Dịch vụ sự nghiệp công]: hoàn thành các chuyên mục "
        "trước 15/4." in out
    )
    assert "  28/03/2025 [3. Các cơ sở giáo dục, các trường học trên địa bàn xã]: chậm nhất " in (
        "\n".join(out)
    )
    assert out[-1] == "Còn thiếu: kính gửi"


def test_a_docx_draft_is_read_too(cli, capsys):
    """A DOCX with its heading and signature in tables gives the same summary."""
    path = saved(cli, docx_of(fixture("kehoach-an-hung-2025.txt")), "du-thao.docx")

    assert main(["directive", "import", path]) == 0

    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{path}: read as DOCX"
    assert "Cơ quan ban hành: UBND XÃ AN HƯNG / PHÒNG VĂN HÓA - XÃ HỘI" in out
    assert "Người ký: Trần Văn Bình (KT. TRƯỞNG PHÒNG / PHÓ TRƯỞNG PHÒNG)" in out


def test_a_scan_is_said_to_have_no_text(cli, capsys):
    """A scanned PDF: the officer is told no text can be read, and the command fails."""
    path = saved(cli, scanned_pdf(), "scan.pdf")

    assert main(["directive", "import", path]) == 2

    captured = capsys.readouterr()
    assert captured.out == f"{path}: read as PDF, 1 page\n"
    assert err(captured) == "Không đọc được chữ trong tệp này (bản quét).\n"


def test_an_old_word_file_is_refused_with_what_to_do(cli, capsys):
    """A .doc file: the reason and the way out, nothing else."""
    path = saved(cli, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "congvan.doc")

    assert main(["directive", "import", path]) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert err(captured) == (
        f"{path}: a Word 97-2003 document (.doc) or other old Office file; "
        "save it as .docx or PDF\n"
    )


def test_a_file_that_is_not_there(cli, capsys):
    """A mistyped path is said plainly."""
    assert main(["directive", "import", str(cli / "khong-co.pdf")]) == 2
    assert "cannot read" in err(capsys.readouterr())
