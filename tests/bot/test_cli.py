"""The `hoctap` command line, run in-process against a test database."""

from __future__ import annotations

import datetime as dt
import io
import os
import sqlite3
import subprocess
import sys
import types
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlmodel import Session, col, select

from bot.cli import main
from bot.config import Settings, get_settings
from handlers.digest import FIRST_RUN, record_first_run
from handlers.engine import Engine as DialogEngine
from storage.db import make_engine, transaction
from storage.models import (
    Directive,
    InboundKey,
    InviteCode,
    OutboxMessage,
    OutboxStatus,
    Person,
    Role,
    utcnow,
)
from storage.people import add_unit, read_setting, write_setting
from tests.support.assignments import seed_directive, seed_person
from tests.support.chat import Chat

SAMPLE = "name,kind\nThôn Đông,village\nThôn Tây,village\nTrường TH An Hưng,school\n"
SCRIPT = Path(sys.executable).parent / "hoctap"
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def use_database(monkeypatch: pytest.MonkeyPatch, tmp_path, url: str) -> None:
    """Point the CLI's settings at `url`, away from any .env of the working copy."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.delenv("TIMEZONE", raising=False)
    get_settings.cache_clear()


@pytest.fixture
def cli(monkeypatch, tmp_path, database):  # type: ignore[no-untyped-def]
    """The CLI on the test database (SQLite file, or PostgreSQL when configured)."""
    use_database(monkeypatch, tmp_path, database.url.render_as_string(hide_password=False))
    return database


def problems(captured: pytest.CaptureResult[str]) -> str:
    """Stderr after the line every command starts with: which database it opened."""
    first, _newline, rest = captured.err.partition("\n")
    assert first.startswith("database: ")
    return rest


def write_csv(tmp_path, content: bytes, name: str = "units.csv") -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


# --- db upgrade -----------------------------------------------------------------------------


def test_db_upgrade_creates_the_tables_in_an_empty_file(monkeypatch, tmp_path, capsys):
    """A fresh machine: `hoctap db upgrade` turns a missing file into the full schema."""
    path = tmp_path / "data" / "fresh.db"
    use_database(monkeypatch, tmp_path, f"sqlite:///{path}")
    assert main(["db", "upgrade"]) == 0
    database = make_engine(f"sqlite:///{path}")
    tables = set(inspect(database).get_table_names())
    database.dispose()
    assert {"unit", "person", "invitecode", "alembic_version", "outboxmessage"} <= tables
    assert capsys.readouterr().out == f"database is up to date: sqlite:///{path}\n"
    assert main(["db", "upgrade"]) == 0


def location(database) -> str:  # type: ignore[no-untyped-def]
    """What the CLI says it opened: the SQLite file, or the URL with the password hidden."""
    if database.url.get_backend_name() == "sqlite":
        return f"SQLite {database.url.database}"
    return database.url.render_as_string(hide_password=True)


@pytest.mark.parametrize(
    "argv",
    [
        ["invite", "--role", "admin"],
        ["units", "list"],
        ["units", "import", "units.csv"],
        ["reminders", "run"],
        ["export", "ledger", "--out", "ledger.xlsx"],
    ],
)
def test_commands_that_use_data_never_create_a_database(monkeypatch, tmp_path, capsys, argv):
    """Run in the wrong folder, they name the file they looked for and leave no empty one."""
    use_database(monkeypatch, tmp_path, "sqlite:///data/hoctap.db")
    write_csv(tmp_path, SAMPLE.encode())
    assert main(argv) == 2
    path = tmp_path / "data" / "hoctap.db"
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"database: SQLite {path}\n"
        f"no database at {path}; DATABASE_URL is sqlite:///data/hoctap.db; run the command in "
        "the bot's folder or set DATABASE_URL to the bot's database "
        "(a new one is made by: hoctap db upgrade)\n"
    )
    assert not (tmp_path / "data").exists()
    assert not (tmp_path / "ledger.xlsx").exists()


def test_a_database_without_hoctap_tables_is_refused(monkeypatch, tmp_path, capsys):
    """Another program's SQLite file (or an empty one) is not taken over by `hoctap invite`."""
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (text TEXT)")
    connection.close()
    use_database(monkeypatch, tmp_path, f"sqlite:///{path}")
    assert main(["invite", "--role", "admin"]) == 2
    assert problems(capsys.readouterr()).startswith(f"SQLite {path} holds no hoctap tables; ")
    database = make_engine(f"sqlite:///{path}")
    assert inspect(database).get_table_names() == ["notes"]
    database.dispose()


