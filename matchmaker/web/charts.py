"""Bar charts drawn by matplotlib on the server (SVG for pages, PNG for the PDF): the only module
that imports matplotlib. Labels come worded and numbers formatted in the UI language."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

if TYPE_CHECKING:
    from matplotlib.axis import Axis
    from matplotlib.figure import Figure

# the UI language's number format: (value, decimals) -> "1 234,5" (Translator.number)
Number = Callable[[float, int], str]
INK, MUTED, BAR, GRID = "#1b2420", "#4d5a54", "#1d6b47", "#d9e0dc"
WIDTH_IN = 6.4
# rcParams are process-wide: one chart is drawn at a time (they take milliseconds)
_LOCK = threading.Lock()
_STYLE: dict[str, Any] = {
    "svg.fonttype": "none",  # text stays text: readable, searchable, and testable
    "svg.hashsalt": "circular-valley",  # the same chart gives the same SVG
    "font.family": "DejaVu Sans",
    "font.size": 10,
}


@dataclass(frozen=True)
class Chart:
    """One bar per label; `horizontal` for named categories, vertical for a time series."""

    title: str
    labels: list[str]
    values: list[float]
    unit: str  # the value axis's label, e.g. "t/v"
    horizontal: bool = True
    digits: int = 0  # decimals of the numbers written on the bars and the axis


def _figure(chart: Chart, number: Number) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    rows = max(len(chart.values), 1)
    height = 0.9 + 0.38 * rows if chart.horizontal else 3.0
    # no layout engine: savefig's "tight" box sizes the picture, in half the time
    fig = Figure(figsize=(WIDTH_IN, height))
    FigureCanvasAgg(fig)  # the Agg canvas renders PNG, and SVG too
    ax = fig.add_subplot()
    positions = list(range(len(chart.values)))
    if chart.horizontal:
        bars = ax.barh(positions, chart.values, color=BAR, height=0.6)
        ax.set_yticks(positions, chart.labels)
        ax.invert_yaxis()
        ax.set_xlabel(chart.unit, color=MUTED)
        value_axis: Axis = ax.xaxis
        ax.grid(axis="x", color=GRID)
    else:
        # a single month is one bar with its axes and its number, not a dot alone
        bars = ax.bar(positions, chart.values, color=BAR, width=0.6 if rows > 1 else 0.35)
        ax.set_xticks(positions, chart.labels)
        ax.set_xlim(-0.75, rows - 0.25)
        ax.set_ylabel(chart.unit, color=MUTED)
        value_axis = ax.yaxis
        ax.grid(axis="y", color=GRID)
        if rows > 6:
            ax.tick_params(axis="x", labelrotation=45)
    value_axis.set_major_locator(MaxNLocator(nbins=5, integer=chart.digits == 0))
    value_axis.set_major_formatter(FuncFormatter(lambda v, _pos: number(v, chart.digits)))
    top = max(chart.values, default=0) or 1
    (ax.set_xlim if chart.horizontal else ax.set_ylim)(0, top * 1.18)  # room for the numbers
    ax.bar_label(bars, labels=[number(v, chart.digits) for v in chart.values], padding=3, color=INK)
    ax.set_axisbelow(True)
    ax.tick_params(colors=MUTED, labelcolor=INK)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig


def _save(chart: Chart, number: Number, fmt: str, dpi: int) -> bytes:
    from matplotlib import rc_context

    style: Any = _STYLE  # matplotlib types rc_context's keys as a Literal of every setting
    out = io.BytesIO()
    with _LOCK, rc_context(style):
        fig = _figure(chart, number)
        # "tight" measures every text drawn: the saved image holds each label whole
        fig.savefig(out, format=fmt, dpi=dpi, bbox_inches="tight", pad_inches=0.08)
    return out.getvalue()


_STYLE_ATTR = re.compile(r'style="([^"]*)"')


def _as_attributes(found: re.Match[str]) -> str:
    """style="fill: #fff; font-size: 10px" -> fill="#fff" font-size="10px"."""
    pairs = (item.split(":", 1) for item in found.group(1).split(";") if ":" in item)
    return " ".join(f'{name.strip()}="{value.strip()}"' for name, value in pairs)


def svg(chart: Chart, number: Number) -> Markup:
    """The chart as inline SVG; screen readers get the table beside it (aria-hidden here)."""
    text = _save(chart, number, "svg", 72).decode("utf-8")
    body = text[text.index("<svg") :]
    body = re.sub(r"<svg[^>]*>", "", body, count=1)
    body = re.sub(r"<metadata>.*?</metadata>", "", body, flags=re.S)  # names matplotlib and a date
    # the pages' CSP allows no inline style: matplotlib's styles become presentation attributes
    body = re.sub(r"<style[^>]*>.*?</style>", "", body, flags=re.S)
    body = _STYLE_ATTR.sub(_as_attributes, body)
    box = re.search(r'viewBox="[^"]+"', text[text.index("<svg") :])
    head = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'{box.group(0) if box else ""} class="chart" '
        f'role="img" aria-hidden="true" focusable="false"><title>{escape(chart.title)}</title>'
    )
    return Markup(head + body)


@dataclass(frozen=True)
class Shown:
    """A chart on a page: the picture, and its numbers as a table for screen readers."""

    title: str
    svg: Markup
    unit: str
    rows: list[tuple[str, str]]  # (label, formatted value)


def show(chart: Chart, number: Number) -> Shown:
    rows = [
        (label, number(v, chart.digits))
        for label, v in zip(chart.labels, chart.values, strict=True)
    ]
    return Shown(chart.title, svg(chart, number), chart.unit, rows)


def png(chart: Chart, number: Number, dpi: int = 150) -> bytes:
    """The chart as a PNG, for the PDF."""
    return _save(chart, number, "png", dpi)


def font_files() -> tuple[Path, Path]:
    """The TrueType fonts the charts use (shipped with matplotlib), regular and bold: the PDF
    writes its text in them too (Finnish and Swedish letters, the en dash, CO₂)."""
    from matplotlib import font_manager

    regular = Path(font_manager.findfont("DejaVu Sans", fallback_to_default=True))
    return regular, regular.with_name("DejaVuSans-Bold.ttf")
