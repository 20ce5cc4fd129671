"""`hoctap people list|remove|move` and `hoctap units archive`, run on a test database."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from bot.cli import main
from bot.config import get_settings
from handlers.engine import Engine as DialogEngine
from storage.models import AuditEntry, Person, Role, Unit
from tests.support.assignments import seed_person, seed_unit
from tests.support.chat import Chat, joined

FAREWELL = (
    "Anh/chị không còn trong danh sách nhận tin của UBND xã nên sẽ không nhận thêm tin nào. "
    "Nếu có nhầm lẫn, đề nghị liên hệ Phòng Văn hóa – Xã hội."
)


@pytest.fixture
def cli(monkeypatch, tmp_path, database):  # type: ignore[no-untyped-def]
    """The CLI on the test database, with quiet hours off so nothing waits for the morning."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database.url.render_as_string(hide_password=False))
    monkeypatch.setenv("QUIET_HOURS", "off")
    monkeypatch.delenv("TIMEZONE", raising=False)
    get_settings.cache_clear()
    return database


async def village(database) -> tuple[Chat, Chat, Chat]:
    """An admin, and the heads of Thôn Đông and Thôn Tây, joined by invite."""
    engine = DialogEngine(database)
    admin = await joined(engine, Role.ADMIN, "Trần Thị Mai", external_id="9001")
    east = await joined(engine, Role.FOCAL, "Nguyễn Văn An", unit="Thôn Đông", external_id="1")
    west = await joined(engine, Role.FOCAL, "Lê Thị Bình", unit="Thôn Tây", external_id="2")
    for chat in (admin, east, west):
        chat.inbox()
    return admin, east, west


def err(capsys) -> str:  # type: ignore[no-untyped-def]
    """Stderr after the line every command starts with: which database it opened."""
    first, _newline, rest = capsys.readouterr().err.partition("\n")
    assert first.startswith("database: ")
    return rest


def ids(database) -> dict[str, int]:
    with Session(database) as session:
        return {p.name: p.id or 0 for p in session.exec(select(Person))}


def actions(database) -> list[tuple[str, dict]]:
    with Session(database) as session:
        query = select(AuditEntry).where(AuditEntry.person_id == None)  # noqa: E711
        return [(entry.action, entry.detail) for entry in session.exec(query)]


def test_people_list_in_vietnamese_order(cli, capsys):
    """Admins, leaders, then focal points unit by unit (villages first, Thôn 2 before Thôn 10,
    Dương before Đông), and by name within a unit: the order the chat lists use too."""
    seed_unit(cli, "Trường THCS An Hưng", "school")
    for name, unit in [
        ("Trần Văn Sơn", "Trường THCS An Hưng"),
        ("Đinh Thị Lan", "Thôn Đông"),
        ("Vũ Văn Hải", "Thôn 10"),
        ("Đào Văn Nam", "Thôn 2"),
        ("Dương Thị Mai", "Thôn 2"),
        ("Lý Văn Tú", "Thôn Dương"),
    ]:
        seed_person(cli, name, unit=unit)
    seed_person(cli, "Bùi Văn Chủ", Role.LEADER)
    seed_person(cli, "Đặng Thị Hoa", Role.ADMIN)
    people = ids(cli)
    assert main(["people", "list"]) == 0
    assert capsys.readouterr().out == "".join(
        f"{people[name]}\t{role}\t{unit}\t{name}\n"
        for role, unit, name in [
            ("admin", "-", "Đặng Thị Hoa"),
            ("leader", "-", "Bùi Văn Chủ"),
            ("focal", "Thôn 2", "Dương Thị Mai"),
            ("focal", "Thôn 2", "Đào Văn Nam"),
            ("focal", "Thôn 10", "Vũ Văn Hải"),
            ("focal", "Thôn Dương", "Lý Văn Tú"),
            ("focal", "Thôn Đông", "Đinh Thị Lan"),
            ("focal", "Trường THCS An Hưng", "Trần Văn Sơn"),
        ]
    )


async def test_people_list_remove_and_the_removed_chat(cli, capsys):
    """The officer lists people, removes the head of Thôn Đông by id: he is told once, the
    list no longer shows him, and his chat is then answered as a stranger's."""
    admin, east, _west = await village(cli)
    people = ids(cli)
    assert main(["people", "list"]) == 0
    assert capsys.readouterr().out == (
        f"{people['Trần Thị Mai']}\tadmin\t-\tTrần Thị Mai\n"
        f"{people['Nguyễn Văn An']}\tfocal\tThôn Đông\tNguyễn Văn An\n"
        f"{people['Lê Thị Bình']}\tfocal\tThôn Tây\tLê Thị Bình\n"
    )
    an = people["Nguyễn Văn An"]
    assert main(["people", "remove", str(an)]) == 0
    assert capsys.readouterr().out == f"removed {an} (Nguyễn Văn An); told on 1 chats\n"
    assert east.inbox() == [FAREWELL]
    [(action, detail)] = actions(cli)
    assert action == "person.remove" and detail["person_id"] == an
    main(["people", "list"])
    assert "Nguyễn Văn An" not in capsys.readouterr().out
    assert main(["people", "remove", str(an)]) == 2
    assert err(capsys) == f"{an} (Nguyễn Văn An) was already removed\n"
    assert east.inbox() == []
    assert (await east.send("/menu"))[0].startswith("Đây là trợ lý xây dựng xã hội học tập")
    assert admin.inbox() == []


