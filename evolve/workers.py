"""Evaluating a candidate wherever it runs: in a Ray worker of this machine or of a cluster.

The driver sends only an `EvaluationRequest` (the program's source and names of what to use); the worker
loads the data, builds the agent and the sandbox itself, and returns the result as JSON. So nothing
heavy or secret crosses the cluster, and a worker can be on any node that has mnemoforge installed.

A worker process keeps its dataset, embedder and session factory for all the evaluations it runs, so
the container that served one program is recycled for the next (see `sandbox.supervisor`). A factory
per evaluation would start two containers for every program (the one used, and a spare thrown away),
each about half a core-second of daemon, containerd and runc work: more than a short evaluation costs.
"""

from __future__ import annotations

import atexit
import functools
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ray

from evaluators.domains import get_domain
from evaluators.result import EvaluationResult
from providers.embedders import Embedder, make_embedder
from sandbox.backends import close_factory, make_session_factory
from sandbox.session import Capabilities, SessionFactory

EMBEDDING_CACHE = Path.home() / ".cache" / "mnemoforge" / "embeddings.sqlite"
WORKER_LOST = "worker_lost"
"""Failure reason of an evaluation whose worker died twice (Ray retries a lost task once)."""


@dataclass(frozen=True)
class EvaluationRequest:
    """One evaluation to run: which program, on which data and split, with which agent and sandbox."""

    program_id: str
    source: str
    domain: str
    data: str
    split: str
    agent: str
    embedder: str
    sandbox: str
    read_chars: int


def evaluate_request(request: EvaluationRequest) -> EvaluationResult:
    """Run one evaluation in this process; a failing program gives a failed result, never an exception."""
    domain = get_domain(request.domain)
    dataset = _dataset(request.domain, request.data)
    return domain.evaluate(
        request.source,
        dataset,
        request.split,
        domain.make_agent(request.agent),
        _session_factory(request.sandbox),
        Capabilities(embed=_embedder(request.embedder)),
        request.read_chars,
    )


@ray.remote(max_retries=1)
def evaluate_on_worker(request: EvaluationRequest) -> dict[str, Any]:
    """The Ray task: the result as JSON, with the node and host that produced it."""
    result = evaluate_request(request)
    return {
        "result": result.to_json(),
        "node": ray.get_runtime_context().get_node_id(),
        "host": socket.gethostname(),
    }


def _quiet(message: str) -> None:
    """Workers do not repeat the sandbox's warnings: the driver says them once, when the run starts."""


@functools.cache
def _dataset(domain: str, spec: str) -> Any:
    return get_domain(domain).load_dataset(spec)


@functools.cache
def _embedder(spec: str) -> Embedder:
    return make_embedder(spec, EMBEDDING_CACHE)


@functools.cache
def _session_factory(sandbox: str) -> SessionFactory:
    """The worker's one factory per backend; its sandboxes are removed when the worker process exits
    (or, if it is killed, by the next factory's sweep and the containers' own backstop)."""
    factory = make_session_factory(sandbox, warn=_quiet)
    atexit.register(close_factory, factory)
    return factory
