"""Inline SVG charts for the run report, written by hand so the page needs no script and no network.

Each function returns one `<svg>` element as a string, sized by its viewBox so it scales with the page.
Every chart carries `data-chart="<kind>"` and a `<title>`, so tests and screen readers can find it, and
escapes every label it draws. Numbers are placed on "nice" ticks (1, 2, 5 × 10^k).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000")
"""Okabe–Ito colours: distinguishable with the common kinds of colour blindness."""

MUTED = "#9aa0a6"
WIDTH, HEIGHT = 720, 320
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64, 24, 16, 48


@dataclass(frozen=True)
class Series:
    """A named line of (x, y) points; `step` draws it as a running value that holds until the next x."""

    name: str
    points: Sequence[tuple[float, float]]
    color: str
    step: bool = False
    dashed: bool = False


@dataclass(frozen=True)
class Marker:
    """One plotted point; `hollow` markers are for points of lesser weight (seeds, rejected attempts)."""

    x: float
    y: float
    color: str
    label: str = ""
    hollow: bool = False
    size: float = 4.0
    emphasis: bool = False


@dataclass(frozen=True)
class Scale:
    """A linear map from data values in [low, high] to pixels in [start, end]."""

    low: float
    high: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        span = self.high - self.low or 1.0
        return self.start + (value - self.low) / span * (self.end - self.start)


@dataclass
class _Canvas:
    kind: str
    title: str
    height: int = HEIGHT
    parts: list[str] = field(default_factory=list)

    def add(self, element: str) -> None:
        self.parts.append(element)

    def text(self, x: float, y: float, content: str, anchor: str = "middle", css: str = "") -> None:
        self.add(
            f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{css}">{escape(content)}</text>'
        )

    def svg(self) -> str:
        body = "".join(self.parts)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {self.height}" '
            f'data-chart="{escape(self.kind)}" role="img" class="chart">'
            f"<title>{escape(self.title)}</title>{body}</svg>"
        )


def nice_ticks(low: float, high: float, count: int = 5, integer: bool = False) -> list[float]:
    """About `count` round tick values covering [low, high]; whole numbers only when `integer`."""
    if not math.isfinite(low) or not math.isfinite(high):
        return [0.0, 1.0]
    if high <= low:
        high = low + 1.0
    raw = (high - low) / max(count + (1 if integer else 0), 1)  # whole steps: lean to one more tick
    magnitude = 10 ** math.floor(math.log10(raw))
    steps = (1, 2, 5, 10) if integer else (1, 2, 2.5, 5, 10)
    step = next(m * magnitude for m in steps if m * magnitude >= raw)
    if integer:
        step = max(1.0, round(step))
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 10))
    return ticks


def format_number(value: float) -> str:
    """A short label: 0.25, 1.5k, 12, 3.2M."""
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.3g}M"
    if abs(value) >= 1_000:
        return f"{value / 1_000:.3g}k"
    return f"{value:.3g}"


def _axes(
    canvas: _Canvas,
    xs: Sequence[float],
    ys: Sequence[float],
    x_label: str,
    y_label: str,
    x_integer: bool = False,
) -> tuple[Scale, Scale]:
    x_ticks = nice_ticks(min(xs, default=0.0), max(xs, default=1.0), integer=x_integer)
    y_ticks = nice_ticks(min(ys, default=0.0), max(ys, default=1.0))
    bottom = canvas.height - MARGIN_BOTTOM
    x = Scale(x_ticks[0], x_ticks[-1], MARGIN_LEFT, WIDTH - MARGIN_RIGHT)
    y = Scale(y_ticks[0], y_ticks[-1], bottom, MARGIN_TOP)
    for tick in y_ticks:
        canvas.add(
            f'<line x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" y1="{y(tick):.1f}" '
            f'y2="{y(tick):.1f}" class="grid"/>'
        )
        canvas.text(MARGIN_LEFT - 8, y(tick) + 4, format_number(tick), "end", "tick")
    for tick in x_ticks:
        canvas.add(
            f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{bottom}" y2="{bottom + 5}" class="axis"/>'
        )
        canvas.text(x(tick), bottom + 18, format_number(tick), "middle", "tick")
    canvas.add(
        f'<line x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" y1="{bottom}" y2="{bottom}" class="axis"/>'
    )
    canvas.text((MARGIN_LEFT + WIDTH - MARGIN_RIGHT) / 2, canvas.height - 8, x_label, "middle", "label")
    canvas.add(
        f'<text transform="translate(16 {(MARGIN_TOP + bottom) / 2:.1f}) rotate(-90)" '
        f'text-anchor="middle" class="label">{escape(y_label)}</text>'
    )
    return x, y


def _path(points: Sequence[tuple[float, float]], x: Scale, y: Scale, step: bool) -> str:
    commands: list[str] = []
    previous_y: float | None = None
    for index, (px, py) in enumerate(points):
        if index == 0:
            commands.append(f"M{x(px):.1f},{y(py):.1f}")
        elif step and previous_y is not None:
            commands.append(f"H{x(px):.1f}V{y(py):.1f}")
        else:
            commands.append(f"L{x(px):.1f},{y(py):.1f}")
        previous_y = py
    return " ".join(commands)


def _marker(marker: Marker, x: Scale, y: Scale) -> str:
    fill = "white" if marker.hollow else marker.color
    stroke_width = 2.5 if marker.emphasis else 1.5
    title = f"<title>{escape(marker.label)}</title>" if marker.label else ""
    return (
        f'<circle cx="{x(marker.x):.1f}" cy="{y(marker.y):.1f}" r="{marker.size:.1f}" fill="{fill}" '
        f'stroke="{marker.color}" stroke-width="{stroke_width}">{title}</circle>'
    )


def line_chart(
    kind: str,
    title: str,
    series: Sequence[Series],
    markers: Sequence[Marker],
    x_label: str,
    y_label: str,
    x_integer: bool = False,
) -> str:
    """Lines (step or straight) with markers on shared axes; the legend is the caller's HTML."""
    canvas = _Canvas(kind, title)
    xs = [p[0] for s in series for p in s.points] + [m.x for m in markers]
    ys = [p[1] for s in series for p in s.points] + [m.y for m in markers]
    x, y = _axes(canvas, xs, ys, x_label, y_label, x_integer)
    for line in series:
        if not line.points:
            continue
        dash = ' stroke-dasharray="6 4"' if line.dashed else ""
        canvas.add(
            f'<path d="{_path(line.points, x, y, line.step)}" fill="none" stroke="{line.color}" '
            f'stroke-width="2"{dash}><title>{escape(line.name)}</title></path>'
        )
    for marker in markers:
        canvas.add(_marker(marker, x, y))
    return canvas.svg()


