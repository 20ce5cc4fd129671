"""Directives as they reach the office damaged: accents lost, OCR misreads, lines broken,
page numbers in the middle; each with the fields a reader must still find in it.

The damage is deterministic. A variant's expected fields are the clean document's, written
out here by hand, with the same letter damage applied to the text they quote.
"""

from __future__ import annotations

import dataclasses
import re
import textwrap
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handlers.document_fields import ExtractedDirective
from handlers.document_sections import Deadline, PartialDate, TaskSection
from storage.models import UnitKind

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
Damage = Callable[[str], str]


def fixture(name: str) -> str:
    """Return the text of a document in tests/fixtures."""
    return (FIXTURES / name).read_text(encoding="utf-8")


# --- letter damage: applied to the document and to the expected fields alike ---


def strip_diacritics(text: str) -> str:
    """Drop every accent and write đ as d, as text typed on a keyboard without Vietnamese."""
    text = text.replace("đ", "d").replace("Đ", "D")
    bare = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in bare if not unicodedata.combining(c)))


def swap(pairs: dict[str, str]) -> Damage:
    """Return a damage that swaps letters as OCR misreads them (đ → p, ố → 6, ư → w)."""
    table = str.maketrans(pairs)
    return lambda text: text.translate(table)


D_AS_D = swap({"đ": "d", "Đ": "D"})
D_AS_P = swap({"đ": "p", "Đ": "P"})
O_AS_6 = swap({"ố": "6", "Ố": "6", "ơ": "o", "Ơ": "O"})
U_AS_U = swap({"ư": "u", "Ư": "U"})
U_AS_W = swap({"ư": "w", "Ư": "W"})


def both(*damages: Damage) -> Damage:
    """Apply several damages one after the other."""

    def apply(text: str) -> str:
        for damage in damages:
            text = damage(text)
        return text

    return apply


# --- layout damage: the expected fields stay as in the clean document ---


def wrapped(width: int) -> Damage:
    """Break every line longer than `width` at spaces, as a narrow PDF or a scan does."""

    def apply(text: str) -> str:
        lines = []
        for line in text.split("\n"):
            if len(line) <= width or "   " in line:
                lines.append(line)
                continue
            lines += textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False)
        return "\n".join(lines)

    return apply


def without_blank_lines(text: str) -> str:
    """Drop the empty lines between paragraphs, as text taken from a PDF comes."""
    return "\n".join(line for line in text.split("\n") if line.strip())


