"""/donvi keeps the roster current: people leave, units close, focal points move, and the bot
follows: who is off the list gets nothing more and is answered like a stranger."""

from __future__ import annotations

from sqlmodel import Session, select

from handlers.i18n import Translator
from handlers.joining import explain
from handlers.roster import farewell
from storage.db import transaction
from storage.models import (
    Assignment,
    AuditEntry,
    Identity,
    OutboxMessage,
    OutboxStatus,
    Person,
    ProgressReport,
    Role,
    Unit,
)
from tests.support.assignments import seed_person
from tests.support.chat import Chat, invite, joined
from tests.support.directives import (
    EAST,
    SCHOOL,
    WEST,
    commune,
    enter_directive,
    person_named,
)

UNIT_ACTION = "Anh/chị muốn làm gì với danh sách đơn vị?"
WHO_TO_REMOVE = "Anh/chị muốn xóa ai khỏi danh sách?"
FAREWELL = (
    "Anh/chị không còn trong danh sách nhận tin của UBND xã nên sẽ không nhận thêm tin nào. "
    "Nếu có nhầm lẫn, đề nghị liên hệ Phòng Văn hóa – Xã hội."
)
HOW_TO_JOIN = explain(Translator("vi"), None)
AN = "Nguyễn Văn An — Thôn Đông"
DUNG = "Đỗ Văn Dũng — Thôn Đông"


def person(database, name: str) -> Person:
    with Session(database) as session:
        return person_named(session, name)


def audit(database, action: str) -> list[AuditEntry]:
    with Session(database) as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)))


def unit(database, name: str) -> Unit:
    with Session(database) as session:
        return session.exec(select(Unit).where(Unit.name == name)).one()


async def remove(admin: Chat, label: str) -> list[str]:
    """/donvi → Remove a person → `label` → Remove; return the last replies."""
    await admin.send("/donvi")
    await admin.tap("Xóa người")
    await admin.tap(label)
    return await admin.tap("Xóa")


async def test_admin_removes_a_village_head_who_then_gets_nothing(engine, database, clock):
    """Thôn Đông elected a new head: the admin removes An in four taps, An is told once, and the
    next directive reaches the deputy but not An."""
    town = await commune(engine)
    admin = town.admin
    assert (await admin.send("/donvi"))[-1] == UNIT_ACTION
    assert admin.labels() == [
        "Thêm đơn vị",
        "Đổi tên",
        "Lưu trữ đơn vị",
        "Người dùng",
        "Xóa người",
        "Chuyển đầu mối",
    ]
    assert await admin.tap("Xóa người") == [WHO_TO_REMOVE]
    # Everyone but the admin herself, office first, then focal points by unit.
    assert admin.labels() == [
        "Hoàng Văn Hùng — lãnh đạo xã",
        DUNG,
        AN,
        "Lê Thị Bình — Thôn Tây",
        "Phạm Văn Cường — Trường THCS An Hưng",
    ]
    assert await admin.tap(AN) == [
        f"Xóa {AN} khỏi danh sách? Người này sẽ không nhận thêm tin nào từ bot. Báo cáo, xác "
        "nhận đã nhận và các khoản đóng góp của họ vẫn được giữ lại."
    ]
    assert admin.labels() == ["Xóa", "Hủy"]
    assert await admin.tap("Xóa") == [
        "Đã xóa Nguyễn Văn An khỏi danh sách và báo cho người này; dữ liệu cũ vẫn được giữ lại."
    ]
    assert town.east.inbox() == [FAREWELL]
    an = person(database, "Nguyễn Văn An")
    assert an.removed_at is not None and an.unit_id == unit(database, EAST).id
    [entry] = audit(database, "person.remove")
    assert entry.person_id == person(database, "Trần Thị Mai").id
    assert entry.detail["person_id"] == an.id
    assert entry.detail["before"] == {"removed_at": None}
    assert entry.detail["after"]["removed_at"] is not None

    await enter_directive(admin)
    await admin.tap("Gửi")
    assert town.east.inbox() == []
    assert len(town.east_deputy.inbox()) == 1
    assert "2 người" not in (admin.inbox() or [""])[0]


