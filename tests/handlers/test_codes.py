"""/mamoi: admins see the codes that still work and revoke one; codes of a former admin die."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from storage.db import transaction
from storage.models import AuditEntry, Person, Role
from storage.people import find_invite
from tests.support.chat import Chat, invite, joined

NOT_VALID = "Mã mời không đúng hoặc đã hết hạn."


async def admin_chat(engine, channel: str = "telegram") -> Chat:
    """An officer of Phòng Văn hóa – Xã hội, registered as admin."""
    return await joined(engine, Role.ADMIN, "Trần Thị Bình", channel=channel, external_id="9001")


async def invite_focal(admin: Chat, unit_label: str = "Thôn Đông") -> str:
    """The admin makes a focal point's code with /moi and reads it from the reply."""
    await admin.send("/moi")
    await admin.tap("Đầu mối đơn vị")
    [reply] = await admin.tap(unit_label)
    found = re.search(r"Mã mời: ([A-Z2-9]{8})", reply)
    assert found, reply
    return found[1]


def set_person(database, name: str, **changes: object) -> None:
    with transaction(database) as session:
        person = session.exec(select(Person).where(Person.name == name)).one()
        for key, value in changes.items():
            setattr(person, key, value)
        session.add(person)


@pytest.mark.parametrize("channel", ["telegram", "zalo"])
async def test_admin_lists_open_codes_and_revokes_one(engine, database, clock, channel):
    """The list shows each open code's role, unit, maker and expiry; the chosen one stops."""
    first = invite(database, Role.FOCAL, "Thôn Đông", clock.now)  # also a unit for /moi
    admin = await admin_chat(engine, channel)
    ours = await invite_focal(admin)
    server = invite(database, Role.LEADER, None, clock.now)
    head = await joined(engine, Role.FOCAL, "Nguyễn Văn An", unit="Thôn Đông", external_id="55")
    [link] = await head.send("/lienket")
    linking = re.search(r"([A-Z2-9]{8})", link)[1]  # type: ignore[index]
    used = invite(database, Role.FOCAL, "Thôn Đông", clock.now)
    await Chat(engine, "zalo", "someone").send(used)

    [listing] = await admin.send("/mamoi")
    lines = listing.split("\n")
    assert lines[0] == "Mã còn hiệu lực (4):"
    assert lines[1:5] == [
        f"• {linking[:4]}···· — mã liên kết của Nguyễn Văn An — do Nguyễn Văn An tạo"
        " — hạn đến 08:00 ngày 27/03/2026",
        f"• {server} — lãnh đạo xã — tạo trên máy chủ — hạn đến 08:00 ngày 27/03/2026",
        f"• {ours} — đầu mối của Thôn Đông — do Trần Thị Bình tạo — hạn đến 08:00 ngày 27/03/2026",
        f"• {first} — đầu mối của Thôn Đông — tạo trên máy chủ — hạn đến 08:00 ngày 27/03/2026",
    ]
    assert used not in listing
    assert admin.labels()[:3] == [f"{linking[:4]}····", server, ours]

    assert await admin.tap(ours) == [f"Đã thu hồi mã {ours}, mã này không dùng được nữa."]
    assert (await Chat(engine, "zalo", "late").send(ours))[0].startswith(NOT_VALID)
    with Session(database) as session:
        row = find_invite(session, ours)
        assert row is not None and (row.revoked_at, row.used_at) == (clock.now, None)
        [entry] = session.exec(select(AuditEntry).where(AuditEntry.action == "invite.revoke"))
        assert entry.person_id == session.exec(
            select(Person.id).where(Person.name == "Trần Thị Bình")
        ).one()
        assert entry.detail == {
            "code": ours,
            "role": "focal",
            "unit_id": row.unit_id,
            "links_person": None,
        }
    [again] = await admin.send("/mamoi")
    assert ours not in again and again.startswith("Mã còn hiệu lực (3):")


