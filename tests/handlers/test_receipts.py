"""/bienlai: focal points read their unit's latest receipts; admins and leaders pick whose."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from handlers.engine import Engine as DialogEngine
from storage.db import transaction
from storage.ledger import record_contribution
from storage.models import Person, Role, Unit
from storage.people import add_unit
from tests.support.chat import Chat, joined
from tests.support.fund import say, tap, up_to_summary, village_head

CHANNELS = [("telegram", "1001"), ("zalo", "z-1001")]
PICK = "Anh/chị muốn xem biên lai của đơn vị nào?"
PICKS = ["Tất cả đơn vị", "Thôn Đông", "Thôn Tây", "Trường TH An Hưng", "Văn phòng UBND xã"]
EAST_LIST = (
    "Biên lai gần đây của Thôn Đông:\n"
    "20/03/2026 · KH2026-00003 · Nguyễn Văn Bình · -1.500.000 ₫ (hủy biên lai KH2026-00001)\n"
    "20/03/2026 · KH2026-00002 · Dòng họ Lê · 2.000.000 ₫\n"
    "20/03/2026 · KH2026-00001 · Nguyễn Văn Bình · 1.500.000 ₫ "
    "(đã hủy bằng bút toán KH2026-00003)"
)


async def admin(engine: DialogEngine) -> Chat:
    """Lê Thị Hoa, of the commune's culture and society office."""
    return await joined(engine, Role.ADMIN, "Lê Thị Hoa", external_id="2001")


async def east_with_a_reversal(engine: DialogEngine, channel: str, external_id: str) -> Chat:
    """The head of Thôn Đông records Bình's 1,5 triệu and the Lê clan's 2 triệu; the office
    reverses Bình's; Thôn Tây and the school are registered with nothing recorded."""
    head = await village_head(engine, channel, external_id)
    await up_to_summary(head)
    await head.tap("Xác nhận")
    await head.send("/quy")
    await head.send("Dòng họ Lê")
    await head.send("2 triệu")
    await tap(head, "Bỏ qua")
    await head.tap("Xác nhận")
    officer = await admin(engine)
    await officer.send("/huybienlai KH2026-00001 Ghi nhầm số tiền")
    await officer.tap("Hủy biên lai")
    with transaction(engine.database) as session:
        add_unit(session, "Thôn Tây", "village")
        add_unit(session, "Trường TH An Hưng", "school")
    head.inbox()
    return head


@pytest.mark.parametrize(("channel", "external_id"), CHANNELS)
@pytest.mark.parametrize("typed", ["/bienlai", "biên lai", "Xem biên lai", "BIEN LAI"])
async def test_village_head_reads_his_units_receipts_newest_first(
    engine, database, channel, external_id, typed
):
    """The head sends the command or its word: his unit's receipts, the reversal naming the
    receipt it undoes and the reversed receipt marked so."""
    head = await east_with_a_reversal(engine, channel, external_id)
    assert await say(head, typed) == [EAST_LIST]


async def test_a_village_head_sees_only_his_own_unit(engine, database):
    """Thôn Tây's head has recorded nothing: he is told so, and sees nothing of Thôn Đông."""
    await east_with_a_reversal(engine, "telegram", "1001")
    west = await joined(engine, Role.FOCAL, "Đỗ Văn Hải", unit="Thôn Tây", external_id="1002")
    assert await say(west, "/bienlai") == ["Thôn Tây chưa có biên lai nào."]
    # A unit's id typed or tapped along changes nothing: a focal point reads only his own.
    with transaction(database) as session:
        east_id = session.exec(select(Unit.id).where(Unit.name == "Thôn Đông")).one()
    assert await say(west, f"/bienlai u{east_id}") == ["Thôn Tây chưa có biên lai nào."]


async def test_admin_picks_a_unit_then_the_office(engine, database):
    """Hoa is offered every unit, all of them and the office; she reads Thôn Đông's, then
    Thôn Tây's (nothing yet), then the office's."""
    await east_with_a_reversal(engine, "telegram", "1001")
    officer = await admin(engine)
    assert await say(officer, "/bienlai") == [PICK]
    assert officer.labels() == PICKS
    assert await tap(officer, "Thôn Đông") == [EAST_LIST]
    await officer.send("/bienlai")
    assert await tap(officer, "Thôn Tây") == ["Thôn Tây chưa có biên lai nào."]
    await officer.send("/bienlai")
    assert await tap(officer, "Văn phòng UBND xã") == ["Văn phòng UBND xã chưa có biên lai nào."]


