"""The admin registry in chat: invite codes with /moi and the units with /donvi."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest
from sqlmodel import Session, select

from handlers.i18n import Translator
from handlers.joining import explain
from storage.db import transaction
from storage.models import AuditEntry, Conversation, InviteCode, Person, Role, Unit
from storage.people import add_unit, write_setting
from tests.support.chat import Chat, joined

WHO_FOR = "Mã mời dành cho ai?"
WHICH_UNIT = "Đầu mối của đơn vị nào?"
UNIT_ACTION = "Anh/chị muốn làm gì với danh sách đơn vị?"
NEW_UNIT_NAME = "Gửi tên đơn vị mới (ví dụ: Thôn Đông, Trường TH An Hưng)."
WHICH_TO_RENAME = "Anh/chị muốn đổi tên đơn vị nào?"
PICK_ONE = "Vui lòng chọn một trong các mục dưới đây."
STALE = "Nút này thuộc tin nhắn cũ và không còn hiệu lực."
BAD_NAME = "Vui lòng gửi tên dài từ 2 đến 120 ký tự, có chữ cái."
NOT_YOURS = "Anh/chị không có quyền dùng lệnh này. Gửi /menu để xem các việc anh/chị có thể làm."


def add_units(database, *units: tuple[str, str]) -> dict[str, int]:
    """Register units (name, kind) and return their ids by name."""
    with transaction(database) as session:
        return {name: add_unit(session, name, kind).id or 0 for name, kind in units}


async def admin_chat(engine, channel: str = "telegram") -> Chat:
    """An officer of Phòng Văn hóa – Xã hội, registered as admin."""
    return await joined(engine, Role.ADMIN, "Trần Thị Bình", channel=channel, external_id="9001")


def invites_by(database, person_id: int) -> list[InviteCode]:
    """The invite codes a person created."""
    with Session(database) as session:
        query = select(InviteCode).where(InviteCode.created_by == person_id)
        return list(session.exec(query))


def admin_id(database) -> int:
    with Session(database) as session:
        return session.exec(select(Person).where(Person.role == "admin")).one().id or 0


def audit(database, action: str) -> list[AuditEntry]:
    with Session(database) as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)))


def unit_names(database) -> list[str]:
    with Session(database) as session:
        return sorted(unit.name for unit in session.exec(select(Unit)))


def how_to_join(code: str) -> str:
    return f"Trên Telegram: gửi /start {code} cho bot; trên Zalo: gửi mã {code} cho bot."


# --- /moi -----------------------------------------------------------------------------------


async def test_admin_invites_village_head_and_the_code_works(engine, database):
    """The admin picks 'Đầu mối đơn vị' and Thôn Đông; the village head joins with the code."""
    ids = add_units(database, ("Thôn Đông", "village"), ("Thôn Tây", "village"))
    admin = await admin_chat(engine)
    assert await admin.send("/moi") == [WHO_FOR]
    assert admin.labels() == ["Đầu mối đơn vị", "Lãnh đạo xã", "Quản trị viên"]
    assert await admin.tap("Đầu mối đơn vị") == [WHICH_UNIT]
    assert admin.labels() == ["Thôn Đông", "Thôn Tây"]
    replies = await admin.tap("Thôn Đông")
    [invite] = invites_by(database, admin_id(database))
    code = invite.code
    assert replies == [
        f"Mã mời: {code}\n"
        "Dành cho: đầu mối của Thôn Đông\n"
        "Hạn dùng: đến 08:00 ngày 27/03/2026, chỉ dùng cho một người.\n" + how_to_join(code)
    ]
    assert (invite.role, invite.unit_id, invite.used_at) == ("focal", ids["Thôn Đông"], None)
    [entry] = audit(database, "invite.create")
    assert entry.detail == {"code": code, "role": "focal", "unit_id": ids["Thôn Đông"]}

    head = Chat(engine, "zalo", "zalo-head")
    welcome = await head.send(code)
    assert (
        welcome[0]
        == "Phòng Văn hóa – Xã hội chào mừng anh/chị tham gia với vai trò đầu mối của Thôn Đông."
    )
    await head.send("Lê Văn Cường")
    with Session(database) as session:
        person = session.exec(select(Person).where(Person.name == "Lê Văn Cường")).one()
        assert (person.role, person.unit_id) == ("focal", ids["Thôn Đông"])
    assert (await Chat(engine, "telegram", "7777").send(f"/start {code}"))[0].startswith(
        "Mã mời không đúng hoặc đã hết hạn."
    )


async def test_deep_link_is_shown_when_the_bot_username_is_known(engine, database):
    """With the Telegram username stored, the reply carries the t.me link that redeems the code."""
    with transaction(database) as session:
        write_setting(session, "telegram_username", "xa_anhung_bot")
    admin = await admin_chat(engine)
    await admin.send("/moi")
    replies = await admin.tap("Lãnh đạo xã")
    [invite] = invites_by(database, admin_id(database))
    code = invite.code
    assert replies[0].endswith(
        f"Trên Telegram: mở liên kết https://t.me/xa_anhung_bot?start={code} "
        f"hoặc gửi /start {code}; trên Zalo: gửi mã {code} cho bot."
    )


@pytest.mark.parametrize(
    ("label", "typed", "role", "shown"),
    [
        ("Lãnh đạo xã", "lanh dao xa", "leader", "lãnh đạo xã"),
        ("Quản trị viên", "QUẢN TRỊ VIÊN", "admin", "quản trị viên"),
    ],
)
@pytest.mark.parametrize("channel", ["telegram", "zalo"])
async def test_admin_invites_leader_or_admin_without_unit(
    engine, database, channel, label, typed, role, shown
):
    """A leader or admin code needs no unit; on Zalo the label can be typed without accents."""
    admin = await admin_chat(engine, channel)
    await admin.send("/moi")
    replies = await (admin.tap(label) if channel == "telegram" else admin.send(typed))
    [invite] = invites_by(database, admin_id(database))
    assert (invite.role, invite.unit_id) == (role, None)
    assert replies == [
        f"Mã mời: {invite.code}\nDành cho: {shown}\n"
        "Hạn dùng: đến 08:00 ngày 27/03/2026, chỉ dùng cho một người.\n" + how_to_join(invite.code)
    ]
    newcomer = Chat(engine, "telegram", "4242")
    assert (await newcomer.send(f"/start {invite.code}"))[0] == (
        f"Phòng Văn hóa – Xã hội chào mừng anh/chị tham gia với vai trò {shown}."
    )
    with Session(database) as session:
        assert len(session.exec(select(Person).where(Person.role == role)).all()) == (
            2 if role == "admin" else 1
        )


async def test_focal_invite_without_units_explains_donvi(engine, database):
    """With no unit registered, the admin is told to add one with /donvi; no code is made."""
    admin = await admin_chat(engine)
    await admin.send("/moi")
    replies = await admin.tap("Đầu mối đơn vị")
    assert replies == [
        "Chưa có đơn vị nào. Anh/chị thêm đơn vị bằng lệnh /donvi, rồi gửi lại /moi."
    ]
    assert invites_by(database, admin_id(database)) == []
    with Session(database) as session:
        assert session.exec(select(Conversation)).one().step == ""


# --- /donvi ---------------------------------------------------------------------------------


async def test_units_are_listed_and_offered_in_vietnamese_order(engine, database):
    """Registered in any order, the units come back villages first, each kind alphabetical the
    Vietnamese way: Thôn 2 before Thôn 10, Thôn Dương before Thôn Đông before Thôn Tây."""
    villages = ["Thôn 2", "Thôn 10", "Thôn Dương", "Thôn Đông", "Thôn Tây"]
    schools = ["Trường Mầm non Ánh Dương", "Trường THCS An Hưng"]
    add_units(
        database,
        ("Trường THCS An Hưng", "school"),
        ("Thôn Tây", "village"),
        ("Thôn 10", "village"),
        ("Trường Mầm non Ánh Dương", "school"),
        ("Thôn Đông", "village"),
        ("Thôn 2", "village"),
        ("Thôn Dương", "village"),
    )
    admin = await admin_chat(engine)
    [listed, _ask] = await admin.send("/donvi")
    assert listed == "\n".join(
        [
            "Danh sách đơn vị (7):",
            "",
            "Thôn:",
            *(f"• {name}: chưa có đầu mối" for name in villages),
            "",
            "Trường:",
            *(f"• {name}: chưa có đầu mối" for name in schools),
        ]
    )
    await admin.send("/huy")
    await admin.send("/moi")
    await admin.tap("Đầu mối đơn vị")
    assert admin.labels() == [*villages, *schools]


async def test_units_are_listed_by_kind_with_their_focal_points(engine, database):
    """Villages, schools and offices each under their heading, with how many focal points."""
    add_units(
        database,
        ("Thôn Tây", "village"),
        ("Trường TH An Hưng", "school"),
        ("Trung tâm Dịch vụ công", "office"),
    )
    await joined(engine, Role.FOCAL, "Nguyễn Văn An", unit="Thôn Đông", external_id="1")
    await joined(engine, Role.FOCAL, "Phạm Thị Hoa", unit="Thôn Đông", external_id="2")
    admin = await admin_chat(engine)
    replies = await admin.send("/donvi")
    assert replies == [
        "Danh sách đơn vị (4):\n\n"
        "Thôn:\n• Thôn Đông: 2 đầu mối\n• Thôn Tây: chưa có đầu mối\n\n"
        "Trường:\n• Trường TH An Hưng: chưa có đầu mối\n\n"
        "Cơ quan:\n• Trung tâm Dịch vụ công: chưa có đầu mối",
        UNIT_ACTION,
    ]
    assert admin.labels() == [
        "Thêm đơn vị",
        "Đổi tên",
        "Lưu trữ đơn vị",
        "Người dùng",
        "Xóa người",
        "Chuyển đầu mối",
    ]


async def test_admin_adds_a_unit_and_a_duplicate_name_is_refused(engine, database):
    """'thôn đông' and 'Thon Dong' clash with Thôn Đông; 'Thôn  Bắc' is added as a village and
    audited."""
    add_units(database, ("Thôn Đông", "village"))
    admin = await admin_chat(engine)
    await admin.send("/donvi")
    assert await admin.tap("Thêm đơn vị") == [NEW_UNIT_NAME]
    for look_alike in ("thôn đông", "Thon Dong"):
        assert await admin.send(look_alike) == [
            "Đã có đơn vị tên Thôn Đông. Vui lòng gửi tên khác.",
            NEW_UNIT_NAME,
        ]
    assert await admin.send("  Thôn   Bắc ") == ["Thôn Bắc là loại đơn vị nào?"]
    assert admin.labels() == ["Thôn", "Trường", "Cơ quan"]
    assert await admin.tap("Thôn") == [
        "Đã thêm đơn vị Thôn Bắc (Thôn). Gửi /moi để tạo mã mời cho đầu mối của đơn vị."
    ]
    with Session(database) as session:
        added = session.exec(select(Unit).where(Unit.name == "Thôn Bắc")).one()
        assert added.kind == "village"
    [entry] = audit(database, "unit.add")
    assert entry.person_id == admin_id(database)
    assert entry.detail == {"unit_id": added.id, "name": "Thôn Bắc", "kind": "village"}


async def test_admin_renames_a_unit_and_keeps_its_focal_points(engine, database):
    """Renaming refuses a taken name and the same name, then keeps the unit id (and its people)."""
    add_units(database, ("Thôn Tây", "village"))
    await joined(engine, Role.FOCAL, "Nguyễn Văn An", unit="Thôn Đông", external_id="1")
    admin = await admin_chat(engine)
    await admin.send("/donvi")
    assert await admin.tap("Đổi tên") == [WHICH_TO_RENAME]
    assert admin.labels() == ["Thôn Đông", "Thôn Tây"]
    assert await admin.tap("Thôn Đông") == ["Gửi tên mới cho Thôn Đông."]
    assert await admin.send("THÔN TÂY") == [
        "Đã có đơn vị tên Thôn Tây. Vui lòng gửi tên khác.",
        "Gửi tên mới cho Thôn Đông.",
    ]
    assert await admin.send("Thôn Đông") == [
        "Đơn vị đã mang tên này. Vui lòng gửi tên khác.",
        "Gửi tên mới cho Thôn Đông.",
    ]
    assert await admin.send("Thôn Đông Hưng") == ["Đã đổi tên Thôn Đông thành Thôn Đông Hưng."]
    assert unit_names(database) == ["Thôn Tây", "Thôn Đông Hưng"]
    with Session(database) as session:
        renamed = session.exec(select(Unit).where(Unit.name == "Thôn Đông Hưng")).one()
        head = session.exec(select(Person).where(Person.name == "Nguyễn Văn An")).one()
        assert head.unit_id == renamed.id
    [entry] = audit(database, "unit.rename")
    assert entry.detail == {"unit_id": renamed.id, "old": "Thôn Đông", "new": "Thôn Đông Hưng"}


async def test_rename_may_fix_only_the_capitals(engine, database):
    """A unit's own name in other capitals is not a clash: 'thôn tây' → 'Thôn tây'."""
    add_units(database, ("thôn tây", "village"))
    admin = await admin_chat(engine)
    await admin.send("/donvi")
    await admin.tap("Đổi tên")
    await admin.tap("thôn tây")
    assert await admin.send("Thôn tây") == ["Đã đổi tên thôn tây thành Thôn tây."]


