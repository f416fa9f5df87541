"""What the reflective mutator is told about a parent: its `select` scores and its failures on `reflect`.

The loop keeps the population; this answers mutators' questions about one program from the archive. A
parent's `reflect` evaluation runs the first time a mutator asks, on a Ray worker like any evaluation, and
is stored like any other, so it runs once per run and a resumed run finds it. A worker lost twice on it
is stored as a failed evaluation saying so: the mutator sees the failure, and the run goes on.

Proposals ask from the driver's threads (`evolve.proposal_pool`): the archive is thread-safe, and a lock
keeps two of them from evaluating one program on `reflect` twice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

import ray

from archive import ArchiveStore, Evaluation
from evolve.config import RunConfig
from evolve.mutators.base import ParentContext
from evolve.workers import EvaluationRequest, evaluate_on_worker, lost_result


class ReflectionContexts:
    """`contexts(program_id) -> ParentContext` for one run's data and agent."""

    def __init__(
        self,
        config: RunConfig,
        store: ArchiveStore,
        run_id: str,
        domain_name: str,
        fingerprints: Mapping[str, str],
        data_name: str,
        request_for: Callable[[str, str, str], EvaluationRequest],
    ) -> None:
        self._config = config
        self._store = store
        self._run_id = run_id
        self._domain_name = domain_name
        self._fingerprints = dict(fingerprints)
        self._data_name = data_name
        self._request_for = request_for
        """(program id, source, split) -> the run's request to evaluate it."""
        self._one_at_a_time = threading.Lock()

    def __call__(self, program_id: str) -> ParentContext:
        with self._one_at_a_time:
            return self._context(program_id)

    def _context(self, program_id: str) -> ParentContext:
        program = self._store.get_program(program_id)
        chosen = self._find(program_id, "select")
        reflect = self._find(program_id, "reflect")
        if reflect is None:
            result, llm_calls = self._evaluate(self._request_for(program_id, program.source, "reflect"))
            with self._store.transaction():
                self._store.record_llm_calls(llm_calls, run_id=self._run_id)
                reflect, _ = self._store.record_evaluation(
                    program_id, **result, run_id=self._run_id, seconds=result["cost"].get("seconds")
                )
        cases = (self._store.evaluation_cases(reflect.id) or []) if reflect.id is not None else []
        return ParentContext(
            program_id=program_id,
            source=program.source,
            score=chosen.score if chosen is not None else 0.0,
            by_category=dict(chosen.by_category) if chosen is not None else {},
            cost=dict(chosen.cost) if chosen is not None else {},
            failed_cases=[case for case in cases if case.get("score", 0.0) < 1.0],
            logs=list(reflect.logs) if reflect.ok else [str(reflect.failure_message), *reflect.logs],
        )

    def _find(self, program_id: str, split: str) -> Evaluation | None:
        return self._store.find_evaluation(
            program_id, self._domain_name, split, self._fingerprints[split], self._config.evaluation_agent
        )

    def _evaluate(self, request: EvaluationRequest) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The result as JSON (cases included) and its model calls; a lost worker is a failed result."""
        try:
            payload = ray.get(evaluate_on_worker.remote(request))
        except (ray.exceptions.RayError, OSError) as error:
            lost = lost_result(
                request, self._domain_name, self._data_name, self._fingerprints[request.split], error
            )
            return lost.to_json(), []
        return payload["result"], payload["llm_calls"]
