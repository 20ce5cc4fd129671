"""`hoctap directive import FILE`, as the officer runs it on a file from the e-office system."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, col, select

from bot.cli import main
from bot.config import get_settings
from storage.models import Assignment, Directive, DirectiveTask, Milestone, OutboxMessage, Unit
from tests.support.directive_documents import fixture
from tests.support.directive_office import (
    CENTRE,
    EAST,
    NOW,
    PLAN,
    SCHOOL,
    SIGNED,
    WEST,
    open_office,
    saved,
)
from tests.support.document_files import docx_of, scanned_pdf, text_pdf


@pytest.fixture
def cli(monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    """The CLI in a scratch folder; reading a file needs no database."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'hoctap.db'}")
    get_settings.cache_clear()
    return tmp_path


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


# `hoctap directive import FILE --send`: the directive registered and pushed as /congvan does.

VILLAGE_TASK = (
    "Nhiệm vụ của thôn:\n- Lòng ghép nội dung xây dựng xã hội học tập vào các buổi sinh hoạt "
    "cộng đồng tại thôn"
)
SCHOOL_TASK = "Nhiệm vụ của nhà trường:\n- Căn cứ chức năng, nhiệm vụ và tình hình thực tế"
SUBJECT = 'V/v tiếp tục triển khai thực hiện Đề án "Xây dựng xã hội học tập giai đoạn 2021 - 2030"'


@pytest.fixture
def office(monkeypatch, tmp_path, database):  # type: ignore[no-untyped-def]
    """The CLI on the commune's database at 08:00 on 20/03/2026."""
    return open_office(monkeypatch, tmp_path, database)


def pushed(database, chat_id: str) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    """The messages queued for one chat."""
    with Session(database) as session:
        query = select(OutboxMessage).where(OutboxMessage.chat_id == chat_id)
        return list(session.exec(query.order_by(col(OutboxMessage.id))))


def stored(database) -> tuple[list[Directive], int, int]:  # type: ignore[no-untyped-def]
    """The directives stored, and how many assignments and queued messages there are."""
    with Session(database) as session:
        directives = list(session.exec(select(Directive)))
        assignments = len(session.exec(select(Assignment)).all())
        messages = len(session.exec(select(OutboxMessage)).all())
    return directives, assignments, messages


def test_the_signed_cong_van_is_sent_each_unit_its_own_tasks(office, capsys, tmp_path):
    """Mai sends the signed công văn from the server with its deadline: the villages, the
    school and the centre come from its sections and "Kính gửi"; each kind is said with its
    task; the village head's push leads with the villages' task, the principal's with the
    schools', as /congvan's does, and the centre, without a focal point yet, is named."""
    path = saved(tmp_path, SIGNED.encode(), "cv-12.txt")

    assert main(["directive", "import", path, "--send", "--deadline", "30/04/2026"]) == 0

    out = capsys.readouterr().out.splitlines()
    with Session(office) as session:
        directive = session.exec(select(Directive)).one()
        tasks = session.exec(select(DirectiveTask).order_by(col(DirectiveTask.position))).all()
        milestones = session.exec(select(Milestone)).all()
        units = {unit.name: unit.id for unit in session.exec(select(Unit))}
        assignments = {
            assignment.unit_id: assignment.id for assignment in session.exec(select(Assignment))
        }
    assert "Còn thiếu: cơ quan ban hành, thời hạn" in out
    assert out[out.index("Còn thiếu: cơ quan ban hành, thời hạn") + 1 :] == [
        f"Đã lưu công văn số 12/UBND-VHXH (mã {directive.id}).",
        f"Thôn (2): {EAST}, {WEST}",
        "  Nhiệm vụ của thôn: 4. Các ông (bà) Trưởng thôn",
        "  Hạn: 30/04/2026",
        f"Trường (1): {SCHOOL}",
        "  Nhiệm vụ của nhà trường: 3. Các cơ sở giáo dục, các trường học trên địa bàn xã",
        "  Hạn: 30/04/2026",
        f"Cơ quan (1): {CENTRE}",
        f"  Nhiệm vụ của {CENTRE}: 2. Trung tâm Dịch vụ sự nghiệp công",
        "  Hạn: 30/04/2026",
        "Đã gửi công văn tới 4 đơn vị, 3 người.",
        f"Chưa có đầu mối: {CENTRE}.",
        "Bot đang chạy sẽ gửi các tin này; nếu bot đang dừng, tin được gửi khi bot khởi động.",
    ]
    assert (directive.number, directive.issued_on, directive.subject) == (
        "12/UBND-VHXH",
        dt.date(2026, 3, 16),
        SUBJECT,
    )
    assert (directive.deadline, directive.created_by, directive.file_ref) == (
        dt.date(2026, 4, 30),
        None,
        "",
    )
    assert directive.content.startswith("Thực hiện Công văn số 2119/VP-VX")
    assert directive.content.endswith("UBND xã yêu cầu các đơn vị nghiêm túc thực hiện./.")
    assert [(t.position, t.unit_kind, t.unit_id, t.heading) for t in tasks] == [
        (0, "", units[CENTRE], "2. Trung tâm Dịch vụ sự nghiệp công"),
        (1, "school", None, "3. Các cơ sở giáo dục, các trường học trên địa bàn xã"),
        (2, "village", None, "4. Các ông (bà) Trưởng thôn"),
    ]
    assert tasks[2].body.startswith("- Lòng ghép nội dung xây dựng xã hội học tập")
    assert milestones == []  # the công văn sets no dated deadline
    assert len(assignments) == 4

    [village] = pushed(office, "5001")
    east = assignments[units[EAST]]
    assert village.text.startswith(
        "🔔 Công văn số 12/UBND-VHXH, ngày 16/03/2026\n"
        f"{SUBJECT}\nHạn: 30/04/2026\nĐơn vị: {EAST}\n\n{VILLAGE_TASK}"
    )
    assert "Phòng Văn hóa - Xã hội" not in village.text and "Trường" not in village.text
    assert village.choices == [
        [f"/ack {east}", "Đã nhận"],
        [f"/baocao {east}", "Báo cáo"],
        [f"/toanvan {east}", "Xem toàn văn"],
    ]
    assert (village.not_before, village.idempotency_key) == (
        NOW,
        f"assignment:{east}:person:{village.person_id}:telegram",
    )
    [principal] = pushed(office, "5003")
    assert principal.text.startswith(
        "🔔 Công văn số 12/UBND-VHXH, ngày 16/03/2026\n"
        f"{SUBJECT}\nHạn: 30/04/2026\nĐơn vị: {SCHOOL}\n\n{SCHOOL_TASK}"
    )
    assert "Trưởng thôn" not in principal.text
    [west] = pushed(office, "zbinh")
    assert VILLAGE_TASK in west.text


