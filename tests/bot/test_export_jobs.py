"""The files asked for with /xuat, built in the background and delivered: uploaded on
Telegram, a one-day link on Zalo; read back cell by cell against the database."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import docx
import httpx
import pytest
from openpyxl import load_workbook
from openpyxl.workbook import Workbook
from sqlmodel import Session, col, select

from bot.attachments import Attachments
from bot.channels.telegram import TelegramChannel
from bot.channels.zalo import ZaloChannel
from bot.delivery import OutboxSender, Pace
from bot.export_jobs import BUILDERS, ExportSetup, Job, run_exports
from bot.file_server import FileServer
from bot.links import LinkSigner
from bot.scheduler import EXPORT_JOB_ID, housekeeping_job, start_scheduler
from handlers.file_refs import use_public_links
from handlers.i18n import Translator
from handlers.reminder_policy import ReminderPolicy
from handlers.report_news import status_label
from storage.db import transaction
from storage.housekeeping import Retention
from storage.models import OutboxMessage, Person
from tests.support.exports import (
    EAST,
    NOTE,
    NUMBER,
    SCHOOL,
    WEST,
    assignments_of,
    export_folders,
    ledger_rows,
    office,
    requests,
    seed_ledger,
)
from tests.support.fake_telegram import FakeTelegram
from tests.support.fund import plain
from tests.support.sending import Sleeper
from tests.support.wired import Wired

HOA = 9001
"""The officer's Telegram chat."""
HOA_ZALO = "zhoa"
LINK_LINE = "Tải về qua liên kết dưới đây (dùng được trong 1 ngày):"
VI = Translator("vi")


@pytest.fixture(autouse=True)
def no_public_address() -> Iterator[None]:
    """No PUBLIC_URL unless a test sets one; none leaks into the next test."""
    use_public_links(False)
    yield
    use_public_links(False)


@pytest.fixture
def folders(tmp_path: Path) -> dict[str, Path]:
    """EXPORT_DIR and MEDIA_DIR of the test's bot."""
    return export_folders(tmp_path)


@pytest.fixture
async def bot(fake: FakeTelegram, engine, clock, folders) -> AsyncIterator[Wired]:  # type: ignore[no-untyped-def]
    """The commune with its directives, the officer on Telegram, the bot polling the fake and
    uploading the files it made; the welcomes already delivered."""
    await office(engine)
    channel = TelegramChannel(fake.token, fake.url, poll_timeout=1, send_timeout=2)
    attachments = Attachments(LinkSigner(b"secret"), folders, clock=clock)
    async with Wired(channel, engine, clock, attachments) as wired:
        await wired.send_queued()
        yield wired


async def says(bot: Wired, fake: FakeTelegram, text: str) -> None:
    """The officer sends a text; the bot answers."""
    fake.user_sends(HOA, text)
    await bot.turn()


async def taps(bot: Wired, fake: FakeTelegram, label: str) -> None:
    """The officer taps a button of the bot's newest message by its label."""
    data = [data for data, shown in fake.last_buttons(HOA) if shown.startswith(label)]
    assert data, f"no button {label!r} in {fake.last_buttons(HOA)}"
    fake.user_taps(HOA, data[0])
    await bot.turn()


def sent_file(fake: FakeTelegram) -> tuple[str, str]:
    """The file the officer got last and the line that names it (the Telegram adapter sends
    a document's text right after it, not as its caption)."""
    document, line = fake.messages_to(HOA)[-2:]
    return document["document"]["file_name"], line["text"]


def job_runs(database, folders, clock) -> int:  # type: ignore[no-untyped-def]
    """One run of the background job, as the scheduler makes it every two seconds."""
    return run_exports(database, ExportSetup(folders["export"]), clock)


def workbook(data: bytes) -> Workbook:
    """A workbook from the bytes of an upload or a download."""
    return load_workbook(io.BytesIO(data))


def values(sheet: Any, row: int, width: int) -> list[Any]:
    """One row's values, columns A.. (dates read back as datetimes)."""
    return [sheet.cell(row, column).value for column in range(1, width + 1)]