async def test_a_removed_person_is_answered_like_a_stranger_and_may_join_again(engine, database):
    """An writes after his removal: he is told how to join, once a day, like any stranger;
    with a new code he joins again as a new person, his old record untouched."""
    town = await commune(engine)
    await remove(town.admin, AN)
    town.east.inbox()
    assert await town.east.send("/baocao") == [HOW_TO_JOIN]
    assert await town.east.send("/menu") == []
    code = invite(database, Role.FOCAL, WEST)
    replies = await town.east.send(f"/start {code}")
    assert (
        replies[0]
        == "Phòng Văn hóa – Xã hội chào mừng anh/chị tham gia với vai trò đầu mối của Thôn Tây."
    )
    with Session(database) as session:
        [identity] = session.exec(select(Identity).where(Identity.external_id == "5001"))
        newcomer = session.get(Person, identity.person_id)
        assert newcomer is not None and newcomer.removed_at is None
        assert newcomer.id != person(database, "Nguyễn Văn An").id


async def test_the_farewell_goes_once_to_every_chat_of_the_person(engine, database, clock):
    """The principal has Telegram and Zalo: each chat is told once; telling again sends nothing."""
    town = await commune(engine)
    await remove(town.admin, "Phạm Văn Cường — Trường THCS An Hưng")
    assert town.school.inbox() == [FAREWELL]
    assert town.school_zalo.inbox() == [FAREWELL]
    with transaction(database) as session:
        cuong = person_named(session, "Phạm Văn Cường")
        chats = list(session.exec(select(Identity).where(Identity.person_id == cuong.id)))
        assert farewell(session, cuong, chats, "Asia/Ho_Chi_Minh", clock.now) == []
    assert town.school.inbox() == [] and town.school_zalo.inbox() == []


async def test_messages_waiting_for_a_removed_person_are_not_sent(engine, database, clock):
    """A directive pushed at night waits for the morning; An is removed before then: it stays
    unsent, and his history (acknowledgement, report) is kept."""
    town = await commune(engine)
    await enter_directive(town.admin)
    await town.admin.tap("Gửi")
    [pushed] = town.east.last_rows()
    await town.east.tap("Đã nhận")
    await remove(town.admin, AN)
    with Session(database) as session:
        row = session.get(OutboxMessage, pushed.id)
        assert row is not None and row.status == OutboxStatus.FAILED.value
        assert row.last_error == "person removed"
        an = person_named(session, "Nguyễn Văn An")
        assignment = session.exec(select(Assignment).where(Assignment.unit_id == an.unit_id)).one()
    with Session(database) as session:
        from storage.directives import find_acknowledgement

        assert find_acknowledgement(session, assignment.id or 0, an.id or 0) is not None


async def test_history_of_a_removed_person_stays_on_status(engine, database, clock):
    """An reported 'done' before leaving: /tinhhinh still shows Thôn Đông completed."""
    town = await commune(engine)
    await enter_directive(town.admin, target="Tất cả các thôn")
    await town.admin.tap("Gửi")
    town.east.inbox()
    await town.east.send("/baocao")
    await town.east.tap("Đã hoàn thành")
    await town.east.tap("Gửi báo cáo")
    await remove(town.admin, AN)
    with Session(database) as session:
        assert len(list(session.exec(select(ProgressReport)))) == 1
    [summary, _choose] = await town.admin.send("/tinhhinh")
    assert "Đã báo cáo: 1/2 đơn vị\nHoàn thành: 1/2 đơn vị" in summary


async def test_an_admin_cannot_remove_themself(engine, database):
    """The admin is not offered in her own list; another admin can remove her."""
    town = await commune(engine)
    other = await joined(engine, Role.ADMIN, "Vũ Thị Lan", external_id="9002")
    await town.admin.send("/donvi")
    await town.admin.tap("Xóa người")
    assert "Trần Thị Mai — quản trị viên" not in town.admin.labels()
    assert "Vũ Thị Lan — quản trị viên" in town.admin.labels()
    await remove(other, "Trần Thị Mai — quản trị viên")
    assert person(database, "Trần Thị Mai").removed_at is not None
    assert await town.admin.send("/donvi") == [FAREWELL, HOW_TO_JOIN]


async def test_removing_someone_another_admin_removed_meanwhile(engine, database):
    """Two admins remove An at once: the second is told he has already been removed."""
    town = await commune(engine)
    other = await joined(engine, Role.ADMIN, "Vũ Thị Lan", external_id="9002")
    await town.admin.send("/donvi")
    await town.admin.tap("Xóa người")
    await town.admin.tap(AN)
    await remove(other, AN)
    assert await town.admin.tap("Xóa") == ["Nguyễn Văn An đã được xóa khỏi danh sách trước đó."]
    assert len(audit(database, "person.remove")) == 1