def test_after_db_upgrade_invite_works(monkeypatch, tmp_path, capsys):
    """`hoctap db upgrade` (or `hoctap run`) makes the database; then the commands use it."""
    path = tmp_path / "data" / "hoctap.db"
    use_database(monkeypatch, tmp_path, "sqlite:///data/hoctap.db")
    assert main(["db", "upgrade"]) == 0
    assert capsys.readouterr().err == f"database: SQLite {path}\n"
    assert main(["invite", "--role", "admin"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("code: ")
    assert captured.err == f"database: SQLite {path}\n"


# --- invite ---------------------------------------------------------------------------------


async def test_invite_prints_a_single_use_code_for_a_village_head(cli, capsys):
    """The code is printed with its role, unit and 7-day expiry, stored, and works once."""
    with transaction(cli) as session:
        unit_id = add_unit(session, "Thôn Đông", "village").id
    assert main(["invite", "--role", "focal", "--unit", "thôn  đông"]) == 0
    lines = capsys.readouterr().out.splitlines()
    code = lines[0].removeprefix("code: ")
    with Session(cli) as session:
        invite = session.exec(select(InviteCode)).one()
    assert invite.code == code
    assert (invite.role, invite.unit_id, invite.used_at) == ("focal", unit_id, None)
    assert invite.expires_at - invite.created_at == dt.timedelta(days=7)
    local = invite.expires_at.astimezone(dt.timezone(dt.timedelta(hours=7)))
    assert lines[1:] == [
        "role: focal",
        "unit: Thôn Đông",
        f"expires: {local:%Y-%m-%d %H:%M} (Asia/Ho_Chi_Minh)",
        f"telegram: send /start {code} to the bot",
        f"zalo: send {code} to the bot",
    ]

    engine = DialogEngine(cli)
    first = await Chat(engine, "zalo", "head").send(code)
    assert (
        first[0]
        == "Phòng Văn hóa – Xã hội chào mừng anh/chị tham gia với vai trò đầu mối của Thôn Đông."
    )
    second = await Chat(engine, "telegram", "other").send(f"/start {code}")
    assert second[0].startswith("Mã mời không đúng hoặc đã hết hạn.")
    with Session(cli) as session:
        person = session.exec(select(Person)).one()
        assert (person.role, person.unit_id) == ("focal", unit_id)


def test_invite_shows_the_deep_link_when_the_bot_is_known(cli, capsys):
    """Once the bot has stored its Telegram username, the t.me link is printed."""
    with transaction(cli) as session:
        write_setting(session, "telegram_username", "xa_anhung_bot")
    assert main(["invite", "--role", "leader"]) == 0
    out = capsys.readouterr().out
    code = out.splitlines()[0].removeprefix("code: ")
    assert f"telegram: https://t.me/xa_anhung_bot?start={code}\n" in out
    assert "unit: -\n" in out
    assert TOKEN not in out


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["--role", "focal"], "focal needs --unit NAME; known units: Thôn Đông"),
        (
            ["--role", "focal", "--unit", "Thôn Bắc"],
            "unknown unit 'Thôn Bắc'; known units: Thôn Đông",
        ),
        (["--role", "leader", "--unit", "Thôn Đông"], "--unit is only for focal invites"),
    ],
)
def test_invite_refuses_a_focal_point_without_a_known_unit(cli, capsys, argv, problem):
    """Exit 2 with the reason (and the known units) on stderr; no code is created."""
    with transaction(cli) as session:
        add_unit(session, "Thôn Đông", "village")
    assert main(["invite", *argv]) == 2
    captured = capsys.readouterr()
    assert (captured.out, problems(captured)) == ("", problem + "\n")
    with Session(cli) as session:
        assert session.exec(select(InviteCode)).all() == []