async def test_rename_may_fix_the_accents_but_not_copy_another_unit(engine, database):
    """'Thon Tay', imported without accents, becomes 'Thôn Tây'; 'Thon Dong' is refused, as it
    is Thôn Đông typed without accents."""
    add_units(database, ("Thon Tay", "village"), ("Thôn Đông", "village"))
    admin = await admin_chat(engine)
    await admin.send("/donvi")
    await admin.tap("Đổi tên")
    await admin.tap("Thon Tay")
    assert await admin.send("Thon Dong") == [
        "Đã có đơn vị tên Thôn Đông. Vui lòng gửi tên khác.",
        "Gửi tên mới cho Thon Tay.",
    ]
    assert await admin.send("Thôn Tây") == ["Đã đổi tên Thon Tay thành Thôn Tây."]


async def test_without_units_donvi_only_offers_to_add(engine, database):
    """An empty registry says so and offers 'Thêm đơn vị' and what concerns people only."""
    admin = await admin_chat(engine)
    assert await admin.send("/donvi") == ["Chưa có đơn vị nào.", UNIT_ACTION]
    assert admin.labels() == ["Thêm đơn vị", "Người dùng", "Xóa người"]


async def test_an_archived_unit_leaves_the_lists_but_keeps_its_name(engine, database):
    """Thôn Tây is archived: /donvi and /moi no longer list it, and its name stays taken, so
    a new unit cannot be confused with the old one's records."""
    add_units(database, ("Thôn Đông", "village"), ("Thôn Tây", "village"))
    await joined(engine, Role.FOCAL, "Nguyễn Văn An", unit="Thôn Tây", external_id="1")
    admin = await admin_chat(engine)
    await admin.send("/donvi")
    await admin.tap("Lưu trữ đơn vị")
    await admin.tap("Thôn Tây")
    assert await admin.tap("Lưu trữ") == ["Đã lưu trữ Thôn Tây."]
    assert await admin.send("/donvi") == [
        "Danh sách đơn vị (1):\n\nThôn:\n• Thôn Đông: chưa có đầu mối",
        UNIT_ACTION,
    ]
    await admin.tap("Thêm đơn vị")
    assert await admin.send("Thôn Tây") == [
        "Đã có đơn vị tên Thôn Tây. Vui lòng gửi tên khác.",
        NEW_UNIT_NAME,
    ]
    await admin.send("/moi")
    await admin.tap("Đầu mối đơn vị")
    assert admin.labels() == ["Thôn Đông"]


