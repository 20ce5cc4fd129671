"""A commune with people of every role and units of every kind, and the /thongbao answers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from handlers.engine import Engine as DialogEngine
from storage.db import transaction
from storage.models import Broadcast, Identity, OutboxMessage, OutboxStatus, Person, Role
from storage.people import add_unit
from tests.support.chat import Chat, joined
from tests.support.directives import NUMBERS_HINT

EAST, WEST, SCHOOL, CENTRE = (
    "Thôn Đông",
    "Thôn Tây",
    "Trường THCS An Hưng",
    "Trung tâm Dịch vụ sự nghiệp công",
)
MAI, HOA, HUNG = "Trần Thị Mai", "Lê Thị Hoa", "Hoàng Văn Hùng"
AN, BINH, CUONG, DUNG = "Nguyễn Văn An", "Lê Thị Bình", "Phạm Văn Cường", "Đỗ Thị Dung"

ASK_TEXT = (
    "Anh/chị nhập nội dung thông báo. Có thể gửi kèm một ảnh, nội dung ghi ở phần chú thích "
    "ảnh; người dùng Zalo chỉ nhận phần chữ."
)
"""Without a public address, Zalo cannot be sent the photo."""
ASK_AUDIENCE = "Gửi thông báo tới ai?"
AUDIENCE_LABELS = [
    "Tất cả mọi người",
    "Quản trị viên",
    "Lãnh đạo xã",
    "Tất cả đầu mối",
    "Tất cả các thôn",
    "Tất cả các trường",
    "Chọn đơn vị",
]
ASK_UNITS = "Chọn các đơn vị có đầu mối nhận thông báo (chọn lại để bỏ), rồi chọn Xong."
ASK_UNITS_BY_NUMBER = f"{ASK_UNITS}\n{NUMBERS_HINT}"
CHOOSE = "Vui lòng chọn một trong các mục dưới đây."
STALE = "Nút này thuộc tin nhắn cũ và không còn hiệu lực."
NO_MENU = "Gửi /menu để xem các việc anh/chị có thể làm."
MENU = "Anh/chị muốn làm gì?"
"""What a message the bot cannot place outside a dialog gets: the menu itself."""
MEETING = (
    "Kính mời các đồng chí dự hội nghị sơ kết 5 năm xây dựng xã hội học tập lúc 8 giờ 00 "
    "ngày 27/3/2026 tại hội trường UBND xã."
)


def preview(text: str, audience: str, count: int, *, photo: bool = False) -> str:
    """The preview the admin checks before sending."""
    lines = ["Anh/chị kiểm tra lại thông báo:", text, ""]
    if photo:
        lines.append("Kèm ảnh (người dùng Zalo chỉ nhận phần chữ).")
    lines += [f"Gửi tới: {audience}", f"Số người nhận: {count}", "", "Gửi thông báo này?"]
    return "\n".join(lines)


def announcement(text: str = MEETING, author: str = MAI) -> str:
    """What a recipient reads."""
    return f"📢 Thông báo của Phòng Văn hóa – Xã hội ({author}):\n\n{text}"


def sending(count: int) -> str:
    """The admin's answer after Gửi."""
    return (
        f"Đang gửi thông báo tới {count} người. Khi gửi xong, anh/chị sẽ nhận kết quả gửi."
    )


@dataclass
class Office:
    """Two admins, a leader, and a focal point for each of two villages, a school and an office.

    Bình (Thôn Tây) uses Zalo; Cường (the school) uses Telegram and Zalo.
    """

    mai: Chat
    hoa: Chat
    hung: Chat
    an: Chat
    binh: Chat
    cuong: Chat
    cuong_zalo: Chat
    dung: Chat


async def office(engine: DialogEngine, *, mai_channel: str = "telegram") -> Office:
    """Register everyone by invite, as they would join."""
    with transaction(engine.database) as session:
        add_unit(session, SCHOOL, "school")
        add_unit(session, CENTRE, "office")
    mai_id = "9001" if mai_channel == "telegram" else "zmai"
    mai = await joined(engine, Role.ADMIN, MAI, channel=mai_channel, external_id=mai_id)
    hoa = await joined(engine, Role.ADMIN, HOA, external_id="9002")
    hung = await joined(engine, Role.LEADER, HUNG, external_id="7001")
    an = await joined(engine, Role.FOCAL, AN, unit=EAST, external_id="5001")
    binh = await joined(engine, Role.FOCAL, BINH, unit=WEST, channel="zalo", external_id="zbinh")
    cuong = await joined(engine, Role.FOCAL, CUONG, unit=SCHOOL, external_id="5003")
    dung = await joined(engine, Role.FOCAL, DUNG, unit=CENTRE, external_id="5004")
    with transaction(engine.database) as session:
        principal = person_named(session, CUONG)
        assert principal.id is not None
        session.add(
            Identity(person_id=principal.id, channel="zalo", external_id="zcuong", chat_id="zcuong")
        )
    return Office(mai, hoa, hung, an, binh, cuong, Chat(engine, "zalo", "zcuong"), dung)


def person_named(session: Session, name: str) -> Person:
    """Return the person with this name."""
    return session.exec(select(Person).where(Person.name == name)).one()


async def up_to_preview(admin: Chat, audience: str, text: str = MEETING) -> list[str]:
    """Start /thongbao, type the text, choose the audience; return the preview replies."""
    await admin.send("/thongbao")
    await admin.send(text)
    return await admin.tap(audience)


async def broadcast(admin: Chat, audience: str = "Tất cả mọi người", text: str = MEETING) -> int:
    """Send an announcement through the whole dialog; return the broadcast's id."""
    await up_to_preview(admin, audience, text)
    await admin.tap("Gửi")
    with Session(admin.database) as session:
        found = session.exec(select(Broadcast).order_by(col(Broadcast.id).desc())).first()
        assert found is not None and found.id is not None
        return found.id


def broadcast_rows(database: Engine, broadcast_id: int) -> list[OutboxMessage]:
    """The outbox rows of one broadcast, oldest first."""
    with Session(database) as session:
        query = select(OutboxMessage).where(OutboxMessage.broadcast_id == broadcast_id)
        return list(session.exec(query.order_by(col(OutboxMessage.id))))


def recipients_by_name(database: Engine, broadcast_id: int) -> dict[str, list[str]]:
    """Who a broadcast was queued for: name → channels, in queue order."""
    with Session(database) as session:
        names = {p.id: p.name for p in session.exec(select(Person))}
    found: dict[str, list[str]] = {}
    for row in broadcast_rows(database, broadcast_id):
        found.setdefault(names[row.person_id], []).append(row.channel)
    return found


def mark_rows(
    database: Engine, broadcast_id: int, status: OutboxStatus, *names: str, channel: str = ""
) -> None:
    """Play the sender: mark the named people's rows (on one channel, or all) sent or failed."""
    with transaction(database) as session:
        ids = {person_named(session, name).id for name in names}
        query = select(OutboxMessage).where(
            OutboxMessage.broadcast_id == broadcast_id, col(OutboxMessage.person_id).in_(ids)
        )
        for row in session.exec(query):
            if channel and row.channel != channel:
                continue
            row.status = status.value
            session.add(row)


def block(database: Engine, name: str, channel: str) -> None:
    """Play the sender on a 'blocked by the user' answer: that chat becomes unreachable."""
    with transaction(database) as session:
        person = person_named(session, name)
        identity = session.exec(
            select(Identity).where(Identity.person_id == person.id, Identity.channel == channel)
        ).one()
        identity.reachable, identity.unreachable_reason = False, "blocked by the user"
        session.add(identity)