def test_invite_with_no_units_says_how_to_add_them(cli, capsys):
    """With an empty registry the operator is pointed at `units import`."""
    assert main(["invite", "--role", "focal", "--unit", "Thôn Đông"]) == 2
    assert problems(capsys.readouterr()) == (
        "unknown unit 'Thôn Đông'; no units yet; add them with: hoctap units import FILE.csv\n"
    )


def test_invite_rejects_an_unknown_role(cli, capsys):
    """argparse refuses the role; main returns its exit code instead of raising."""
    assert main(["invite", "--role", "chairman"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_invite_says_which_database_it_used(cli, capsys):
    """One line on stderr names the database, so a wrong folder or URL shows at once."""
    assert main(["invite", "--role", "leader"]) == 0
    assert capsys.readouterr().err == f"database: {location(cli)}\n"


def test_invite_finds_a_unit_typed_without_accents(cli, capsys):
    """'truong thcs an hung' is Trường THCS An Hưng; 'THON DONG' is Thôn Đông (đ is d)."""
    with transaction(cli) as session:
        school = add_unit(session, "Trường THCS An Hưng", "school").id
        village = add_unit(session, "Thôn Đông", "village").id
    assert main(["invite", "--role", "focal", "--unit", "truong thcs an hung"]) == 0
    assert "unit: Trường THCS An Hưng\n" in capsys.readouterr().out
    assert main(["invite", "--role", "focal", "--unit", " THON  DONG "]) == 0
    assert "unit: Thôn Đông\n" in capsys.readouterr().out
    with Session(cli) as session:
        stored = session.exec(select(InviteCode.unit_id).order_by(col(InviteCode.id))).all()
    assert stored == [school, village]


def test_an_unknown_unit_lists_the_closest_names(cli, capsys):
    """A typo gets the nearest names back, exit 2, and no code."""
    with transaction(cli) as session:
        for name, kind in [
            ("Trường THCS An Hưng", "school"),
            ("Trường TH An Hưng", "school"),
            ("Thôn Đông", "village"),
            ("Thôn Tây", "village"),
        ]:
            add_unit(session, name, kind)
    assert main(["invite", "--role", "focal", "--unit", "truong thsc an hung"]) == 2
    captured = capsys.readouterr()
    assert (captured.out, problems(captured)) == (
        "",
        "unknown unit 'truong thsc an hung'; closest: Trường THCS An Hưng, Trường TH An Hưng\n",
    )
    with Session(cli) as session:
        assert session.exec(select(InviteCode)).all() == []


def test_an_archived_unit_gets_no_new_focal_point(cli, capsys):
    """The office archived Thôn Tây: the CLI says so instead of inviting into it."""
    with transaction(cli) as session:
        add_unit(session, "Thôn Tây", "village").archived_at = utcnow()
    assert main(["invite", "--role", "focal", "--unit", "thon tay"]) == 2
    assert problems(capsys.readouterr()) == "unit 'Thôn Tây' is archived\n"


class ClosedPipe(io.StringIO):
    """A stdout whose reader has gone away, like `| head -1` after its line."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def _invites(database) -> list[InviteCode]:  # type: ignore[no-untyped-def]
    with Session(database) as session:
        return list(session.exec(select(InviteCode)))


def test_invite_stores_the_code_before_printing_it(cli, capsys, monkeypatch):
    """Printing fails at the first line: the code is already committed, and no traceback."""
    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["invite", "--role", "leader"]) == 0
    [code] = _invites(cli)
    assert (code.role, code.used_at) == ("leader", None)
    assert capsys.readouterr().err == f"database: {location(cli)}\n"


def _script_env(database) -> dict[str, str]:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if k not in {"TIMEZONE", "DATABASE_URL"}}
    env["DATABASE_URL"] = database.url.render_as_string(hide_password=False)
    return env


def test_the_installed_script_survives_a_reader_that_is_gone(cli, tmp_path):
    """`hoctap invite` into a pipe nobody reads: exit 0, a stored code, no traceback."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [str(SCRIPT), "invite", "--role", "leader"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            env=_script_env(cli),
            cwd=tmp_path,
            text=True,
            check=False,
        )
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (0, f"database: {location(cli)}\n")
    assert [code.role for code in _invites(cli)] == ["leader"]


def test_invite_piped_to_head_prints_a_working_code(cli, tmp_path):
    """`hoctap invite --role leader | head -1` shows the code line, and that code is stored."""
    done = subprocess.run(
        f"'{SCRIPT}' invite --role leader | head -1",
        shell=True,
        capture_output=True,
        env=_script_env(cli),
        cwd=tmp_path,
        text=True,
        check=True,
    )
    assert done.stderr == f"database: {location(cli)}\n"
    [code] = _invites(cli)
    assert done.stdout == f"code: {code.code}\n"


# --- run and usage --------------------------------------------------------------------------


def test_run_hands_the_settings_to_the_app(cli, monkeypatch):
    """`hoctap run` starts bot.app.run with the settings read from the environment."""
    started: list[Settings] = []
    fake = types.ModuleType("bot.app")
    fake.run = lambda settings: started.append(settings) or 3  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "bot.app", fake)
    assert main(["run"]) == 3
    assert [s.telegram_bot_token for s in started] == [TOKEN]