def test_a_plan_gives_each_kind_its_own_milestone(office, capsys, tmp_path):
    """The kế hoạch's DOCX sets its own dates: the school must report by 28/03, the villages
    send their files by 20/12; each is stored as a milestone, said per kind, and leads the
    push. The centre's own date (15/4, no year) is its own and not a milestone."""
    path = saved(tmp_path, docx_of(PLAN), "kh-45.docx")

    assert main(["directive", "import", path, "--send"]) == 0

    out = capsys.readouterr().out
    school_due = "chậm nhất ngày 28/03/2026 gửi báo cáo về UBND xã (qua Phòng Văn hóa - Xã hội)."
    village_due = (
        "gửi hồ sơ đề nghị công nhận về Phòng Văn hóa - Xã hội xong trước ngày 20 tháng 12 "
        "năm 2026."
    )
    assert (
        f"Trường (1): {SCHOOL}\n"
        "  Nhiệm vụ của nhà trường: 3. Các cơ sở giáo dục, các trường học trên địa bàn xã\n"
        f"  Hạn: 28/03/2026 ({school_due})\n"
    ) in out
    assert f"Thôn (2): {EAST}, {WEST}\n  Nhiệm vụ của thôn: 4. Các ông (bà) Trưởng thôn\n" in out
    assert f"  Hạn: 20/12/2026 ({village_due})\n" in out
    with Session(office) as session:
        directive = session.exec(select(Directive)).one()
        milestones = session.exec(select(Milestone).order_by(col(Milestone.due_on))).all()
    assert (directive.number, directive.issued_on, directive.deadline) == (
        "45/KH-VHXH",
        dt.date(2026, 3, 7),
        dt.date(2026, 12, 20),
    )
    assert [(m.due_on, m.unit_kind, m.what) for m in milestones] == [
        (dt.date(2026, 3, 28), "school", school_due),
        (dt.date(2026, 12, 20), "village", village_due),
    ]
    [principal] = pushed(office, "5003")
    assert f"Hạn: 28/03/2026 ({school_due})\nĐơn vị: {SCHOOL}\n\n" in principal.text
    [village] = pushed(office, "5001")
    assert f"Hạn: 20/12/2026 ({village_due})\nĐơn vị: {EAST}\n\n" in village.text


def test_units_chosen_by_kind_replace_those_the_document_names(office, capsys, tmp_path):
    """--units school: only the school gets it, with the schools' task."""
    path = saved(tmp_path, SIGNED.encode(), "cv-12.txt")

    argv = ["directive", "import", path, "--send", "--units", "trường", "--deadline", "none"]
    assert main(argv) == 0

    out = capsys.readouterr().out
    assert f"Trường (1): {SCHOOL}\n" in out and "Thôn (" not in out
    assert "  Hạn: không có\nĐã gửi công văn tới 1 đơn vị, 1 người.\n" in out
    directives, assignments, messages = stored(office)
    assert (directives[0].deadline, assignments, messages) == (None, 1, 1)
    assert pushed(office, "5003")


