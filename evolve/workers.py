"""Evaluating a candidate wherever it runs: in a Ray worker of this machine or of a cluster.

The driver sends only an `EvaluationRequest` (the program's source and names of what to use); the worker
loads the data, builds the agent and the sandbox itself, and returns the result as JSON. So nothing
heavy or secret crosses the cluster, and a worker can be on any node that has mnemoforge installed.

A worker process keeps its dataset, embedder and session factory for all the evaluations it runs, so
the container that served one program is recycled for the next (see `sandbox.supervisor`). A factory
per evaluation would start two containers for every program (the one used, and a spare thrown away),
each about half a core-second of daemon, containerd and runc work: more than a short evaluation costs.

With the LLM task agent, a worker opens the model once too (its key from the worker's own environment,
as the driver's was) and returns, with each result, the records of the calls that evaluation made: the
driver stores them and sums the run's cost over all workers.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import socket
from dataclasses import dataclass, replace
from typing import Any

import ray

from evaluators.domains import get_domain
from evaluators.result import EvaluationResult
from evaluators.splits import CASCADE, SELECT_REST
from evolve.config import RunConfig
from evolve.errors import UserError
from evolve.evaluation import assemble, open_embedder
from evolve.llm_setup import ModelAccess, open_model_access
from providers.accounting import CallRecord
from providers.config import LLMSettings
from providers.embedders import Embedder
from providers.errors import ProviderError
from sandbox.backends import close_factory, make_session_factory
from sandbox.session import FailureReason, SessionFactory

WORKER_LOST = "worker_lost"
"""Failure reason of an evaluation whose worker died twice (Ray retries a lost task once)."""
SCORED_CASES_SPLITS = ("select", "test", "all", CASCADE, SELECT_REST)
"""Splits whose results carry their cases without texts (a few hundred bytes a case): `select`, for the
interval that decides whether the best candidate beat the best seed beyond noise (`evolve.loop.winner`);
the held-out ones (`test` of a run's own data, `all` of a transfer dataset) for the intervals of its
gains; and the cascade's two parts of `select`, to be joined into one `select` evaluation."""


@dataclass(frozen=True)
class AgentModel:
    """The LLM task agent's model (also programs' `toolkit.llm`) and its settings, never a key."""

    model: str
    settings: str
    """`LLMSettings` as JSON: hashable, so that a worker opens one client per model and settings."""


def agent_model_for(config: RunConfig) -> AgentModel | None:
    """What a request names for the run's agent: nothing for the offline agent, which calls no model."""
    if config.agent != "llm" or config.agent_model is None:
        return None
    return AgentModel(config.agent_model, config.llm.model_dump_json())


@dataclass(frozen=True)
class EvaluationRequest:
    """One evaluation to run: which program, on which data and split, with which agent and sandbox."""

    program_id: str
    source: str
    domain: str
    """The domain spec (`evaluators.domains.get_domain`): a name, or a path made absolute by the run."""
    data: str
    split: str
    agent: str
    embedder: str
    sandbox: str
    read_chars: int
    agent_model: AgentModel | None = None
    """The model when `agent` is "llm"."""

    @property
    def evaluation_agent(self) -> str:
        """The agent as the archive keys this evaluation (`RunConfig.evaluation_agent`)."""
        return self.agent if self.agent_model is None else f"{self.agent}:{self.agent_model.model}"


def evaluate_request(request: EvaluationRequest) -> tuple[EvaluationResult, list[dict[str, Any]]]:
    """Run one evaluation in this process: its result and the records (as JSON) of the model calls it made.

    A failing program, or a failing model, gives a failed result, never an exception. The result is
    keyed by the request's `evaluation_agent` ("llm:MODEL"), as the driver looks evaluations up.
    """
    domain = get_domain(request.domain)
    dataset = _dataset(request.domain, request.data)
    access: ModelAccess | None = None
    calls: list[CallRecord] = []
    try:
        if request.agent_model is not None:
            access = _model_access(request.agent_model)
        with access.ledger.recording() if access else contextlib.nullcontext([]) as calls:
            evaluation = assemble(
                domain,
                dataset,
                request.agent,
                _embedder(request.embedder, request.agent_model),
                _session_factory(request.sandbox),
                request.read_chars,
                access,
            )
            result = evaluation.run(request.source, request.split)
    except (ProviderError, UserError) as error:  # the agent's own call (or the model's opening) failed
        result = EvaluationResult(
            domain=domain.name,
            split=request.split,
            agent=request.agent,
            data_name=dataset.name,
            data_fingerprint=domain.split_fingerprint(dataset, request.split),
            status="failed",
            score=0.0,
            failure_reason=FailureReason.LLM_UNAVAILABLE.value,
            failure_message=str(error),
        )
    return replace(result, agent=request.evaluation_agent), [call.to_json() for call in calls]


@ray.remote(max_retries=1)
def evaluate_on_worker(request: EvaluationRequest) -> dict[str, Any]:
    """The Ray task: the result and its model calls as JSON, with the node and host that produced them.

    A `reflect` result carries its cases in full (hundreds of questions with what memory returned): the
    archive keeps them for the reflective mutator. Results on `SCORED_CASES_SPLITS` carry them without
    their texts: scores and units only."""
    result, llm_calls = evaluate_request(request)
    if request.split in SCORED_CASES_SPLITS:
        result = replace(result, cases=tuple(case.scored() for case in result.cases))
    return {
        "result": result.to_json(),
        "llm_calls": llm_calls,
        "node": ray.get_runtime_context().get_node_id(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
    }


def lost_result(
    request: EvaluationRequest, domain_name: str, data_name: str, data_fingerprint: str, error: BaseException
) -> EvaluationResult:
    """The failed result of an evaluation whose worker was lost twice (Ray retries a lost task once).

    `domain_name` is the domain's name, which the archive keys on; `request.domain` may be a path to it.
    """
    return EvaluationResult(
        domain=domain_name,
        split=request.split,
        agent=request.evaluation_agent,
        data_name=data_name,
        data_fingerprint=data_fingerprint,
        status="failed",
        score=0.0,
        failure_reason=WORKER_LOST,
        failure_message=f"the worker was lost twice: {type(error).__name__}: {error}",
    )


def _quiet(message: str) -> None:
    """Workers do not repeat the sandbox's warnings: the driver says them once, when the run starts."""


@functools.cache
def _dataset(domain: str, spec: str) -> Any:
    return get_domain(domain).load_dataset(spec)


@functools.cache
def _embedder(spec: str, agent_model: AgentModel | None) -> Embedder:
    """The worker's embedder; an API embedder's calls go to the agent model's ledger, when there is one."""
    return open_embedder(spec, _model_access(agent_model) if agent_model else None)


@functools.cache
def _model_access(agent_model: AgentModel) -> ModelAccess:
    """One client per worker process, model and settings; its ledger keeps the calls of all evaluations."""
    return open_model_access(agent_model.model, LLMSettings.model_validate_json(agent_model.settings))


@functools.cache
def _session_factory(sandbox: str) -> SessionFactory:
    """The worker's one factory per backend; its sandboxes are removed when the worker process exits
    (or, if it is killed, by the next factory's sweep and the containers' own backstop)."""
    factory = make_session_factory(sandbox, warn=_quiet)
    atexit.register(close_factory, factory)
    return factory
