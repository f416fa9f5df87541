"""The run report: a self-contained page with every section and chart, read in headless Chromium.

The browser tests fail when Chromium is missing (CI installs Debian's `chromium`), unless
MNEMOFORGE_SKIP_BROWSER=1. The screenshot goes to $MNEMOFORGE_TEST_ARTIFACTS when set (CI keeps it),
else to the test's temporary directory.
"""

from __future__ import annotations

import os
import re
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive import ArchiveStore
from archive.charts import nice_ticks
from archive.report import BEST_COLOR, render_report, tradeoff
from archive.report_data import abbreviate_ids, collect_report, pareto_front
from tests.browse.chromium import MISSING, HeadlessChromium, Page, find_chromium
from tests.browse.conftest import RealRun, SmallArchive, run_cli

SECTIONS = ["summary", "progress", "tradeoff", "categories", "lineage", "operators", "failures"]
WIDTH = 1200


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeadlessChromium]:
    binary = find_chromium()
    if binary is None:
        if os.environ.get("MNEMOFORGE_SKIP_BROWSER") == "1":
            pytest.skip("browser tests skipped (MNEMOFORGE_SKIP_BROWSER=1)")
        pytest.fail(MISSING, pytrace=False)
    with HeadlessChromium(binary, tmp_path_factory.mktemp("chromium-profile")) as chromium:
        yield chromium


