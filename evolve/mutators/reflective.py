"""The reflective LLM mutator: a model reads a program, its scores and its failures, and rewrites it.

The prompt (`templates/reflect.j2`) shows the parent's source, its results per category, a rotating sample
of the cases it got wrong on the `reflect` split (question, gold answer, the agent's answer, what `read()`
returned), its log lines, and a few other elites. The reply is SEARCH/REPLACE edits or a whole program.
A reply that does not apply, a child that breaks the contract, or one that fails a short smoke run in the
sandbox is sent back with the error for up to `max_repairs` attempts; after that the candidate is
rejected with its reason, which the archive keeps.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from functools import cache

import jinja2

from evaluators.runner import DEFAULT_READ_CHAR_LIMIT
from evolve.host_work import while_waiting
from evolve.mutators.base import Mutation, MutationRejected, ParentContext
from evolve.mutators.edits import EditError, apply_edits, parse_reply
from providers.errors import ProviderError
from providers.llm import LLMClient
from sandbox.contract import ContractError, load_program

DEFAULT_MAX_REPAIRS = 2
FAILED_CASES_SHOWN = 4
CONTEXT_CHARS_SHOWN = 700
LOG_LINES_SHOWN = 15
MAX_REPLY_TOKENS = 6000
TEMPERATURE = 0.7

SmokeTest = Callable[[str], str | None]
"""Runs a child briefly in the sandbox; returns what went wrong, or None."""


class ReflectiveMutator:
    """See the module docstring. One instance per candidate: its `rng` picks which failures to show."""

    runs_anywhere = False
    """It reads the archive (through `context_for`) and calls the run's model: it runs in the driver's
    process, in a thread of its own (`evolve.proposal_pool`)."""

    def __init__(
        self,
        client: LLMClient,
        rng: random.Random,
        context_for: Callable[[str], ParentContext],
        smoke_test: SmokeTest,
        scoring: str,
        domain: str,
        read_chars: int = DEFAULT_READ_CHAR_LIMIT,
        llm_calls_per_operation: int = 1,
        max_repairs: int = DEFAULT_MAX_REPAIRS,
    ) -> None:
        self.client = client
        self.rng = rng
        self.context_for = context_for
        self.smoke_test = smoke_test
        self.scoring = scoring
        self.domain = domain
        self.read_chars = read_chars
        self.llm_calls_per_operation = llm_calls_per_operation
        self.max_repairs = max_repairs
        self.name = f"llm:{client.name}"
        self._contexts: dict[str, ParentContext] = {}

    def prepare(self, parent_id: str, others: Sequence[tuple[str, str]]) -> None:
        """Read what the prompt shows of the parent and the other elites (`evolve.proposal_pool` calls
        this before `mutate`, outside the host work that only one proposal thread at a time does)."""
        for program_id in (parent_id, *(program_id for program_id, _ in others)):
            self._contexts[program_id] = self.context_for(program_id)

    def _context(self, program_id: str) -> ParentContext:
        if program_id not in self._contexts:
            self._contexts[program_id] = self.context_for(program_id)
        return self._contexts[program_id]

    def mutate(self, parent_source: str, parent_id: str, others: Sequence[tuple[str, str]]) -> Mutation:
        parent = self._context(parent_id)
        messages: list[dict[str, str]] = [{"role": "user", "content": self._prompt(parent, others)}]
        base = parent_source
        kind, error = "", ""
        for attempt in range(self.max_repairs + 1):
            reply = self._ask(messages, attempt)
            messages.append({"role": "assistant", "content": reply})
            try:
                parsed = parse_reply(reply)
                child = parsed.program if parsed.program is not None else apply_edits(base, parsed.edits)
            except EditError as problem:
                kind, error = "edits_do_not_apply", f"the edits could not be applied: {problem}"
                messages.append({"role": "user", "content": _repair_prompt(error, base, base_changed=False)})
                continue
            kind, error = self._check(child, parent_source)
            if not error:
                message = parsed.commit_message or "LLM rewrite (no commit message given)"
                changes = (
                    f"{len(parsed.edits)} SEARCH/REPLACE edit(s)" if parsed.edits else "whole program",
                )
                repairs = f" (after {attempt} repair(s))" if attempt else ""
                return Mutation(child, (parent_id,), self.name, message + repairs, changes, attempt)
            base = child
            messages.append({"role": "user", "content": _repair_prompt(error, base, base_changed=True)})
        detail = f"no usable child after {self.max_repairs} repairs: {error}"
        raise MutationRejected(kind, detail, self.max_repairs)

    def _ask(self, messages: list[dict[str, str]], attempt: int) -> str:
        try:
            with while_waiting():  # other proposals may do their host work meanwhile (`evolve.host_work`)
                return self.client.complete(
                    messages, max_tokens=MAX_REPLY_TOKENS, temperature=TEMPERATURE, purpose="mutation"
                ).text
        except ProviderError as error:
            raise MutationRejected("model_failed", f"the mutation model failed: {error}", attempt) from None

    def _check(self, child: str, parent_source: str) -> tuple[str, str]:
        """(reason code, sentence) of what is wrong with a child; ("", "") when it is usable."""
        if child.strip() == parent_source.strip():
            return "identical_child", "the child is identical to the current program: change something"
        try:
            load_program(child, module_name="mnemoforge_candidate")
        except ContractError as problem:
            return "breaks_contract", f"the program breaks the contract: {problem}"
        problem = self.smoke_test(child)
        return ("smoke_failed", f"the program failed a smoke run: {problem}") if problem else ("", "")

    def _prompt(self, parent: ParentContext, others: Sequence[tuple[str, str]]) -> str:
        failed = sorted(parent.failed_cases, key=lambda case: case.get("score", 0.0))
        shown = self.rng.sample(failed, min(FAILED_CASES_SHOWN, len(failed)))
        elites = [self._context(program_id) for program_id, _ in others]
        return _template("reflect.j2").render(
            parent=parent,
            failed_cases=shown,
            others=elites,
            scoring=self.scoring,
            domain=self.domain,
            read_chars=self.read_chars,
            llm_calls=self.llm_calls_per_operation,
            context_chars=CONTEXT_CHARS_SHOWN,
            log_lines=LOG_LINES_SHOWN,
        )


def _repair_prompt(error: str, base: str, base_changed: bool) -> str:
    return _template("repair.j2").render(error=error, base=base, base_changed=base_changed)


@cache
def _template(name: str) -> jinja2.Template:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("evolve.mutators", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    return environment.get_template(name)