def page_break(text: str) -> str:
    """Cut the middle line in two with a page footer, and end the text with another."""
    lines = text.split("\n")
    middle = max(
        (i for i in range(len(lines) // 2) if lines[i].count(" ") > 4), default=len(lines) // 2
    )
    words = lines[middle].split(" ")
    half = len(words) // 2
    cut = [" ".join(words[:half]), "", "Trang 1/2", "", " ".join(words[half:])]
    return "\n".join([*lines[:middle], *cut, *lines[middle + 1 :], "", "- 2 -"])


def doubled_spaces(text: str) -> str:
    """Double every space, as a justified line pasted from a PDF has."""
    return text.replace(" ", "  ")


def spaced_number(text: str) -> str:
    """Put spaces around the slash and dash of the number: "Số: 45 / KH - VHXH"."""
    return re.sub(r"(Số:\s*\d*)/(\w+)-", r"\1 / \2 - ", text, count=1)


def misread_label(text: str) -> str:
    """Write "Số:" as OCR read it from a blurred stamp: "Só:"."""
    return text.replace("Số:", "Só:", 1)


def windows_lines(text: str) -> str:
    """End lines with CR LF, as a file saved on Windows."""
    return text.replace("\n", "\r\n")


def blank_number_and_day(text: str) -> str:
    """Empty the number and the day, as in a draft not yet registered."""
    text = re.sub(r"Số: \d+/", "Số:     /", text, count=1)
    return re.sub(r"ngày \d+ tháng", "ngày     tháng", text, count=1)


# --- the clean documents' fields ---

_PHONG = "1. Phòng Văn hóa - Xã hội"
_TRUNG_TAM = "2. Trung tâm Dịch vụ sự nghiệp công"
_TRUONG = "3. Các cơ sở giáo dục, các trường học trên địa bàn xã"
_THON = "4. Các ông (bà) Trưởng thôn"
_KINDS = (UnitKind.OFFICE, UnitKind.OFFICE, UnitKind.SCHOOL, UnitKind.VILLAGE)


def _sections(bodies: tuple[str, ...]) -> tuple[TaskSection, ...]:
    headings = (_PHONG, _TRUNG_TAM, _TRUONG, _THON)
    return tuple(
        TaskSection(heading, heading[3:], body, kind)
        for heading, body, kind in zip(headings, bodies, _KINDS, strict=True)
    )


def _content(opening: list[str], sections: tuple[TaskSection, ...], closing: list[str]) -> str:
    parts = list(opening)
    for section in sections:
        parts += [section.heading, section.body]
    return "\n".join([*parts, *closing])


_AN_HUNG_SECTIONS = _sections(
    (
        "- Rà soát các mục tiêu, chỉ tiêu về xây dựng xã hội học tập; tham mưu cho UBND xã cập "
        "nhật kế hoạch thực hiện giai đoạn 2026 - 2030 sát với tình hình phát triển kinh tế - xã "
        "hội của địa phương.\n- Tham mưu kiện toàn và nâng cao hiệu quả hoạt động của Ban Chỉ "
        "đạo xây dựng xã hội học tập xã An Hưng; trong đó chú trọng giải pháp phát triển và duy "
        "trì bền vững Quỹ Khuyến học, khuyến tài của UBND xã để hỗ trợ kịp thời cho các đối "
        "tượng học sinh, sinh viên vượt khó, học giỏi.",
        "- Chủ trì đẩy mạnh công tác thông tin, truyền thông, tạo sự đồng thuận xã hội về việc "
        "học tập suốt đời; tích cực tuyên truyền mục đích, ý nghĩa của Quỹ Khuyến học, khuyến tài "
        "để vận động các nguồn lực xã hội hóa.\n- Chủ động phối hợp, thường xuyên cập nhật thông "
        "tin về kết quả triển khai tại các đơn vị, cơ sở; kịp thời tham mưu biểu dương và tuyên "
        "truyền nhân rộng các mô hình học tập hiệu quả, điển hình tiên tiến như: “Gia đình học "
        "tập”, “Dòng họ học tập”, “Cộng đồng học tập” trên địa bàn xã.",
        "- Căn cứ chức năng, nhiệm vụ và tình hình thực tế, chủ động xây dựng kế hoạch và tổ "
        "chức triển khai thực hiện đồng bộ, thực chất các nội dung của Đề án tại đơn vị.\n- Tiếp "
        "tục củng cố, nâng cao chất lượng dạy và học; tích cực tham gia và phối hợp tổ chức các "
        "hoạt động khuyến học, khuyến tài, góp phần xây dựng môi trường giáo dục lành mạnh, hiệu "
        "quả.",
        "- Lòng ghép nội dung xây dựng xã hội học tập vào các buổi sinh hoạt cộng đồng tại thôn; "
        "vận động nhân dân hưởng ứng phong trào thi đua tại cơ sở.\n- Phối hợp với các chi hội "
        "Khuyến học tại thôn thực hiện tốt công tác vận động xây dựng Quỹ Khuyến học tại cộng "
        "đồng dân cư theo đúng quy định.",
    )
)

AN_HUNG_2026 = ExtractedDirective(
    kind="Công văn",
    number="",
    symbol="UBND-VHXH",
    issuer="",
    place="An Hưng",
    issued=PartialDate("ngày tháng 03 năm 2026", None, 3, 2026),
    subject='V/v tiếp tục triển khai thực hiện Đề án "Xây dựng xã hội học tập giai đoạn '
    '2021 - 2030"',
    recipients=(
        "Trung tâm Dịch vụ sự nghiệp công xã",
        "Hiệu trưởng các trường học trên địa bàn xã",
        "Các ông (bà) Trưởng thôn",
    ),
    distribution=("Như trên", "CT, các PCT UBND xã (đề b/c)", "Lưu: VT, VHXXH"),
    sections=_AN_HUNG_SECTIONS,
    deadlines=(),
    signer="Ngô Thị Hải Ninh",
    signer_role="TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH",
    content=_content(
        [
            "Thực hiện Công văn số 2119/VP-VX ngày 02/3 /2026 của Văn phòng UBND Thành phố về "
            "việc triển khai thực hiện các kiến nghị của Bộ Giáo dục và Đào tạo tại Báo cáo sơ "
            "kết 5 năm thực hiện Đề án “Xây dựng xã hội học tập giai đoạn 2021 - 2030”; để tiếp "
            "tục thực hiện có hiệu quả các mục tiêu của Đề án trên địa bàn xã, UBND xã An Hưng "
            "yêu cầu các đơn vị liên quan triển khai thực hiện các nội dung sau:"
        ],
        _AN_HUNG_SECTIONS,
        [
            "Căn cứ nội dung Công văn này, các bộ phận, đơn vị và các thôn triển khai thực hiện "
            "ngay. Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các đơn vị chủ động báo "
            "cáo UBND xã (qua Phòng Văn hóa – Xã hội) để kịp thời giải quyết.",
            "UBND xã yêu cầu các đơn vị nghiêm túc thực hiện./.",
        ],
    ),
)
"""The real công văn: a draft, so its number and day are blank; no deadline, no issuer."""

_PLAN_TASKS = (
    "- Chủ trì, hướng dẫn các thôn, các trường học triển khai Kế hoạch; tổng hợp kết quả, "
    "báo cáo Chủ tịch UBND xã trước ngày 20/12/2025.",
    "- Tuyên truyền về Quỹ Khuyến học, khuyến tài trên hệ thống truyền thanh của xã; hoàn thành "
    "các chuyên mục trước 15/4.",
    "- Rà soát danh sách học sinh có hoàn cảnh khó khăn vươn lên học tốt; chậm nhất ngày "
    "28/03/2025 gửi báo cáo về UBND xã (qua Phòng Văn hóa - Xã hội).\n- Phối hợp với chi hội "
    "Khuyến học tổ chức trao học bổng cho học sinh vượt khó, học giỏi.",
    "- Tổ chức bình xét “Gia đình học tập”, “Dòng họ học tập” tại thôn; gửi hồ sơ đề nghị công "
    "nhận về Phòng Văn hóa - Xã hội xong trước ngày 20 tháng 12 năm 2025.",
)
_PLAN_SECTIONS = _sections(_PLAN_TASKS)

KE_HOACH_2025 = ExtractedDirective(
    kind="Kế hoạch",
    number="45",
    symbol="KH-VHXH",
    issuer="UBND XÃ AN HƯNG / PHÒNG VĂN HÓA - XÃ HỘI",
    place="An Hưng",
    issued=PartialDate("ngày 07 tháng 3 năm 2025", 7, 3, 2025),
    subject="Tổ chức các hoạt động khuyến học, khuyến tài và đánh giá, công nhận “Gia đình học "
    "tập”, “Dòng họ học tập” năm 2025",
    recipients=(),
    distribution=(
        "Chủ tịch UBND xã (b/c)",
        "Trung tâm DVSNC xã",
        "Các trường học trên địa bàn xã",
        "Các thôn",
        "Lưu: VT, VHXH",
    ),
    sections=_PLAN_SECTIONS,
    deadlines=(
        Deadline(
            PartialDate("20/12/2025", 20, 12, 2025),
            "tổng hợp kết quả, báo cáo Chủ tịch UBND xã trước ngày 20/12/2025.",
            0,
        ),
        Deadline(PartialDate("15/4", 15, 4, None), "hoàn thành các chuyên mục trước 15/4.", 1),
        Deadline(
            PartialDate("28/03/2025", 28, 3, 2025),
            "chậm nhất ngày 28/03/2025 gửi báo cáo về UBND xã (qua Phòng Văn hóa - Xã hội).",
            2,
        ),
        Deadline(
            PartialDate("ngày 20 tháng 12 năm 2025", 20, 12, 2025),
            "gửi hồ sơ đề nghị công nhận về Phòng Văn hóa - Xã hội xong trước ngày 20 tháng 12 "
            "năm 2025.",
            3,
        ),
    ),
    signer="Trần Văn Bình",
    signer_role="KT. TRƯỞNG PHÒNG / PHÓ TRƯỞNG PHÒNG",
    content=_content(
        [
            "Căn cứ Kế hoạch số 669/KH-SGDĐT ngày 28/02/2025 của Sở Giáo dục và Đào tạo về triển "
            "khai xây dựng xã hội học tập năm 2025; Phòng Văn hóa - Xã hội xây dựng Kế hoạch tổ "
            "chức các hoạt động khuyến học, khuyến tài năm 2025 trên địa bàn xã như sau:",
            "I. MỤC ĐÍCH, YÊU CẦU",
            "1. Mục đích",
            "- Nâng cao nhận thức của cán bộ, đảng viên và nhân dân về vai trò của học tập suốt "
            "đời trong xây dựng xã hội học tập.",
            "2. Yêu cầu",
            "- Các hoạt động được tổ chức thiết thực, tiết kiệm, phù hợp với điều kiện của từng "
            "thôn, từng trường.",
            "II. TỔ CHỨC THỰC HIỆN",
        ],
        _PLAN_SECTIONS,
        [
            "Trên đây là Kế hoạch tổ chức các hoạt động khuyến học, khuyến tài năm 2025 của Phòng "
            "Văn hóa - Xã hội. Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các đơn vị "
            "báo cáo về Phòng Văn hóa - Xã hội để kịp thời giải quyết./."
        ],
    ),
)
"""A kế hoạch written for these tests in the commune's style, with four deadlines."""

DOCUMENTS = {
    "congvan-an-hung-2026.txt": AN_HUNG_2026,
    "kehoach-an-hung-2025.txt": KE_HOACH_2025,
}


def damaged_fields(fields: Any, letters: Damage) -> Any:
    """Apply letter damage to every quoted text of the expected fields (not kind, not dates)."""
    if isinstance(fields, str):
        return letters(fields)
    if isinstance(fields, tuple):
        return tuple(damaged_fields(item, letters) for item in fields)
    if dataclasses.is_dataclass(fields) and not isinstance(fields, type):
        changes = {
            field.name: damaged_fields(getattr(fields, field.name), letters)
            for field in dataclasses.fields(fields)
            if field.name != "kind" and not isinstance(getattr(fields, field.name), UnitKind)
        }
        return dataclasses.replace(fields, **changes)
    return fields


@dataclass(frozen=True)
class Variant:
    """A damaged copy of a document and the fields that must be read from it."""

    name: str
    text: str
    expected: ExtractedDirective


def _variant(
    name: str, document: str, letters: Damage | None = None, layout: Damage | None = None
) -> Variant:
    text = fixture(document)
    expected = DOCUMENTS[document]
    if letters:
        text, expected = letters(text), damaged_fields(expected, letters)
    return Variant(name, layout(text) if layout else text, expected)


def _draft() -> Variant:
    plan = _variant("kế hoạch, number and day blank", "kehoach-an-hung-2025.txt")
    issued = PartialDate("ngày tháng 3 năm 2025", None, 3, 2025)
    expected = dataclasses.replace(plan.expected, number="", issued=issued)
    return Variant(plan.name, blank_number_and_day(plan.text), expected)


def variants() -> list[Variant]:
    """Every damaged variant of the two documents, each with its expected fields."""
    letter, plan = "congvan-an-hung-2026.txt", "kehoach-an-hung-2025.txt"
    return [
        _variant("công văn without diacritics", letter, strip_diacritics),
        _variant("công văn, OCR đ → p", letter, D_AS_P),
        _variant("công văn, OCR ố → 6, ơ → o, ư → w", letter, both(O_AS_6, U_AS_W)),
        _variant(
            "công văn wrapped at 50 with a page footer", letter, None, both(wrapped(50), page_break)
        ),
        _variant(
            "công văn as from a PDF (wrapped at 72, no blank lines)",
            letter,
            None,
            both(wrapped(72), without_blank_lines),
        ),
        _variant("công văn with doubled spaces", letter, None, doubled_spaces),
        _variant("kế hoạch without diacritics, wrapped at 60", plan, strip_diacritics, wrapped(60)),
        _variant("kế hoạch, OCR đ → d, ư → u", plan, both(D_AS_D, U_AS_U)),
        _variant("kế hoạch, OCR ố → 6 (S6:), ơ → o", plan, O_AS_6),
        _variant(
            "kế hoạch with a page footer mid-sentence", plan, None, both(wrapped(70), page_break)
        ),
        _draft(),
        _variant(
            "kế hoạch, Só: and 45 / KH - VHXH, CR LF",
            plan,
            None,
            both(misread_label, spaced_number, windows_lines),
        ),
        _variant(
            "kế hoạch as from a PDF (wrapped at 65, no blank lines)",
            plan,
            None,
            both(wrapped(65), without_blank_lines),
        ),
        _variant("kế hoạch, OCR đ → p, doubled spaces", plan, D_AS_P, doubled_spaces),
    ]