async def test_the_last_admin_and_unknown_ids_are_refused(cli, capsys):
    await village(cli)
    mai = ids(cli)["Trần Thị Mai"]
    assert main(["people", "remove", str(mai)]) == 2
    assert err(capsys) == (
        f"{mai} (Trần Thị Mai) is the last admin and cannot be removed; "
        "invite another admin first\n"
    )
    assert main(["people", "remove", "999"]) == 2
    assert err(capsys) == "no person with id 999; see: hoctap people list\n"
    assert actions(cli) == []


async def test_people_move_to_another_unit(cli, capsys):
    """The head of Thôn Đông now works for Thôn Tây: the move is recorded with before/after."""
    _admin, _east, _west = await village(cli)
    an = ids(cli)["Nguyễn Văn An"]
    assert main(["people", "move", str(an), "--unit", " thôn tây "]) == 0
    assert capsys.readouterr().out == f"moved {an} (Nguyễn Văn An) from Thôn Đông to Thôn Tây\n"
    with Session(cli) as session:
        west = session.exec(select(Unit).where(Unit.name == "Thôn Tây")).one()
        person = session.get(Person, an)
        assert person is not None and person.unit_id == west.id
    [(action, detail)] = actions(cli)
    assert action == "person.move"
    assert detail["before"]["unit"] == "Thôn Đông" and detail["after"]["unit"] == "Thôn Tây"
    assert main(["people", "move", str(an), "--unit", "Thôn Tây"]) == 2
    assert err(capsys) == f"{an} (Nguyễn Văn An) is already a focal point of Thôn Tây\n"
    assert main(["people", "move", str(an), "--unit", "Thôn Bắc"]) == 2
    assert err(capsys).startswith("unknown unit 'Thôn Bắc'; closest: Thôn Tây")


async def test_units_archive(cli, capsys):
    """Thôn Tây is archived: `units list` and invites no longer know it, and nobody moves there."""
    await village(cli)
    assert main(["units", "archive", "Thôn Tây"]) == 0
    assert capsys.readouterr().out == (
        "archived Thôn Tây\nits 1 focal points get nothing more for it; move or remove them\n"
    )
    [(action, detail)] = actions(cli)
    assert action == "unit.archive" and detail["name"] == "Thôn Tây"
    assert main(["units", "archive", "Thôn Tây"]) == 2
    assert err(capsys) == "unit 'Thôn Tây' is archived\n"
    main(["units", "list"])
    assert capsys.readouterr().out == "Thôn Đông\tvillage\t1 focal\n"
    assert main(["invite", "--role", "focal", "--unit", "Thôn Tây"]) == 2
    assert err(capsys) == "unit 'Thôn Tây' is archived\n"
    an = ids(cli)["Nguyễn Văn An"]
    assert main(["people", "move", str(an), "--unit", "Thôn Tây"]) == 2
    assert err(capsys) == "unit 'Thôn Tây' is archived\n"


async def test_the_farewell_speaks_with_address_form_and_office_name(cli, monkeypatch, capsys):
    """ADDRESS_FORM (any case) and OFFICE_NAME from the settings reach what the CLI sends."""
    _admin, east, _west = await village(cli)
    monkeypatch.setenv("ADDRESS_FORM", " Đồng  Chí ")
    monkeypatch.setenv("OFFICE_NAME", "Văn phòng HĐND và UBND xã")
    get_settings.cache_clear()
    assert main(["people", "remove", str(ids(cli)["Nguyễn Văn An"])]) == 0
    assert east.inbox() == [
        "Đồng chí không còn trong danh sách nhận tin của UBND xã nên sẽ không nhận thêm tin nào. "
        "Nếu có nhầm lẫn, đề nghị liên hệ Văn phòng HĐND và UBND xã."
    ]


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("ADDRESS_FORM", "bạn", "must be one of: anh/chị, đồng chí, ông/bà"),
        ("OFFICE_NAME", "  ", "must be a name of 1 to 80 characters"),
    ],
)
def test_a_bad_address_form_or_office_name_is_refused_at_start(
    cli, monkeypatch, capsys, key, value, problem
):
    """Every command, `run` included, refuses it with the setting's name, and exits 2."""
    monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    assert main(["run"]) == 2
    assert capsys.readouterr().err == f"bad setting {key}: Value error, {problem}\n"