def export_messages(database) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    """The messages the job queued, in order."""
    with Session(database) as session:
        query = select(OutboxMessage).where(col(OutboxMessage.idempotency_key).like("export:%"))
        return list(session.exec(query.order_by(col(OutboxMessage.id))))


async def test_telegram_gets_the_directive_status_workbook(bot, fake, database, clock, folders):
    """Hoa sends /xuat and taps twice; the job builds the workbook and the bot uploads it
    with a one-line caption. Row by row it says what the database says: Đông done, Tây never
    reported, the school in progress with its note; overdue past 18/03; then the summary."""
    await says(bot, fake, "/xuat")
    await taps(bot, fake, "Tình hình thực hiện công văn")
    await taps(bot, fake, NUMBER)
    assert job_runs(database, folders, clock) == 1
    await bot.send_queued()

    upload, report = fake.uploads[HOA]
    assert upload.filename == "tinh-hinh-12-ubnd-vhxh-2026-03-20.xlsx"
    assert report.filename == "bao-cao-12-ubnd-vhxh-2026-03-20.docx"
    assert sent_file(fake) == (report.filename, f"Tình hình thực hiện công văn số {NUMBER} (Word)")
    [request] = requests(database)
    assert (request.status, request.files) == (
        "done",
        [f"{request.id}/{upload.filename}", f"{request.id}/{report.filename}"],
    )
    # The report to sign names every unit, in the workbook's order.
    table = docx.Document(io.BytesIO(report.data)).tables[1]
    assert [row.cells[1].text for row in table.rows[1:]] == [EAST, WEST, SCHOOL]

    book = workbook(upload.data)
    sheet = book[NUMBER.replace("/", "-")]
    assert sheet["C2"].value == NUMBER
    assignments = assignments_of(database, request.params["directive_id"])
    reported = dt.datetime(2026, 3, 12, 9, 30)
    expected = [
        # STT, unit, focal points, (received), status, last report, note, …, overdue
        [1, EAST, "Trần Văn Tâm", status_label(VI, assignments[EAST].status), reported, None],
        [2, WEST, None, status_label(VI, assignments[WEST].status), None, None],
        [3, SCHOOL, None, status_label(VI, assignments[SCHOOL].status), reported, NOTE],
    ]
    rows = [values(sheet, row, 10) for row in (8, 9, 10)]
    assert [[r[0], r[1], r[2], r[4], r[5], r[6]] for r in rows] == expected
    assert [r[4] for r in rows] == ["Đã hoàn thành", "Chưa triển khai", "Đang thực hiện"]
    assert [r[9] for r in rows] == ["Không", "Có", "Có"]
    assert sheet.cell(11, 1).value is None
    assert values(sheet, 12, 6)[1:] == [
        "Số đơn vị",
        "Đã nhận",
        "Đã báo cáo",
        "Đã hoàn thành",
        "Quá hạn",
    ]
    assert [values(sheet, 13, 6)[i] for i in (1, 3, 4, 5)] == [3, 2, 1, 2]


