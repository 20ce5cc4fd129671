"""The status chart of a directive: a picture the admin reads at a glance on a phone.

Seven units past a 18/03 deadline, seen on 20/03: two done, two in progress, one facing a
difficulty and two not started. The five not done are overdue, hatched in red on the bar
and named under it.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from PIL import Image

from bot.status_chart import (
    BAR_BOX,
    BAR_ORDER,
    COLOURS,
    OVERDUE_EDGE,
    chart_renderer,
    chart_texts,
    draw_status_chart,
    overdue_text,
    segments,
)
from handlers.i18n import Translator
from storage.db import transaction
from storage.models import Directive, ProgressStatus
from storage.progress import directive_status
from tests.support.assignments import SeededDirective, seed_directive, seed_person, seed_report

NUMBER = "669/KH-SGDĐT"
SUBJECT = "V/v tiếp tục triển khai Đề án Xây dựng xã hội học tập 2021 - 2030"
REPORTS = {
    "Thôn Đông": ProgressStatus.DONE,
    "Thôn Tây": ProgressStatus.DONE,
    "Thôn Bắc": ProgressStatus.IN_PROGRESS,
    "Buôn Đắk Rơ Wơng": ProgressStatus.IN_PROGRESS,
    "Thôn Nam": ProgressStatus.DIFFICULTY,
    "Thôn Trung": ProgressStatus.NOT_STARTED,
}
UNITS = [*REPORTS, "Thôn Thượng"]
"""Thôn Thượng has not reported at all: not started, as far as anyone knows."""
NOW = dt.datetime(2026, 3, 20, 1, 15, tzinfo=dt.UTC)
"""08:15 on 20/03/2026 in the commune."""


@pytest.fixture
def plan(database) -> SeededDirective:
    """The plan to seven villages due 18/03, with the reports above."""
    directive = seed_directive(database, NUMBER, SUBJECT, UNITS, deadline=dt.date(2026, 3, 18))
    head = seed_person(database, "Nguyễn Văn An", unit="Thôn Đông")
    for unit, status in REPORTS.items():
        seed_report(database, directive.assignments[unit], head, status, NOW - dt.timedelta(1))
    return directive


def colours_in(image: Image.Image, box: tuple[float, float, float, float]) -> set[str]:
    """The colours of the pixels inside `box` (figure fractions, from the bottom left)."""
    left, bottom, width, height = box
    x0, x1 = int(left * image.width), int((left + width) * image.width)
    y0, y1 = int((1 - bottom - height) * image.height), int((1 - bottom) * image.height)
    region = image.convert("RGB").crop((x0, y0, x1, y1))
    found = region.getcolors(region.width * region.height) or []
    return {"#{:02x}{:02x}{:02x}".format(*pixel) for _count, pixel in found}


def test_the_chart_shows_each_status_and_hatches_the_overdue(database, plan, tmp_path):
    """One PNG of 1000×600 under charts/, named after the directive and the time; the bar
    holds all four colours and the red hatching, with no glyph missing from the font."""
    exports = tmp_path / "exports"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = draw_status_chart(database, plan.id, exports, NOW)

    assert path == exports / "charts" / f"{plan.id}-20260320T011500000000.png"
    # Only the font's complaints: a warning from elsewhere (a connection collected) may land here.
    assert [str(w.message) for w in caught if "missing from font" in str(w.message)] == []
    with Image.open(path) as image:
        assert (image.format, image.size) == ("PNG", (1000, 600))
        bar = colours_in(image, BAR_BOX)
    assert {COLOURS[status] for status in BAR_ORDER} <= bar
    assert OVERDUE_EDGE in bar


def test_before_the_deadline_nothing_is_marked_overdue(database, tmp_path):
    """Due 31/03: the same kind of bar, no red on it and no list of overdue units."""
    directive = seed_directive(database, NUMBER, SUBJECT, ["Thôn Đông", "Thôn Tây"])
    head = seed_person(database, "Nguyễn Văn An", unit="Thôn Đông")
    seed_report(database, directive.assignments["Thôn Đông"], head, ProgressStatus.DONE, NOW)

    path = draw_status_chart(database, directive.id, tmp_path, NOW)

    assert path is not None
    with Image.open(path) as image:
        bar = colours_in(image, BAR_BOX)
    assert {COLOURS["done"], COLOURS["not_started"]} <= bar
    assert OVERDUE_EDGE not in bar
    with transaction(database) as session:
        status = directive_status(session, directive.id, NOW.date())
        texts = chart_texts(Translator("vi"), status.directive, status.units, NOW)
    assert texts.overdue == ""
    assert texts.legend[-1] == "Quá hạn: 0"


def test_the_texts_of_the_chart(database, plan):
    """Title, deadline and time of drawing, the counts per status and the overdue named in
    the list's order (villages alphabetically)."""
    with transaction(database) as session:
        directive = session.get(Directive, plan.id)
        assert directive is not None
        status = directive_status(session, plan.id, NOW.date())
        texts = chart_texts(Translator("vi"), directive, status.units, NOW)

    assert texts.title == "Công văn số 669/KH-SGDĐT: tình hình thực hiện"
    assert texts.subtitle == "Hạn: 18/03/2026 (quá hạn 2 ngày) · Cập nhật 08:15 ngày 20/03/2026"
    assert texts.total == "7 đơn vị"
    assert texts.legend == [
        "Đã hoàn thành: 2",
        "Đang thực hiện: 2",
        "Gặp khó khăn: 1",
        "Chưa triển khai: 2",
        "Quá hạn: 5",
    ]
    assert texts.overdue == (
        "Đơn vị quá hạn (5): Buôn Đắk Rơ Wơng, Thôn Bắc, Thôn Nam, Thôn Thượng, Thôn Trung"
    )
    # Done first, then the rest, each status's overdue part after its other units.
    assert [(s.status, s.overdue, s.start, s.count) for s in segments(status.units)] == [
        ("done", False, 0, 2),
        ("in_progress", True, 2, 2),
        ("difficulty", True, 4, 1),
        ("not_started", True, 5, 2),
    ]