async def test_leader_on_zalo_reads_every_unit_by_number(engine, database):
    """The chair, on Zalo, replies 1 for all units: each line names its unit, the office's
    own receipts among them."""
    await east_with_a_reversal(engine, "telegram", "1001")
    officer = await admin(engine)
    await up_to_summary(officer, "300k")
    await officer.tap("Xác nhận")
    leader = await joined(engine, Role.LEADER, "Phạm Văn Chủ", channel="zalo", external_id="z-3")
    # Zalo shows the choices numbered, "Tất cả đơn vị" first.
    assert await say(leader, "biên lai") == [PICK]
    assert leader.labels() == PICKS
    assert await say(leader, "1") == [
        "Biên lai gần đây của tất cả đơn vị:\n"
        "20/03/2026 · KH2026-00004 · Văn phòng UBND xã · Nguyễn Văn Bình · 300.000 ₫\n"
        "20/03/2026 · KH2026-00003 · Thôn Đông · Nguyễn Văn Bình · -1.500.000 ₫ "
        "(hủy biên lai KH2026-00001)\n"
        "20/03/2026 · KH2026-00002 · Thôn Đông · Dòng họ Lê · 2.000.000 ₫\n"
        "20/03/2026 · KH2026-00001 · Thôn Đông · Nguyễn Văn Bình · 1.500.000 ₫ "
        "(đã hủy bằng bút toán KH2026-00003)"
    ]


def many_receipts(database: Engine, count: int) -> None:
    """A village head of Thôn Đông has recorded `count` contributions, one a day from 1 March."""
    with transaction(database) as session:
        east = add_unit(session, "Thôn Đông", "village")
        head = Person(name="Trần Văn Tâm", role=Role.FOCAL.value, unit_id=east.id)
        session.add(head)
        session.flush()
        for day in range(count):
            on = dt.date(2026, 1, 1) + dt.timedelta(days=day)
            record_contribution(
                session,
                recorded_by=head.id or 0,
                unit_id=east.id,
                donor_name=f"Hộ số {day + 1}",
                donor_kind="family",
                amount=100_000 * (day + 1),
                contributed_on=on,
                note="",
                now=dt.datetime(2026, 3, 1, 1, tzinfo=dt.UTC),
            )


async def test_only_the_latest_twenty_are_listed_and_the_rest_counted(engine, database):
    """Of 23 receipts the 20 newest are listed, KH2026-00023 first; three older are counted."""
    many_receipts(database, 23)
    officer = await admin(engine)
    await officer.send("/bienlai")
    [listing] = await tap(officer, "Thôn Đông")
    lines = listing.split("\n")
    assert lines[0] == "Biên lai gần đây của Thôn Đông:"
    assert lines[1] == "23/01/2026 · KH2026-00023 · Hộ số 23 · 2.300.000 ₫"
    assert lines[20] == "04/01/2026 · KH2026-00004 · Hộ số 4 · 400.000 ₫"
    assert len(lines) == 22
    assert lines[21] == "Còn 3 biên lai cũ hơn không hiển thị."


async def test_exactly_twenty_receipts_count_nothing_more(engine, database):
    """With 20 receipts every one is listed and no 'more' line follows."""
    many_receipts(database, 20)
    officer = await admin(engine)
    await officer.send("/bienlai")
    [listing] = await tap(officer, "Thôn Đông")
    assert len(listing.split("\n")) == 21
    assert listing.split("\n")[-1].startswith("01/01/2026 · KH2026-00001")


async def test_an_unregistered_chat_reads_no_receipts(engine, database):
    """A stranger gets the join explanation, never a receipt."""
    await east_with_a_reversal(engine, "telegram", "1001")
    stranger = Chat(engine, "telegram", "9999")
    [explanation] = await stranger.send("/bienlai")
    assert "mã mời" in explanation and "KH2026" not in explanation
