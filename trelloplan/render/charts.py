"""PNG charts of a report: burn-up, cumulative flow, weekly throughput, cycle-time histogram.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no global
state), so charts can be rendered from several threads and on machines
without a display. Each chart is 6.5 × 3 inches at 150 dpi (975 × 450 px),
shown 650 px wide in the HTML page and the email: crisp on high-density
screens, readable at email size.

A chart with nothing to show is left out rather than drawn empty;
:func:`chart_gaps` says which and why, so the page can say "no data yet".
The same report always gives the same bytes: the PNGs carry no timestamp
or software version.
"""

from __future__ import annotations

import io
import logging
import math
from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import matplotlib.dates as mdates
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..history.schema import FlowDay, Report
from .status import format_day, full_week_average, plan_weeks

__all__ = ["CHART_NAMES", "CHART_TITLES", "DEFAULT_DPI", "chart_gaps", "render_chart", "render_charts"]

log = logging.getLogger("trelloplan.render.charts")

CHART_NAMES = ("burn-up", "cumulative-flow", "throughput", "cycle-time")
CHART_TITLES = {
    "burn-up": "Burn-up: scope and done per week",
    "cumulative-flow": "Cumulative flow: cards per stage each day",
    "throughput": "Throughput: cards finished per week",
    "cycle-time": "Cycle time: days from start to done",
}
DEFAULT_DPI = 150
_SIZE = (6.5, 3.0)

# Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
_DONE = "#009E73"
_DOING = "#E69F00"
_TODO = "#BBBBBB"
_SCOPE = "#0072B2"
_FORECAST = "#D55E00"
_MUTED = "#666666"
_TEXT = "#222222"


def _zone(report: Report) -> ZoneInfo:
    try:
        return ZoneInfo(report.timezone)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def _local(moment: datetime, zone: ZoneInfo) -> float:
    """An instant as matplotlib's day number, in local wall time (so matplotlib needs no zone of its own)."""
    return float(mdates.date2num(moment.astimezone(zone).replace(tzinfo=None)))


def _day(day: date) -> float:
    """The start of a local calendar day as matplotlib's day number."""
    return float(mdates.date2num(datetime.combine(day, time(0))))


def _known_days(report: Report) -> list[FlowDay]:
    """The days of the cumulative flow the history shows (earlier ones have no data)."""
    return [day for day in report.cumulative_flow if day.done is not None]


def _cycle_times(report: Report) -> list[float]:
    return sorted(row.cycle_time_days for row in report.cards if row.role == "done" and row.cycle_time_days is not None)


def chart_gaps(report: Report) -> dict[str, str]:
    """The charts this report cannot draw, each with a short reason ("no card finished yet")."""
    gaps: dict[str, str] = {}
    if not any(point.scope for point in report.burn_up):
        gaps["burn-up"] = "no cards on the board yet"
    flow = _known_days(report)
    if len(flow) < 2 or not any((day.todo or 0) + (day.in_progress or 0) + (day.done or 0) for day in flow):
        gaps["cumulative-flow"] = "needs at least two days with cards on the board"
    if not any(week.completed for week in report.throughput):
        gaps["throughput"] = "no card finished yet"
    if not _cycle_times(report):
        gaps["cycle-time"] = "no card went from in progress to done yet"
    return gaps


def _new_figure() -> tuple[Figure, Axes]:
    figure = Figure(figsize=_SIZE, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.spines[["top", "right"]].set_visible(False)
    axes.spines[["left", "bottom"]].set_color("#999999")
    axes.tick_params(labelsize=8, colors=_TEXT)
    axes.grid(axis="y", color="#E5E5E5", linewidth=0.8)
    axes.set_axisbelow(True)
    return figure, axes


def _title(axes: Axes, name: str) -> None:
    axes.set_title(CHART_TITLES[name], loc="left", fontsize=10.5, color=_TEXT, fontweight="bold")


def _date_axis(axes: Axes, first: float, last: float) -> None:
    """Mondays labelled ``4 Jan`` over a few months; matplotlib's concise dates over longer spans."""
    weeks = (last - first) / 7
    if weeks <= 20:
        axes.xaxis.set_major_locator(mdates.WeekdayLocator(byweekday=mdates.MO, interval=max(1, math.ceil(weeks / 7))))
        axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: _short_day(mdates.num2date(value).date())))
    else:
        locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _x_label(axes: Axes, text: str) -> None:
    axes.set_xlabel(text, fontsize=8.5, color=_TEXT)


