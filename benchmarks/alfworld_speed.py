"""How long evaluating a memory program on ALFWorld games takes with the offline agent, per game.

Target (issue 18): at most 1 s per game. The verdict is on the process's CPU seconds: on a machine
shared with other work, wall time measures the other work too (it is reported next to it). An
evaluation plays every game twice (no memory, then the program); evolution then plays it once per
further program (the no-memory run is cached). Each measurement runs in a fresh process (`--mode`),
so nothing is warm that should not be:

- `before`: TextWorld as it comes (no speed-ups, a game loaded anew for every play), on the first
  `--before-games` games only, since it is slow;
- `cold`: the adapter with an empty translation cache: first evaluation (both plays), then a second
  program in the same process;
- `warm`: a new process with the translation cache that `cold` filled.

Before timing, `--check` plays every game (its walkthrough, then the offline agent with no memory)
with and without the speed-ups and requires the same observations and admissible commands at every step.

    python benchmarks/alfworld_speed.py --alfworld ../shared/data/alfworld/valid_seen_dev24 --check
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "alfworld_speed.md"
DOCS = ROOT / "docs" / "planning.md"
BEGIN, END = "<!-- alfworld_speed:begin -->", "<!-- alfworld_speed:end -->"
TARGET = 1.0
PROGRAMS = ("bm25_turns", "experience_learner")


def _disable_speedups() -> None:
    """TextWorld untouched and every play loading its game afresh, as the adapter did before caching."""
    from evaluators.planning import alfworld, textworld_speedups

    textworld_speedups.install = lambda: None
    alfworld._loaded = alfworld._start


def _dataset(folder: str, games: int | None):
    from evaluators.planning.alfworld import AlfworldDataset, load_alfworld
    from evaluators.planning.data import PlanningEpisode

    dataset = load_alfworld(Path(folder))
    if games is None:
        return dataset
    tasks = [task for episode in dataset.episodes for task in episode.tasks][:games]
    return AlfworldDataset(
        dataset.name, (PlanningEpisode("first-games", tuple(tasks)),), dataset.content_hash
    )


def _evaluations(folder: str, games: int | None) -> list[dict[str, float]]:
    from evaluators.planning.domain import PlanningDomain
    from providers.embedders import make_embedder
    from sandbox.session import Capabilities, InProcessSession
    from seeds.registry import get_seed

    domain = PlanningDomain()
    dataset = _dataset(folder, games)
    count = sum(len(e.tasks) for e in dataset.episodes)
    rows = []
    for name in PROGRAMS:
        started, cpu = time.perf_counter(), time.process_time()
        result = domain.evaluate(
            get_seed(name).source,
            dataset,
            "all",
            domain.make_agent("offline"),
            InProcessSession,
            Capabilities(embed=make_embedder("hashed")),
        )
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        rows.append({"program": name, "games": count, "seconds": seconds, "cpu": cpu, "score": result.score})
    return rows


def _transcripts(folder: str) -> dict[str, list[list[object]]]:
    """Every game's walkthrough and no-memory offline play: (command, observation, admissible) per step."""
    from evaluators.planning.baseline import NO_MEMORY_PROGRAM
    from evaluators.planning.offline_agent import OfflinePlanningAgent
    from sandbox.contract import load_program

    dataset = _dataset(folder, None)
    program = load_program(NO_MEMORY_PROGRAM).description
    played: dict[str, list[list[object]]] = {}
    for episode in dataset.episodes:
        for task in episode.tasks:
            for label in ("walkthrough", "agent"):
                environment = dataset.open_task(episode, task)
                observation = environment.reset()
                steps: list[list[object]] = [["", observation.text, list(observation.admissible)]]
                policy = OfflinePlanningAgent().start(program, observation, "")
                commands = iter(task.walkthrough) if label == "walkthrough" else None
                while not observation.won and len(steps) <= dataset.step_limit:
                    command = next(commands, None) if commands else policy.act(observation)
                    if command is None:
                        break
                    observation = environment.step(command)
                    steps.append([command, observation.text, list(observation.admissible)])
                environment.close()
                played[f"{task.task_id} {label}"] = steps
    return played


def _child(mode: str, folder: str, before_games: int) -> None:
    if mode in ("before", "transcripts-before"):
        _disable_speedups()
    if mode.startswith("transcripts"):
        print(json.dumps(_transcripts(folder)))
    else:
        print(json.dumps(_evaluations(folder, before_games if mode == "before" else None)))


def _run(mode: str, args: argparse.Namespace, cache: str) -> object:
    command = [sys.executable, __file__, "--alfworld", args.alfworld, "--mode", mode]
    command += ["--before-games", str(args.before_games)]
    environment = {**os.environ, "MNEMOFORGE_CACHE_DIR": cache, "PYTHONPATH": str(ROOT)}
    output = subprocess.run(command, env=environment, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alfworld", required=True, help="a folder of ALFWorld games (valid_seen_dev24)")
    parser.add_argument("--before-games", type=int, default=6, help="games timed without the speed-ups")
    parser.add_argument("--check", action="store_true", help="first compare every step with and without")
    parser.add_argument("--mode", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mode:
        _child(args.mode, args.alfworld, args.before_games)
        return
    with tempfile.TemporaryDirectory() as cache:
        checked = ""
        if args.check:
            before, after = _run("transcripts-before", args, cache), _run("transcripts", args, cache)
            assert isinstance(before, dict) and before == after, "the speed-ups changed what a game shows"
            steps = sum(len(steps) for steps in before.values())
            checked = f"Checked first: {len(before)} plays ({steps} observations) identical with and without."
            for entry in Path(cache).glob("alfworld-sas/*"):
                entry.unlink()  # the timed runs start from an empty translation cache
        runs = {mode: _run(mode, args, cache) for mode in ("before", "cold", "warm")}
    load = os.getloadavg()[0]
    lines = [
        "# ALFWorld evaluation time with the offline agent",
        "",
        f"Command: `python benchmarks/alfworld_speed.py --alfworld {args.alfworld}"
        f"{' --check' if args.check else ''}`",
        f"Machine: {os.cpu_count()} cores (shared), Python {platform.python_version()}, {platform.machine()};"
        " in-process sessions, hashed embedder. Seconds per game = an evaluation's seconds / its games;"
        f" CPU = the process's CPU seconds (load average {load:.1f} at the end: the cores were shared).",
        "",
        "| run | program | games | seconds | seconds per game | CPU s per game | CPU within 1 s |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    labels = {
        "before": "before: TextWorld as it comes, game reloaded each play",
        "cold": "empty translation cache, new process",
        "warm": "translation cache filled, new process",
    }
    for mode, rows in runs.items():
        assert isinstance(rows, list)
        for index, row in enumerate(rows):
            what = labels[mode] + (" (no-memory run included)" if index == 0 else " (no-memory run cached)")
            per_game, cpu = row["seconds"] / row["games"], row["cpu"] / row["games"]
            lines.append(
                f"| {what} | `{row['program']}` | {row['games']} | {row['seconds']:.1f} | {per_game:.2f}"
                f" | {cpu:.2f} | {'yes' if cpu <= TARGET else 'no'} |"
            )
    if checked:
        lines += ["", checked]
    RESULTS.write_text("\n".join(lines) + "\n")
    docs = DOCS.read_text()
    if BEGIN in docs and END in docs:
        head, _, rest = docs.partition(BEGIN)
        DOCS.write_text(f"{head}{BEGIN}\n" + "\n".join(lines[2:]) + f"\n{END}{rest.partition(END)[2]}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