async def test_cancel_changes_nothing(engine, database):
    town = await commune(engine)
    await town.admin.send("/donvi")
    await town.admin.tap("Xóa người")
    await town.admin.tap(AN)
    assert await town.admin.tap("Hủy") == ["Đã hủy. Không có gì thay đổi."]
    assert person(database, "Nguyễn Văn An").removed_at is None
    assert audit(database, "person.remove") == []
    assert town.east.inbox() == []


async def test_the_people_list(engine, database):
    """'Người dùng' lists who is on the roster; removed people are not on it."""
    town = await commune(engine)
    await remove(town.admin, DUNG)
    await town.admin.send("/donvi")
    assert await town.admin.tap("Người dùng") == [
        "\n".join(
            [
                "Người dùng (5):",
                "",
                "Quản trị viên:",
                "• Trần Thị Mai — quản trị viên",
                "",
                "Lãnh đạo xã:",
                "• Hoàng Văn Hùng — lãnh đạo xã",
                "",
                "Đầu mối các đơn vị:",
                f"• {AN}",
                "• Lê Thị Bình — Thôn Tây",
                "• Phạm Văn Cường — Trường THCS An Hưng",
            ]
        )
    ]


async def test_many_people_are_picked_unit_first(engine, database):
    """With more people than fit in one list, the admin picks the unit, then the person."""
    town = await commune(engine)
    for number in range(20):
        seed_person(database, f"Người {number:02d}", unit="Thôn Bắc")
    await town.admin.send("/donvi")
    assert await town.admin.tap("Xóa người") == ["Người đó thuộc đơn vị nào?"]
    assert town.admin.labels() == [
        "Quản trị viên và lãnh đạo xã",
        "Thôn Bắc",
        EAST,
        WEST,
        SCHOOL,
    ]
    assert await town.admin.tap(EAST) == [WHO_TO_REMOVE]
    assert town.admin.labels() == [DUNG, AN]
    await town.admin.tap(DUNG)
    await town.admin.tap("Xóa")
    assert person(database, "Đỗ Văn Dũng").removed_at is not None


# --- archiving a unit -----------------------------------------------------------------------


async def archive(admin: Chat, name: str) -> list[str]:
    await admin.send("/donvi")
    await admin.tap("Lưu trữ đơn vị")
    await admin.tap(name)
    return await admin.tap("Lưu trữ")


async def test_admin_archives_a_village_and_it_leaves_every_picker(engine, database):
    """Thôn Tây merged into another village: once archived it is gone from /donvi, /moi,
    /congvan and /thongbao, and its focal point gets no more directives."""
    town = await commune(engine)
    admin = town.admin
    await admin.send("/donvi")
    assert await admin.tap("Lưu trữ đơn vị") == ["Anh/chị muốn lưu trữ đơn vị nào?"]
    assert admin.labels() == [EAST, WEST, SCHOOL]
    assert await admin.tap(WEST) == [
        "Lưu trữ Thôn Tây? Đơn vị sẽ không còn trong danh sách đơn vị, tình hình thực hiện công "
        "văn và nhắc việc; dữ liệu cũ vẫn được giữ lại.\n1 đầu mối của đơn vị sẽ không nhận "
        "thêm tin nào; anh/chị chuyển họ sang đơn vị khác hoặc xóa khỏi danh sách."
    ]
    assert await admin.tap("Lưu trữ") == ["Đã lưu trữ Thôn Tây."]
    assert unit(database, WEST).archived_at is not None
    [entry] = audit(database, "unit.archive")
    assert entry.detail["unit_id"] == unit(database, WEST).id
    assert entry.detail["before"] == {"archived_at": None}

    [units, _ask] = await admin.send("/donvi")
    assert WEST not in units and EAST in units
    await admin.send("/huy")
    await admin.send("/moi")
    await admin.tap("Đầu mối đơn vị")
    assert WEST not in admin.labels()
    await admin.send("/huy")
    await admin.send("/thongbao")
    await admin.send("Họp giao ban thứ Hai.")
    await admin.tap("Chọn đơn vị")
    assert [label for label in admin.labels() if "Tây" in label] == []
    await admin.send("/huy")
    await enter_directive(admin)
    await admin.tap("Gửi")
    assert town.west.inbox() == []
    assert len(town.east.inbox()) == 1


async def test_nothing_more_is_sent_for_an_archived_unit(engine, database):
    """A directive went to Thôn Tây before it was archived: its assignment stays on record, but
    /tinhhinh leaves it out."""
    town = await commune(engine)
    await enter_directive(town.admin, target="Tất cả các thôn")
    await town.admin.tap("Gửi")
    await archive(town.admin, WEST)
    with Session(database) as session:
        assert len(list(session.exec(select(Assignment)))) == 2
    [summary, _choose] = await town.admin.send("/tinhhinh")
    assert "Đã báo cáo: 0/1 đơn vị" in summary
    assert "Đã nhận: 0/2 người" in summary