# --- bad input on every step ------------------------------------------------------------------


@dataclass(frozen=True)
class StepCase:
    """How to reach one step of the dialogs, what it asks, and a valid answer."""

    name: str
    reach: Callable[[Chat], Awaitable[None]]
    prompt: str
    takes_choice: bool
    answer: str
    answered: str


async def _moi(chat: Chat) -> None:
    await chat.send("/moi")


async def _moi_unit(chat: Chat) -> None:
    await chat.send("/moi")
    await chat.tap("Đầu mối đơn vị")


async def _donvi(chat: Chat) -> None:
    await chat.send("/donvi")


async def _donvi_name(chat: Chat) -> None:
    await chat.send("/donvi")
    await chat.tap("Thêm đơn vị")


async def _donvi_kind(chat: Chat) -> None:
    await _donvi_name(chat)
    await chat.send("Thôn Bắc")


async def _donvi_pick(chat: Chat) -> None:
    await chat.send("/donvi")
    await chat.tap("Đổi tên")


async def _donvi_new_name(chat: Chat) -> None:
    await _donvi_pick(chat)
    await chat.tap("Thôn Đông")


STEPS = [
    StepCase("moi.role", _moi, WHO_FOR, True, "Lãnh đạo xã", "Mã mời: "),
    StepCase("moi.unit", _moi_unit, WHICH_UNIT, True, "Thôn Đông", "Mã mời: "),
    StepCase("donvi.action", _donvi, UNIT_ACTION, True, "Thêm đơn vị", NEW_UNIT_NAME),
    StepCase("donvi.name", _donvi_name, NEW_UNIT_NAME, False, "Thôn Bắc", "Thôn Bắc là"),
    StepCase("donvi.kind", _donvi_kind, "Thôn Bắc là loại đơn vị nào?", True, "Thôn", "Đã thêm"),
    StepCase("donvi.pick", _donvi_pick, WHICH_TO_RENAME, True, "Thôn Đông", "Gửi tên mới"),
    StepCase(
        "donvi.new_name",
        _donvi_new_name,
        "Gửi tên mới cho Thôn Đông.",
        False,
        "Thôn Đông Hưng",
        "Đã đổi tên",
    ),
]