def test_two_hundred_overdue_units_are_named_in_five_lines_and_counted():
    """Too many names to show: five lines at most, ending with how many were left out."""
    names = [f"Thôn {n}" for n in range(1, 201)]

    text = overdue_text(Translator("vi"), names)

    lines = text.split("\n")
    assert len(lines) <= 5
    assert lines[0].startswith("Đơn vị quá hạn (200): Thôn 1, Thôn 2, ")
    left = int(lines[-1].rsplit("và ", 1)[1].removesuffix(" đơn vị khác"))
    named = text.count("Thôn ")
    assert named + left == 200 and named > 30


def test_an_unknown_directive_draws_nothing(database, tmp_path):
    """No such directive: no file, not even the folder."""
    exports = tmp_path / "exports"
    exports.mkdir()
    assert draw_status_chart(database, 999, exports, NOW) is None
    assert list(exports.iterdir()) == []


def test_charts_older_than_a_link_are_removed(database, plan, tmp_path):
    """Drawing again removes this directive's charts of more than a day ago (no link to them
    works any more), keeps the recent one that may still be opened, and other directives'."""
    charts = tmp_path / "charts"
    charts.mkdir()
    old = charts / f"{plan.id}-20260318T010000000000.png"
    recent = charts / f"{plan.id}-20260319T120000000000.png"
    other = charts / f"{plan.id + 1}-20260318T010000000000.png"
    for path in (old, recent, other):
        path.write_bytes(b"\x89PNG an earlier chart")

    drawn = draw_status_chart(database, plan.id, tmp_path, NOW)

    assert sorted(charts.iterdir()) == sorted([recent, other, drawn])


def test_importing_the_bot_does_not_import_matplotlib():
    """matplotlib is loaded with the first chart, not when the bot starts."""
    modules = "bot.app, bot.cli, bot.status_chart, bot.attachments, handlers.status"
    probe = f"import sys, {modules}; print('matplotlib' in sys.modules)"
    found = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert found.stdout.strip() == "False"


def test_a_chart_that_cannot_be_drawn_is_left_out(database, plan, tmp_path, caplog):
    """The export folder is not a folder: the renderer logs why and gives no chart, so the
    message goes with its caption alone."""
    blocked = tmp_path / "exports"
    blocked.write_text("not a folder")

    render = chart_renderer(database, blocked, clock=lambda: NOW)

    assert render(plan.id) is None
    assert f"could not draw the status chart of directive {plan.id}" in caplog.text