def _short_day(day: date) -> str:
    return format_day(day).rsplit(" ", 1)[0]


def _count_axis(axes: Axes, label: str) -> None:
    axes.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    axes.set_ylabel(label, fontsize=8.5, color=_TEXT)
    axes.set_ylim(bottom=0)


def _legend(axes: Axes, handles: list[Any] | None = None, labels: list[str] | None = None) -> None:
    """The legend under the plot, so it never covers a line whatever the data."""
    if handles is None or labels is None:
        handles, labels = axes.get_legend_handles_labels()
    if handles:
        columns = min(len(handles), 3)
        axes.figure.legend(handles, labels, loc="outside lower center", ncols=columns, fontsize=7.5, frameon=False)


def _pad_dates(axes: Axes, xs: Sequence[float]) -> None:
    low, high = min(xs), max(xs)
    margin = max((high - low) * 0.03, 1.0)
    axes.set_xlim(low - margin, high + margin)
    _date_axis(axes, low, high)


def _burn_up(report: Report, axes: Axes) -> None:
    zone = _zone(report)
    points = [point for point in report.burn_up if point.scope is not None and point.done is not None]
    xs = [_local(point.at, zone) for point in points]
    scope = [point.scope or 0 for point in points]
    done = [point.done or 0 for point in points]
    extent = list(xs)
    weeks = plan_weeks(report)
    if weeks:
        ends = [_day(row.end) + 1 for row in weeks]
        running = []
        total = 0
        for row in weeks:
            total += row.planned or 0
            running.append(total)
        axes.plot([_day(weeks[0].start), *ends], [0, *running], color=_MUTED, linestyle=(0, (4, 3)), linewidth=1.2,
                  label="plan (cards due by week's end)")
        axes.axvline(ends[-1], color=_MUTED, linestyle=":", linewidth=1)
        axes.annotate("plan ends", (ends[-1], 1), xycoords=("data", "axes fraction"), fontsize=7, color=_MUTED,
                      ha="right", va="top", rotation=90, xytext=(-2, -2), textcoords="offset points")
        extent.extend([_day(weeks[0].start), ends[-1]])
    axes.plot(xs, scope, color=_SCOPE, linewidth=2, marker="o", markersize=3.5, label="scope (cards)")
    axes.plot(xs, done, color=_DONE, linewidth=2.4, marker="o", markersize=3.5, label="done")
    forecast = report.forecast
    if forecast.status == "ok" and forecast.date_50 is not None:
        marks = [("50%", forecast.date_50, (0, (5, 2))), ("85%", forecast.date_85, (0, (1, 1.5)))]
        for chance, day, style in marks:
            if day is None:
                continue
            when = _day(day)
            axes.plot([xs[-1], when], [done[-1], scope[-1]], color=_FORECAST, linestyle=style, linewidth=1.4,
                      label=f"forecast {chance}: {format_day(day)}")
            axes.plot([when], [scope[-1]], marker="D", markersize=4, color=_FORECAST)
            extent.append(when)
    first = report.history.first
    if first is not None and not report.history.complete and min(extent) < _local(first, zone):
        axes.axvspan(min(extent), _local(first, zone), color="#EEEEEE", linewidth=0, label="before the history: no data")
    _pad_dates(axes, extent)
    _x_label(axes, "date (points at the end of each week)")
    _count_axis(axes, "cards")
    axes.set_ylim(top=max(max(scope), 1) * 1.12)
    _legend(axes)


def _cumulative_flow(report: Report, axes: Axes) -> None:
    flow = _known_days(report)
    xs = [_day(day.date) for day in flow]
    layers = ([day.done or 0 for day in flow], [day.in_progress or 0 for day in flow], [day.todo or 0 for day in flow])
    axes.stackplot(xs, *layers, colors=(_DONE, _DOING, _TODO), labels=("done", "in progress", "to do"),
                   linewidth=0.4, edgecolor="white")
    axes.set_xlim(xs[0], xs[-1])
    _date_axis(axes, xs[0], xs[-1])
    _x_label(axes, "day")
    _count_axis(axes, "cards")
    axes.set_ylim(top=max(sum(layer) for layer in zip(*layers, strict=False)) * 1.08)
    handles, labels = axes.get_legend_handles_labels()
    _legend(axes, handles[::-1], labels[::-1])