def scatter_chart(
    kind: str,
    title: str,
    markers: Sequence[Marker],
    front: Sequence[tuple[float, float]],
    x_label: str,
    y_label: str,
) -> str:
    """Points with the Pareto front drawn as a dashed step line through its points (and labelled)."""
    canvas = _Canvas(kind, title)
    x, y = _axes(canvas, [m.x for m in markers], [m.y for m in markers], x_label, y_label)
    if front:
        canvas.add(
            f'<path d="{_path(sorted(front), x, y, step=True)}" fill="none" stroke="#333" '
            f'stroke-width="1.5" stroke-dasharray="5 4" class="pareto-front">'
            "<title>Pareto front</title></path>"
        )
    for marker in sorted(markers, key=lambda m: m.emphasis):
        canvas.add(_marker(marker, x, y))
        if marker.emphasis and marker.label:
            # Labels near the right edge go left of their point, so they are never clipped.
            fits_right = x(marker.x) + 12 + 7 * len(marker.label) <= WIDTH
            offset, anchor = (8, "start") if fits_right else (-8, "end")
            canvas.text(x(marker.x) + offset, y(marker.y) - 8, marker.label, anchor, "annotation")
    return canvas.svg()


def dot_plot(
    kind: str,
    title: str,
    rows: Sequence[str],
    values: Sequence[tuple[str, str, bool, Sequence[float | None]]],
    x_label: str,
) -> str:
    """One row per category; each (name, colour, emphasis, values-per-row) draws a dot on every row.

    Emphasised entries (the best program) are drawn large and on top, the rest small and hollow, so
    "best against every seed" reads at a glance. Missing values (None) are left out.
    """
    row_height = 34
    height = MARGIN_TOP + MARGIN_BOTTOM + row_height * max(len(rows), 1)
    canvas = _Canvas(kind, title, height=height)
    label_width = 150
    bottom = height - MARGIN_BOTTOM
    x = Scale(0.0, 1.0, label_width, WIDTH - MARGIN_RIGHT)
    for tick in nice_ticks(0.0, 1.0):
        canvas.add(
            f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{MARGIN_TOP}" y2="{bottom}" class="grid"/>'
        )
        canvas.text(x(tick), bottom + 18, format_number(tick), "middle", "tick")
    canvas.text((label_width + WIDTH - MARGIN_RIGHT) / 2, height - 8, x_label, "middle", "label")
    for index, row in enumerate(rows):
        center = MARGIN_TOP + row_height * index + row_height / 2
        canvas.text(label_width - 10, center + 4, row, "end", "row-label")
        canvas.add(
            f'<line x1="{label_width}" x2="{WIDTH - MARGIN_RIGHT}" y1="{center:.1f}" y2="{center:.1f}" '
            f'class="row-line"/>'
        )
        for name, color, emphasis, row_values in sorted(values, key=lambda v: v[2]):
            value = row_values[index]
            if value is None:
                continue
            radius = 7 if emphasis else 4.5
            fill = color if emphasis else "white"
            canvas.add(
                f'<circle cx="{x(value):.1f}" cy="{center:.1f}" r="{radius}" fill="{fill}" stroke="{color}" '
                f'stroke-width="1.8" fill-opacity="{0.9 if emphasis else 1}">'
                f"<title>{escape(name)}: {escape(row)} {value:.3f}</title></circle>"
            )
    return canvas.svg()


def bar_chart(kind: str, title: str, bars: Sequence[tuple[str, int, str]]) -> str:
    """Horizontal bars of counts, one per (label, count, colour), largest first as given."""
    row_height = 28
    height = MARGIN_TOP + 24 + row_height * max(len(bars), 1)
    canvas = _Canvas(kind, title, height=height)
    label_width = 300
    top = max((count for _, count, _ in bars), default=1) or 1
    x = Scale(0.0, float(top), label_width, WIDTH - MARGIN_RIGHT - 40)
    for index, (label, count, color) in enumerate(bars):
        y_top = MARGIN_TOP + row_height * index
        shown = label if len(label) <= 44 else label[:43] + "…"
        canvas.text(label_width - 10, y_top + 18, shown, "end", "row-label")
        canvas.add(
            f'<rect x="{label_width}" y="{y_top + 5}" width="{max(x(count) - label_width, 1):.1f}" '
            f'height="{row_height - 10}" fill="{color}"><title>{escape(label)}: {count}</title></rect>'
        )
        canvas.text(x(count) + 6, y_top + 18, str(count), "start", "tick")
    return canvas.svg()
