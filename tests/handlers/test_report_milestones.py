"""/baocao on a directive with several deadlines: each report answers one milestone, and only
the last milestone's Đã hoàn thành closes the unit's work."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from handlers.directive_push import unit_parts
from handlers.reminder_policy import ReminderPolicy
from handlers.reminders import run_reminders
from storage.db import transaction
from storage.directive_tasks import MilestoneDraft, TaskDraft, add_tasks, milestones_of
from storage.models import Assignment, Directive, ProgressReport, ProgressStatus, Role, Unit
from tests.support.assignments import seed_directive
from tests.support.chat import Chat, joined
from tests.support.milestones import SUBJECT, learning_plan

STATUSES = ["Chưa triển khai", "Đang thực hiện", "Đã hoàn thành", "Gặp khó khăn"]
EXTRAS_PROMPT = "Gửi ghi chú hoặc ảnh (nếu có), rồi chọn Gửi báo cáo."
SENT = "Đã gửi báo cáo: Đã hoàn thành, công văn 12/KH-UBND, lúc 08:00 ngày 20/03/2026."
ALSO_RECEIVED = "Đồng thời đã xác nhận anh/chị nhận công văn."


def plan_with_milestones(database) -> dict[str, int]:
    """A plan for Thôn Đông and Trường THCS An Hưng: the schools send their plan by 28/03,
    every unit reports mid-year by 15/06 and its results by 20/12. Returns milestone ids by
    date ('28/03') and assignment ids by unit name."""
    with transaction(database) as session:
        entered = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)
        directive = learning_plan(session, dt.date(2026, 12, 20), entered)
        village = Unit(name="Thôn Đông", kind="village")
        school = Unit(name="Trường THCS An Hưng", kind="school")
        session.add_all([village, school])
        session.flush()
        add_tasks(
            session,
            directive.id,
            [TaskDraft("3. Các trường học", "Xây dựng kế hoạch tại đơn vị.", "school")],
            [
                MilestoneDraft(dt.date(2026, 3, 28), "gửi kế hoạch", "school"),
                MilestoneDraft(dt.date(2026, 6, 15), "báo cáo sơ kết", ""),
                MilestoneDraft(dt.date(2026, 12, 20), "báo cáo kết quả", ""),
            ],
        )
        ids = {m.due_on.strftime("%d/%m"): m.id for m in milestones_of(session, directive.id)}
        for unit in (village, school):
            assignment = Assignment(directive_id=directive.id, unit_id=unit.id)
            session.add(assignment)
            session.flush()
            ids[unit.name] = assignment.id
        return ids


def prompt(milestone: str) -> str:
    """The status question naming the milestone the report answers."""
    return (
        f"Báo cáo 12/KH-UBND — {SUBJECT}.\nMốc: {milestone}\nTình hình thực hiện đến nay thế nào?"
    )


def stored(database) -> tuple[list[ProgressReport], dict[int, str]]:
    """Every report, oldest first, and each assignment's status."""
    with Session(database) as session:
        reports = list(session.exec(select(ProgressReport).order_by(ProgressReport.id)))
        statuses = {a.id: a.status for a in session.exec(select(Assignment))}
        return reports, statuses


async def head_of(engine, unit: str, external_id: str) -> Chat:
    """A focal point of `unit` on Telegram."""
    return await joined(engine, Role.FOCAL, "Nguyễn Văn An", unit=unit, external_id=external_id)


