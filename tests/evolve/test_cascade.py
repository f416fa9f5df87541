"""Cascade evaluation in whole runs: a first look on a quarter of `select`, the rest only for the promising.

The default synthetic data (10 conversations) has four `select` conversations, so the cascade's part is
one of them. Offline runs, programs in-process: seconds, not minutes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

from archive import ArchiveStore
from evaluators.domains import get_domain
from evolve.cascade import JOINED, Cascade, PartResult, case_values
from evolve.config import RunConfig
from evolve.run_data import selection_data
from tests.evolve.test_evolve_runs import evolve_args, run_cli

RUN = ["--sandbox", "inprocess", "--workers", "2", "--islands", "1", "--seeds", "bm25_turns,vector_rag"]


def test_a_candidate_goes_on_only_if_the_part_shows_something_new_and_not_clearly_worse(
    tmp_path: Path,
) -> None:
    archive = f"sqlite:///{tmp_path / 'archive.db'}"
    config = tmp_path / "run.toml"
    config.write_text("max_candidates = 16\ncascade_margin = 0.0\n")
    summary = run_cli(evolve_args(archive, "--config", str(config), *RUN))
    store = ArchiveStore(archive)
    run_id = summary["run_id"]
    evaluations = store.run_evaluations(run_id)
    splits = ("cascade", "select_rest", "select")
    by_split = {split: {e.program_id: e for e in evaluations if e.split == split} for split in splits}
    for split in splits:
        assert len(by_split[split]) == sum(e.split == split for e in evaluations), (
            f"a program evaluated twice on {split}"
        )
    assert len({next(iter(by_split[split].values())).data_fingerprint for split in splits}) == 3
    first_look = {program_id: e.score for program_id, e in by_split["cascade"].items()}
    went_on = set(by_split["select"])
    # Going on is an evaluation of the rest of select, never of the first part again; the select
    # evaluation is joined from the two, its questions theirs.
    assert set(by_split["select_rest"]) == went_on
    for program_id, joined in by_split["select"].items():
        assert joined.worker == JOINED
        parts = (by_split["cascade"][program_id], by_split["select_rest"][program_id])
        assert joined.metrics["questions"] == sum(part.metrics["questions"] for part in parts)
        assert 0 < parts[0].metrics["questions"] < joined.metrics["questions"]
    accepted = [c for c in store.candidates(run_id) if c.status == "accepted"]
    assert all(c.program_id in first_look for c in accepted), "a candidate skipped the first look"
    stopped = [c.program_id for c in accepted if c.program_id not in went_on]
    assert len(stopped) == summary["stopped_early"] >= 1
    # A candidate goes on only if its part's cases differ from those of every program looked at before
    # it; a stopped one matched one of them case by case, or scored below a program that went on. Such
    # copies are common (a changed constant that never comes into play): sixteen candidates hold some.
    domain = get_domain("conversation")
    looked_at = sorted(by_split["cascade"].values(), key=lambda e: e.id or 0)
    cases = {e.program_id: case_values(store, e, domain.score_cases) for e in looked_at}
    for index, evaluation in enumerate(looked_at):
        if evaluation.program_id in went_on:
            assert all(cases[evaluation.program_id] != cases[e.program_id] for e in looked_at[:index])
    copies = [p for p in stopped if any(cases[p] == cases[q] for q in cases if q != p)]
    assert all(p in copies or any(first_look[p] < first_look[q] for q in went_on) for p in stopped)
    assert copies, "no copy of a program seen before was stopped"
    seeds = [p for p in first_look if store.get_program(p).seed_name]
    assert summary["best_select"] >= max(by_split["select"][p].score for p in seeds)
    assert max(first_look[p] for p in seeds) > 0


def test_no_cascade_evaluates_every_candidate_on_all_of_select(tmp_path: Path) -> None:
    archive = f"sqlite:///{tmp_path / 'archive.db'}"
    summary = run_cli(evolve_args(archive, "--budget", "4", "--no-cascade", *RUN))
    store = ArchiveStore(archive)
    evaluations = store.run_evaluations(summary["run_id"])
    assert {e.split for e in evaluations} == {"select", "test"}
    assert all(e.worker != JOINED for e in evaluations)
    assert summary["stopped_early"] == 0


def test_a_cascading_run_killed_mid_way_resumes_evaluating_nothing_twice(tmp_path: Path) -> None:
    archive = f"sqlite:///{tmp_path / 'archive.db'}"
    store = ArchiveStore(archive)
    process = subprocess.Popen(
        evolve_args(archive, "--budget", "10", *RUN),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        runs = store.list_runs()
        if runs and sum(e.split == "cascade" for e in store.run_evaluations(runs[0].id)) >= 4:
            break
        time.sleep(0.1)
    assert process.poll() is None, "the run ended before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    run_id = store.list_runs()[0].id
    summary = run_cli(evolve_args(archive, "--resume", run_id))
    evaluations = store.run_evaluations(run_id)
    for split in ("cascade", "select_rest", "select"):
        found = Counter(e.program_id for e in evaluations if e.split == split)
        assert max(found.values()) == 1, f"a program evaluated twice on {split}"
    candidates = store.candidates(run_id)
    assert [c.sequence for c in candidates] == list(range(1, 11))
    first_look = {e.program_id for e in evaluations if e.split == "cascade"}
    assert all(c.program_id in first_look for c in candidates if c.status == "accepted")
    assert summary["best_test"] is not None


def test_data_with_too_few_select_units_for_a_smaller_first_part_has_no_cascade() -> None:
    config = RunConfig(domain="planning", data=("household:households=5,tasks=3",))
    (small,) = selection_data(config)
    assert small.has("select") and not small.has("cascade") and not small.has("select_rest")
    (default,) = selection_data(RunConfig())
    assert default.has("cascade") and default.has("select_rest")
    assert len({default.fingerprints[split] for split in ("select", "cascade", "select_rest")}) == 3


def test_a_tie_on_the_part_stops_a_candidate_only_while_the_part_tells_the_seeds_apart() -> None:
    part_a = PartResult(0.5, ({"u1/q1": 1.0, "u2/q1": 0.0},))
    part_b = PartResult(0.25, ({"u1/q1": 0.5, "u2/q1": 0.0},))
    copy_of_a = PartResult(0.5, ({"u1/q1": 1.0, "u2/q1": 0.0},))
    # Seeds that differ on the part: a candidate scoring every case as one of them shows nothing new.
    telling = Cascade(margin=0.0)
    for seed, part, rest in (("a", part_a, {"u3/q1": 1.0}), ("b", part_b, {"u3/q1": 0.0})):
        assert telling.goes_on(seed, part, None)
        telling.record_rest(seed, 0, rest)
    assert telling.ties_tell()
    assert not telling.goes_on("child", copy_of_a, "a")
    # Seeds that tie on every case of the part yet differ on the rest: a tie there proves nothing, so
    # the same candidate goes on (it is not clearly worse than the best).
    fooled = Cascade(margin=0.0)
    for seed, rest in (("a", {"u3/q1": 1.0}), ("b", {"u3/q1": 0.0})):
        assert fooled.goes_on(seed, part_a, None)
        fooled.record_rest(seed, 0, rest)
    assert not fooled.ties_tell()
    assert fooled.goes_on("child", copy_of_a, "a")
    # Clearly worse still stops: the paired test does not rest on ties.
    worse = PartResult(0.0, ({"u1/q1": 0.0, "u2/q1": 0.0, "u1/q2": 0.0},))
    best = PartResult(1.0, ({"u1/q1": 1.0, "u2/q1": 1.0, "u1/q2": 1.0},))
    fooled.parts["best"] = (0, best)
    assert not fooled.goes_on("worse", worse, "best")


def test_a_decision_sees_the_programs_proposed_before_it_and_ties_as_known_when_it_was_proposed() -> None:
    """Parts of candidates proposed later (higher ordinals), even if they finished sooner, and rests that
    came in after the candidate was proposed change no decision: the run's path does not hang on which
    worker is faster."""
    seed = PartResult(0.5, ({"u1/q1": 1.0, "u2/q1": 0.0},))

    def other() -> PartResult:
        return PartResult(0.5, ({"u1/q1": 0.0, "u2/q1": 1.0},))

    cascade = Cascade(margin=0.0)
    assert cascade.goes_on("seed", seed, None, ordinal=0)
    assert cascade.goes_on("third", other(), "seed", ordinal=3, known=0), "it finished first"
    assert cascade.goes_on("second", other(), "seed", ordinal=2, known=0), "the third came after it"
    assert not cascade.goes_on("fourth", other(), "seed", ordinal=4, known=0), "a copy of the second"
    # the third and the second tie on the part and differ on the rest: ties prove nothing from ordinal 3 on
    cascade.record_rest("third", 0, {"u3/q1": 1.0})
    cascade.record_rest("second", 0, {"u3/q1": 0.0})
    assert cascade.ties_broken_at == 3
    assert cascade.ties_tell(known=2) and not cascade.ties_tell(known=3) and not cascade.ties_tell()
    # a candidate proposed before both outcomes were in still stops on a tie; one proposed after goes on
    assert not cascade.goes_on("fifth", other(), "seed", ordinal=5, known=2)
    assert cascade.goes_on("sixth", other(), "seed", ordinal=6, known=3)
