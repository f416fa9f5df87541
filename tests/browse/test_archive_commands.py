"""`mnemoforge archive runs|list|show|diff|lineage|operators` on a real run and on a hand-built archive."""

from __future__ import annotations

import difflib
import json
import re

from archive import ArchiveStore
from tests.browse.conftest import RealRun, SmallArchive, run_cli


def test_runs_lists_the_run_with_its_summary(real_run: RealRun) -> None:
    result = run_cli("archive", "runs", "--archive", real_run.url)
    assert result.code == 0, result.stderr
    assert real_run.run_id in result.stdout and "finished" in result.stdout
    assert f"{real_run.summary['best_select']:.3f}" in result.stdout

    listed = json.loads(run_cli("archive", "runs", "--archive", real_run.url, "--json").stdout)
    assert [row["id"] for row in listed] == [real_run.run_id]
    assert listed[0]["candidates"] == real_run.summary["candidates"] == 4
    assert listed[0]["best_select"] == real_run.summary["best_select"]


def test_list_ranks_programs_by_select_with_test_scores_where_known(real_run: RealRun) -> None:
    result = run_cli("archive", "list", "--archive", real_run.url, "--json")
    assert result.code == 0, result.stderr
    rows = json.loads(result.stdout)["conversation"]
    scores = [row["select"] for row in rows]
    assert scores == sorted(scores, reverse=True) and len(rows) == 10  # --top defaults to 10
    assert rows[0]["select"] == real_run.summary["best_select"]
    tested = {row["id"]: row["test"] for row in rows if row["test"] is not None}
    # The run tested its best program and its best seed on held-out data, and nothing else.
    assert set(tested) <= {real_run.summary["best_program_id"], real_run.summary["best_seed_program_id"]}
    assert tested.get(real_run.summary["best_seed_program_id"]) == real_run.summary["seed_test"]

    table = run_cli("archive", "list", "--archive", real_run.url, "--top", "2", "--run", real_run.run_id[:4])
    assert table.code == 0, table.stderr
    assert "conversation: best programs on select" in table.stdout
    lines = table.stdout.splitlines()
    listed_ids = [line.split()[0] for line in lines if re.match(r"\s*[0-9a-f]{12}\s", line)]
    assert listed_ids == [row["id"][:12] for row in rows[:2]]


def test_show_prints_origin_scores_by_category_and_source(real_run: RealRun) -> None:
    best = real_run.summary["best_program_id"]
    result = run_cli("archive", "show", best[:10], "--archive", real_run.url)
    assert result.code == 0, result.stderr
    with ArchiveStore(real_run.url) as store:
        program = store.get_program(best)
    assert best in result.stdout
    for expected in ("select · offline", "single-hop", "temporal", "all", "class KnowledgeBase"):
        assert expected in result.stdout
    if program.commit_message:
        assert program.commit_message.splitlines()[0][:40] in result.stdout

    described = json.loads(run_cli("archive", "show", best[:10], "--archive", real_run.url, "--json").stdout)
    assert described["id"] == best
    assert {e["split"] for e in described["evaluations"]} == {"select", "test"}
    assert described["source"] == program.source


def test_show_lists_failed_evaluations_with_their_reason(small_archive: SmallArchive) -> None:
    result = run_cli(
        "archive", "show", small_archive.failed_id, "--archive", small_archive.url, "--no-source"
    )
    assert result.code == 0, result.stderr
    assert "failed" in result.stdout and "timeout: read() took longer than 10 s" in result.stdout
    assert "class KnowledgeBase" not in result.stdout


def test_diff_shows_the_change_from_the_parent_or_to_another_program(small_archive: SmallArchive) -> None:
    result = run_cli("archive", "diff", small_archive.child_id[:8], "--archive", small_archive.url)
    assert result.code == 0, result.stderr
    assert "-TOP_K = 30\n+TOP_K = 24\n" in result.stdout
    # Not on a terminal, the output is a plain patch: applying it to the parent gives the child.
    with ArchiveStore(small_archive.url) as store:
        parent = store.get_program(small_archive.seed_ids["bm25_turns"]).source
        child = store.get_program(small_archive.child_id).source
    assert result.stdout.startswith(f"--- {small_archive.seed_ids['bm25_turns'][:12]} (bm25_turns)\n")
    assert apply_patch(parent, result.stdout) == child

    two = run_cli(
        "archive", "diff", small_archive.child_id, small_archive.best_id, "--archive", small_archive.url
    )
    assert two.code == 0, two.stderr
    with ArchiveStore(small_archive.url) as store:
        old, new = (
            store.get_program(small_archive.child_id).source,
            store.get_program(small_archive.best_id).source,
        )
    changed = [
        line
        for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="")
        if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert changed == ["-BM25_B = 0.75", "+BM25_B = 0.6"]
    assert all(line in two.stdout for line in changed)

    same = run_cli(
        "archive", "diff", small_archive.best_id, small_archive.best_id, "--archive", small_archive.url
    )
    assert same.code == 0 and "have the same source" in same.stdout


def apply_patch(source: str, patch: str) -> str:
    """Apply a unified diff to `source` (hunks in order, context checked), for checking `archive diff`."""
    lines, out, position = source.splitlines(keepends=True), [], 0
    hunks = re.split(r"^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@.*\n", patch, flags=re.MULTILINE)
    for start, body in zip(hunks[1::2], hunks[2::2], strict=True):
        begin = int(start) - 1 if int(start) else 0
        out += lines[position:begin]
        position = begin
        for line in body.splitlines(keepends=True):
            if line.startswith("+"):
                out.append(line[1:])
            else:
                assert lines[position] == line[1:], f"context mismatch at line {position + 1}"
                if line.startswith(" "):
                    out.append(line[1:])
                position += 1
    return "".join(out + lines[position:])


def test_lineage_is_the_ancestry_tree_down_to_the_seeds(small_archive: SmallArchive) -> None:
    result = run_cli("archive", "lineage", small_archive.best_id[:8], "--archive", small_archive.url)
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(small_archive.best_id[:12]) and "select 0.600" in lines[0]
    assert any(small_archive.child_id[:12] in line and "TOP_K 30 -> 24" in line for line in lines)
    assert any("crossover parent" in line and "seed vector_rag" in line for line in lines)
    assert any("seed bm25_turns" in line and "select 0.500" in line for line in lines)


def test_lineage_of_a_real_program_reaches_a_seed(real_run: RealRun) -> None:
    result = run_cli(
        "archive", "lineage", real_run.summary["best_program_id"][:12], "--archive", real_run.url
    )
    assert result.code == 0, result.stderr
    assert "seed " in result.stdout


def test_operators_counts_what_each_operator_tried_made_and_improved(small_archive: SmallArchive) -> None:
    result = run_cli(
        "archive", "operators", small_archive.run_id[:5], "--archive", small_archive.url, "--json"
    )
    assert result.code == 0, result.stderr
    rows = {row["operator"]: row for row in json.loads(result.stdout)}
    # structural: one child beat its seed (0.55 > 0.50), two rejections, a duplicate, a failed child.
    assert rows["structural"] | {"best_gain": None, "mean_gain": None} == {
        "operator": "structural",
        "tried": 5,
        "accepted": 2,
        "evaluated": 1,
        "improved": 1,
        "best_gain": None,
        "mean_gain": None,
    }
    assert rows["crossover"]["improved"] == 1 and round(rows["crossover"]["best_gain"], 3) == 0.05
    table = run_cli("archive", "operators", small_archive.run_id, "--archive", small_archive.url)
    assert "what each operator did" in table.stdout and "1/1" in table.stdout