async def test_the_village_head_finishes_the_mid_year_report_and_then_the_plan(engine, database):
    """The head's next milestone is the mid-year report (the schools' plan is not his); his
    Đã hoàn thành on it keeps the work open and names the next one; on the results, it
    closes the village's work."""
    ids = plan_with_milestones(database)
    chat = await head_of(engine, "Thôn Đông", "1001")

    assert await chat.send("/baocao") == [prompt("15/06/2026 — báo cáo sơ kết")]
    assert chat.labels() == [*STATUSES, "Mốc khác"]
    assert await chat.tap("Đã hoàn thành") == [EXTRAS_PROMPT]
    assert await chat.tap("Gửi báo cáo") == [
        "\n".join(
            [
                SENT,
                "Mốc: 15/06/2026 — báo cáo sơ kết",
                "Mốc tiếp theo: 20/12 — báo cáo kết quả",
                ALSO_RECEIVED,
            ]
        )
    ]
    reports, statuses = stored(database)
    assert [(r.milestone_id, r.status) for r in reports] == [(ids["15/06"], "done")]
    assert statuses[ids["Thôn Đông"]] == ProgressStatus.IN_PROGRESS.value

    replies = await chat.send("/baocao")
    assert replies[-1] == prompt("20/12/2026 — báo cáo kết quả")
    await chat.tap("Đã hoàn thành")
    assert await chat.tap("Gửi báo cáo") == [
        "\n".join(
            [
                SENT,
                "Mốc: 20/12/2026 — báo cáo kết quả",
                "Đây là mốc cuối cùng: đơn vị đã hoàn thành nhiệm vụ của văn bản này.",
            ]
        )
    ]
    reports, statuses = stored(database)
    assert [r.milestone_id for r in reports] == [ids["15/06"], ids["20/12"]]
    assert statuses[ids["Thôn Đông"]] == ProgressStatus.DONE.value


async def test_the_principal_picks_another_milestone_from_the_list(engine, database):
    """The principal's next milestone is the schools' plan; Mốc khác lists all three, the
    finished one marked, and the report answers the one picked."""
    ids = plan_with_milestones(database)
    chat = await head_of(engine, "Trường THCS An Hưng", "2002")

    assert await chat.send("/baocao") == [prompt("28/03/2026 — gửi kế hoạch")]
    await chat.tap("Đã hoàn thành")
    await chat.tap("Gửi báo cáo")

    replies = await chat.send("/baocao")
    assert replies[-1] == prompt("15/06/2026 — báo cáo sơ kết")
    assert await chat.tap("Mốc khác") == ["Anh/chị báo cáo cho mốc nào?"]
    assert chat.labels() == [
        "28/03 — gửi kế hoạch (đã xong)",
        "15/06 — báo cáo sơ kết",
        "20/12 — báo cáo kết quả",
    ]
    assert await chat.tap("20/12 — báo cáo kết quả") == [prompt("20/12/2026 — báo cáo kết quả")]
    await chat.tap("Đang thực hiện")
    await chat.send("Đã xây dựng xong dự thảo báo cáo")
    await chat.tap("Gửi báo cáo")

    reports, statuses = stored(database)
    assert [(r.milestone_id, r.status) for r in reports] == [
        (ids["28/03"], "done"),
        (ids["20/12"], "in_progress"),
    ]
    assert statuses[ids["Trường THCS An Hưng"]] == ProgressStatus.IN_PROGRESS.value


async def test_a_milestones_reminder_button_reports_on_that_milestone(engine, database):
    """'/baocao 7 m3' (the Báo cáo under a milestone's reminder) asks about that milestone,
    not the next one; a milestone of another kind of unit falls back to the unit's next."""
    ids = plan_with_milestones(database)
    chat = await head_of(engine, "Thôn Đông", "1001")
    village = ids["Thôn Đông"]

    assert await chat.send(f"/baocao {village} m{ids['20/12']}") == [
        prompt("20/12/2026 — báo cáo kết quả")
    ]
    colleague = await joined(
        engine, Role.FOCAL, "Trần Thị Bình", unit="Thôn Đông", external_id="1003"
    )
    assert await colleague.send(f"/baocao {village} m{ids['28/03']}") == [
        prompt("15/06/2026 — báo cáo sơ kết")
    ]


async def test_the_list_of_directives_gives_the_units_next_milestone(engine, database):
    """With a second directive open, /baocao lists both: the plan by the village's next
    milestone (15/06), not its last deadline (20/12)."""
    plan_with_milestones(database)
    seed_directive(database, "45/UBND-VHXH", "V/v vận động Quỹ khuyến học", ["Thôn Đông"])
    chat = await head_of(engine, "Thôn Đông", "1001")
    assert await chat.send("/baocao") == ["Anh/chị báo cáo về công văn nào?"]
    # Newest first: the fund's letter of 10/03, then the plan of 07/03.
    assert chat.labels() == [
        "45/UBND-VHXH — V/v vận động Quỹ khuyến học (hạn 31/03)",
        "12/KH-UBND — Xây dựng xã hội học tập (hạn 15/06)",
    ]