async def test_telegram_gets_the_ledger_of_this_year(bot, fake, database, clock, folders):
    """The ledger of 2026 has every 2026 ledger row in the database in date order, the
    reversal as a negative row naming the receipt it undoes, and totals per unit (Tây, which
    gave nothing in 2026, at 0) that add up to the database's."""
    seed_ledger(database)
    await says(bot, fake, "/xuat")
    await taps(bot, fake, "Sổ quỹ khuyến học")
    await taps(bot, fake, "Năm 2026")
    job_runs(database, folders, clock)
    await bot.send_queued()

    [upload] = fake.uploads[HOA]
    assert upload.filename == "so-quy-khuyen-hoc-2026.xlsx"
    assert sent_file(fake) == (upload.filename, "Sổ quỹ khuyến học năm 2026 (Excel)")
    book = workbook(upload.data)
    ledger = book["Sổ quỹ"]
    stored = ledger_rows(database, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert len(stored) == 5
    listed = [values(ledger, 5 + index, 11) for index in range(len(stored))]
    assert [(row[2], row[4], row[6]) for row in listed] == [
        (entry.receipt_no, entry.donor_name, entry.amount) for entry in stored
    ]
    [reversal] = [row for row in listed if row[6] < 0]
    [reversing] = [entry for entry in stored if entry.reverses_id]
    undone = next(entry for entry in stored if entry.id == reversing.reverses_id)
    assert (reversal[4], reversal[6], reversal[9]) == (
        "Nguyễn Văn Bình",
        -1_500_000,
        undone.receipt_no,
    )
    assert values(ledger, 10, 7) == ["Tổng cộng", None, None, None, None, None, 7_300_000]
    assert sum(entry.amount for entry in stored) == 7_300_000

    totals = book["Tổng hợp"]
    by_unit = [values(totals, row, 3) for row in range(5, 9)]
    assert by_unit == [
        [EAST, 1, 2_000_000],
        [WEST, 0, 0],
        [SCHOOL, 1, 5_000_000],
        ["Văn phòng UBND xã", 1, 300_000],
    ]


@pytest.fixture
def file_server(folders, clock) -> Iterator[FileServer]:  # type: ignore[no-untyped-def]
    """The bot's link endpoint, on the test's clock."""
    server = FileServer(LinkSigner(b"secret"), folders, clock=clock).start()
    yield server
    server.stop()


async def send_on_zalo(database, zalo_fake, folders, clock, file_server) -> None:  # type: ignore[no-untyped-def]
    """Send what the outbox holds for Zalo, links signed for the bot's public address."""
    signer = LinkSigner(b"secret", f"http://127.0.0.1:{file_server.port}")
    adapter = ZaloChannel(zalo_fake.token, zalo_fake.url, poll_timeout=1, send_timeout=2)
    sender = OutboxSender(
        database,
        {"zalo": adapter},
        paces={"zalo": Pace(100, 100)},
        clock=clock,
        sleep=Sleeper(clock),
        attachments=Attachments(signer, folders, clock=clock),
    )
    try:
        await sender.drain("zalo")
    finally:
        await adapter.close()


async def test_zalo_gets_a_link_that_opens_the_same_workbook(
    engine, database, clock, folders, zalo_fake, file_server
):
    """With PUBLIC_URL the Zalo officer gets a line naming the ledger and its link; the link
    opens the very workbook built, until it expires a day later; an altered link opens
    nothing."""
    use_public_links(True)
    town = await office(engine, channel="zalo", external_id=HOA_ZALO)
    seed_ledger(database)
    await town.admin.send("xuat")
    await town.admin.send("2")
    await town.admin.send("1")
    job_runs(database, folders, clock)
    await send_on_zalo(database, zalo_fake, folders, clock, file_server)

    text, link = zalo_fake.messages_to(HOA_ZALO)[-1].split("\n")
    assert text == f"Sổ quỹ khuyến học năm 2026 (Excel). {LINK_LINE}"
    assert link.startswith(f"http://127.0.0.1:{file_server.port}/f/export/")
    assert link.endswith("/so-quy-khuyen-hoc-2026.xlsx")
    [request] = requests(database)
    built = folders["export"] / str(request.id) / "so-quy-khuyen-hoc-2026.xlsx"
    answer = httpx.get(link)
    assert answer.status_code == 200 and answer.content == built.read_bytes()
    ledger = workbook(answer.content)["Sổ quỹ"]
    stored = ledger_rows(database, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert [ledger.cell(5 + i, 3).value for i in range(5)] == [e.receipt_no for e in stored]

    head, _slash, tail = link.rpartition("/f/export/")
    token, _slash, name = tail.partition("/")
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert httpx.get(f"{head}/f/export/{altered}/{name}").status_code == 403
    assert httpx.get(f"{head}/f/media/{token}/{name}").status_code == 403
    clock.advance(days=1, seconds=1)
    assert httpx.get(link).status_code == 410


async def test_a_public_notice_comes_as_text_to_forward(
    engine, database, clock, folders, zalo_fake, file_server
):
    """The notice of Thôn Đông lists its standing 2026 contributions (the reversed one and
    its reversal left out) and their total, as a message of its own to forward."""
    use_public_links(True)
    town = await office(engine, channel="zalo", external_id=HOA_ZALO)
    seed_ledger(database)
    await town.admin.send("xuat")
    await town.admin.send("3")
    await town.admin.send("1")
    assert job_runs(database, folders, clock) == 1
    await send_on_zalo(database, zalo_fake, folders, clock, file_server)

    *_, intro, notice = plain(zalo_fake.messages_to(HOA_ZALO))
    assert intro == (
        "Nội dung công khai dưới đây có thể chuyển tiếp nguyên văn vào nhóm Zalo của đơn vị:"
    )
    assert notice == (
        "Công khai các khoản đóng góp Quỹ khuyến học, khuyến tài của Thôn Đông "
        "từ ngày 01/01/2026 đến ngày 31/12/2026:\n"
        "1. Dòng họ Lê: 2.000.000 ₫ (ngày 05/03/2026)\n"
        "Tổng cộng: 1 lượt đóng góp, 2.000.000 ₫."
    )
    # The page to post at the village hall comes first, as a link on Zalo.
    [request] = requests(database)
    assert request.files == [f"{request.id}/cong-khai-thon-dong-2026.docx"]
    assert [m.idempotency_key for m in export_messages(database)] == [
        f"export:{request.id}:{n}" for n in (0, 1, 2)
    ]


async def test_the_job_run_twice_sends_once(engine, database, clock, folders):
    """A second run finds nothing to do; a run that crashed mid-build leaves its lease to run
    out, then the request is built by the next run, and sent once."""
    town = await office(engine)
    await town.admin.send("/xuat")
    await town.admin.tap("Sổ quỹ khuyến học")
    await town.admin.tap("Năm 2026")
    assert job_runs(database, folders, clock) == 1
    assert job_runs(database, folders, clock) == 0
    assert len(export_messages(database)) == 1

    from storage.export_requests import claim, mark_done

    await town.admin.send("/xuat")
    await town.admin.tap("Sổ quỹ khuyến học")
    await town.admin.tap("Năm 2025")
    second = requests(database)[-1].id or 0
    with transaction(database) as session:
        crashed = claim(session, second, clock(), dt.timedelta(minutes=10))
    assert crashed is not None
    with transaction(database) as session:
        assert claim(session, second, clock(), dt.timedelta(minutes=10)) is None
    assert job_runs(database, folders, clock) == 0
    clock.advance(minutes=11)
    assert job_runs(database, folders, clock) == 1
    with transaction(database) as session:
        assert not mark_done(session, second, crashed, [], clock())
    texts = [m.text for m in export_messages(database)]
    assert texts == ["Sổ quỹ khuyến học năm 2026 (Excel)", "Sổ quỹ khuyến học năm 2025 (Excel)"]


async def test_a_failing_build_tells_the_person_in_their_language(
    engine, database, clock, folders, monkeypatch
):
    """The disk fills up while the status is written: the request is marked failed with the
    reason, its half-written folder is removed, and the officer, who reads English, is told."""

    def disk_full(job: Job) -> Path:
        (job.folder / "half.xlsx").write_bytes(b"PK")
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(BUILDERS, "status", (disk_full,))
    town = await office(engine)
    await town.admin.send("/xuat")
    await town.admin.tap("Tình hình thực hiện công văn")
    await town.admin.tap("Tất cả công văn đang mở")
    with transaction(database) as session:
        officer = session.exec(select(Person).where(Person.name == "Lê Thị Hoa")).one()
        officer.locale = "en"
        session.add(officer)

    assert job_runs(database, folders, clock) == 1
    [request] = requests(database)
    assert (request.status, request.files) == ("failed", [])
    assert request.error == "OSError: [Errno 28] No space left on device"
    assert not (folders["export"] / str(request.id)).exists()
    [told] = export_messages(database)
    assert (told.chat_id, told.idempotency_key) == ("9001", f"export:{request.id}:failed")
    assert told.text == (
        "“Status of the open directives on Mar 20, 2026” could not be prepared. Please try "
        "again later; if it fails again, tell whoever runs the system."
    )
    assert job_runs(database, folders, clock) == 0


async def test_housekeeping_removes_files_built_over_two_days_ago(database, clock, folders):
    """Links live a day: the hourly housekeeping deletes requests' folders last written more
    than two days ago, and leaves newer ones and whatever else is in the export folder."""
    exports = folders["export"]
    for name, age in (("7", dt.timedelta(days=2, minutes=1)), ("8", dt.timedelta(days=1))):
        (exports / name).mkdir()
        (exports / name / "so-quy-khuyen-hoc-2026.xlsx").write_bytes(b"PK")
        stamp = (clock() - age).timestamp()
        os.utime(exports / name, (stamp, stamp))
    (exports / "charts").mkdir()
    old = (clock() - dt.timedelta(days=30)).timestamp()
    os.utime(exports / "charts", (old, old))

    await housekeeping_job(database, Retention(), clock, exports=exports)

    assert sorted(path.name for path in exports.iterdir()) == ["8", "charts"]


async def test_the_scheduler_runs_the_job_every_two_seconds(database, clock, folders):
    """Given where files go, the scheduler runs the export job as often as the fan-out, one
    run at a time; without it, there is no such job (as in tests of other jobs)."""
    policy = ReminderPolicy()
    setup = ExportSetup(folders["export"])
    scheduler = start_scheduler(
        database, policy, asyncio.Event(), clock=clock, retention=Retention(), exports=setup
    )
    try:
        job = scheduler.get_job(EXPORT_JOB_ID)
        assert job is not None and job.kwargs["setup"] == setup
        assert job.trigger.interval == dt.timedelta(seconds=2)
        assert (job.coalesce, job.max_instances) == (True, 1)
    finally:
        scheduler.shutdown(wait=False)
    scheduler = start_scheduler(
        database, policy, asyncio.Event(), clock=clock, retention=Retention()
    )
    try:
        assert scheduler.get_job(EXPORT_JOB_ID) is None
    finally:
        scheduler.shutdown(wait=False)


async def test_every_open_directive_in_one_workbook(engine, database, clock, folders):
    """'Tất cả công văn đang mở': one workbook, a sheet per open directive, newest first; the
    message refers to it by its place under the export folder."""
    town = await office(engine)
    await town.admin.send("/xuat")
    await town.admin.tap("Tình hình thực hiện công văn")
    await town.admin.tap("Tất cả công văn đang mở")
    job_runs(database, folders, clock)

    [request] = requests(database)
    name = f"{request.id}/tinh-hinh-cong-van-dang-mo-2026-03-20.xlsx"
    report = f"{request.id}/bao-cao-cong-van-dang-mo-2026-03-20.docx"
    assert request.files == [name, report]
    book = load_workbook(folders["export"] / name)
    assert book.sheetnames == ["12-UBND-VHXH", "8-KH-UBND"]
    workbook_message, report_message = export_messages(database)
    assert (workbook_message.document, workbook_message.text) == (
        f"export:{name}",
        "Tình hình thực hiện các công văn đang mở, ngày 20/03/2026 (Excel)",
    )
    assert report_message.document == f"export:{report}"


async def test_nothing_is_built_for_someone_removed_meanwhile(engine, database, clock, folders):
    """The officer is removed before the job runs: nothing is built and nothing is sent."""
    town = await office(engine)
    await town.admin.send("/xuat")
    await town.admin.tap("Sổ quỹ khuyến học")
    await town.admin.tap("Năm 2026")
    with transaction(database) as session:
        officer = session.exec(select(Person).where(Person.name == "Lê Thị Hoa")).one()
        officer.removed_at = clock()
        session.add(officer)

    assert job_runs(database, folders, clock) == 1
    [request] = requests(database)
    assert (request.status, request.error) == ("failed", "the person was removed")
    assert export_messages(database) == []
    assert list(folders["export"].iterdir()) == []