def test_usage_errors_return_2(capsys):
    """No command, or half a command, prints usage and returns 2."""
    assert main([]) == 2
    assert main(["units"]) == 2
    assert main(["--help"]) == 0
    assert "invite" in capsys.readouterr().out


def test_a_database_that_cannot_be_opened_is_reported_without_its_password(
    monkeypatch, tmp_path, capsys
):
    """The operator sees which database failed, with the password hidden."""
    use_database(monkeypatch, tmp_path, "postgresql+psycopg://hoctap:s3cret@127.0.0.1:1/hoctap")
    assert main(["units", "list"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        "database: postgresql+psycopg://hoctap:***@127.0.0.1:1/hoctap\n"
        "cannot use the database postgresql+psycopg://hoctap:***@127.0.0.1:1/"
    )
    assert "s3cret" not in err


# --- reminders run --------------------------------------------------------------------------


def _due_friday(database) -> None:  # type: ignore[no-untyped-def]
    """A directive due Friday 27/03/2026 to Thôn Đông, whose head An is in the bot; an admin.

    The bot has run since 01/03, so the weeks of March have their digests.
    """
    with transaction(database) as session:
        record_first_run(session, dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    directive = seed_directive(database, "12/UBND", "V/v học tập", ["Thôn Đông"])
    with transaction(database) as session:
        row = session.get(Directive, directive.id)
        assert row is not None
        row.deadline = dt.date(2026, 3, 27)
        row.created_at = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)
        session.add(row)
    seed_person(database, "Nguyễn Văn An", unit="Thôn Đông")
    seed_person(database, "Trần Thị Hoa", Role.ADMIN)


def _queued(database) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with Session(database) as session:
        rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id))  # type: ignore[arg-type]
        return [(row.chat_id, row.text.split("\n")[0]) for row in rows]


def test_reminders_run_as_of_a_local_time(cli, capsys):
    """`--now 2026-03-24T08:00` is read in Vietnam's time: An's reminder and the week's digest."""
    _due_friday(cli)
    assert main(["reminders", "run", "--now", "2026-03-24T08:00"]) == 0
    assert capsys.readouterr().out == (
        "as of 2026-03-24 08:00 (Asia/Ho_Chi_Minh)\n"
        "reminders: 1\nescalations: 0\ndigests: 1\n"
        "messages: 2 (0 wait for the end of quiet hours)\n"
        "housekeeping: deleted 0 message keys, 0 sent and 0 failed messages\n"
    )
    assert [text for _chat, text in _queued(cli)] == [
        "⏰ Nhắc việc: Công văn số 12/UBND, ngày 10/03/2026",
        "📊 Tổng hợp tuần, 17/03/2026 – 24/03/2026",
    ]
    # Run again (or by cron as well as by the bot): nothing is queued twice.
    assert main(["reminders", "run", "--now", "2026-03-24T08:05"]) == 0
    assert "reminders: 0\nescalations: 0\ndigests: 0\nmessages: 0 " in capsys.readouterr().out
    assert len(_queued(cli)) == 2


