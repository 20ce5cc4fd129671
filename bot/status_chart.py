"""A directive's status as a picture: its units by status in one bar, the overdue ones named.

Drawn when a message carrying `chart:ID` (handlers/file_refs.py) is sent, in the sender's
worker thread, as a 1000×600 PNG under the export folder (charts/<id>-<time>.png). One
stacked bar reads the same for 5 units or 200: each status a segment in a colour-blind-safe
colour (Okabe–Ito), the overdue part of it hatched; the legend gives the counts and, below,
the overdue units are named (the first ones, then how many more). matplotlib is imported
only here, on the first chart, so the bot starts without it.
"""

from __future__ import annotations

import datetime as dt
import logging
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from bot.links import LINK_LIFETIME
from handlers.directive_push import due_line
from handlers.i18n import Translator
from handlers.report_news import status_label
from storage.models import Directive, ProgressStatus, utcnow
from storage.progress import UnitProgress, directive_status

if TYPE_CHECKING:
    from matplotlib.figure import Figure

log = logging.getLogger(__name__)
CHARTS = "charts"
"""The charts' folder under the export folder."""
SIZE = (10.0, 6.0)
DPI = 100
"""10 × 6 inches at 100 dots: 1000 × 600 pixels, a phone screen's width."""
STAMP = "%Y%m%dT%H%M%S%f"
BAR_ORDER = (
    ProgressStatus.DONE.value,
    ProgressStatus.IN_PROGRESS.value,
    ProgressStatus.DIFFICULTY.value,
    ProgressStatus.NOT_STARTED.value,
)
"""From finished to not begun, left to right."""
COLOURS = {
    ProgressStatus.DONE.value: "#009e73",
    ProgressStatus.IN_PROGRESS.value: "#56b4e9",
    ProgressStatus.DIFFICULTY.value: "#e69f00",
    ProgressStatus.NOT_STARTED.value: "#bbbbbb",
}
"""Okabe–Ito colours (and a grey), told apart with any colour vision."""
OVERDUE_HATCH = "///"
OVERDUE_EDGE = "#b00000"
INK = "#222222"
BAR_BOX = (0.04, 0.55, 0.92, 0.2)
"""Where the bar is, as (left, bottom, width, height) fractions of the picture."""
LABELLED_SHARE = 0.04
NAME_WIDTH = 100
"""Characters per line of the overdue units' names."""
NAME_LINES = 5
NO_BREAK = "\u00a0"

ChartRenderer = Callable[[int], Path | None]


@dataclass(frozen=True)
class Segment:
    """Part of the bar: the units of one status, overdue or not."""

    status: str
    overdue: bool
    start: int
    count: int


def segments(units: list[UnitProgress]) -> list[Segment]:
    """Lay the units out along the bar: status by status, the overdue ones of each last."""
    laid: list[Segment] = []
    start = 0
    for status in BAR_ORDER:
        for overdue in (False, True):
            count = sum(1 for row in units if row.status == status and row.overdue == overdue)
            if count:
                laid.append(Segment(status, overdue, start, count))
                start += count
    return laid


