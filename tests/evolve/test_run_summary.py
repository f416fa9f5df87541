"""What `evolve` says at the end of a run: the verdict names a loss on transfer data and doubtful gains."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from rich.console import Console

from evolve.cli import run_display
from evolve.cli.run_display import verdict
from evolve.database import Member
from evolve.loop import RunSummary, winner


def gain(value: float, low: float | None, high: float | None, units: int = 4) -> dict[str, Any]:
    if low is None:
        return {"gain": value, "low": None, "high": None, "units": units, "includes_zero": None, "why": "x"}
    return {"gain": value, "low": low, "high": high, "units": units, "includes_zero": low <= 0 <= high}


def summary(test_gain: dict[str, Any] | None, *transfer: dict[str, Any]) -> RunSummary:
    return RunSummary(
        run_id="r",
        best_program_id="b" * 64,
        best_select=0.6,
        best_test=0.55,
        best_seed="layered_cognitive",
        best_seed_program_id="s" * 64,
        seed_select=0.5,
        seed_test=0.5,
        candidates=4,
        failed=0,
        rejected=0,
        duplicates=0,
        cost_usd=0.0,
        seconds=1.0,
        loop_seconds=0.1,
        test_gain=test_gain,
        transfer=transfer,
    )


def transfer(winner: float, best: float, interval: dict[str, Any]) -> dict[str, Any]:
    return {
        "spec": "locomo:x.json",
        "name": "locomo:x.json",
        "winner": winner,
        "seeds": {"dual_process": best, "layered_cognitive": 0.4},
        "best_seed": "dual_process",
        "best_seed_score": best,
        "gain": interval,
    }


def test_a_loss_on_transfer_data_is_said_plainly_with_its_interval() -> None:
    said = verdict(summary(gain(0.05, 0.01, 0.09), transfer(0.49, 0.64, gain(-0.15, -0.2, -0.1))))
    assert "On locomo:x.json the winner (0.490) LOSES to the best seed there, dual_process (0.640)" in said
    assert "-0.150, 95% interval [-0.200, -0.100] over 4 units." in said


def test_a_gain_whose_interval_includes_zero_says_so() -> None:
    said = verdict(summary(gain(0.05, -0.01, 0.09), transfer(0.66, 0.64, gain(0.02, -0.03, 0.05))))
    assert (
        "the gain holds on held-out data; 95% interval [-0.010, +0.090] over 4 units, which includes zero"
        in said
    )
    assert "beats the best seed there, dual_process (0.640) by +0.020" in said
    assert "[-0.030, +0.050] over 4 units, which includes zero." in said
    assert "LOSES" not in said


def test_a_run_whose_candidates_only_tie_the_best_seed_names_the_seed_its_winner() -> None:
    member = Member("c" * 64, "source", 0.52, (0, 0))
    seed = Member("s" * 64, "seed source", 0.52, (0, 0))
    assert winner(member, seed, None) is seed
    assert winner(replace(member, score=0.5201), seed, gain(0.0001, 0.00001, 0.0002)) is not seed
    run = replace(summary(None), best_program_id="s" * 64, best_select=0.5, best_test=0.5)
    said = verdict(run)
    assert said.startswith(
        "no candidate beat the best seed on select, so the winner is the seed layered_cognitive."
    )
    assert "on test" not in said


def test_a_candidate_whose_select_gain_reaches_zero_leaves_the_seed_the_winner_and_the_summary_says_why() -> (
    None
):
    """The best of many candidates on select is partly the luckiest: a gain whose interval reaches zero
    there is not taken, however high its mean; without an interval (too few units) the mean decides."""
    candidate = Member("c" * 64, "source", 0.5205, (0, 0))
    seed = Member("s" * 64, "seed source", 0.5189, (0, 0))
    assert winner(candidate, seed, gain(0.0016, -0.0063, 0.0082)) is seed
    assert winner(candidate, seed, gain(0.0016, 0.0, 0.0082)) is seed
    assert winner(candidate, seed, gain(0.0016, 0.0004, 0.0082)) is candidate
    assert winner(candidate, seed, gain(0.0016, None, None, units=1)) is candidate

    run = replace(
        summary(None),
        best_program_id="s" * 64,
        best_candidate_id="c" * 64,
        select_gain=gain(0.0016, -0.0063, 0.0082),
    )
    said = verdict(run)
    assert said.startswith(
        "the best candidate, cccccccccccc, beat the best seed on select by +0.002, but its 95% interval "
        "[-0.006, +0.008] over 4 units reaches zero: no gain beyond select's own noise, so the winner is "
        "the seed layered_cognitive."
    )
    assert "on test" not in said
    assert "scored higher" not in said  # a gain recorded before units were counted
    counted = {**gain(0.039, 0.0, 0.089, units=18), "higher": 2, "lower": 0}
    said = verdict(replace(run, select_gain=counted))
    assert (
        "so the winner is the seed layered_cognitive (the candidate scored higher on 2 of 18 units and lower "
        "on none; with none lower, 18 units tell a gain from zero only from 4 higher)." in said
    )
    said = verdict(replace(run, select_gain={**counted, "higher": 3, "lower": 1}))
    assert "(the candidate scored higher on 3 of 18 units and lower on 1)." in said
    by_mean = replace(summary(gain(0.05, None, None, units=1)), select_gain=gain(0.1, None, None, units=1))
    said = verdict(by_mean)
    assert "+0.100 on select (no interval on select: x, so the mean decided), +0.050 on test" in said


def test_a_gain_on_too_few_units_says_there_is_no_interval() -> None:
    said = verdict(summary(gain(0.05, None, None, units=1)))
    assert "no interval: x" in said


def test_the_summary_tables_fit_an_80_column_terminal_with_every_number_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rich cuts a cell that does not fit with '…': a data name as long as a real path must not push a
    score or an interval out of sight (a run's output is often piped, and then 80 columns wide)."""
    long_name = "longmemeval:../shared/data/longmemeval/longmemeval_s_dev45.json"
    test_gain = gain(-0.006, -0.027, 0.017)
    run = summary(test_gain, {**transfer(0.49, 0.64, gain(-0.15, -0.2, -0.1)), "name": long_name})
    run = replace(
        run,
        data=(
            {
                "spec": "synthetic",
                "name": "synthetic(seed=0,conversations=10)",
                "best_select": 0.6,
                "seed_select": 0.5,
                "best_test": 0.55,
                "seed_test": 0.5,
                "test_gain": test_gain,
            },
        ),
    )
    console = Console(width=80, record=True)
    monkeypatch.setattr(run_display, "out", console)
    run_display.print_summary(run)
    shown = console.export_text()
    assert "…" not in shown
    for number in ("0.600", "0.550", "+0.100", "-0.006 [-0.027, +0.017] ~0", "0.490", "0.640"):
        assert number in shown, number
    assert "longmemeval:longmemeval_s_dev45.json" in shown.replace("\n", "").replace(" ", "").replace("┃", "")