BAD_TEXT = ["linh tinh gì đó", "😀😀", "x" * 5000, "12345", "9", "a"]


@pytest.mark.parametrize("case", STEPS, ids=[case.name for case in STEPS])
async def test_bad_input_keeps_the_dialog_at_its_step(engine, database, case):
    """Stray text, emoji, a huge message, digits or stale buttons: explained, then asked again."""
    add_units(database, ("Thôn Đông", "village"))
    admin = await admin_chat(engine)
    await case.reach(admin)
    for stale in ["0.focal", "0.unit1", "99.add"]:
        assert await admin.press(stale) == [STALE, case.prompt], stale
    for bad in BAD_TEXT:
        if not case.takes_choice and bad == "linh tinh gì đó":
            continue  # a free-text name step rightly takes any words as a name
        replies = await admin.send(bad)
        explanation = PICK_ONE if case.takes_choice else BAD_NAME
        assert replies == [explanation, case.prompt], bad[:20]
    assert invites_by(database, admin_id(database)) == []
    assert unit_names(database) == ["Thôn Đông"]
    if case.takes_choice:
        replies = await admin.tap(case.answer)
    else:
        replies = await admin.send(case.answer)
    assert replies[0].startswith(case.answered)


async def test_buttons_of_an_earlier_question_are_stale(engine, database):
    """After picking the role, the role buttons of that message no longer act."""
    add_units(database, ("Thôn Đông", "village"))
    admin = await admin_chat(engine)
    await admin.send("/moi")
    role_buttons = [cid for cid, _label in admin.choices]
    await admin.tap("Đầu mối đơn vị")
    for old in role_buttons:
        assert await admin.press(old) == [STALE, WHICH_UNIT]
    assert invites_by(database, admin_id(database)) == []