async def test_what_the_exports_say_is_next_moves_past_a_finished_milestone(engine, database):
    """Once the village finished its mid-year report, the part the exports show for it is the
    results due 20/12; the school's is still its plan due 28/03."""
    ids = plan_with_milestones(database)
    chat = await head_of(engine, "Thôn Đông", "1001")
    await chat.send("/baocao")
    await chat.tap("Đã hoàn thành")
    await chat.tap("Gửi báo cáo")
    with Session(database) as session:
        directive = session.exec(select(Directive)).one()
        units = list(session.exec(select(Unit)))
        parts = unit_parts(session, directive, units, dt.date(2026, 3, 20))
    by_name = {unit.name: parts[unit.id] for unit in units}
    assert (by_name["Thôn Đông"].deadline, by_name["Thôn Đông"].due) == (
        dt.date(2026, 12, 20),
        "báo cáo kết quả",
    )
    assert by_name["Trường THCS An Hưng"].deadline == dt.date(2026, 3, 28)
    assert ids["15/06"] in {r.milestone_id for r in stored(database)[0]}


async def test_on_zalo_the_reminders_number_2_reports_on_its_milestone(engine, database, clock):
    """The principal on Zalo gets the schools' plan reminder on 25/03 and replies 2 (Báo cáo):
    the question names that milestone, and 5 (Mốc khác) lists the three by number."""
    ids = plan_with_milestones(database)
    principal = await joined(
        engine,
        Role.FOCAL,
        "Đỗ Thị Dung",
        unit="Trường THCS An Hưng",
        channel="zalo",
        external_id="zdung",
    )
    run_reminders(
        database,
        ReminderPolicy.parse(escalation_at="off", weekly_digest="off"),
        dt.datetime(2026, 3, 25, 1, 0, tzinfo=dt.UTC),
    )
    [reminder] = [row for row in principal.last_rows() if row.text.startswith("⏰")]
    assert reminder.choices[-1] == [
        f"/baocao {ids['Trường THCS An Hưng']} m{ids['28/03']}",
        "Báo cáo",
    ]
    [question] = await principal.send("2")
    assert question.startswith(prompt("28/03/2026 — gửi kế hoạch"))
    assert await principal.send("5") == ["Anh/chị báo cáo cho mốc nào?"]
    assert principal.labels() == [
        "28/03 — gửi kế hoạch",
        "15/06 — báo cáo sơ kết",
        "20/12 — báo cáo kết quả",
    ]
    assert (await principal.send("3"))[0] == prompt("20/12/2026 — báo cáo kết quả")


async def test_colleagues_and_the_office_see_which_milestone_a_report_answered(engine, database):
    """The head's Đã hoàn thành on the mid-year report: his colleague's notice and the unit's
    reports under /tinhhinh both name the milestone."""
    plan_with_milestones(database)
    head = await head_of(engine, "Thôn Đông", "1001")
    colleague = await joined(
        engine, Role.FOCAL, "Trần Thị Bình", unit="Thôn Đông", external_id="1003"
    )
    admin = await joined(engine, Role.ADMIN, "Trần Văn Hải", external_id="9001")
    await head.send("/baocao")
    await head.tap("Đã hoàn thành")
    await head.tap("Gửi báo cáo")

    [notice] = colleague.inbox()
    assert notice.split("\n")[:2] == [
        "Anh/chị Nguyễn Văn An (Thôn Đông) đã báo cáo công văn số 12/KH-UBND: Đã hoàn thành.",
        "Mốc: 15/06/2026 — báo cáo sơ kết",
    ]
    with Session(database) as session:
        directive = session.exec(select(Directive)).one()
        village = session.exec(select(Unit).where(Unit.name == "Thôn Đông")).one()
    [history] = await admin.send(f"/tinhhinh {directive.id} donvi {village.id}")
    assert "Nguyễn Văn An: Đã hoàn thành\n   Mốc: 15/06/2026 — báo cáo sơ kết" in history
