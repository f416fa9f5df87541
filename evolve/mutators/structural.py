"""The offline structural mutator: new memory programs without an LLM, so a run needs no API key.

A child is the parent with one to three operations applied, chosen by the caller's random generator:
- perturb a tunable UPPER_CASE constant (`numeric.py`): the most frequent, cheapest useful step;
- perturb a numeric literal inside a function or method: rarer, since literals are often structural;
- recombine: take a same-named `KnowledgeBase` method, module-level function or constant from another
  elite, with what it depends on (`crossover.py`);
- swap an instruction string or a schema dataclass from another elite, when the schemas agree (rare);
- or, alone, one behavioural operator (`behaviours/`): a named change of what the memory does (show
  each retrieved turn among its neighbours, keep session dates, fuse two elites' retrievals, read the
  best turns of the best-matching sessions first, fill the read budget past a turn that does not fit,
  read what the one party a question is about said; re-ranking and query expansion on request; in the
  planning domain also, read first where things of the task's kinds were seen), applied where the
  program's structure allows it.

The operator of a child's first change names it (`Mutation.mutator` is "structural:neighbours",
"structural:constant", ...), so the archive can count what each operator tried and achieved. A caller
may prefer one operator (an adaptive choice, `operator_choice.py`); when it does not apply to the parent,
the others are tried by weight.

The mutator knows the host's read cap: a read budget (READ_CHAR_BUDGET and the like) is never raised past
it, and a parent's budget above it is set back to it in every child, with a note in the commit message.

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
from evolve.mutators.behaviours import BEHAVIOURS
from evolve.mutators.behaviours.base import OperatorContext
from evolve.mutators.crossover import RECOMBINED, SWAPPED, differing_parts, transplant
from evolve.mutators.numeric import NumberSite, clamp_read_budgets, number_sites, perturb_site
from evolve.mutators.program_text import ProgramText, apply_edits, parse, program_shape
from evolve.mutators.smoke import SMOKE_SECONDS, SmokeResult, smoke_run
from sandbox.session import Capabilities

TUNING_WEIGHTS = (("constant", 5.0), ("literal", 1.5), ("recombine", 3.0), ("swap", 0.5))
"""How often each tuning operation is tried; the last two need other programs."""
BEHAVIOUR_WEIGHTS = (
    ("neighbours", 1.0),
    ("dates", 1.0),
    ("fusion", 1.5),
    ("sessions", 1.0),
    ("packing", 1.0),
    ("speaker", 1.0),
)
"""How often each behavioural operator is tried first; fusion needs another program. Re-ranking and
query expansion (in `behaviours/`) are off by default: measured on the LoCoMo dev slice over four seeds,
re-ranking changed scores by at most +0.001 and query expansion lowered every one (-0.010 to -0.027),
so by default they would only spend candidates (benchmarks/results/offline_operators.md). A caller may
still ask for them with `operators=`. `places` reads trajectories of a text world, not conversations: a
domain whose programs store such trajectories offers it (`extra_operators`; planning does)."""
OPTIONAL_WEIGHTS = (("rerank", 1.0), ("query_expansion", 1.0), ("places", 1.0))
OPERATOR_WEIGHTS = TUNING_WEIGHTS + BEHAVIOUR_WEIGHTS
TUNING_OPERATORS = tuple(kind for kind, _ in TUNING_WEIGHTS)
BEHAVIOUR_OPERATORS = tuple(kind for kind, _ in BEHAVIOUR_WEIGHTS)
OPERATORS = TUNING_OPERATORS + BEHAVIOUR_OPERATORS
"""The operators used by default."""
ALL_OPERATORS = OPERATORS + tuple(kind for kind, _ in OPTIONAL_WEIGHTS)
NEEDS_DONORS = frozenset({"recombine", "swap", "fusion"})
DEFAULT_READ_CHARS = 3000
"""The host's read cap when the caller does not say (the run config's `read_chars` default)."""
OPERATIONS_PER_CHILD = (1, 1, 1, 2, 2, 3)
"""Drawn uniformly: most children change one thing, so that a score change can be traced to it."""
BOOLEAN_WEIGHT = 0.3
"""Booleans are flags whose flip changes behaviour wholesale: picked less often than numbers."""

_T = TypeVar("_T")

__all__ = [
    "ALL_OPERATORS",
    "BEHAVIOUR_OPERATORS",
    "OPERATORS",
    "TUNING_OPERATORS",
    "Mutation",
    "StructuralMutator",
]


class StructuralMutator:
    """Makes children by perturbing numbers, recombining parts of programs and applying behavioural
    operators; see the module docstring.

    `operators` lists the kinds it may use (default: OPERATORS; ALL_OPERATORS adds the optional ones);
    `preferred` is tried first (ignored when it is not among `operators`);
    `read_chars` is the host's read cap.
    """

    runs_anywhere = True

    def __init__(
        self,
        rng: random.Random,
        max_attempts: int = 20,
        *,
        read_chars: int = DEFAULT_READ_CHARS,
        operators: Sequence[str] = OPERATORS,
        preferred: str | None = None,
        smoke_capabilities: Capabilities | None = None,
        smoke_seconds: float = SMOKE_SECONDS,
    ) -> None:
        unknown = {*operators, preferred or operators[0]} - set(ALL_OPERATORS)
        if unknown:
            raise ValueError(f"unknown operators {sorted(unknown)}; choose among {', '.join(ALL_OPERATORS)}")
        self.rng = rng
        self.max_attempts = max_attempts
        self.read_chars = read_chars
        self.weights = [(k, w) for k, w in OPERATOR_WEIGHTS + OPTIONAL_WEIGHTS if k in operators]
        self.preferred = preferred
        self.name = f"structural:{preferred}" if preferred else "structural"
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
        clamps, clamped = clamp_read_budgets(parent, self.read_chars)
        if clamps:
            parent = ProgramText(apply_edits(parent.source, clamps))
        parent_shape = program_shape(_normalized(parent_source))
        for attempt in range(self.max_attempts):
            made = self._attempt(parent, donors, self.preferred if attempt == 0 else None)
            if made is None:
                continue
            child, changes, donor_ids, kind = made
            if program_shape(child.source) == parent_shape or not self._runs(child.source, parent.source):
                continue
            changes = [*changes, *clamped]
            return Mutation(
                source=child.source,
                parent_ids=(parent_id, *(d for d in donor_ids if d != parent_id)),
                mutator=f"structural:{kind}",
                commit_message="; ".join(changes),
                changes=tuple(changes),
            )
        return None

    def _attempt(
        self, parent: ProgramText, donors: list[tuple[str, ProgramText]], preferred: str | None
    ) -> tuple[ProgramText, list[str], list[str], str] | None:
        """One child: a behavioural operator alone, or one to three tuning operations; with the operator
        kind of its first change."""
        available = [(k, w) for k, w in self.weights if donors or k not in NEEDS_DONORS]
        while available:
            kind = preferred if preferred in dict(available) else _weighted_choice(self.rng, available)
            preferred = None
            available = [(k, w) for k, w in available if k != kind]
            if kind in BEHAVIOURS:
                made = BEHAVIOURS[kind](parent, OperatorContext(self.rng, self.read_chars, donors))
                if made is None:
                    continue
                try:
                    child = ProgramText(made.source)
                except SyntaxError:
                    return None
                return child, [made.description], [made.donor_id] if made.donor_id else [], kind
            tuned = self._tune(parent, donors, kind)
            if tuned is not None:
                return (*tuned, kind)
        return None

    def _tune(
        self, parent: ProgramText, donors: list[tuple[str, ProgramText]], first: str
    ) -> tuple[ProgramText, list[str], list[str]] | None:
        """One to three tuning operations, the first of kind `first`; None when that one does not apply."""
        program, changes, donor_ids = parent, [], []
        touched: set[str] = set()  # each constant, function or part changes at most once per child
        for _ in range(self.rng.choice(OPERATIONS_PER_CHILD)):
            step = self._one_operation(program, donors, touched, first if not changes else None)
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
        self,
        program: ProgramText,
        donors: list[tuple[str, ProgramText]],
        touched: set[str],
        only: str | None = None,
    ) -> tuple[str, str, str | None] | None:
        """One tuning operation (of kind `only` if given), chosen by weight among those that apply; None
        when none does."""
        operators = [
            (k, w)
            for k, w in self.weights
            if k in dict(TUNING_WEIGHTS) and (donors or k not in NEEDS_DONORS) and only in (None, k)
        ]
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
                    edit, change = perturb_site(program, site, self.rng, self.read_chars)
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