# --- who may use it ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.FOCAL, Role.LEADER])
@pytest.mark.parametrize("command", ["/moi", "/donvi"])
async def test_only_admins_may_invite_or_manage_units(engine, database, role, command):
    """A village head or a leader typing or pressing the command is refused; nothing is stored."""
    unit = "Thôn Đông" if role is Role.FOCAL else None
    chat = await joined(engine, role, "Nguyễn Văn An", unit=unit, external_id="5001")
    with Session(database) as session:
        invites_before = len(session.exec(select(InviteCode)).all())
        units_before = len(session.exec(select(Unit)).all())
    for attempt in [chat.send(command), chat.press(command), chat.send(f"{command} focal")]:
        replies = await attempt
        assert replies[0] == NOT_YOURS
        assert not any(reply.startswith(("Mã mời", "Danh sách đơn vị")) for reply in replies)
    for local in ["1.focal", "2.add", "3.unit1", "1.rename"]:
        assert (await chat.press(local))[0] == STALE
    with Session(database) as session:
        assert len(session.exec(select(InviteCode)).all()) == invites_before
        assert len(session.exec(select(Unit)).all()) == units_before
        assert session.exec(select(AuditEntry)).all() == []


@pytest.mark.parametrize("command", ["/moi", "/donvi"])
async def test_unregistered_chat_only_learns_how_to_join(engine, database, command):
    """A stranger typing or pressing an admin command gets the join explanation, nothing else."""
    stranger = Chat(engine, "telegram", "31337")
    assert await stranger.send(command) == [explain(Translator("vi"), None)]
    assert await stranger.press(command) == []
    assert await stranger.press("1.focal") == []
    with Session(database) as session:
        assert session.exec(select(InviteCode)).all() == []
        assert session.exec(select(Person)).all() == []
        assert session.exec(select(AuditEntry)).all() == []


async def test_admin_demoted_mid_dialog_cannot_finish_it(engine, database):
    """Roles are checked on every turn: an admin made focal point cannot add the unit."""
    admin = await admin_chat(engine)
    demoted = admin_id(database)
    await admin.send("/donvi")
    await admin.tap("Thêm đơn vị")
    with transaction(database) as session:
        person = session.get(Person, demoted)
        assert person is not None
        person.role = Role.FOCAL.value
        session.add(person)
    assert await admin.send("Thôn Bắc") == ["Thao tác này đã kết thúc.", "Anh/chị muốn làm gì?"]
    assert unit_names(database) == []