def _throughput(report: Report, axes: Axes) -> None:
    rows = report.throughput
    centres = [(_day(row.start) + _day(row.end) + 1) / 2 for row in rows]
    counts = [row.completed or 0 for row in rows]
    colours = ["#9AD9C5" if row.partial else _DONE for row in rows]
    bars = axes.bar(centres, counts, width=5.5, color=colours, edgecolor=_DONE, linewidth=0.8)
    for bar, row in zip(bars, rows, strict=False):
        if row.partial:
            bar.set_hatch("///")
    if len(rows) <= 16:
        labels = ["no data" if row.completed is None else str(row.completed) for row in rows]
        axes.bar_label(bars, labels=labels, fontsize=7.5, padding=2, color=_TEXT)
    mean = full_week_average(report)
    if mean is not None:
        axes.axhline(mean, color=_SCOPE, linestyle="--", linewidth=1.1, label=f"average of full weeks: {mean:.1f}")
    if any(row.partial for row in rows):
        axes.bar([centres[0]], [0], width=0, color="#9AD9C5", edgecolor=_DONE, hatch="///", label="this week so far")
    axes.set_xlim(_day(rows[0].start) - 1, _day(rows[-1].end) + 2)
    step = max(1, math.ceil(len(rows) / 12))
    shown = list(range(len(rows) - 1, -1, -step))[::-1]
    axes.set_xticks([centres[index] for index in shown],
                    [f"{rows[index].label}\n{_short_day(rows[index].start)}" for index in shown], fontsize=7.5)
    _x_label(axes, "week (first day)")
    _count_axis(axes, "cards finished")
    axes.set_ylim(top=max(max(counts), 1) * 1.2)
    _legend(axes)


def _bins(values: Sequence[float]) -> list[float]:
    top = max(values)
    width = 1.0 if top <= 20 else float(math.ceil(top / 20))
    count = int(top // width) + 1
    return [index * width for index in range(count + 1)]


def _cycle_time(report: Report, axes: Axes) -> None:
    values = _cycle_times(report)
    axes.hist(values, bins=_bins(values), color=_SCOPE, alpha=0.85, edgecolor="white", linewidth=0.8)
    stats = report.cycle_time_days
    for name, value, colour, style in (("p50", stats.p50, _DONE, "-"), ("p85", stats.p85, _FORECAST, "--"),
                                       ("p95", stats.p95, _MUTED, ":")):
        if value is not None:
            axes.axvline(value, color=colour, linestyle=style, linewidth=1.6, label=f"{name}: {value:.1f} days")
    edges = _bins(values)
    axes.set_xlim(0, max(edges[-1], stats.p95 or 0) * 1.03)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=12))
    _x_label(axes, "calendar days from in progress to done")
    _count_axis(axes, "cards")
    _legend(axes)


_DRAW: dict[str, Callable[[Report, Axes], None]] = {
    "burn-up": _burn_up,
    "cumulative-flow": _cumulative_flow,
    "throughput": _throughput,
    "cycle-time": _cycle_time,
}


def render_chart(report: Report, name: str, *, dpi: int = DEFAULT_DPI) -> bytes | None:
    """One chart as PNG bytes, or None when :func:`chart_gaps` lists it. ``name`` is one of :data:`CHART_NAMES`."""
    if name not in _DRAW:
        raise ValueError(f"unknown chart {name!r}; expected one of {', '.join(CHART_NAMES)}")
    if name in chart_gaps(report):
        return None
    figure, axes = _new_figure()
    _title(axes, name)
    _DRAW[name](report, axes)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
    log.debug("rendered chart %s: %d bytes", name, buffer.tell())
    return buffer.getvalue()


def render_charts(report: Report, *, dpi: int = DEFAULT_DPI) -> dict[str, bytes]:
    """Every chart the report can draw, ``{name: png_bytes}`` in :data:`CHART_NAMES` order; the rest are left out."""
    charts: dict[str, bytes] = {}
    for name in CHART_NAMES:
        png = render_chart(report, name, dpi=dpi)
        if png is not None:
            charts[name] = png
    return charts