@pytest.fixture(scope="session")
def real_report(real_run: RealRun, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    result = run_cli("report", real_run.run_id[:6], "-o", str(path), "--archive", real_run.url)
    assert result.code == 0, result.stderr
    assert result.stdout.startswith(f"wrote {path}")
    return path


def open_report(browser: HeadlessChromium, path: Path) -> Page:
    return browser.open(path.as_uri(), WIDTH, 900)


def test_the_report_loads_nothing_from_anywhere(real_report: Path) -> None:
    html = real_report.read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "<link" not in html.lower() and "@import" not in html
    # Every attribute that makes a browser fetch: none may point anywhere (in-page anchors would be fine).
    fetched = re.findall(
        r'\b(?:src|href|xlink:href|poster|action|srcset)\s*=\s*"([^"]*)"', html, re.IGNORECASE
    )
    assert all(value.startswith("#") for value in fetched), fetched
    assert not re.search(r"url\(", html), "CSS must not load anything"
    # The only URL in the page is SVG's namespace name, which is an identifier, not a request.
    assert set(re.findall(r"https?://[^\s\"'<>]+", html)) == {"http://www.w3.org/2000/svg"}


def test_the_report_renders_every_section_and_chart_in_chromium(
    real_report: Path, real_run: RealRun, browser: HeadlessChromium, tmp_path_factory: pytest.TempPathFactory
) -> None:
    page = open_report(browser, real_report)
    assert page.evaluate("[...document.querySelectorAll('main > section')].map(s => s.id)") == SECTIONS
    assert real_run.run_id in page.evaluate("document.querySelector('h1').textContent")
    charts = page.evaluate(
        "Object.fromEntries([...document.querySelectorAll('svg[data-chart]')].map(s => "
        "[s.dataset.chart, [s.getBoundingClientRect().width, s.getBoundingClientRect().height]]))"
    )
    for kind in (
        "progress",
        "tradeoff-read",
        "tradeoff-llm",
        "categories-evidence_recall",
        "categories-answer_score",
    ):
        assert kind in charts, f"chart {kind} is missing: {sorted(charts)}"
        width, height = charts[kind]
        assert width > 600 and height > 100, f"chart {kind} is rendered {width}x{height}"

    with ArchiveStore(real_run.url) as store:
        progress = store.run_progress(real_run.run_id)
        failures = store.failure_counts(real_run.run_id)
    islands = 2  # the run's default
    # One running-best line per island plus the best seed's line; one dot per evaluated candidate.
    assert page.evaluate("document.querySelectorAll('svg[data-chart=progress] path').length") == islands + 1
    scored = sum(point.score is not None for point in progress)
    assert page.evaluate("document.querySelectorAll('svg[data-chart=progress] circle').length") == scored
    for kind in ("tradeoff-read", "tradeoff-llm"):
        assert (
            page.evaluate(f"document.querySelectorAll('svg[data-chart={kind}] path.pareto-front').length")
            == 1
        )
    duplicates = sum(point.status == "duplicate" for point in progress)
    has_failures = bool(failures.total or duplicates)
    assert page.evaluate("!!document.querySelector('svg[data-chart=failures]')") == has_failures
    if not has_failures:
        assert "Nothing failed" in page.evaluate("document.querySelector('#failures').textContent")
    lineage = page.evaluate("document.querySelectorAll('#lineage article.step').length")
    with ArchiveStore(real_run.url) as store:
        assert lineage == len(store.lineage(real_run.summary["best_program_id"]))

    assert page.requested_urls() == [real_report.as_uri()], "the page requested something besides itself"

    artifacts = Path(os.environ.get("MNEMOFORGE_TEST_ARTIFACTS") or tmp_path_factory.mktemp("artifacts"))
    artifacts.mkdir(parents=True, exist_ok=True)
    shot = artifacts / "report.png"
    width, height = page.screenshot(shot, WIDTH)
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (width, height) and height > 2000
    assert len(png) > 100_000, "the screenshot is suspiciously small for a page of charts"


def test_the_small_archive_report_shows_failures_lineage_and_gain(
    small_archive: SmallArchive, browser: HeadlessChromium, tmp_path: Path
) -> None:
    path = tmp_path / "small.html"
    assert run_cli("report", small_archive.run_id, "-o", str(path), "--archive", small_archive.url).code == 0
    page = open_report(browser, path)
    verdict = page.evaluate("document.querySelector('.verdict').textContent")
    assert "+0.100 over the best seed" in " ".join(verdict.split())
    assert "0.580 against the seed's 0.490 (+0.090: the gain holds)" in " ".join(verdict.split())
    bars = page.evaluate(
        "[...document.querySelectorAll('svg[data-chart=failures] rect title')].map(t => t.textContent)"
    )
    assert bars == [
        "rejected: edits_do_not_apply: 2",
        "duplicate of an evaluated program: 1",
        "evaluation failed: timeout: 1",
    ]
    steps = page.evaluate(
        "[...document.querySelectorAll('#lineage article.step')].map(a => "
        "[...a.querySelectorAll('pre.diff span.add, pre.diff span.del')].map(s => s.textContent))"
    )
    assert steps == [[], ["-TOP_K = 30", "+TOP_K = 24"], ["-BM25_B = 0.75", "+BM25_B = 0.6"]]
    assert "and " + small_archive.seed_ids["vector_rag"][:12] in page.evaluate(
        "document.querySelectorAll('#lineage article.step')[2].textContent"
    )
    # The adversarial category has no evidence recall for anyone, so that chart leaves it out.
    rows = page.evaluate(
        "[...document.querySelectorAll('svg[data-chart=categories-evidence_recall] text.row-label')]"
        ".map(t => t.textContent)"
    )
    assert rows == ["single-hop", "temporal"]
    chart = "svg[data-chart=categories-answer_score]"
    best_dots = page.evaluate(f"document.querySelectorAll('{chart} circle[fill=\"{BEST_COLOR}\"]').length")
    assert best_dots == 3
    rows_js = "[...document.querySelectorAll('#category-table tr')]"
    table = page.evaluate(f"{rows_js}.map(r => [...r.cells].map(c => c.textContent))")
    assert table[0] == ["", "evidence recall", "answer score"]  # adversarial has no evidence recall
    assert table[1] == ["program", "single-hop", "temporal", "adversarial", "single-hop", "temporal"]
    assert [row[0] for row in table[2:]] == [
        f"best: {small_archive.best_id[:12]}",
        "bm25_turns",
        "vector_rag",
    ]
    assert table[2][1:] == ["0.800", "0.600", "0.500", "0.600", "0.400"]
    operators = page.evaluate(
        "[...document.querySelectorAll('#operator-table tr')].map(r => [...r.cells].map(c => c.textContent))"
    )
    assert operators == [
        ["operator", "tried", "made", "improved", "best gain", "mean gain"],
        ["structural", "5", "2", "1/1", "+0.050", "+0.050"],
        ["crossover", "1", "1", "1/1", "+0.050", "+0.050"],
    ]


def test_the_pareto_front_keeps_exactly_the_undominated_programs(small_archive: SmallArchive) -> None:
    with ArchiveStore(small_archive.url) as store:
        report = collect_report(store, small_archive.run_id)
    front = tradeoff(report, "read_chars_mean", "read size", "read").front
    # vector_rag (1200 chars, 0.40) < child (1500, 0.55) < best (2400, 0.60); child beats bm25 (1800, 0.50).
    assert [p.program.id for p in front] == [
        small_archive.seed_ids["vector_rag"],
        small_archive.child_id,
        small_archive.best_id,
    ]
    assert pareto_front([(1.0, 0.5), (1.0, 0.5), (2.0, 0.4), (0.5, 0.1)]) == {0, 1, 3}


def test_report_data_follows_the_run(small_archive: SmallArchive) -> None:
    with ArchiveStore(small_archive.url) as store:
        report = collect_report(store, small_archive.run_id[:3])
    assert report.best.program.id == small_archive.best_id and report.best_seed.label == "bm25_turns"
    assert (report.best_test, report.seed_test) == (0.58, 0.49)
    assert [step.label for step in report.lineage] == [
        "bm25_turns",
        small_archive.child_id[:12],
        small_archive.best_id[:12],
    ]
    assert (report.count("accepted"), report.count("rejected"), report.count("duplicate")) == (3, 2, 1)
    html = render_report(report)
    assert html.count('class="step"') == 3 and "timeout" in html


def test_ticks_cover_the_range_with_round_steps() -> None:
    assert nice_ticks(0.0, 1.0) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    ticks = nice_ticks(0.387, 0.552)
    assert ticks[0] <= 0.387 and ticks[-1] >= 0.552 and len(ticks) <= 8
    assert nice_ticks(3.0, 3.0)[0] <= 3.0 <= nice_ticks(3.0, 3.0)[-1]
    assert nice_ticks(0, 12, integer=True) == [0, 2, 4, 6, 8, 10, 12]  # candidates are whole numbers
    assert nice_ticks(0, 3, integer=True) == [0, 1, 2, 3]


def test_full_program_ids_in_commit_messages_are_shown_short() -> None:
    full = "0123456789ab" + "c" * 52
    assert (
        abbreviate_ids(f"TOP_K 30 -> 24 from {full}; RRF_K 60 -> 38")
        == "TOP_K 30 -> 24 from 0123456789ab; RRF_K 60 -> 38"
    )
    assert abbreviate_ids("a" * 63) == "a" * 63  # not an id: left alone


def test_a_report_says_when_the_best_candidate_was_within_the_noise_of_select(
    small_archive: SmallArchive,
) -> None:
    """The run's answer is the seed when its best candidate's select gain reaches zero: the report names
    that candidate and its interval rather than claiming nothing beat the seed."""
    seed = small_archive.seed_ids["bm25_turns"]
    within_noise = {"gain": 0.1, "low": -0.02, "high": 0.2, "units": 4, "includes_zero": True}
    with ArchiveStore(small_archive.url) as store:
        store.set_run_status(
            small_archive.run_id,
            "finished",
            {
                "best_program_id": seed,
                "best_seed_program_id": seed,
                "best_candidate_id": small_archive.best_id,
                "select_gain": within_noise,
                "candidates": 6,
            },
        )
        html = render_report(collect_report(store, small_archive.run_id))
    verdict = " ".join(re.sub(r"<[^>]+>", "", html.split('class="verdict">')[1].split("</p>")[0]).split())
    assert verdict.startswith(
        f"The best candidate, {small_archive.best_id[:12]}, beat the best seed, bm25_turns (0.500), on "
        "select by +0.100, within the noise of select (+0.100 [-0.020, +0.200] over 4 units, the interval "
        "includes zero): the seed stays the answer."
    )
    with ArchiveStore(small_archive.url) as store:
        summary = store.get_run(small_archive.run_id).summary
        store.set_run_status(
            small_archive.run_id,
            "finished",
            {**summary, "select_gain": {**within_noise, "higher": 1, "lower": 0}},
        )
        html = render_report(collect_report(store, small_archive.run_id))
    assert "over 4 units, the interval includes zero; higher on 1 of them, lower on 0)" in html
