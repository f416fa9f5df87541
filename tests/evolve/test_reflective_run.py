"""A run with the reflective LLM mutator against a local fake OpenAI-compatible server.

The server plays a model with scripted habits: a good edit, an edit that does not apply (then fixed on
repair), a broken program (fixed on repair), and edits that never apply (rejected after two repairs),
behind a 429 with Retry-After. The archive must show the lineage, the repairs and the rejections.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from archive import ArchiveStore
from tests.evolve.test_evolve_runs import evolve_args, run_cli
from tests.providers.fake_llm_server import FakeLLMServer, Fault, SeenRequest

CURRENT_PROGRAM = re.compile(r"## The current program.*?```python\n(.*?)```", re.DOTALL)
TOP_K = re.compile(r"^TOP_K = (\d+)$", re.MULTILINE)


def edit(old: str, new: str, message: str) -> str:
    return f"COMMIT: {message}\n<<<<<<< SEARCH\n{old}\n=======\n{new}\n>>>>>>> REPLACE\n"


class ScriptedModel:
    """Replies by the number of the mutation prompt (a first user message) it is answering."""

    def __init__(self) -> None:
        self.prompts = 0
        self.lock = threading.Lock()

    def __call__(self, request: SeenRequest) -> str:
        messages = request.messages
        if len(messages) == 1:
            with self.lock:
                self.prompts += 1
        program = CURRENT_PROGRAM.search(messages[0]["content"])
        assert program is not None, "the prompt shows no current program"
        top_k = int(TOP_K.search(program.group(1)).group(1))
        habit = self.prompts % 4
        good = edit(f"TOP_K = {top_k}", f"TOP_K = {top_k + 1 + len(messages)}", "retrieve a few more turns")
        if habit == 1:
            return good
        if habit == 2:  # does not apply at first, then a good repair
            return good if len(messages) > 1 else edit("TOP_K = 999999", "TOP_K = 5", "imaginary line")
        if habit == 3:  # a syntax error, then its repair against the broken program
            if len(messages) == 1:
                return edit(f"TOP_K = {top_k}", f"TOP_K = = {top_k}", "typo")
            return edit(f"TOP_K = = {top_k}", f"TOP_K = {top_k + 7}", "fix the typo")
        return edit("NOT IN THE PROGRAM", "x = 1", "never applies")


def test_reflective_run_records_lineage_repairs_and_rejections(tmp_path: Path) -> None:
    model = ScriptedModel()
    archive = f"sqlite:///{tmp_path / 'archive.db'}"
    config = tmp_path / "run.toml"
    config.write_text('max_candidates = 4\nseeds = ["bm25_turns"]\nislands = 1\n')
    with FakeLLMServer(reply=model) as server:
        # the pre-run check (GET /v1/models) is answered; the first mutation call gets a 429
        server.script(Fault(), Fault(status=429, headers={"Retry-After": "0"}))
        model_string = f"openai-compatible:{server.url}/v1:fake-coder"
        summary = run_cli(
            evolve_args(
                archive,
                "--config",
                str(config),
                "--model",
                model_string,
                "--sandbox",
                "inprocess",
                "--data",
                "synthetic:conversations=5",
                "--workers",
                "1",
            )
        )
        statuses = [request.path for request in server.requests]
    store = ArchiveStore(archive)
    candidates = store.candidates(summary["run_id"])
    assert [c.status for c in candidates] == ["accepted", "accepted", "accepted", "rejected"]
    assert [c.repair_attempts for c in candidates[:3]] == [0, 1, 1]
    assert "(after 1 repair(s))" in candidates[1].commit_message
    assert candidates[3].reason == "edits_do_not_apply"
    assert "no usable child after 2 repairs" in (candidates[3].detail or "")
    assert "is not in the current program" in (candidates[3].detail or "")
    for candidate in candidates[:3]:
        child = store.get_program(candidate.program_id)
        assert child.mutator == f"llm:{model_string}"
        assert child.parent_ids and store.get_program(child.parent_ids[0]).id == child.parent_ids[0]
        assert store.lineage(child.id)[0].seed_name == "bm25_turns"
    calls = store.llm_cost(summary["run_id"])
    # 1 + 2 + 2 + 3 mutation calls answered, and the 429 retried once
    assert calls.calls == 8
    assert statuses.count("/v1/chat/completions") == 9
    assert statuses.count("/v1/models") == 1