async def test_revoking_a_linking_code_stops_it(engine, database):
    """An admin can stop someone's linking code too; the list does not spell it out."""
    admin = await admin_chat(engine)
    head = await joined(engine, Role.FOCAL, "Nguyễn Văn An", unit="Thôn Đông", external_id="55")
    [link] = await head.send("/lienket")
    linking = re.search(r"([A-Z2-9]{8})", link)[1]  # type: ignore[index]
    [listing] = await admin.send("/mamoi")
    assert linking not in listing
    await admin.tap(f"{linking[:4]}····")
    assert (await Chat(engine, "zalo", "za").send(linking))[0].startswith(NOT_VALID)


async def test_nothing_to_list(engine, database):
    """With every code used, /mamoi says so and asks nothing."""
    admin = await admin_chat(engine)
    assert await admin.send("/mamoi") == ["Hiện không có mã mời hay mã liên kết nào còn hiệu lực."]


async def test_code_used_while_the_admin_was_choosing_is_not_revoked(engine, database):
    """The code is redeemed between the list and the tap: the tap changes nothing."""
    admin = await admin_chat(engine)
    code = invite(database, Role.LEADER, None, engine.clock())
    await admin.send("/mamoi")
    await Chat(engine, "zalo", "leader").send(code)
    assert await admin.tap(code) == [
        "Mã này vừa được dùng, đã bị thu hồi hoặc đã hết hạn; không có gì thay đổi."
    ]
    with Session(database) as session:
        revoked = select(AuditEntry).where(AuditEntry.action == "invite.revoke")
        assert session.exec(revoked).all() == []


async def test_focal_points_cannot_see_codes(engine, database):
    """Only admins may list codes."""
    head = await joined(engine, Role.FOCAL, "Nguyễn Văn An", unit="Thôn Đông")
    assert await head.send("/mamoi") == [
        "Anh/chị không có quyền dùng lệnh này. Gửi /menu để xem các việc anh/chị có thể làm."
    ]


@pytest.mark.parametrize(
    "change", [{"role": Role.FOCAL.value}, {"removed_at": "now"}], ids=["demoted", "removed"]
)
async def test_codes_of_an_admin_who_left_no_longer_work(engine, database, clock, change):
    """An admin invites another admin, then is demoted or removed: the code no longer works."""
    admin = await admin_chat(engine)
    await admin.send("/moi")
    [reply] = await admin.tap("Quản trị viên")
    code = re.search(r"Mã mời: ([A-Z2-9]{8})", reply)[1]  # type: ignore[index]
    changes = {key: clock.now if value == "now" else value for key, value in change.items()}
    set_person(database, "Trần Thị Bình", **changes)
    replies = await Chat(engine, "zalo", "newcomer").send(code)
    assert replies[0].startswith(NOT_VALID)
    with Session(database) as session:
        assert len(session.exec(select(Person)).all()) == 1
        assert find_invite(session, code).used_at is None  # type: ignore[union-attr]


async def test_linking_code_of_a_removed_person_no_longer_works(engine, database, clock):
    """Someone removed by the office cannot come back through their own linking code."""
    head = await joined(engine, Role.FOCAL, "Nguyễn Văn An", unit="Thôn Đông")
    [link] = await head.send("/lienket")
    code = re.search(r"([A-Z2-9]{8})", link)[1]  # type: ignore[index]
    set_person(database, "Nguyễn Văn An", removed_at=clock.now)
    assert (await Chat(engine, "zalo", "za").send(code))[0].startswith(NOT_VALID)
    with Session(database) as session:
        assert find_invite(session, code).used_at is None  # type: ignore[union-attr]
        assert len(session.exec(select(Person)).all()) == 1


@pytest.mark.parametrize("channel", ["telegram", "zalo"])
async def test_junk_instead_of_a_code_revokes_nothing(engine, database, channel):
    """Typing anything but one of the offered codes asks again and revokes nothing."""
    admin = await admin_chat(engine, channel)
    code = invite(database, Role.LEADER, None, engine.clock())
    await admin.send("/mamoi")
    for junk in ["😀", "99", "0", "x" * 5000, code[:4]]:
        replies = await admin.send(junk)
        assert replies[0] == "Vui lòng chọn một trong các mục dưới đây.", junk[:10]
    with Session(database) as session:
        assert find_invite(session, code).revoked_at is None  # type: ignore[union-attr]
