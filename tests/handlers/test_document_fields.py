"""Reading a directive's fields from its text: the real An Hưng công văn, a kế hoạch with
deadlines, and damaged copies of both, where what is unreadable is named, never guessed."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from handlers.document_fields import ExtractedDirective, extract_directive
from handlers.document_sections import PartialDate, unit_kind
from storage.models import UnitKind
from tests.support.damaged_text import variants
from tests.support.directive_documents import AN_HUNG_2026, KE_HOACH_2025, fixture

FIELDS = [field.name for field in dataclasses.fields(ExtractedDirective)]


def assert_fields(read: ExtractedDirective, expected: ExtractedDirective) -> None:
    """Compare field by field, so a failure names the field that was read wrong."""
    for name in FIELDS:
        assert getattr(read, name) == getattr(expected, name), name
    assert read.missing == expected.missing


def test_the_an_hung_draft_is_read_field_by_field_and_its_blanks_are_asked():
    """The officer loads the draft công văn: every printed field comes back as printed; the
    number and the day left blank, the missing issuer and the absent deadline are named."""
    read = extract_directive(fixture("congvan-an-hung-2026.txt"))

    assert read.kind == "Công văn"
    assert (read.number, read.symbol, read.reference) == ("", "UBND-VHXH", "")
    assert read.place == "An Hưng"
    assert read.issued == PartialDate("ngày tháng 03 năm 2026", None, 3, 2026)
    assert read.issued_on is None
    assert read.subject == (
        'V/v tiếp tục triển khai thực hiện Đề án "Xây dựng xã hội học tập giai đoạn 2021 - 2030"'
    )
    assert read.recipients == (
        "Trung tâm Dịch vụ sự nghiệp công xã",
        "Hiệu trưởng các trường học trên địa bàn xã",
        "Các ông (bà) Trưởng thôn",
    )
    assert [(s.heading, s.unit_kind) for s in read.sections] == [
        ("1. Phòng Văn hóa - Xã hội", UnitKind.OFFICE),
        ("2. Trung tâm Dịch vụ sự nghiệp công", UnitKind.OFFICE),
        ("3. Các cơ sở giáo dục, các trường học trên địa bàn xã", UnitKind.SCHOOL),
        ("4. Các ông (bà) Trưởng thôn", UnitKind.VILLAGE),
    ]
    # The line broken by a blank line ("nhân" / "rộng") is one sentence again.
    assert "tuyên truyền nhân rộng các mô hình" in read.sections[1].body
    assert read.signer == "Ngô Thị Hải Ninh"
    assert read.signer_role == "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"
    # "ngày 02/3 /2026" dates the công văn it answers: it is not a deadline.
    assert read.deadlines == () and read.deadline is None
    assert read.missing == ("number", "issuer", "issued_on", "deadlines")
    assert_fields(read, AN_HUNG_2026)


def test_the_plan_gives_its_number_date_and_every_deadline_with_its_sentence():
    """A kế hoạch has a title instead of "V/v" and sets four deadlines, one per section; a
    day and month without a year stays partial rather than getting a year guessed."""
    read = extract_directive(fixture("kehoach-an-hung-2025.txt"))

    assert (read.kind, read.reference, read.issued_on) == (
        "Kế hoạch",
        "45/KH-VHXH",
        dt.date(2025, 3, 7),
    )
    assert read.issuer == "UBND XÃ AN HƯNG / PHÒNG VĂN HÓA - XÃ HỘI"
    assert [(d.when.date, d.section) for d in read.deadlines] == [
        (dt.date(2025, 12, 20), 0),
        (None, 1),
        (dt.date(2025, 3, 28), 2),
        (dt.date(2025, 12, 20), 3),
    ]
    assert read.deadlines[1].when == PartialDate("15/4", 15, 4, None)
    assert read.deadlines[2].sentence == (
        "chậm nhất ngày 28/03/2025 gửi báo cáo về UBND xã (qua Phòng Văn hóa - Xã hội)."
    )
    # Two different dates: which one is the directive's deadline is for the officer to say.
    assert read.deadline is None
    # A kế hoạch has no "Kính gửi:".
    assert read.missing == ("recipients",)
    assert_fields(read, KE_HOACH_2025)


def test_a_single_deadline_is_the_directives_deadline():
    """One date, said twice, is the deadline the directive is stored with."""
    text = fixture("kehoach-an-hung-2025.txt").replace("28/03/2025", "20/12/2025")
    assert extract_directive(text.replace("trước 15/4", "sớm")).deadline == dt.date(2025, 12, 20)


@pytest.mark.parametrize("variant", variants(), ids=lambda variant: variant.name)
def test_a_damaged_copy_gives_the_same_fields(variant):
    """Accents lost, OCR swaps, broken lines, page numbers, doubled spaces, a blank number:
    each field is read as the damaged copy prints it, and what is not there is named."""
    assert_fields(extract_directive(variant.text), variant.expected)


def test_at_least_ten_kinds_of_damage_are_tried():
    """The damaged copies cover both documents and more than ten kinds of damage."""
    names = [variant.name for variant in variants()]
    assert len(set(names)) == len(names) >= 10


def test_the_body_reference_is_not_taken_for_a_missing_number():
    """Without its "Số:" line, the number stays empty: "Công văn số 2119/VP-VX" in the text
    is another document's number."""
    text = fixture("congvan-an-hung-2026.txt").replace("Số: /UBND-VHXH", "")
    read = extract_directive(text)
    assert (read.number, read.symbol) == ("", "")
    assert read.missing[:2] == ("number", "symbol")


