"""The geometry of the reporting charts, drawn as SVG by templates/reporting/_charts.html.

Sizes are in the SVG's own units; the drawing scales to its container (viewBox), so one
chart reads on a desktop and on an iPad alike.
"""

import math
from dataclasses import dataclass, field
from datetime import date

WIDTH = 960
HEIGHT = 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 40
MOST_X_LABELS = 9


@dataclass
class Rect:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass
class ColumnChart:
    """Stacked columns over time: one column per day or week, one colour per measure."""

    title: str
    width: int = WIDTH
    height: int = HEIGHT
    rects: list[Rect] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    x_labels: list[tuple[float, str]] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)
    rows: list[tuple[str, list[int]]] = field(default_factory=list)  # the numbers, as a table
    columns: list[str] = field(default_factory=list)
    empty: bool = True

    @property
    def plot_left(self) -> int:
        return LEFT

    @property
    def plot_right(self) -> int:
        return self.width - RIGHT

    @property
    def baseline(self) -> int:
        return self.height - BOTTOM


def nice_step(largest: float, most_ticks: int = 5) -> int:
    """A step of 1, 2 or 5 times a power of ten giving at most `most_ticks` steps."""
    if largest <= most_ticks:
        return 1
    raw = largest / most_ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return int(factor * power)
    return int(10 * power)


def _day_label(day: date, by_week: bool) -> str:
    return ("w/c " if by_week else "") + f"{day.day} {day:%b}"


def column_chart(title: str, series: list[tuple[date, dict[str, int]]],
                 measures: list[tuple[str, str]], by_week: bool) -> ColumnChart:
    chart = ColumnChart(title=title, legend=[(f"series-{key}", label) for key, label in measures],
                        columns=[label for _, label in measures])
    if not series:
        return chart
    totals = [sum(values.get(key, 0) for key, _ in measures) for _, values in series]
    largest = max(totals)
    chart.empty = largest == 0
    step = nice_step(largest)
    top = max(step, math.ceil(largest / step) * step)
    plot_height = chart.baseline - TOP
    band = (chart.plot_right - chart.plot_left) / len(series)
    bar = max(band * 0.78, 1.0)
    for index, (day, values) in enumerate(series):
        x = chart.plot_left + index * band + (band - bar) / 2
        y = chart.baseline
        label = _day_label(day, by_week)
        for key, name in measures:
            count = values.get(key, 0)
            if count:
                height = count / top * plot_height
                y -= height
                chart.rects.append(Rect(round(x, 2), round(y, 2), round(bar, 2),
                                        round(height, 2), f"series-{key}",
                                        f"{label}: {count} {name.lower()}"))
        chart.rows.append((label, [values.get(key, 0) for key, _ in measures]))
    chart.y_ticks = [(round(chart.baseline - value / top * plot_height, 2), f"{value:,}")
                     for value in range(0, top + 1, step)]
    every = max(1, math.ceil(len(series) / MOST_X_LABELS))
    chart.x_labels = [(round(chart.plot_left + (i + 0.5) * band, 2), _day_label(day, by_week))
                      for i, (day, _) in enumerate(series) if i % every == 0]
    return chart


@dataclass
class BarChart:
    """Horizontal bars: one per item, longest first, the value at the end of each."""

    title: str
    width: int = WIDTH
    label_width: int = 330
    row_height: int = 34
    bars: list[tuple[float, str, str, float, int]] = field(default_factory=list)  # y, label, full
    css: str = "series-programme_views"

    @property
    def height(self) -> int:
        return max(len(self.bars), 1) * self.row_height + 8


def _shorten(text: str, most: int = 38) -> str:
    return text if len(text) <= most else text[:most - 1].rstrip() + "…"


def bar_chart(title: str, items: list[tuple[str, int]], css: str) -> BarChart:
    chart = BarChart(title=title, css=css)
    largest = max((value for _, value in items), default=0) or 1
    room = chart.width - chart.label_width - 70
    for index, (label, value) in enumerate(items):
        chart.bars.append((index * chart.row_height + 4, _shorten(label), label,
                           round(value / largest * room, 2), value))
    return chart
