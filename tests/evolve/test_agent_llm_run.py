"""Evolution with the LLM task agent against a local fake OpenAI-compatible server on 127.0.0.1.

Each Ray worker opens the model itself and sends back the calls of every evaluation; the driver stores
them, so the archive accounts for every call the server answered and the dollar budget (summed over all
workers) stops the run. Bad agent settings are one sentence and exit code 2, before Ray starts.
"""

from __future__ import annotations

import os
from pathlib import Path

from typer.testing import CliRunner

from archive import ArchiveStore
from evolve.cli import app
from tests.evolve.test_evolve_runs import evolve_args, run_cli
from tests.providers.fake_llm_server import FakeLLMServer, Fault

SMALL_LLM_RUN = ["--sandbox", "inprocess", "--data", "synthetic:conversations=3"]
PRICED = '[llm.prices]\n"openai-compatible:fake-model" = { input = 1000.0, output = 1000.0 }\n'
"""Dear enough that the seeds' evaluation alone spends more than the smallest budget."""


def llm_run(
    tmp_path: Path, server: FakeLLMServer, config: str, *extra: str, workers: int = 2
) -> tuple[ArchiveStore, dict]:
    archive = f"sqlite:///{tmp_path / 'archive.db'}"
    config_file = tmp_path / "run.toml"
    config_file.write_text(config)
    model = f"openai-compatible:{server.openai_url}:fake-model"
    # A fresh response cache: cached answers cost nothing, and the user's cache stays untouched.
    env = {**os.environ, "MNEMOFORGE_CACHE_DIR": str(tmp_path / "cache")}
    args = ["--config", str(config_file), "--agent", "llm", "--agent-model", model, *SMALL_LLM_RUN]
    args += ["--workers", str(workers), *extra]
    return ArchiveStore(archive), run_cli(evolve_args(archive, *args), env=env)


def test_a_run_with_the_llm_agent_stores_every_call_of_every_worker(tmp_path: Path) -> None:
    with FakeLLMServer() as server:
        # tiered_os calls toolkit.llm when the host lends it a model
        store, summary = llm_run(tmp_path, server, 'seeds = ["bm25_turns", "tiered_os"]\n', "--budget", "2")
        answered = server.count("/chat/completions")
    run_id = summary["run_id"]
    assert summary["candidates"] == 2
    evaluations = store.run_evaluations(run_id)
    assert {e.split for e in evaluations} == {"select", "test"}
    model = f"openai-compatible:{server.openai_url}:fake-model"
    assert all(e.status == "ok" and e.agent == f"llm:{model}" for e in evaluations)
    calls = store.llm_cost(run_id)
    assert calls.by_purpose["agent"]["calls"] > 0 and calls.by_purpose["toolkit"]["calls"] > 0
    assert calls.calls == answered, "a call the server answered is missing from the archive"


def test_the_dollar_budget_counts_the_agents_calls_and_stops_the_run(tmp_path: Path) -> None:
    with FakeLLMServer() as server:
        store, summary = llm_run(
            tmp_path, server, f'seeds = ["bm25_turns"]\n{PRICED}', "--budget", "2", "--max-cost", "0.01"
        )
    run_id = summary["run_id"]
    spent = store.llm_cost(run_id).cost_usd
    assert spent >= 0.01 and summary["cost_usd"] == spent
    assert store.candidates(run_id) == [], "candidates were proposed after the budget was spent"
    assert all(e.status == "ok" for e in store.run_evaluations(run_id))


def refused(tmp_path: Path, *args: str) -> str:
    result = CliRunner().invoke(app, ["evolve", "--archive", f"sqlite:///{tmp_path / 'a.db'}", *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    return result.stderr


def test_the_llm_agent_without_a_model_is_one_sentence(tmp_path: Path) -> None:
    assert "--agent-model" in refused(tmp_path, "--agent", "llm")


def test_an_unreachable_agent_model_is_one_sentence(tmp_path: Path) -> None:
    stderr = refused(tmp_path, "--agent", "llm", "--agent-model", "openai-compatible:http://127.0.0.1:9/v1:m")
    assert "127.0.0.1:9" in stderr
    # The run was made before the model was checked: it is not left "running".
    assert [run.status for run in ArchiveStore(f"sqlite:///{tmp_path / 'a.db'}").list_runs()] == ["failed"]


def test_a_key_in_the_run_config_is_refused_unshown(tmp_path: Path) -> None:
    config = tmp_path / "run.toml"
    config.write_text('[llm]\napi_key = "sk-secret-in-config"\n')
    stderr = refused(tmp_path, "--config", str(config))
    assert "provider's variable" in stderr and "sk-secret" not in stderr


def test_a_model_failing_mid_run_fails_that_evaluation_and_its_calls_still_count(tmp_path: Path) -> None:
    with FakeLLMServer() as server:
        # the driver's and the one worker's model checks pass; the first agent call is refused
        server.script(Fault(), Fault(), Fault(status=403, message="scripted refusal"))
        config = 'seeds = ["bm25_turns", "vector_rag"]\n[llm]\nmax_attempts = 1\n'
        store, summary = llm_run(tmp_path, server, config, "--budget", "0", workers=1)
    seeds = [e for e in store.run_evaluations(summary["run_id"]) if e.split == "select"]
    assert sorted(e.status for e in seeds) == ["failed", "ok"]
    failed = next(e for e in seeds if e.status == "failed")
    assert failed.failure_reason == "llm_unavailable" and "403" in (failed.failure_message or "")
    assert store.llm_cost(summary["run_id"]).failed_calls == 1