def test_reminders_run_with_an_offset_and_at_night(cli, capsys):
    """An explicit offset is honoured; a pass in quiet hours says the messages will wait."""
    _due_friday(cli)
    assert main(["reminders", "run", "--now", "2026-03-28T01:00:00+00:00"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("as of 2026-03-28 08:00 (Asia/Ho_Chi_Minh)\nreminders: 1\n")
    assert "escalations: 1\n" in out
    assert main(["reminders", "run", "--now", "2026-03-30 22:00"]) == 0
    assert "digests: 1\nmessages: 1 (1 wait for the end of quiet hours)\n" in (
        capsys.readouterr().out
    )


@pytest.mark.parametrize("value", ["tomorrow", "24/03/2026 08:00", "2026-13-01T08:00"])
def test_reminders_run_refuses_a_time_it_cannot_read(cli, capsys, value):
    """A bad --now is explained on stderr with exit 2, and nothing is queued."""
    _due_friday(cli)
    assert main(["reminders", "run", "--now", value]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert problems(captured) == (
        f"--now {value!r} is not a date and time; use ISO 8601 such as 2026-03-27T08:00\n"
    )
    assert _queued(cli) == []


def test_reminders_run_with_a_bad_setting(cli, monkeypatch, capsys):
    """With nothing due it says so; a malformed REMINDER_SCHEDULE is reported, exit 2."""
    assert main(["reminders", "run"]) == 0
    assert "messages: 0 (0 wait for the end of quiet hours)\n" in capsys.readouterr().out
    monkeypatch.setenv("REMINDER_SCHEDULE", "-3d 08:00, soon")
    get_settings.cache_clear()
    assert main(["reminders", "run"]) == 2
    assert problems(capsys.readouterr()) == (
        "bad reminder setting: 'soon' must look like -3d 08:00, 0d 08:00 or +1d 08:00\n"
    )


def test_reminders_run_prunes_old_rows_and_records_the_first_run(cli, capsys):
    """By cron as well as by the bot: old message keys and sent messages go; the first run stays.

    Run first on Wednesday 25/03, this week gets no digest: the bot saw none of it.
    """
    now = dt.datetime(2026, 3, 25, 3, 0, tzinfo=dt.UTC)
    seed_person(cli, "Hoàng Văn Hùng", Role.LEADER)
    seed_directive(cli, "12/UBND", "V/v học tập", ["Thôn Đông"])
    with transaction(cli) as session:
        session.add(InboundKey(key="telegram:update:1", at=now - dt.timedelta(days=15)))
        session.add(InboundKey(key="telegram:update:2", at=now - dt.timedelta(days=1)))
        old = now - dt.timedelta(days=31)
        sent = OutboxStatus.SENT.value
        session.add(OutboxMessage(channel="zalo", chat_id="9", status=sent, sent_at=old))
    assert main(["reminders", "run", "--now", "2026-03-25T10:00"]) == 0
    out = capsys.readouterr().out
    assert "digests: 0\n" in out
    assert out.endswith("housekeeping: deleted 1 message keys, 1 sent and 0 failed messages\n")
    with Session(cli) as session:
        assert session.exec(select(InboundKey.key)).all() == ["telegram:update:2"]
        assert session.exec(select(OutboxMessage)).all() == []
        assert read_setting(session, FIRST_RUN) == now.isoformat()


def test_a_retention_under_a_day_is_refused(cli, monkeypatch, capsys):
    """INBOUND_KEY_DAYS=0 would forget replays at once: every command refuses it, exit 2."""
    monkeypatch.setenv("INBOUND_KEY_DAYS", "0")
    get_settings.cache_clear()
    assert main(["reminders", "run"]) == 2
    assert capsys.readouterr().err == (
        "bad setting INBOUND_KEY_DAYS: Input should be greater than or equal to 1\n"
    )
