"""The CLI as a user meets it: results, JSON for scripts, and one clear sentence for bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evolve.cli import app
from tests.programs import MSTAR_VECTOR_SEARCH, degenerate

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_seeds_list_names_every_seed_with_provenance() -> None:
    code, stdout, _ = run("seeds", "list", "--json")
    assert code == 0
    seeds = {row["name"]: row for row in json.loads(stdout)}
    assert {"bm25_turns", "vector_rag", "dual_memory"} <= seeds.keys()
    assert "SoulSpeak" in seeds["dual_memory"]["reimplements"]
    assert seeds["bm25_turns"]["needs_llm"] is False


def test_eval_json_reports_metrics_per_category(locomo_path: Path) -> None:
    code, stdout, _ = run(
        "eval", "bm25_turns", "--sandbox", "inprocess", "--data", f"locomo:{locomo_path}", "--json"
    )
    assert code == 0
    result = json.loads(stdout)
    assert result["status"] == "ok" and result["agent"] == "offline"
    assert set(result["by_category"]) == {"adversarial", "multi-hop", "open-domain", "single-hop", "temporal"}
    assert result["metrics"]["questions"] == 304
    assert 0 < result["score"] <= 1 and len(result["data_fingerprint"]) == 16


def test_eval_runs_an_mstar_program_unmodified(tmp_path: Path, locomo_path: Path) -> None:
    program = tmp_path / "mstar_vector_search.py"
    program.write_text(MSTAR_VECTOR_SEARCH)
    code, stdout, _ = run(
        "eval", str(program), "--sandbox", "inprocess", "--data", f"locomo:{locomo_path}", "--json"
    )
    assert code == 0
    assert json.loads(stdout)["metrics"]["evidence_recall"] > 0.1


def test_eval_prints_a_table(locomo_path: Path) -> None:
    code, stdout, _ = run(
        "eval", "bm25_turns", "--sandbox", "inprocess", "--data", f"locomo:{locomo_path}", "--split", "select"
    )
    assert code == 0
    assert "evidence recall" in stdout and "single-hop" in stdout and "selection score" in stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("eval", "no_such_seed"), "'no_such_seed' is neither a program file nor a seed name"),
        (("eval", "missing/program.py"), "program file missing/program.py does not exist"),
        (("eval", "bm25_turns", "--data", "locomo:/nonexistent/locomo.json"), "/nonexistent/locomo.json"),
        (("eval", "bm25_turns", "--data", "wikipedia"), "unknown data spec 'wikipedia'"),
        (("eval", "bm25_turns", "--data", "wiki[bold]pedia"), "'wiki[bold]pedia'"),  # text, not markup
        (("eval", "bm25_turns", "--data", "synthetic:seed=x"), "bad synthetic option 'seed=x'"),
        (("eval", "bm25_turns", "--split", "train"), "unknown split 'train'"),
        (("eval", "bm25_turns", "--embedder", "word2vec"), "unknown embedder 'word2vec'"),
        (
            ("evolve", "--embedder", "word2vec", "--archive", "sqlite:///:memory:"),
            "unknown embedder 'word2vec'",
        ),
        (("seeds", "show", "nope"), "there is no seed named 'nope'"),
        (("eval", "bm25_turns", "--domain", "chess"), "unknown domain 'chess'"),
        (("eval", "bm25_turns", "--agent", "llm"), "--agent llm and --judge need a model"),
        (("eval", "bm25_turns", "--sandbox", "vm"), "unknown sandbox 'vm'"),
        (("evolve", "--resume", "feedbeef", "--archive", "sqlite:///:memory:"), "feedbeef"),
    ],
)
def test_bad_input_is_one_sentence_and_exit_code_2(args: tuple[str, ...], message: str) -> None:
    code, stdout, stderr = run(*args)
    assert code == 2
    assert message in stderr
    assert "Traceback" not in stderr + stdout
    assert len(stderr.strip().splitlines()) == 1


def test_broken_program_names_the_problem_and_line(tmp_path: Path) -> None:
    program = tmp_path / "broken.py"
    program.write_text(
        MSTAR_VECTOR_SEARCH.replace("def read(self, query: Query) -> str:", "def read(self, query) -> str")
    )
    code, _, stderr = run("eval", str(program))
    assert code == 2
    assert "line 37: the program is not valid Python" in stderr
    assert "Traceback" not in stderr


def test_program_that_crashes_during_evaluation_fails_with_its_reason(
    tmp_path: Path, locomo_path: Path
) -> None:
    program = tmp_path / "crashes.py"
    crashing_read = "if self.count > 10:\n            raise KeyError('boom')\n        if self.count == 0:"
    program.write_text(MSTAR_VECTOR_SEARCH.replace("if self.count == 0:", crashing_read))
    code, stdout, _ = run(
        "eval", str(program), "--sandbox", "inprocess", "--data", f"locomo:{locomo_path}", "--json"
    )
    assert code == 1
    result = json.loads(stdout)
    assert (result["status"], result["failure_reason"], result["score"]) == ("failed", "crash", 0.0)
    assert "KeyError" in result["failure_message"]


def test_eval_with_the_llm_agent_against_a_local_server_accounts_its_calls() -> None:
    from tests.providers.fake_llm_server import FakeLLMServer

    with FakeLLMServer() as server:
        model = f"openai-compatible:{server.url}/v1:fake-model"
        code, stdout, stderr = run(
            "eval", "bm25_turns", "--agent", "llm", "--model", model, "--judge",
            "--sandbox", "inprocess", "--data", "synthetic:conversations=1", "--json",
        )  # fmt: skip
        chat_calls = server.count("/chat/completions")
    assert code == 0, stderr
    result = json.loads(stdout)
    assert result["agent"] == f"llm:{model}+llm-judge:{model}"
    assert result["metrics"]["llm_judge"] is not None
    # per question at least a query, an answer and a verdict
    assert chat_calls >= 3 * int(result["metrics"]["questions"])


def test_eval_with_an_unreachable_model_server_is_one_sentence() -> None:
    code, _, stderr = run(
        "eval", "bm25_turns", "--agent", "llm", "--model", "openai-compatible:http://127.0.0.1:9/v1:m"
    )
    assert code == 2
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1


def test_a_model_failing_in_the_middle_of_eval_is_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.providers.fake_llm_server import FakeLLMServer, Fault

    monkeypatch.setenv("MNEMOFORGE_CACHE_DIR", str(tmp_path / "cache"))  # no cached answer hides the fault
    with FakeLLMServer() as server:
        server.script(
            Fault(), Fault(), Fault(status=403, message="scripted refusal")
        )  # check, 1 call, refusal
        model = f"openai-compatible:{server.openai_url}:fake-model"
        code, stdout, stderr = run(
            "eval", "bm25_turns", "--agent", "llm", "--model", model, "--judge",
            "--sandbox", "inprocess", "--data", "synthetic:conversations=1",
        )  # fmt: skip
    assert code == 2
    assert "Traceback" not in stderr + stdout
    last = stderr.strip().splitlines()[-1]  # after the note that inprocess isolates nothing
    assert last.startswith("error: the model failed while evaluating bm25_turns:") and "403" in last


def test_an_embeddings_api_serves_eval_and_its_cache_is_in_the_cache_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.providers.fake_llm_server import FakeLLMServer

    monkeypatch.setenv("MNEMOFORGE_CACHE_DIR", str(tmp_path / "cache"))
    with FakeLLMServer() as server:
        embedder = f"openai-compatible:{server.openai_url}:embed-model"
        args = ["eval", "vector_rag", "--embedder", embedder, "--sandbox", "inprocess", "--json"]
        code, stdout, stderr = run(*args, "--data", "synthetic:conversations=1")
        embedded = server.count("/embeddings")
        assert code == 0, stderr
        assert embedded > 0 and json.loads(stdout)["status"] == "ok"
        again, _, stderr = run(*args, "--data", "synthetic:conversations=1")
        assert again == 0, stderr
        assert server.count("/embeddings") == embedded, "the second evaluation embedded again"
    assert (tmp_path / "cache" / "embeddings.sqlite").is_file()


def test_eval_says_which_model_calls_were_the_programs_and_which_the_agents() -> None:
    code, stdout, stderr = run(
        "eval", "experience_learner", "--domain", "planning",
        "--data", "household:seed=0,households=1,tasks=2", "--sandbox", "inprocess", "--split", "all",
    )  # fmt: skip
    assert code == 0, stderr
    flat = " ".join(stdout.split())
    assert "LLM calls in the program 0, by the agent 0" in flat


def test_the_command_runs_programs_in_process_under_the_sandboxes_hash_seed(tmp_path: Path) -> None:
    """A program that reads the first lines of a set of strings scores by the string-hash seed. Started
    with two other seeds, `mnemoforge eval --sandbox inprocess` scores it as the process sandbox does
    (which starts programs with `HASH_SEED`): the command re-executes itself under that seed first."""
    program = tmp_path / "set_order.py"
    first_lines_of_a_set = "return '\\n'.join(list(set(self.texts))[:40])"
    program.write_text(degenerate("self.texts.extend(raw_text.splitlines())", first_lines_of_a_set))
    console_script = Path(sys.executable).with_name("mnemoforge")
    assert console_script.is_file(), "install the package (pip install -e .) to get the console script"
    common = ("eval", str(program), "--split", "select", "--json")
    runs = [
        ([str(console_script), *common, "--sandbox", "inprocess"], "1"),
        ([sys.executable, "-m", "evolve", *common, "--sandbox", "inprocess"], "2"),
        ([sys.executable, "-m", "evolve", *common, "--sandbox", "process"], "3"),
    ]
    scores = []
    for command, hash_seed in runs:
        finished = subprocess.run(
            command, env={**os.environ, "PYTHONHASHSEED": hash_seed}, capture_output=True, text=True
        )
        assert finished.returncode == 0, finished.stderr
        scores.append(json.loads(finished.stdout)["score"])
    assert scores[0] == scores[1] == scores[2], scores


def test_the_command_says_its_version() -> None:
    code, stdout, _ = run("--version")
    assert code == 0
    assert stdout.strip() == f"mnemoforge {version('mnemoforge')}"
