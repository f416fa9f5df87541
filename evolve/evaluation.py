"""What one evaluation is made of, assembled in one place for `mnemoforge eval` and for Ray workers.

An evaluation needs a domain and its dataset, an agent (offline, or the LLM agent with its model, maybe
judged), what the host lends the program (an embedder, and the model as `toolkit.llm`) and a sandbox to
run it in. `mnemoforge eval` builds these once for the programs it is given; a worker keeps the costly
parts (dataset, embedder, model, sandbox factory) for the life of its process and assembles the rest per
request. Either way they are put together here, so both evaluate the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evaluators.domains import Progress, TaskDomain
from evaluators.result import EvaluationResult
from evolve.errors import UserError
from evolve.llm_setup import ModelAccess
from providers.embedders import Embedder, make_embedder
from sandbox.session import Capabilities, SessionFactory


def open_embedder(spec: str, access: ModelAccess | None = None) -> Embedder:
    """The embedder `spec` names, its cache in the cache directory; an API embedder's calls are counted
    in `access`'s ledger when there is a model, so that they cost what the run's other calls cost.
    A spec that cannot work is a `UserError`."""
    try:
        return make_embedder(
            spec,
            settings=access.client.settings if access else None,
            ledger=access.ledger if access else None,
        )
    except (ValueError, RuntimeError) as error:  # ProviderError is a RuntimeError
        raise UserError(str(error)) from None


@dataclass(frozen=True)
class EvaluationSetup:
    """A domain, its dataset, an agent, what programs get from the host, and where they run."""

    domain: TaskDomain
    dataset: Any
    agent: Any
    capabilities: Capabilities
    sessions: SessionFactory
    read_chars: int

    def run(self, source: str, split: str, progress: Progress | None = None) -> EvaluationResult:
        """Evaluate one program. A failing program (or a failing toolkit model) is a failed result; a
        failure of the agent's own model calls raises the `ProviderError`."""
        return self.domain.evaluate(
            source,
            self.dataset,
            split,
            self.agent,
            self.sessions,
            self.capabilities,
            self.read_chars,
            progress,
        )


def assemble(
    domain: TaskDomain,
    dataset: Any,
    agent: str,
    embedder: Embedder,
    sessions: SessionFactory,
    read_chars: int,
    access: ModelAccess | None = None,
    judge: bool = False,
) -> EvaluationSetup:
    """An evaluation with the agent `agent` ("offline" or "llm", which needs `access`), optionally judged
    by `access`'s model; programs get `embedder`, and `access`'s model as `toolkit.llm` when there is one."""
    the_agent = domain.make_agent(agent, access.client if access else None)
    if judge and access is not None:
        the_agent = access.judged(the_agent)
    capabilities = Capabilities(embed=embedder, llm=access.toolkit_llm if access else None)
    return EvaluationSetup(domain, dataset, the_agent, capabilities, sessions, read_chars)