def overdue_text(_: Translator, names: list[str]) -> str:
    """Name the overdue units in a few wrapped lines; those that do not fit are counted."""
    heading = _("Overdue units ({count}):").format(count=_.number(len(names)))
    # No more names than could fit in the lines, so a long list costs few tries.
    for shown in range(min(len(names), NAME_WIDTH * NAME_LINES // 3), -1, -1):
        # Names are not broken across lines: their spaces do not break while wrapping.
        text = f"{heading} {', '.join(name.replace(' ', NO_BREAK) for name in names[:shown])}"
        if shown < len(names):
            more = _("and {count} more units").format(count=_.number(len(names) - shown))
            text = f"{text}, {more}" if shown else f"{heading} {more}"
        lines = textwrap.wrap(text, NAME_WIDTH)
        if len(lines) <= NAME_LINES:
            break
    return "\n".join(lines).replace(NO_BREAK, " ")


def draw_status_chart(
    database: Engine | Session,
    directive_id: int,
    folder: Path,
    now: dt.datetime,
    *,
    translator: Translator | None = None,
) -> Path | None:
    """Draw a directive's status chart under `folder`/charts; None for an unknown directive."""
    _ = translator or Translator("vi")
    if isinstance(database, Session):
        found = _status(database, directive_id, _.today(now))
    else:
        with Session(database) as session:
            found = _status(session, directive_id, _.today(now))
    if found is None:
        return None
    directive, units = found
    charts = folder / CHARTS
    charts.mkdir(parents=True, exist_ok=True)
    path = charts / f"{directive_id}-{now.astimezone(dt.UTC).strftime(STAMP)}.png"
    figure = _figure(_, chart_texts(_, directive, units, now), units)
    figure.savefig(path, format="png", dpi=DPI)
    _remove_old(charts, directive_id, now)
    return path


def chart_renderer(
    database: Engine,
    export_dir: Path,
    *,
    translator: Translator | None = None,
    clock: Callable[[], dt.datetime] = utcnow,
) -> ChartRenderer:
    """What bot.attachments.Attachments draws a directive's chart with, when it is sent."""

    def render(directive_id: int) -> Path | None:
        try:
            return draw_status_chart(
                database, directive_id, Path(export_dir), clock(), translator=translator
            )
        except SQLAlchemyError:
            # The database is away: the message waits and is tried again, chart and all.
            raise
        except Exception:
            # A chart that cannot be drawn is left out; its caption still goes.
            log.exception("could not draw the status chart of directive %s", directive_id)
            return None

    return render


def _status(
    session: Session, directive_id: int, today: dt.date
) -> tuple[Directive, list[UnitProgress]] | None:
    if session.get(Directive, directive_id) is None:
        return None
    status = directive_status(session, directive_id, today)
    return status.directive, status.units


@dataclass(frozen=True)
class ChartTexts:
    """Everything the chart writes, in the reader's language."""

    title: str
    subtitle: str
    total: str
    legend: list[str]
    """One label per status in BAR_ORDER with its count, then the overdue count."""
    overdue: str
    """The overdue units named, or ''."""


def chart_texts(
    _: Translator, directive: Directive, units: list[UnitProgress], now: dt.datetime
) -> ChartTexts:
    """Write the chart's title, deadline and time, legend with counts and overdue units."""
    updated = _("Updated {time}").format(time=_.when(now))
    overdue = [row.unit_name for row in units if row.overdue]
    counts = {status: sum(1 for row in units if row.status == status) for status in BAR_ORDER}
    legend = [f"{status_label(_, status)}: {_.number(counts[status])}" for status in BAR_ORDER]
    legend.append(_("Overdue: {count}").format(count=_.number(len(overdue))))
    return ChartTexts(
        title=_("Directive {number}: progress").format(number=directive.number),
        subtitle=f"{due_line(_, directive.deadline, _.today(now))} · {updated}",
        total=_("{count} units").format(count=_.number(len(units)))
        if units
        else _("This directive was not assigned to any unit."),
        legend=legend,
        overdue=overdue_text(_, overdue) if overdue else "",
    )


def _figure(_: Translator, texts: ChartTexts, units: list[UnitProgress]) -> Figure:
    # The object API without pyplot: no global state, safe in the sender's worker threads.
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    figure = Figure(figsize=SIZE, dpi=DPI, facecolor="white")
    figure.text(0.04, 0.92, texts.title, fontsize=20, fontweight="bold", color=INK)
    figure.text(0.04, 0.855, texts.subtitle, fontsize=13, color="#444444")
    figure.text(0.04, 0.77, texts.total, fontsize=14, color=INK)
    bar = figure.add_axes(BAR_BOX)
    bar.set_axis_off()
    bar.set_xlim(0, max(len(units), 1))
    bar.set_ylim(0, 1)
    for part in segments(units):
        bar.barh(
            0.5,
            part.count,
            left=part.start,
            height=1.0,
            color=COLOURS[part.status],
            hatch=OVERDUE_HATCH if part.overdue else None,
            edgecolor=OVERDUE_EDGE if part.overdue else "white",
            linewidth=1.5,
        )
    start = 0
    for status in BAR_ORDER:
        count = sum(1 for row in units if row.status == status)
        # A number fits only on a segment of a few units' width; the legend has them all.
        if count and count / len(units) >= LABELLED_SHARE:
            bar.text(
                start + count / 2,
                0.5,
                _.number(count),
                ha="center",
                va="center",
                fontsize=15,
                fontweight="bold",
                color=INK,
                bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": "none"},
            )
        start += count
    handles: list[Any] = [
        Patch(facecolor=COLOURS[status], edgecolor="none", label=label)
        for status, label in zip(BAR_ORDER, texts.legend[:-1], strict=True)
    ]
    handles.append(
        Patch(
            facecolor="white", edgecolor=OVERDUE_EDGE, hatch=OVERDUE_HATCH, label=texts.legend[-1]
        )
    )
    figure.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.04, 0.52),
        ncol=3,
        fontsize=14,
        frameon=False,
        handlelength=2.2,
        handleheight=1.4,
        columnspacing=2.0,
    )
    if texts.overdue:
        figure.text(0.04, 0.31, texts.overdue, fontsize=12, color=INK, va="top", linespacing=1.5)
    return figure


def _remove_old(charts: Path, directive_id: int, now: dt.datetime) -> None:
    """Delete this directive's charts drawn more than a link's lifetime ago.

    Not the newer ones: a link to one may still be opened, or another app be uploading it.
    """
    oldest = now.astimezone(dt.UTC) - LINK_LIFETIME
    for path in charts.glob(f"{directive_id}-*.png"):
        try:
            drawn = dt.datetime.strptime(path.stem.split("-", 1)[1], STAMP).replace(tzinfo=dt.UTC)
        except ValueError:
            continue
        if drawn < oldest:
            path.unlink(missing_ok=True)