# --- moving a focal point -------------------------------------------------------------------


async def test_admin_moves_a_focal_point_who_then_works_for_the_new_unit(engine, database):
    """Dũng moves from Thôn Đông to Thôn Tây: the next directive for Thôn Tây reaches him and
    he reports for Thôn Tây."""
    town = await commune(engine)
    admin = town.admin
    await admin.send("/donvi")
    assert await admin.tap("Chuyển đầu mối") == ["Anh/chị muốn chuyển đầu mối nào?"]
    assert admin.labels() == [
        DUNG,
        AN,
        "Lê Thị Bình — Thôn Tây",
        "Phạm Văn Cường — Trường THCS An Hưng",
    ]
    assert await admin.tap(DUNG) == [f"Chuyển {DUNG} sang đơn vị nào?"]
    assert admin.labels() == [WEST, SCHOOL]
    assert await admin.tap(WEST) == [
        "Chuyển Đỗ Văn Dũng từ Thôn Đông sang Thôn Tây? Từ nay người này nhận công văn của "
        "Thôn Tây và báo cáo cho đơn vị đó."
    ]
    assert await admin.tap("Chuyển") == ["Từ nay Đỗ Văn Dũng là đầu mối của Thôn Tây."]
    assert person(database, "Đỗ Văn Dũng").unit_id == unit(database, WEST).id
    [entry] = audit(database, "person.move")
    assert entry.detail["before"] == {"unit_id": unit(database, EAST).id, "unit": EAST}
    assert entry.detail["after"] == {"unit_id": unit(database, WEST).id, "unit": WEST}

    await admin.send("/congvan")
    await admin.send("13/UBND-VHXH")
    await admin.send("20/03/2026")
    await admin.send("V/v rà soát hộ nghèo")
    await admin.send("Rà soát và báo cáo.")
    await admin.tap("Chọn đơn vị")
    await admin.tap(WEST)
    await admin.tap("Xong")
    await admin.tap("Không có hạn")
    await admin.tap("Gửi")
    assert len(town.east_deputy.inbox()) == 1
    assert town.east.inbox() == []
    assert await town.east_deputy.send("/baocao") == [
        "Báo cáo 13/UBND-VHXH — V/v rà soát hộ nghèo.\nTình hình thực hiện đến nay thế nào?"
    ]
    await town.east_deputy.tap("Đang thực hiện")
    await town.east_deputy.tap("Gửi báo cáo")
    with Session(database) as session:
        [report] = session.exec(select(ProgressReport))
        assignment = session.get(Assignment, report.assignment_id)
        assert assignment is not None and assignment.unit_id == unit(database, WEST).id


async def test_moving_someone_to_the_unit_they_are_in_is_refused(engine, database, clock):
    """Two admins move Dũng to Thôn Tây at once: the second learns he is already there."""
    town = await commune(engine)
    other = await joined(engine, Role.ADMIN, "Vũ Thị Lan", external_id="9002")
    for admin in (town.admin, other):
        await admin.send("/donvi")
        await admin.tap("Chuyển đầu mối")
        await admin.tap(DUNG)
        await admin.tap(WEST)
    await other.tap("Chuyển")
    assert await town.admin.tap("Chuyển") == ["Đỗ Văn Dũng đã là đầu mối của Thôn Tây."]
    assert len(audit(database, "person.move")) == 1


async def test_a_removed_admin_hears_of_no_difficulty(engine, database):
    """Lan left the office: when Thôn Đông reports a difficulty, only Mai is told."""
    town = await commune(engine)
    lan = await joined(engine, Role.ADMIN, "Vũ Thị Lan", external_id="9002")
    await remove(town.admin, "Vũ Thị Lan — quản trị viên")
    assert lan.inbox() == [FAREWELL]
    await enter_directive(town.admin, target="Tất cả các thôn")
    await town.admin.tap("Gửi")
    town.admin.inbox()
    town.east.inbox()
    await town.east.send("/baocao")
    await town.east.tap("Gặp khó khăn")
    await town.east.send("Thiếu kinh phí tổ chức sinh hoạt cộng đồng")
    await town.east.tap("Gửi báo cáo")
    [notice] = town.admin.inbox()
    assert notice.startswith("⚠️ Thôn Đông báo cáo gặp khó khăn")
    assert lan.inbox() == []