def test_text_that_is_no_directive_gives_nothing_but_its_content():
    """A chat message pasted by mistake: nothing is invented, everything is missing."""
    read = extract_directive("Đề nghị các thôn báo cáo sớm.\nCảm ơn.")
    assert read.missing == (
        "kind",
        "number",
        "symbol",
        "issuer",
        "place",
        "issued_on",
        "subject",
        "recipients",
        "distribution",
        "sections",
        "deadlines",
        "signer",
        "signer_role",
    )
    assert read.content == "Đề nghị các thôn báo cáo sớm.\nCảm ơn."
    assert read.issued_on is None and read.deadline is None and read.reference == ""


def test_the_kind_comes_from_the_symbol_when_no_title_is_printed():
    """ "Số: 12/TB-UBND" is a thông báo even when its title line was lost."""
    read = extract_directive("UBND XÃ AN HƯNG\nSố: 12/TB-UBND\nAn Hưng, ngày 02 tháng 4 năm 2026\n")
    assert (read.kind, read.reference, read.issued_on) == (
        "Thông báo",
        "12/TB-UBND",
        dt.date(2026, 4, 2),
    )


def test_an_impossible_date_of_issue_is_asked_not_corrected():
    """ "ngày 31 tháng 02" is printed, but no such day exists: the date is missing."""
    read = extract_directive("Số: 7/UBND\nAn Hưng, ngày 31 tháng 02 năm 2026\nV/v thử\n")
    assert read.issued == PartialDate("ngày 31 tháng 02 năm 2026", 31, 2, 2026)
    assert "issued_on" in read.missing


@pytest.mark.parametrize(
    ("heading", "addressed", "kind"),
    [
        ("Các ông (bà) Trưởng thôn", True, UnitKind.VILLAGE),
        ("Trưởng các thôn", True, UnitKind.VILLAGE),
        ("Các trường Mầm non, Tiểu học, THCS", True, UnitKind.SCHOOL),
        ("Hiệu trưởng các trường học", True, UnitKind.SCHOOL),
        ("Đề nghị Trung tâm Dịch vụ sự nghiệp công", True, UnitKind.OFFICE),
        ("Phòng Kinh tế", True, UnitKind.OFFICE),
        ("Hội Khuyến học xã", True, None),
        ("Công an xã", True, None),
        ("Mục đích", False, None),
        ("Tổ chức tuyên truyền tại các thôn", False, None),
    ],
)
def test_a_headings_recipients_and_their_kind_of_unit(heading, addressed, kind):
    """A heading naming no unit of the three kinds is addressed to someone, of no kind."""
    assert unit_kind(heading) == (addressed, kind)
