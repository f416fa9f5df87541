"""The offline structural mutator: new memory programs without an LLM, so a run needs no API key.

A child is the parent with one to three operations applied, chosen by the caller's random generator:
- perturb a tunable UPPER_CASE constant (`numeric.py`): the most frequent, cheapest useful step;
- perturb a numeric literal inside a function or method: rarer, since literals are often structural;
- recombine: take a same-named `KnowledgeBase` method, module-level function or constant from another
  elite, with what it depends on (`crossover.py`);
- swap an instruction string or a schema dataclass from another elite, when the schemas agree (rare).

Every child it returns loads under the contract, survives a smoke run (two writes and a read, see
`smoke.py`) at least as well as its parent, and differs from the parent in code, not just formatting.
The same generator state and inputs give the same child.

    mutator = StructuralMutator(random.Random(7))
    child = mutator.mutate(parent_source, "p1", others=[("p2", other_source)])
    if child is not None:
        print(child.commit_message)  # e.g. "TOP_K 30 -> 38; BM25_B 0.75 -> 0.69"
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

from evolve.mutators.base import Mutation
from evolve.mutators.crossover import RECOMBINED, SWAPPED, differing_parts, transplant
from evolve.mutators.numeric import NumberSite, number_sites, perturb_site
from evolve.mutators.program_text import ProgramText, apply_edits, parse, program_shape
from evolve.mutators.smoke import SMOKE_SECONDS, SmokeResult, smoke_run
from sandbox.session import Capabilities

OPERATOR_WEIGHTS = (("constant", 5.0), ("literal", 1.5), ("recombine", 3.0), ("swap", 0.5))
"""How often each operation is tried; the last two need other programs."""
OPERATIONS_PER_CHILD = (1, 1, 1, 2, 2, 3)
"""Drawn uniformly: most children change one thing, so that a score change can be traced to it."""
BOOLEAN_WEIGHT = 0.3
"""Booleans are flags whose flip changes behaviour wholesale: picked less often than numbers."""

_T = TypeVar("_T")

__all__ = ["Mutation", "StructuralMutator"]


class StructuralMutator:
    """Makes children by perturbing numbers and recombining parts of programs; see the module docstring."""

    name = "structural"
    runs_anywhere = True

    def __init__(
        self,
        rng: random.Random,
        max_attempts: int = 20,
        *,
        smoke_capabilities: Capabilities | None = None,
        smoke_seconds: float = SMOKE_SECONDS,
    ) -> None:
        self.rng = rng
        self.max_attempts = max_attempts
        self.smoke_capabilities = smoke_capabilities
        self.smoke_seconds = smoke_seconds
        self._parent_smoke: dict[str, SmokeResult] = {}

    def mutate(
        self, parent_source: str, parent_id: str, others: Sequence[tuple[str, str]] = ()
    ) -> Mutation | None:
        """others: (program_id, source) of other elites for crossover.

        None when no valid child could be made in `max_attempts` attempts.
        """
        try:
            parent = parse(_normalized(parent_source))
        except SyntaxError:
            return None
        donors = []
        for program_id, source in others:
            try:
                donors.append((program_id, parse(_normalized(source))))
            except SyntaxError:
                continue
        parent_shape = program_shape(parent.source)
        for _ in range(self.max_attempts):
            made = self._attempt(parent, donors)
            if made is None:
                continue
            child, changes, donor_ids = made
            if program_shape(child.source) == parent_shape or not self._runs(child.source, parent.source):
                continue
            return Mutation(
                source=child.source,
                parent_ids=(parent_id, *(d for d in donor_ids if d != parent_id)),
                mutator=self.name,
                commit_message="; ".join(changes),
                changes=tuple(changes),
            )
        return None

    def _attempt(
        self, parent: ProgramText, donors: list[tuple[str, ProgramText]]
    ) -> tuple[ProgramText, list[str], list[str]] | None:
        program, changes, donor_ids = parent, [], []
        touched: set[str] = set()  # each constant, function or part changes at most once per child
        for _ in range(self.rng.choice(OPERATIONS_PER_CHILD)):
            step = self._one_operation(program, donors, touched)
            if step is None:
                break
            source, change, donor_id = step
            try:
                program = ProgramText(source)
            except SyntaxError:
                return None
            changes.append(change)
            if donor_id is not None and donor_id not in donor_ids:
                donor_ids.append(donor_id)
        return (program, changes, donor_ids) if changes else None

    def _one_operation(
        self, program: ProgramText, donors: list[tuple[str, ProgramText]], touched: set[str]
    ) -> tuple[str, str, str | None] | None:
        """One operation, chosen by weight among those that apply; None when none does."""
        operators = [(k, w) for k, w in OPERATOR_WEIGHTS if donors or k not in ("recombine", "swap")]
        while operators:
            kind = _weighted_choice(self.rng, operators)
            operators = [(k, w) for k, w in operators if k != kind]
            if kind in ("constant", "literal"):
                sites = [
                    s
                    for s in number_sites(program)
                    if s.tunable == (kind == "constant") and s.label not in touched
                ]
                if sites:
                    site = _weighted_choice(self.rng, [(s, _site_weight(s)) for s in sites])
                    edit, change = perturb_site(program, site, self.rng)
                    touched.add(site.label)
                    return apply_edits(program.source, [edit]), change, None
                continue
            taken = self._crossover(program, donors, RECOMBINED if kind == "recombine" else SWAPPED, touched)
            if taken is not None:
                return taken
        return None

    def _crossover(
        self,
        program: ProgramText,
        donors: list[tuple[str, ProgramText]],
        kinds: tuple[str, ...],
        touched: set[str],
    ) -> tuple[str, str, str] | None:
        order = list(range(len(donors)))
        self.rng.shuffle(order)
        for index in order:
            donor_id, donor = donors[index]
            # Several parts can yield the same child (taking read, write or __init__ may each take the
            # whole class): choose among distinct children so that none is favoured by that.
            children: dict[str, tuple[str, str]] = {}
            for part in differing_parts(program, donor, kinds):
                made = None if part.key in touched else transplant(program, donor, donor_id, part)
                if made is not None and made[0] not in children:
                    children[made[0]] = (made[1], part.key)
            if children:
                source = self.rng.choice(list(children))
                description, key = children[source]
                touched.add(key)
                return source, description, donor_id
        return None

    def _runs(self, child_source: str, parent_source: str) -> bool:
        """The child loads and passes the smoke run, or fails it the same way its parent does (e.g. both
        need an LLM the smoke run does not have); a contract failure always rejects."""
        result = smoke_run(child_source, self.smoke_capabilities, self.smoke_seconds)
        if result.ok:
            return True
        if result.reason in ("contract", "timeout"):
            return False
        if parent_source not in self._parent_smoke:
            if len(self._parent_smoke) > 256:
                self._parent_smoke.clear()
            self._parent_smoke[parent_source] = smoke_run(
                parent_source, self.smoke_capabilities, self.smoke_seconds
            )
        baseline = self._parent_smoke[parent_source]
        return not baseline.ok and baseline.reason == result.reason


def _normalized(source: str) -> str:
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    return source if source.endswith("\n") else source + "\n"


def _site_weight(site: NumberSite) -> float:
    return BOOLEAN_WEIGHT if isinstance(site.value, bool) else 1.0


def _weighted_choice(rng: random.Random, options: Sequence[tuple[_T, float]]) -> _T:
    total = sum(weight for _, weight in options)
    point = rng.random() * total
    for option, weight in options:
        point -= weight
        if point < 0:
            return option
    return options[-1][0]
