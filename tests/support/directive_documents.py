"""The fields of the two test documents, written out by hand as an officer reads them."""

from __future__ import annotations

from pathlib import Path

from handlers.document_fields import ExtractedDirective
from handlers.document_sections import Deadline, PartialDate, TaskSection
from storage.models import UnitKind

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def fixture(name: str) -> str:
    """Return the text of a document in tests/fixtures."""
    return (FIXTURES / name).read_text(encoding="utf-8")


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
