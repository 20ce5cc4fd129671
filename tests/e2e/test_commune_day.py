"""A day at the commune, end to end: `hoctap run` as a real process against fake Bot APIs.

The admin joins with a CLI invite code, units are imported, a village head joins on Telegram
and a principal on Zalo, the admin sends a directive to everyone, both acknowledge, the village
head reports progress, the principal records 1,5 triệu for the fund, and the admin's status
and fund totals show it. In the afternoon, in the same process, Telegram numbers its updates
from 1 again, a second village head joins and is shown the open directive, the first is
removed, and a new directive reaches the principal in the middle of a contribution.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docx
import httpx
import openpyxl
import pytest

from tests.support.fake_telegram import FakeTelegram
from tests.support.fake_zalo import FakeZalo

ADMIN, VILLAGE_HEAD, SECOND_HEAD = 111_000_111, 222_000_222, 333_000_333
PRINCIPAL = "8a7f3c2e1b0d4f65"
WAIT = 40.0
"""Seconds to wait for an answer: generous, as the bot may start slowly on a busy machine
and one test waits out 15 s of getUpdates back-off."""
HOCTAP = str(Path(sys.executable).with_name("hoctap"))
"""The console script the package installs next to this Python."""
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ROOF = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00 the culture house roof, leaking \xff\xd9"
DONORS = ("Nguyễn Văn Bình", "Hội Khuyến học thôn Tây")


@pytest.fixture
def fakes() -> Iterator[tuple[FakeTelegram, FakeZalo]]:
    """Fake Telegram and Zalo Bot API servers on 127.0.0.1."""
    telegram, zalo = FakeTelegram().start(), FakeZalo().start()
    yield telegram, zalo
    telegram.stop()
    zalo.stop()


@pytest.fixture
def environment(tmp_path: Path, fakes) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The process environment of a fresh install pointing at the fakes."""
    telegram, zalo = fakes
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'hoctap.db'}",
        TELEGRAM_BOT_TOKEN=telegram.token,
        TELEGRAM_API_URL=telegram.url,
        ZALO_BOT_TOKEN=zalo.token,
        ZALO_API_URL=zalo.url,
        POLL_TIMEOUT="1",
        LOG_LEVEL="DEBUG",
        # The suite may run at night: the directive fan-out must not wait for the morning.
        QUIET_HOURS="off",
        # Pacing is tested on its own; here a second between two replies to one chat would
        # only make the day long.
        TELEGRAM_CHAT_RATE="20",
        ZALO_CHAT_RATE="20",
    )
    return env


