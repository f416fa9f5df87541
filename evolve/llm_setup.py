"""Opening a model for a command: one client, one ledger, the toolkit's LLM, and an optional judge.

Provider failures inside a program's `toolkit.llm` call are not the program's fault, so they reach the
session as `CapabilityError("llm_unavailable")`, which ends the evaluation with that reason instead of
blaming the program with a crash.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evaluators.conversation.agent import JudgedAgent
from evaluators.judge import LLMJudge
from evolve.errors import UserError
from providers.accounting import Ledger
from providers.config import LLMSettings
from providers.errors import ProviderError
from providers.llm import LLMClient, ToolkitLLM, open_llm, toolkit_backend
from sandbox.toolkit import CapabilityError


@dataclass
class ModelAccess:
    client: LLMClient
    ledger: Ledger
    toolkit_llm: ToolkitLLM

    def judged(self, agent: Any) -> JudgedAgent:
        judge = LLMJudge(self.client)
        return JudgedAgent(agent, judge.score, judge.name)

    def totals_line(self) -> str:
        """One line of what the model cost so far: calls, tokens and dollars."""
        totals = self.ledger.totals()
        return (
            f"model {self.client.name}: {totals.calls} calls ({totals.cached_calls} cached, "
            f"{totals.failed_calls} failed), {totals.input_tokens} input and {totals.output_tokens} output "
            f"tokens, ${totals.cost_usd:.4f}"
            + (f" ({totals.unpriced_calls} unpriced)" if totals.unpriced_calls else "")
        )


def open_model_access(model: str, settings: LLMSettings | None = None) -> ModelAccess:
    """A checked client for `model`; a bad model string, missing key or unreachable server is a UserError."""
    settings = settings or LLMSettings()
    ledger = Ledger(settings.budget.to_budget())
    try:
        client = open_llm(model, settings, ledger=ledger)
        client.check()
    except ProviderError as error:
        raise UserError(str(error)) from None
    return ModelAccess(client, ledger, toolkit_backend(client, translate_error=_as_capability_error))


def _as_capability_error(error: ProviderError) -> BaseException:
    return CapabilityError("llm_unavailable", f"the host's model failed: {error}")
