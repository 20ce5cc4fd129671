"""A commune with villages, a school and their focal points, and the /congvan answers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from handlers.engine import Engine as DialogEngine
from storage.db import transaction
from storage.models import Identity, Person, Role
from storage.people import add_unit
from tests.support.chat import Chat, joined

EAST, WEST, SCHOOL = "Thôn Đông", "Thôn Tây", "Trường THCS An Hưng"

EXAMPLE_NUMBER = "12/UBND-VHXH"
EXAMPLE_SUBJECT = (
    "V/v tiếp tục triển khai thực hiện Đề án Xây dựng xã hội học tập giai đoạn 2021 - 2030"
)
# The body of /work/shared/examples/congvan-an-hung-2026.txt, from "Thực hiện" to "./.".
EXAMPLE_BODY = (
    "Thực hiện Công văn số 2119/VP-VX ngày 02/3 /2026 của Văn phòng UBND Thành phố về việc "
    "triển khai thực hiện các kiến nghị của Bộ Giáo dục và Đào tạo tại Báo cáo sơ kết 5 "
    "năm thực hiện Đề án “Xây dựng xã hội học tập giai đoạn 2021 - 2030”; để tiếp tục thực "
    "hiện có hiệu quả các mục tiêu của Đề án trên địa bàn xã, UBND xã An Hưng yêu cầu các "
    "đơn vị liên quan triển khai thực hiện các nội dung sau:\n\n1. Phòng Văn hóa - Xã "
    "hội\n\n- Rà soát các mục tiêu, chỉ tiêu về xây dựng xã hội học tập; tham mưu cho UBND "
    "xã cập nhật kế hoạch thực hiện giai đoạn 2026 - 2030 sát với tình hình phát triển "
    "kinh tế - xã hội của địa phương.\n\n- Tham mưu kiện toàn và nâng cao hiệu quả hoạt "
    "động của Ban Chỉ đạo xây dựng xã hội học tập xã An Hưng; trong đó chú trọng giải pháp "
    "phát triển và duy trì bền vững Quỹ Khuyến học, khuyến tài của UBND xã để hỗ trợ kịp "
    "thời cho các đối tượng học sinh, sinh viên vượt khó, học giỏi.\n\n2. Trung tâm Dịch "
    "vụ sự nghiệp công\n\n- Chủ trì đẩy mạnh công tác thông tin, truyền thông, tạo sự đồng "
    "thuận xã hội về việc học tập suốt đời; tích cực tuyên truyền mục đích, ý nghĩa của "
    "Quỹ Khuyến học, khuyến tài để vận động các nguồn lực xã hội hóa.\n\n- Chủ động phối "
    "hợp, thường xuyên cập nhật thông tin về kết quả triển khai tại các đơn vị, cơ sở; kịp "
    "thời tham mưu biểu dương và tuyên truyền nhân\n\nrộng các mô hình học tập hiệu quả, "
    "điển hình tiên tiến như: “Gia đình học tập”, “Dòng họ học tập”, “Cộng đồng học tập” "
    "trên địa bàn xã.\n\n3. Các cơ sở giáo dục, các trường học trên địa bàn xã\n\n- Căn cứ "
    "chức năng, nhiệm vụ và tình hình thực tế, chủ động xây dựng kế hoạch và tổ chức triển "
    "khai thực hiện đồng bộ, thực chất các nội dung của Đề án tại đơn vị.\n\n- Tiếp tục "
    "củng cố, nâng cao chất lượng dạy và học; tích cực tham gia và phối hợp tổ chức các "
    "hoạt động khuyến học, khuyến tài, góp phần xây dựng môi trường giáo dục lành mạnh, "
    "hiệu quả.\n\n4. Các ông (bà) Trưởng thôn\n\n- Lòng ghép nội dung xây dựng xã hội học "
    "tập vào các buổi sinh hoạt cộng đồng tại thôn; vận động nhân dân hưởng ứng phong trào "
    "thi đua tại cơ sở.\n\n- Phối hợp với các chi hội Khuyến học tại thôn thực hiện tốt "
    "công tác vận động xây dựng Quỹ Khuyến học tại cộng đồng dân cư theo đúng quy định.\n\n"
    "Căn cứ nội dung Công văn này, các bộ phận, đơn vị và các thôn triển khai thực hiện "
    "ngay. Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các đơn vị chủ động báo "
    "cáo UBND xã (qua Phòng Văn hóa – Xã hội) để kịp thời giải quyết.\n\nUBND xã yêu cầu "
    "các đơn vị nghiêm túc thực hiện./."
)

ASK_NUMBER = "Số, ký hiệu công văn? Ví dụ: 669/KH-SGDĐT"
ASK_ISSUED = "Công văn ban hành ngày nào? Chọn Hôm nay hoặc gõ ngày dạng dd/mm/yyyy."
ASK_SUBJECT = "Trích yếu nội dung công văn? Ví dụ: V/v triển khai Đề án …"
ASK_CONTENT = "Gửi nội dung công văn dạng văn bản, hoặc gửi tệp công văn (PDF, Word)."
ASK_TARGET = "Gửi công văn tới đơn vị nào?"
ASK_UNITS = "Chọn các đơn vị nhận công văn (chọn lại để bỏ), rồi chọn Xong."
NUMBERS_HINT = (
    "Có thể gửi nhiều số một lần, ví dụ 1 3 5 hoặc 1-4 (đơn vị đã chọn sẽ được bỏ ra), "
    "hoặc “tất cả” để chọn hết."
)
"""Under a unit list on Zalo, where it is a numbered list."""
ASK_UNITS_BY_NUMBER = f"{ASK_UNITS}\n{NUMBERS_HINT}"
ASK_DEADLINE = "Hạn thực hiện là ngày nào? Gõ ngày dạng dd/mm/yyyy, hoặc chọn Không có hạn."
CHOOSE = "Vui lòng chọn một trong các mục dưới đây."
STALE = "Nút này thuộc tin nhắn cũ và không còn hiệu lực."
REFUSED = "Anh/chị không có quyền dùng lệnh này. Gửi /menu để xem các việc anh/chị có thể làm."
REFUSED_ON_ZALO = (
    "Anh/chị không có quyền dùng lệnh này. Gửi “menu” để xem các việc anh/chị có thể làm."
)
"""On Zalo the same refusal names the word to type, not the slash command."""


@dataclass
class Commune:
    """The admin, the focal points of two villages and a school, and a leader."""

    admin: Chat
    east: Chat
    east_deputy: Chat
    west: Chat
    school: Chat
    school_zalo: Chat
    leader: Chat


async def commune(engine: DialogEngine) -> Commune:
    """Register the people; the school's principal also has a Zalo account."""
    with transaction(engine.database) as session:
        add_unit(session, SCHOOL, "school")
    admin = await joined(engine, Role.ADMIN, "Trần Thị Mai", external_id="9001")
    east = await joined(engine, Role.FOCAL, "Nguyễn Văn An", unit=EAST, external_id="5001")
    deputy = await joined(engine, Role.FOCAL, "Đỗ Văn Dũng", unit=EAST, external_id="5002")
    west = await joined(
        engine, Role.FOCAL, "Lê Thị Bình", unit=WEST, channel="zalo", external_id="zbinh"
    )
    school = await joined(engine, Role.FOCAL, "Phạm Văn Cường", unit=SCHOOL, external_id="5003")
    leader = await joined(engine, Role.LEADER, "Hoàng Văn Hùng", external_id="7001")
    with transaction(engine.database) as session:
        principal = person_named(session, "Phạm Văn Cường")
        session.add(
            Identity(
                person_id=principal.id or 0, channel="zalo", external_id="zcuong", chat_id="zcuong"
            )
        )
    return Commune(admin, east, deputy, west, school, Chat(engine, "zalo", "zcuong"), leader)


def person_named(session: Session, name: str) -> Person:
    """Return the person with this name."""
    return session.exec(select(Person).where(Person.name == name)).one()


async def enter_directive(admin: Chat, *, target: str = "Tất cả đơn vị") -> list[str]:
    """Answer every /congvan question with the example directive; return the preview replies."""
    await admin.send("/congvan")
    await admin.send(EXAMPLE_NUMBER)
    await admin.send("20/03/2026")
    await admin.send(EXAMPLE_SUBJECT)
    await admin.send(EXAMPLE_BODY)
    await admin.tap(target)
    return await admin.send("30/04/2026")