def hoctap(env: dict[str, str], cwd: Path, *args: str) -> str:
    """Run one CLI command to completion and return what it printed."""
    result = subprocess.run(
        [HOCTAP, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def invite_code(output: str) -> str:
    """Pick the invite code out of `hoctap invite` output."""
    found = re.search(r"\b([A-HJ-NP-Z2-9]{8})\b", output)
    assert found, output
    return found[1]


def _plain(text: str) -> str:
    """Read a message as a person does: Babel's no-break space before ₫ is just a space."""
    return text.replace("\xa0", " ")


class TelegramUser:
    """Someone chatting with the bot in the Telegram app."""

    def __init__(self, fake: FakeTelegram, user_id: int) -> None:
        self.fake, self.user_id, self.read = fake, user_id, 0

    def says(self, text: str) -> None:
        """Type and send a message."""
        self.fake.user_sends(self.user_id, text)

    def taps(self, label: str) -> None:
        """Tap the button with this label on the newest message that has buttons."""
        buttons = self.fake.last_buttons(self.user_id)
        data = [data for data, shown in buttons if shown == label]
        assert data, f"no button {label!r} in {buttons}"
        self.fake.user_taps(self.user_id, data[0])

    def sees(self, fragment: str) -> str:
        """Wait for a new message containing `fragment` and return it."""

        def arrived() -> bool:
            texts = [_plain(m.get("text") or m.get("caption") or "") for m in self.messages()]
            return any(fragment in text for text in texts[self.read :])

        assert self.fake.wait_for(arrived, WAIT), f"never saw {fragment!r}: {self.messages()}"
        texts = [_plain(m.get("text") or m.get("caption") or "") for m in self.messages()]
        index = next(i for i in range(self.read, len(texts)) if fragment in texts[i])
        self.read = index + 1
        return texts[index]

    def messages(self) -> list[dict]:
        """Every message the bot has sent this user."""
        return self.fake.messages_to(self.user_id)

    def texts(self) -> list[str]:
        """The text of every message the bot has sent this user, as they read it."""
        return [_plain(m.get("text") or m.get("caption") or "") for m in self.messages()]


class ZaloUser:
    """Someone chatting with the bot in the Zalo app, where choices are numbered."""

    def __init__(self, fake: FakeZalo, user_id: str) -> None:
        self.fake, self.user_id, self.read, self.last = fake, user_id, 0, ""

    def says(self, text: str) -> None:
        """Type and send a message."""
        self.fake.user_sends(self.user_id, text, display_name="Trần Thị Bích")

    def picks(self, label: str) -> None:
        """Reply with the number written before `label` in the newest numbered list."""
        found = re.search(rf"^(\d+)\. {re.escape(label)}$", self.last, re.MULTILINE)
        assert found, f"no choice {label!r} in {self.last!r}"
        self.says(found[1])

    def sees(self, fragment: str) -> str:
        """Wait for a new message containing `fragment` and return it."""

        def arrived() -> bool:
            texts = self.fake.messages_to(self.user_id)[self.read :]
            return any(fragment in _plain(text) for text in texts)

        assert self.fake.wait_for(arrived, WAIT), (
            f"never saw {fragment!r}: {self.fake.messages_to(self.user_id)}"
        )
        texts = [_plain(text) for text in self.fake.messages_to(self.user_id)]
        index = next(i for i in range(self.read, len(texts)) if fragment in texts[i])
        self.read, self.last = index + 1, texts[index]
        return texts[index]


@dataclass
class Commune:
    """The people of the story, each in their own chat app."""

    admin: TelegramUser
    head: TelegramUser
    principal: ZaloUser


def the_morning(commune: Commune, admin_code: str, head_code: str, principal_code: str) -> None:
    """Everyone joins, directive 12 goes out, both acknowledge, the head reports, the principal
    records 1,5 triệu, and the admin's totals and status show it."""
    admin, head, principal = commune.admin, commune.head, commune.principal
    admin.says(f"/start {admin_code}")
    admin.sees("họ và tên")
    admin.says("Lê Thị Hoa")
    admin.sees("Cảm ơn anh/chị Lê Thị Hoa")
    head.says(f"/start {head_code}")
    head.sees("đầu mối của Thôn Đông")
    head.says("Nguyễn Văn An")
    head.sees("Cảm ơn anh/chị Nguyễn Văn An")
    principal.says(principal_code.lower())
    principal.sees("đầu mối của Trường TH An Hưng")
    principal.says("Trần Thị Bích")
    principal.sees("Cảm ơn anh/chị Trần Thị Bích")

    admin.says("/congvan")
    admin.sees("Số, ký hiệu công văn")
    admin.says("12/UBND-VHXH")
    admin.sees("ban hành ngày nào")
    admin.taps("Hôm nay")
    admin.sees("Trích yếu")
    admin.says("V/v tiếp tục triển khai Đề án Xây dựng xã hội học tập giai đoạn 2021 - 2030")
    admin.sees("nội dung")
    admin.says("Đề nghị các đơn vị triển khai ngay và báo cáo kết quả về UBND xã.")
    admin.sees("tới đơn vị nào")
    admin.taps("Tất cả đơn vị")
    admin.sees("Hạn")
    admin.says("30/12/2099")
    admin.sees("12/UBND-VHXH")
    admin.taps("Gửi")
    admin.sees("Đã gửi công văn tới 3 đơn vị, 2 người")

    head.sees("12/UBND-VHXH")
    head.taps("Đã nhận")
    head.sees("Đã xác nhận")
    principal.sees("12/UBND-VHXH")
    principal.picks("Đã nhận")
    principal.sees("Đã xác nhận")

    head.taps("Báo cáo")
    head.sees("Tình hình thực hiện")
    head.taps("Đang thực hiện")
    head.sees("ghi chú hoặc ảnh")
    head.says("Đã họp dân, 80% hộ đăng ký")
    head.sees("Đã nhận ghi chú")
    head.taps("Gửi báo cáo")
    head.sees("Đã gửi báo cáo")

    principal.says("/quy")
    principal.sees("người đóng góp")
    principal.says("Nguyễn Văn Bình")
    principal.sees("Số tiền")
    principal.says("1 triệu rưỡi")
    principal.sees("Ghi chú")
    principal.picks("Bỏ qua")
    confirm = principal.sees("một triệu năm trăm nghìn đồng")
    assert "1.500.000 ₫" in confirm and "(Cá nhân)" in confirm
    principal.picks("Xác nhận")
    receipt = principal.sees("Số biên lai")
    assert re.search(r"KH\d{4}-00001", receipt)

    admin.says("/quytonghop")
    totals = admin.sees("1.500.000 ₫")
    assert "Trường TH An Hưng" in totals
    admin.says("/tinhhinh")
    status = admin.sees("12/UBND-VHXH")
    assert "Đã nhận: 2/2 người" in status
    assert "Đã báo cáo: 1/3 đơn vị" in status


def the_afternoon(
    commune: Commune, telegram: FakeTelegram, env: dict[str, str], cwd: Path
) -> TelegramUser:
    """Telegram numbers updates from 1 again; a second village head joins Thôn Đông and is
    shown directive 12; the first one is removed; directive 13 interrupts the principal's
    contribution, which goes on where it stood; the status counts the new roster."""
    admin, old_head, principal = commune.admin, commune.head, commune.principal
    # Telegram may start update_ids over (after a quiet week): they identify nothing.
    telegram.restart_update_ids()

    code = invite_code(hoctap(env, cwd, "invite", "--role", "focal", "--unit", "thon dong"))
    new_head = TelegramUser(telegram, SECOND_HEAD)
    new_head.says(f"/start {code}")
    new_head.sees("đầu mối của Thôn Đông")
    new_head.says("Phạm Văn Cường")
    new_head.sees("Cảm ơn anh/chị Phạm Văn Cường")
    still_open = new_head.sees("Đơn vị của anh/chị đang có 1 công văn chưa hoàn thành")
    assert "12/UBND-VHXH" in still_open
    assert sum("12/UBND-VHXH" in text for text in new_head.texts()) == 1
    actions = [label for _data, label in telegram.last_buttons(SECOND_HEAD)]
    assert actions == ["Đã nhận 12/UBND-VHXH", "Báo cáo 12/UBND-VHXH"]
    new_head.taps("Đã nhận 12/UBND-VHXH")
    new_head.sees("Đã xác nhận")

    people = hoctap(env, cwd, "people", "list")
    row = next(line for line in people.splitlines() if line.endswith("\tNguyễn Văn An"))
    removed = hoctap(env, cwd, "people", "remove", row.split("\t")[0])
    assert "Nguyễn Văn An" in removed
    old_head.sees("Anh/chị không còn trong danh sách")
    farewell_at = len(old_head.messages())

    admin.says("/congvan")
    admin.sees("Số, ký hiệu công văn")
    admin.says("13/UBND-VHXH")
    admin.sees("ban hành ngày nào")
    admin.taps("Hôm nay")
    admin.sees("Trích yếu")
    admin.says("V/v tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2026")
    admin.sees("nội dung")
    admin.says("Đề nghị các đơn vị tổ chức các hoạt động hưởng ứng và báo cáo về UBND xã.")
    admin.sees("tới đơn vị nào")
    admin.taps("Tất cả đơn vị")
    admin.sees("Hạn")
    admin.says("30/12/2099")
    admin.sees("13/UBND-VHXH")

    # Meanwhile the principal is recording a second contribution, up to the note.
    principal.says("/quy")
    principal.sees("người đóng góp")
    principal.says("Hội Khuyến học thôn Tây")
    principal.sees("Số tiền")
    principal.says("2tr")
    asked = principal.sees("Ghi chú (")

    admin.taps("Gửi")
    admin.sees("Đã gửi công văn tới 3 đơn vị, 2 người")

    new_head.sees("13/UBND-VHXH")
    pushed = principal.sees("13/UBND-VHXH")
    # Mid-dialog on Zalo the push names the words to type instead of its numbers.
    ack = re.search(r"Trả lời: (nhận \d+) / báo cáo \d+", pushed)
    assert ack, pushed
    again = principal.sees("Ghi chú (")
    # The same question with the same numbers: "1" still means the same answer.
    assert again == asked and re.search(r"^1\. Bỏ qua$", again, re.MULTILINE)
    principal.picks("Bỏ qua")
    principal.sees("hai triệu đồng")
    principal.picks("Sửa loại")
    principal.sees("Người đóng góp là")
    principal.picks("Tổ chức")
    confirm = principal.sees("hai triệu đồng")
    assert "2.000.000 ₫" in confirm and "Hội Khuyến học thôn Tây (Tổ chức)" in confirm
    principal.picks("Xác nhận")
    receipt = principal.sees("Số biên lai")
    assert re.search(r"KH\d{4}-00002", receipt)
    principal.says(ack[1])
    principal.sees("Đã xác nhận")

    # The others have directive 13 and the principal has answered it: the removed head has
    # had nothing since the farewell, and the farewell once.
    assert len(old_head.messages()) == farewell_at, old_head.texts()[farewell_at:]
    assert not any("13/UBND-VHXH" in text for text in old_head.texts())
    assert sum("không còn trong danh sách" in text for text in old_head.texts()) == 1

    admin.says("/quytonghop")
    totals = admin.sees("3.500.000 ₫")
    assert "Trường TH An Hưng" in totals
    admin.says("/tinhhinh")
    status = admin.sees("13/UBND-VHXH")
    newer, older = (block for block in status.split("\n\n") if "/UBND-VHXH" in block)
    assert "13/UBND-VHXH" in newer and "12/UBND-VHXH" in older
    # Focal points are the new head and the principal; the removed head's receipt is gone.
    assert "Đã nhận: 1/2 người" in newer and "Đã báo cáo: 0/3 đơn vị" in newer
    assert "Đã nhận: 2/2 người" in older and "Đã báo cáo: 1/3 đơn vị" in older
    return new_head


def cong_van_docx() -> bytes:
    """The An Hưng công văn (a draft: its number and day left blank) as a Word file."""
    document = docx.Document()
    for line in (FIXTURES / "congvan-an-hung-2026.txt").read_text(encoding="utf-8").splitlines():
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def the_evening(
    commune: Commune, telegram: FakeTelegram, zalo: FakeZalo, head: TelegramUser
) -> None:
    """Directive 14 is the công văn's own Word file: the bot reads it and asks only the blanks;
    the village head reads the villages' tasks, the principal the schools'. The principal
    reports a difficulty with a photo on Zalo; the admin sees the photo on Telegram, answers,
    and the principal gets the answer; the admin takes the directive's status and the fund
    ledger as files, which hold the rows the day made."""
    admin, principal = commune.admin, commune.principal
    admin.says("/congvan")
    admin.sees("Số, ký hiệu công văn")
    telegram.user_sends_document(
        ADMIN, "BQACAgUAAxkBAAICv14", "cv-an-hung.docx", data=cong_van_docx()
    )
    read = admin.sees("Đã đọc văn bản")
    assert "số, ngày ban hành, hạn thực hiện" in read
    admin.sees("Số, ký hiệu công văn")
    admin.says("14/UBND-VHXH")
    admin.sees("ban hành ngày nào")
    admin.taps("Hôm nay")
    admin.sees("Hạn")
    admin.says("30/12/2099")
    summary = admin.sees("Nhiệm vụ theo đơn vị")
    assert "Tệp: cv-an-hung.docx" in summary
    admin.taps("Gửi")
    admin.sees("Đã gửi công văn tới 3 đơn vị, 2 người")

    village_push = head.sees("14/UBND-VHXH")
    assert "Nhiệm vụ của thôn:\n- Lòng ghép nội dung" in village_push
    assert "trường học" not in village_push.split("Nhiệm vụ của thôn:")[1]
    school_push = principal.sees("14/UBND-VHXH")
    assert "Nhiệm vụ của nhà trường:\n- Căn cứ chức năng" in school_push
    assert "Trưởng thôn" not in school_push

    principal.picks("Báo cáo")
    principal.sees("Tình hình thực hiện")
    principal.picks("Gặp khó khăn")
    principal.sees("khó khăn")
    zalo.user_sends_image(PRINCIPAL, zalo.image_url(ROOF))
    principal.sees("Đã nhận ảnh")
    principal.says("Mái nhà văn hóa dột, chưa tổ chức được buổi học tập cộng đồng")
    principal.sees("Đã nhận ghi chú")
    principal.picks("Gửi báo cáo")
    principal.sees("Đã gửi báo cáo")

    notice = admin.sees("báo cáo gặp khó khăn")
    assert "Mái nhà văn hóa dột" in notice
    photo = next(m for m in reversed(admin.messages()) if "photo" in m)
    assert "báo cáo gặp khó khăn" in photo["caption"]
    uploads = telegram.uploads.get(ADMIN, [])
    # The photo is the bot's copy, uploaded; or, if its download was still running, Zalo's
    # own address, which Telegram fetches itself.
    shown = uploads[-1].data if uploads else httpx.get(photo["photo"][0]["file_id"]).content
    assert shown == ROOF
    admin.taps("Trả lời")
    admin.sees("Nội dung trả lời")
    admin.says("Xã hỗ trợ kinh phí sửa mái trong tuần này")
    admin.sees("Trường TH An Hưng")
    answered = principal.sees("trả lời về khó khăn ở công văn số 14/UBND-VHXH")
    assert "Xã hỗ trợ kinh phí sửa mái" in answered

    admin.says("/xuat")
    admin.sees("muốn xuất tệp gì")
    admin.taps("Tình hình thực hiện công văn")
    admin.sees("Công văn nào")
    admin.taps("14/UBND-VHXH — V/v tiếp tục triển khai…")
    status_book = received_file(telegram, ".xlsx", "tinh-hinh-14")
    report = received_file(telegram, ".docx", "bao-cao-14")
    sheet = openpyxl.load_workbook(io.BytesIO(status_book)).active
    rows = {row[1]: row for row in sheet.iter_rows(values_only=True) if row and row[1]}
    school = rows["Trường TH An Hưng"]
    assert "Gặp khó khăn" in school and "Trần Thị Bích" in school
    assert any("Xã hỗ trợ kinh phí sửa mái" in str(cell) for cell in school)
    assert rows["Thôn Tây"][4] == "Chưa triển khai"
    paragraphs = [p.text for p in docx.Document(io.BytesIO(report)).paragraphs]
    assert "BÁO CÁO" in paragraphs
    assert any("Mái nhà văn hóa dột" in text for text in paragraphs)

    admin.says("/xuat")
    admin.sees("muốn xuất tệp gì")
    admin.taps("Sổ quỹ khuyến học")
    admin.sees("Thời gian nào")
    admin.taps(f"Năm {dt.date.today().year}")
    ledger = openpyxl.load_workbook(
        io.BytesIO(received_file(telegram, ".xlsx", "so-quy-khuyen-hoc"))
    ).active
    # STT, date, receipt, unit, donor, kind, amount…: the day's two receipts, to the đồng.
    amounts = [row[6] for row in ledger.iter_rows(values_only=True) if row[4] in DONORS]
    assert sorted(amounts) == [1_500_000, 2_000_000], amounts


def received_file(telegram: FakeTelegram, suffix: str, starts: str) -> bytes:
    """Wait for the file the bot uploads to the admin and return its bytes."""

    def found() -> list[bytes]:
        return [
            upload.data
            for upload in telegram.uploads.get(ADMIN, [])
            if upload.filename.startswith(starts) and upload.filename.endswith(suffix)
        ]

    assert telegram.wait_for(lambda: bool(found()), WAIT), telegram.uploads.get(ADMIN)
    return found()[-1]


def test_a_day_at_the_commune(tmp_path: Path, fakes, environment) -> None:  # type: ignore[no-untyped-def]
    """From invite codes to fund totals, then a changed roster and an interrupted dialog, all
    through the real process and both channels."""
    telegram, zalo = fakes
    units = tmp_path / "units.csv"
    units.write_text(
        "name,kind\nThôn Đông,village\nThôn Tây,village\nTrường TH An Hưng,school\n",
        encoding="utf-8",
    )
    # A fresh install: the database is created first; the other commands never create one.
    hoctap(environment, tmp_path, "db", "upgrade")
    hoctap(environment, tmp_path, "units", "import", str(units))
    codes = [
        invite_code(hoctap(environment, tmp_path, "invite", *args))
        for args in (
            ("--role", "admin"),
            ("--role", "focal", "--unit", "Thôn Đông"),
            ("--role", "focal", "--unit", "Trường TH An Hưng"),
        )
    ]

    log = (tmp_path / "bot.log").open("w")
    bot = subprocess.Popen(
        [HOCTAP, "run"],
        env=environment,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        commune = Commune(
            admin=TelegramUser(telegram, ADMIN),
            head=TelegramUser(telegram, VILLAGE_HEAD),
            principal=ZaloUser(zalo, PRINCIPAL),
        )
        the_morning(commune, *codes)
        commands = telegram.calls_to("setMyCommands")
        assert any("congvan" in str(call) for call in commands)
        second_head = the_afternoon(commune, telegram, environment, tmp_path)
        the_evening(commune, telegram, zalo, second_head)
    finally:
        bot.send_signal(signal.SIGTERM)
        try:
            code = bot.wait(timeout=20)
        finally:
            bot.kill()
            log.close()
    output = (tmp_path / "bot.log").read_text(encoding="utf-8")
    assert code == 0, output
    assert telegram.token not in output and zalo.token not in output
