"""The run report: one self-contained HTML page (jinja2, inline CSS and SVG, no script, no network).

    html = render_report(collect_report(store, run_id))

The page answers, in order: did the search find something better than the seeds (best score over
candidates per island), at what cost (score against `read()` size and LLM calls, Pareto front marked),
where the gain is (per-category scores of the best program against every seed), how it was made (the
best program's lineage with the diff of each step), and what went wrong (failure reasons by count).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jinja2
from markupsafe import Markup

from archive.charts import MUTED, PALETTE, Marker, Series, bar_chart, dot_plot, line_chart, scatter_chart
from archive.report_data import RunReport, ScoredProgram, abbreviate_ids, pareto_front

BEST_COLOR, SEED_COLOR, EVOLVED_COLOR = "#d55e00", "#0072b2", "#56b4e9"
FAILED_COLOR, REJECTED_COLOR = "#c0392b", "#e69f00"

COUNT_KEYS = frozenset({"questions", "tasks"})
PREFERRED_CATEGORY_METRICS = ("evidence_recall", "answer_score", "score", "success_rate")
"""Per category, what a memory got right comes before the selection score that blends it."""
COST_AXES = (
    ("read_chars_mean", "mean read() size (characters)", "read"),
    ("llm_calls_per_operation", "LLM calls per write/read", "llm"),
)


@dataclass(frozen=True)
class TradeOff:
    """One score-against-cost chart and the programs on its Pareto front."""

    key: str
    label: str
    svg: Markup
    front: list[ScoredProgram]
    flat: bool


def render_report(report: RunReport) -> str:
    """The HTML page of `report`."""
    template = _environment().get_template("report.html.j2")
    metrics = category_metrics(report)
    return template.render(
        report=report,
        run=report.run,
        progress_svg=Markup(progress_chart(report)),
        island_colors=[PALETTE[i % len(PALETTE)] for i in range(report.islands)],
        tradeoffs=[tradeoff(report, key, label, kind) for key, label, kind in COST_AXES],
        category_table=_category_table(report),
        category_metrics=metrics,
        category_svgs=[(metric, Markup(category_chart(report, metric))) for metric in metrics],
        failure_svg=Markup(failure_chart(report)) if _failure_bars(report) else None,
        colors={"best": BEST_COLOR, "seed": SEED_COLOR, "evolved": EVOLVED_COLOR, "muted": MUTED},
    )


def progress_chart(report: RunReport) -> str:
    """The running best `select` score per island over candidates, from the best seed at candidate 0."""
    start = report.best_seed.score or 0.0
    running = dict.fromkeys(range(report.islands), start)
    lines: dict[int, list[tuple[float, float]]] = {i: [(0.0, start)] for i in range(report.islands)}
    markers = []
    last = max((point.sequence for point in report.progress), default=1)
    for point in report.progress:
        if point.score is None or point.island is None:
            continue
        island = point.island % report.islands
        color = PALETTE[island % len(PALETTE)]
        markers.append(
            Marker(point.sequence, point.score, color, f"candidate {point.sequence}: {point.score:.3f}")
        )
        if point.score > running[island]:
            running[island] = point.score
            lines[island].append((float(point.sequence), point.score))
    series = [
        Series(
            f"island {island}",
            [*points, (float(last), running[island])],
            PALETTE[island % len(PALETTE)],
            True,
        )
        for island, points in lines.items()
    ]
    series.append(Series("best seed", [(0.0, start), (float(last), start)], MUTED, dashed=True))
    return line_chart(
        "progress",
        "Best select score per island over candidates",
        series,
        markers,
        "candidate (in the order the run made them)",
        "select score",
        x_integer=True,
    )


def tradeoff(report: RunReport, key: str, label: str, kind: str) -> TradeOff:
    """Score against one cost for every evaluated program, with the Pareto front (high score, low cost)."""
    programs = report.evaluated
    points = [(program.cost(key), program.score or 0.0) for program in programs]
    front = pareto_front(points)
    markers = []
    for index, program in enumerate(programs):
        is_best = program.program.id == report.best.program.id
        color = BEST_COLOR if is_best else SEED_COLOR if program.is_seed else EVOLVED_COLOR
        markers.append(
            Marker(
                points[index][0],
                points[index][1],
                color,
                "best" if is_best else f"{program.label}: {points[index][1]:.3f}",
                hollow=program.is_seed and not is_best,
                size=6 if index in front else 4,
                emphasis=is_best,
            )
        )
    front_programs = sorted((programs[i] for i in front), key=lambda p: p.cost(key))
    svg = scatter_chart(
        f"tradeoff-{kind}",
        f"Select score against {label}",
        markers,
        [points[i] for i in front],
        label,
        "select score",
    )
    return TradeOff(key, label, Markup(svg), front_programs, flat=len({x for x, _ in points}) <= 1)


def category_metrics(report: RunReport) -> list[str]:
    """The per-category metrics to chart: the preferred ones the evaluations have, at most two."""
    present: list[str] = []
    for program in [report.best, *report.seeds]:
        for values in (program.select.by_category if program.select else {}).values():
            for key, value in values.items():
                if key not in COUNT_KEYS and isinstance(value, int | float) and key not in present:
                    present.append(key)
    preferred = [metric for metric in PREFERRED_CATEGORY_METRICS if metric in present]
    return (preferred or present)[:2]


def category_chart(report: RunReport, metric: str) -> str:
    """Per category, a dot for the best program (filled) and for every seed (hollow; the best seed blue)."""
    entries = []
    for program in [*report.seeds, report.best]:
        is_best = program.program.id == report.best.program.id
        color = BEST_COLOR if is_best else SEED_COLOR if program is report.best_seed else MUTED
        by_category = program.select.by_category if program.select else {}
        name = f"best {program.label}" if is_best else program.label
        entries.append((name, color, is_best, by_category))
    # Categories where no program has the metric (evidence recall of unanswerable questions) are left out.
    categories = [
        category
        for category in _categories(report)
        if any(_number(by.get(category, {}).get(metric)) is not None for *_, by in entries)
    ]
    values = [
        (name, color, is_best, [_number(by.get(category, {}).get(metric)) for category in categories])
        for name, color, is_best, by in entries
    ]
    return dot_plot(
        f"categories-{metric}", f"{_title(metric)} per category", categories, values, _title(metric)
    )


def failure_chart(report: RunReport) -> str:
    return bar_chart("failures", "Failure reasons by count", _failure_bars(report))


def _failure_bars(report: RunReport) -> list[tuple[str, int, str]]:
    bars = [
        (f"evaluation failed: {reason}", n, FAILED_COLOR) for reason, n in report.failures.evaluations.items()
    ]
    bars += [(f"rejected: {reason}", n, REJECTED_COLOR) for reason, n in report.failures.candidates.items()]
    duplicates = report.count("duplicate")
    if duplicates:
        bars.append(("duplicate of an evaluated program", duplicates, MUTED))
    return sorted(bars, key=lambda bar: (-bar[1], bar[0]))


def _categories(report: RunReport) -> list[str]:
    names: list[str] = []
    for program in [report.best, *report.seeds]:
        for name in program.select.by_category if program.select else {}:
            if name not in names:
                names.append(name)
    return sorted(names)


def _category_table(report: RunReport) -> dict[str, Any]:
    """The numbers behind the dot plots: a row per program (the best first, then every seed), a column
    per (metric, category) that some program has a value for. Programs are rows so that many seeds
    make the table longer, not wider."""
    columns = [(metric, category) for metric in category_metrics(report) for category in _categories(report)]
    rows = []
    for program in [report.best, *report.seeds]:
        by_category = program.select.by_category if program.select else {}
        values = [_number(by_category.get(category, {}).get(metric)) for metric, category in columns]
        label = f"best: {program.label}" if program is report.best else program.label
        rows.append({"label": label, "best": program is report.best, "values": values})
    kept = [i for i in range(len(columns)) if any(row["values"][i] is not None for row in rows)]
    for row in rows:
        row["values"] = [row["values"][i] for i in kept]
    metrics = [_title(columns[i][0]) for i in kept]
    groups = [(metric, metrics.count(metric)) for metric in dict.fromkeys(metrics)]
    starts = [index == 0 or metrics[index - 1] != metric for index, metric in enumerate(metrics)]
    return {"groups": groups, "categories": [columns[i][1] for i in kept], "starts": starts, "rows": rows}


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _title(metric: str) -> str:
    return metric.replace("_", " ")


def _score(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _signed(value: float | None) -> str:
    return "–" if value is None else f"{value:+.3f}"


def _when(value: datetime | None) -> str:
    return "–" if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


def _count(value: float | int | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _gain(gain: dict[str, Any] | None) -> str:
    """A gain as the run's summary keeps it: '+0.012 [-0.004, +0.030] over 4 units, includes zero'."""
    if not gain:
        return "–"
    if gain.get("low") is None:
        return f"{gain['gain']:+.3f} (no interval: {gain.get('why')})"
    verdict = "the interval includes zero" if gain["includes_zero"] else "the interval excludes zero"
    told = (
        f"{gain['gain']:+.3f} [{gain['low']:+.3f}, {gain['high']:+.3f}] over {gain['units']} units, {verdict}"
    )
    if gain.get("higher") is not None:  # an older run's summary has no counts
        told += f"; higher on {gain['higher']} of them, lower on {gain['lower']}"
    return told


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("archive", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        score=_score,
        signed=_signed,
        when=_when,
        count=_count,
        title=_title,
        short_ids=abbreviate_ids,
        gain=_gain,
    )
    return environment