@pytest.mark.parametrize(
    ("text", "argv", "refusal"),
    [
        (
            fixture("congvan-an-hung-2026.txt"),
            ["--deadline", "30/04/2026"],
            [
                "Chưa gửi, chưa lưu gì: văn bản chưa có số, ngày ban hành.",
                "Những gì văn bản để trống sẽ không được đoán: hãy nhập bản đã ký, hoặc nhập "
                "công văn trong ứng dụng chat.",
            ],
        ),
        (
            SIGNED,
            [],
            [
                "Chưa gửi, chưa lưu gì: văn bản chưa có hạn thực hiện.",
                "Nhập hạn thực hiện bằng --deadline dd/mm/yyyy, hoặc --deadline none nếu không "
                "có hạn.",
            ],
        ),
        (
            SIGNED.replace("ngày 16 tháng 03", "ngày 25 tháng 03"),
            ["--deadline", "none"],
            [
                "Chưa gửi, chưa lưu gì: văn bản chưa có ngày ban hành.",
                "Ngày ban hành 25/03/2026 ở sau ngày hôm nay.",
                "Những gì văn bản để trống sẽ không được đoán: hãy nhập bản đã ký, hoặc nhập "
                "công văn trong ứng dụng chat.",
            ],
        ),
    ],
    ids=["draft", "no-deadline", "issued-later"],
)
def test_a_directive_missing_a_field_is_refused_and_nothing_stored(
    office, capsys, tmp_path, text, argv, refusal
):
    """The draft (number and day blank), the signed copy without the deadline the chat would
    ask, one dated after today: exit 2, what is missing on stderr, nothing stored or queued."""
    path = saved(tmp_path, text.encode(), "cv.txt")

    assert main(["directive", "import", path, "--send", *argv]) == 2

    captured = capsys.readouterr()
    assert err(captured).splitlines() == refusal
    assert captured.out.startswith(f"{path}: read as text in UTF-8\n")
    assert stored(office) == ([], 0, 0)


def test_a_document_naming_no_unit_asks_for_units(office, capsys, tmp_path):
    """A notice addressed to nobody the bot knows: the units are asked for, as /congvan
    would ask them."""
    notice = (
        "Số: 13/UBND-VHXH\nAn Hưng, ngày 16 tháng 03 năm 2026\n\nV/v kiểm tra sổ sách\n\n"
        "Kính gửi: Ban Thanh tra nhân dân\n\nĐề nghị kiểm tra sổ quỹ khuyến học quý I./."
    )
    path = saved(tmp_path, notice.encode(), "tb.txt")

    assert main(["directive", "import", path, "--send", "--deadline", "none"]) == 2

    assert err(capsys.readouterr()).splitlines() == [
        "Chưa gửi, chưa lưu gì: văn bản chưa có đơn vị.",
        "Chọn đơn vị nhận bằng --units village,school (hoặc --units all).",
    ]
    assert stored(office) == ([], 0, 0)
    assert (
        main(["directive", "import", path, "--send", "--deadline", "none", "--units", "all"]) == 0
    )
    assert stored(office)[1:] == (4, 3)


def test_a_scan_is_refused_before_anything_is_stored(office, capsys, tmp_path):
    """A scanned PDF with --send: the same refusal as without, and nothing stored."""
    path = saved(tmp_path, scanned_pdf(), "scan.pdf")

    assert main(["directive", "import", path, "--send", "--deadline", "none"]) == 2

    assert err(capsys.readouterr()) == "Không đọc được chữ trong tệp này (bản quét).\n"
    assert stored(office) == ([], 0, 0)


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["--units", "village"], "--units and --deadline go with --send"),
        (["--send", "--units", "chợ"], "--units 'chợ': use kinds of unit separated by commas"),
        (["--send", "--deadline", "31/02/2026"], "--deadline '31/02/2026' is not a date"),
        (["--send", "--deadline", "19/03/2026"], "--deadline '19/03/2026' is in the past"),
    ],
)
def test_wrong_options_are_refused(office, capsys, tmp_path, argv, error):
    """Options that make no sense are said before the file is read."""
    path = saved(tmp_path, SIGNED.encode(), "cv-12.txt")

    assert main(["directive", "import", path, *argv]) == 2

    captured = capsys.readouterr()
    assert error in err(captured) and captured.out == ""
    assert stored(office) == ([], 0, 0)


def test_sending_needs_the_bots_database(cli, capsys):
    """--send in the wrong folder: no database is made for it."""
    path = saved(cli, SIGNED.encode(), "cv-12.txt")

    assert main(["directive", "import", path, "--send", "--deadline", "none"]) == 2

    assert "no database at" in err(capsys.readouterr())
    assert not (cli / "hoctap.db").exists()
