"""The population loop: mutate, evaluate on Ray, select, and record every step in the archive.

The archive is the checkpoint. Every candidate gets a sequence number and its random choices come from
`Random(f"{seed}:{sequence}")`, every program and evaluation is written before the loop moves on, and
evaluations are unique by (program, domain, split, data fingerprint, agent). So a run killed at any point
resumes by replaying the archive: finished evaluations are reused, accepted candidates without one are
evaluated, and the sequence numbers not yet recorded (proposals run concurrently, so a later one may
have landed first) are proposed again. Nothing recorded is lost or repeated; what was in flight when the
driver died is done again: a proposal is made anew (the same random stream, but a model may answer
differently) and an evaluation that a worker had finished but the driver had not recorded runs again,
its model calls then paid and counted twice.

A run may select on several datasets (`evolve.run_data`): a program is evaluated on each, one
evaluation per dataset, and joins the population on their mean once all are in. After the run, the
winner and the best seed are tested on each dataset's `test` split, and with transfer data the winner
and every seed on all of it; the gains come with bootstrap intervals (`evolve.gains`).

The driver keeps the population and the archive; the work runs in Ray tasks: evaluations always, and
proposals too when the mutator can run anywhere (`evolve.proposals`). Both kinds share the workers. A
mutator that needs the driver's process (the reflective one, with the run's model) runs in the driver's
threads, `proposals_in_flight` at once (`evolve.proposal_pool`): the loop does not wait for its model.

Work finishes in whatever order the workers and the model manage, and the run's path does not hang on
it: the loop keeps a window of `window` candidates between proposal and outcome, settles proposals (the
duplicate check), decides candidates on the cascade's part, and takes outcomes in (a program joining
its island, migration), each in that order. Candidate n + window is proposed right after candidate n is
taken in, so it is chosen from the population and the operator record as they stand after candidates
1..n; its cascade decision compares it with its island's best of that moment and with the parts of
every program proposed before it (`evolve.cascade`). So a run seed gives the same run, whatever
finished first, as long as what the workers compute does not change (the offline agent and mutator, a
deterministic model); a resumed run takes in what was recorded and goes on from there, which may
choose differently from the run that was killed. The price: a candidate that takes long holds up the
proposals after it once the window is full (it holds `workers + proposals in flight` candidates, so a
worker idles only when all the others in it are done).
"""

from __future__ import annotations

import random
import socket
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import ray

from archive import ArchiveStore, Evaluation
from evaluators.domains import get_domain
from evaluators.splits import ALL, CASCADE, SELECT_REST
from evolve.cascade import Cascade, PartResult, case_values, record_joined_select
from evolve.config import RunConfig
from evolve.database import Member, ProgramDatabase, behaviour_descriptor
from evolve.errors import UserError
from evolve.gains import measured_gain
from evolve.in_order import InProposalOrder
from evolve.mutators.base import Mutator
from evolve.mutators.program_text import program_shape
from evolve.paired import CaseValues
from evolve.proposal_pool import ProposalPool
from evolve.proposals import Proposal, propose_on_worker
from evolve.reflection import ReflectionContexts
from evolve.run_data import RunData, selection_data, transfer_data
from evolve.workers import WORKER_LOST, EvaluationRequest, agent_model_for, evaluate_on_worker, lost_result
from seeds import SEEDS, get_seed


@dataclass
class RunStatus:
    """What a progress display shows; updated after every event."""

    run_id: str
    candidates_done: int = 0
    candidates_total: int = 0
    failed: int = 0
    rejected: int = 0
    duplicates: int = 0
    stopped_early: int = 0
    """Candidates the cascade stopped after the first part of `select` (`evolve.cascade`)."""
    best_per_island: list[float | None] = field(default_factory=list)
    best_seed_score: float | None = None
    cost_usd: float = 0.0
    started: float = field(default_factory=time.monotonic)
    phase: str = "seeds"
    loop_seconds: float = 0.0
    """Time the driver itself spent (selecting, recording, mutating when the mutator needs the driver),
    not waiting for workers."""
    proposal_seconds: float = 0.0
    """Time the mutators spent, wherever they ran (in workers, or on the driver)."""

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started


@dataclass(frozen=True)
class RunSummary:
    """The end of a run, honestly: the best program and the best seed on `select` and on held-out `test`
    (means over the run's datasets), each dataset apart, and on transfer data the run never saw."""

    run_id: str
    best_program_id: str
    best_select: float
    best_test: float | None
    best_seed: str
    best_seed_program_id: str
    seed_select: float
    seed_test: float | None
    candidates: int
    failed: int
    rejected: int
    duplicates: int
    cost_usd: float
    seconds: float
    loop_seconds: float
    stopped_early: int = 0
    """Candidates the cascade stopped after the first part of `select`."""
    best_candidate_id: str | None = None
    """The best program on `select` (the best seed when none beat it): the winner, unless its gain there
    is within noise (`winner`)."""
    select_gain: dict[str, Any] | None = None
    """That program's gain over the best seed on `select` with its interval; None when it is no higher."""
    data: tuple[dict[str, Any], ...] = ()
    """Per dataset the run selected on: spec, name, and the winner's and the best seed's select and
    test scores there (the fields above are their means), with the test gain's interval."""
    test_gain: dict[str, Any] | None = None
    """The winner's gain over the best seed on `test` with its interval (`evolve.gains`); None when the
    winner is that seed or a test evaluation failed."""
    transfer: tuple[dict[str, Any], ...] = ()
    """Per transfer dataset: the winner's and every seed's score on all of it, the best seed there,
    and the winner's gain over it with its interval."""

    def to_json(self) -> dict[str, Any]:
        return {
            key: list(value) if isinstance(value, tuple) else value for key, value in self.__dict__.items()
        }


@dataclass(frozen=True)
class _Candidate:
    """A candidate between its proposal and the loop taking its outcome in, and what it was proposed from."""

    sequence: int
    island: int
    parent_id: str
    mutator: str
    ordinal: int
    """Its place in the order of proposals this process made, which is the order outcomes are taken in
    (1, 2, ...; the seeds are 0)."""
    known: int
    """How many outcomes had been taken in when it was proposed: whether a tie on the cascade's part still
    tells is judged on what those showed."""
    best_id: str | None
    """Its island's best program when it was proposed: what the cascade compares it with."""


@dataclass(frozen=True)
class _Evaluating:
    """An evaluation in flight, of a candidate or (None) of a seed or a final test."""

    request: EvaluationRequest
    candidate: _Candidate | None


def winner(best: Member, seed: Member, select_gain: dict[str, Any] | None) -> Member:
    """The run's answer: the best program on `select` when it beats the best seed there beyond `select`'s
    own noise, else that seed.

    `select_gain` is the best program's gain over the seed on `select` with its paired bootstrap
    interval (`evolve.gains`). The best of many candidates on `select` is partly the luckiest: in the
    README's main job the best of 48 beat `dual_process` there by +0.002 with an interval of [-0.006,
    +0.008] and lost 0.005 on held-out test. So a candidate whose interval reaches zero is no gain, nor is
    a tie (a candidate that only ties behaves differently elsewhere in ways nothing measured): the
    hand-made seed, whose behaviour is known and documented, stays the answer. Where `select` gives no
    interval (fewer units than `evolve.gains.MIN_UNITS`, or per-unit scores not kept by an older
    version), the mean decides, and the summary says there was no interval."""
    if best.score <= seed.score:
        return seed
    if select_gain is not None and select_gain.get("low") is not None and select_gain["low"] <= 0.0:
        return seed
    return best


PROPOSAL_POLL_SECONDS = 0.02
"""How often the loop, waiting for Ray, looks at the proposals in its threads: small beside a model call."""

Observer = Callable[[RunStatus], None]
MutatorFactory = Callable[[random.Random, "Evolution"], Mutator]
"""(the candidate's random stream, the run) -> its mutator; the run offers `reflection_context`."""


class Evolution:
    """One run of the loop; construct with a stored run (new or resumed) and call `run()`."""

    def __init__(
        self,
        config: RunConfig,
        store: ArchiveStore,
        run_id: str,
        make_mutator: MutatorFactory,
    ) -> None:
        self.config = config
        self.store = store
        self.run_id = run_id
        self.make_mutator = make_mutator
        self.domain = get_domain(config.domain)
        self.data = selection_data(config)
        self.transfer = transfer_data(config)
        self.partial_select: dict[tuple[str, str], dict[str, tuple[bool, float, dict]]] = {}
        """Per program and split (`select`, or its cascade part), its results so far by data spec: they
        count, as their mean, once every dataset has answered."""
        cascading = config.cascade and all(data.has(CASCADE) for data in self.data)
        self.cascade = Cascade(config.cascade_margin if cascading else None)
        self.database = ProgramDatabase(config.islands, config.island_capacity, config.softmax_temperature)
        self.status = RunStatus(run_id, candidates_total=config.max_candidates)
        # Run-scoped archive queries then use only this data and agent, even in a shared archive.
        store.set_run_data(run_id, agent=config.evaluation_agent, data_fingerprints=self._fingerprints())
        self.seen_shapes: set[str] = set()
        self.seed_members: dict[str, Member] = {}
        self.in_flight: dict[ray.ObjectRef, _Evaluating | _Candidate] = {}
        # The first dataset with failures to show (`selection_data` made sure one has a reflect split
        # when a mutator reflects).
        shown = next((data for data in self.data if data.has("reflect")), self.data[0])
        self.reflection_context = ReflectionContexts(
            config,
            store,
            run_id,
            self.domain.name,
            shown.fingerprints,
            shown.name,
            lambda program_id, source, split: self._request(program_id, source, split, shown),
        )
        """What the reflective mutator asks about a parent (`evolve.reflection`)."""
        self.proposing: ProposalPool[_Candidate] = ProposalPool(config.proposals_in_flight or config.workers)
        """Proposals of mutators that run on the driver, in its threads."""
        self.window = config.workers + self.proposing.size
        """Candidates between proposal and outcome at most: enough to keep every worker and every
        proposal thread busy while an early candidate still evaluates."""
        self.pending: deque[int] = deque()
        """Sequence numbers still to propose (none while seeds and recorded candidates are taken in)."""
        self.outcomes: InProposalOrder[_Candidate, Member | None] = InProposalOrder()
        """Candidates proposed (or replayed) and not yet taken in, and their outcomes back (a member for
        their island, or None)."""
        self.proposals: InProposalOrder[_Candidate, Proposal] = InProposalOrder()
        """Candidates whose proposals are not settled yet, and the proposals back."""
        self.parts: InProposalOrder[_Candidate, tuple[EvaluationRequest, bool, float]] = InProposalOrder()
        """Candidates evaluated on the cascade's part and not yet decided, and the part results back."""
        self.ordinals = 0
        """Candidates proposed or replayed so far in this process: the last ordinal given."""
        self.local_worker_pids: set[int] = set()
        """Worker processes on this machine that ran evaluations: their sandboxes outlive them (see
        `sandbox.backends.sweep_orphaned_sandboxes`)."""

    def run(self, observer: Observer | None = None) -> RunSummary:
        notify = observer or (lambda status: None)
        self._evaluate_seeds(notify)
        self._replay_candidates(notify)
        self.status.phase = "evolving"
        recorded = {candidate.sequence for candidate in self.store.candidates(self.run_id)}
        self.pending.extend(s for s in range(1, self.config.max_candidates + 1) if s not in recorded)
        try:
            with self._driver_busy():  # later proposals follow outcomes, in `_collect_one`'s time
                self._propose_while_room()
            notify(self.status)
            while self.in_flight or self.proposing:
                self._collect_one()
                notify(self.status)
        finally:
            self.proposing.close()
        assert not self.outcomes, "every candidate proposed is taken in before the run ends"
        self.status.phase = "testing"
        notify(self.status)
        return self._finish()

    # -- seeds and resume -------------------------------------------------------------------------

    def _seed_names(self) -> list[str]:
        """The configured seeds, or every seed: those needing an LLM run their offline path without one."""
        return list(self.config.seeds) if self.config.seeds else [seed.name for seed in SEEDS]

    def _evaluate_seeds(self, notify: Observer) -> None:
        for name in self._seed_names():
            source = get_seed(name).source
            program = self.store.add_program(
                source, self.domain.name, [], "seed", f"seed {name}", self.run_id, seed_name=name
            )
            self.seen_shapes.add(program_shape(source))
            self._submit(program.id, source, None)
        while self.in_flight:
            self._collect_one()
            notify(self.status)
        for member in sorted(self.seed_members.values(), key=lambda member: member.program_id):
            self.database.add(member)
        if not self.seed_members:
            reasons = self.store.failure_counts(self.run_id).evaluations
            counted = ", ".join(f"{reason} {count}" for reason, count in sorted(reasons.items()))
            raise UserError(
                f"no seed could be evaluated successfully (failures: {counted or 'none recorded'}); "
                f"see them with  mnemoforge report {self.run_id}"
            )
        self.status.best_seed_score = max(m.score for m in self.seed_members.values())
        self.status.best_per_island = self.database.best_per_island()

    def _replay_candidates(self, notify: Observer) -> None:
        """On resume: take the recorded candidates in again, in order; evaluate accepted ones not yet done."""
        for recorded in self.store.candidates(self.run_id):
            self.status.candidates_done += 1
            if recorded.status == "duplicate":
                self.status.duplicates += 1
            elif recorded.status == "rejected":
                self.status.rejected += 1
            parent_id = recorded.parent_ids[0] if recorded.parent_ids else ""
            candidate = self._candidate(recorded.sequence, recorded.island, parent_id, recorded.mutator)
            self.outcomes.expect(candidate)
            if recorded.status != "accepted" or recorded.program_id is None:
                self.outcomes.arrive(candidate, None)
                self._take_in_outcomes()
                continue
            program = self.store.get_program(recorded.program_id)
            self.seen_shapes.add(program_shape(program.source))
            self._submit(program.id, program.source, candidate)
            self._take_in_outcomes()
            if len(self.in_flight) >= self.config.workers:
                self._collect_one()
        while self.in_flight:
            self._collect_one()
            notify(self.status)

    # -- candidates -------------------------------------------------------------------------------

    def awaited_sequences(self) -> set[int]:
        """The sequence numbers of candidates proposed and not yet taken in: what the next proposal must
        not learn from (their outcomes may or may not be in the archive yet)."""
        return {candidate.sequence for candidate in self.outcomes}

    def _propose_while_room(self) -> None:
        """Propose the next candidates while the window has room and the budget allows."""
        while self.pending and len(self.outcomes) < self.window:
            if self._budget_spent():
                self.pending.clear()
                return
            self._propose(self.pending.popleft())

    def _candidate(self, sequence: int, island: int, parent_id: str, mutator: str) -> _Candidate:
        """The loop's record of a candidate proposed (or replayed) now: its ordinal, and what is known."""
        taken_in = self.ordinals - len(self.outcomes)
        self.ordinals += 1
        best = self.database.islands[island % len(self.database.islands)].best()
        return _Candidate(
            sequence,
            island,
            parent_id,
            mutator,
            ordinal=self.ordinals,
            known=taken_in,
            best_id=best.program_id if best is not None else None,
        )

    def _propose(self, sequence: int) -> None:
        """Choose the parent and inspirations, then run the mutator: in a worker if it can run anywhere,
        else in one of the driver's threads (which queue what they cannot start yet)."""
        rng = random.Random(f"{self.config.seed}:{sequence}")
        island = sequence % self.config.islands
        parent = self.database.select_parent(island, rng)
        inspirations = self.database.inspirations(island, parent, self.config.inspirations, rng)
        others = [(member.program_id, member.source) for member in inspirations]
        mutator = self.make_mutator(rng, self)
        candidate = self._candidate(sequence, island, parent.program_id, mutator.name)
        self.outcomes.expect(candidate)
        self.proposals.expect(candidate)
        arguments = (mutator, parent.source, parent.program_id, others)
        if mutator.runs_anywhere:
            self.in_flight[propose_on_worker.remote(*arguments)] = candidate
        else:
            self.proposing.submit(candidate, *arguments)

    def _proposal_finished(self, candidate: _Candidate, proposal: Proposal) -> None:
        """Settle this proposal and every later one already back, in the order they were made: which of
        two children alike is the duplicate does not hang on which came back first."""
        self.proposals.arrive(candidate, proposal)
        for first, settled in self.proposals.ready():
            self._settle(first, settled)

    def _take_in_outcomes(self) -> None:
        """Take finished candidates in, in proposal order, proposing after each what the window then
        allows: the population a proposal sees does not hang on which candidates finished first."""
        for candidate, member in self.outcomes.ready():
            if member is not None:
                self.database.add(member, candidate.island)
                self.status.best_per_island = self.database.best_per_island()
            if candidate.sequence % self.config.migration_interval == 0:
                self.database.migrate()
            self._propose_while_room()

    def _settle(self, candidate: _Candidate, proposal: Proposal) -> None:
        """Record what became of a candidate: rejected, a duplicate, or accepted and sent to evaluation."""
        self.status.candidates_done += 1
        self.status.proposal_seconds += proposal.seconds
        mutation = proposal.mutation

        def record(status: str, **fields: Any) -> None:
            self.store.record_candidate(
                self.run_id,
                sequence=candidate.sequence,
                island=candidate.island,
                status=status,
                mutator=mutation.mutator if mutation is not None else candidate.mutator,
                **fields,
            )

        if mutation is None:
            self.status.rejected += 1
            self.outcomes.arrive(candidate, None)
            record(
                "rejected",
                parent_ids=[candidate.parent_id],
                reason=proposal.reason,
                detail=proposal.detail,
                repair_attempts=proposal.repair_attempts,
            )
            return
        described = {
            "parent_ids": list(mutation.parent_ids),
            "commit_message": mutation.commit_message,
            "repair_attempts": mutation.repair_attempts,
        }
        if proposal.shape in self.seen_shapes:
            self.status.duplicates += 1
            detail = "identical or near-identical to a program already evaluated"
            record("duplicate", reason="duplicate", detail=detail, **described)
            self.outcomes.arrive(candidate, None)
            return
        self.seen_shapes.add(proposal.shape)
        with self.store.transaction():
            program = self.store.add_program(
                mutation.source,
                self.domain.name,
                list(mutation.parent_ids),
                mutation.mutator,
                mutation.commit_message,
                self.run_id,
                island=candidate.island,
                generation=candidate.sequence + 1,
            )
            record("accepted", program_id=program.id, **described)
        self._submit(program.id, mutation.source, candidate)

    # -- evaluation -------------------------------------------------------------------------------

    def _request(self, program_id: str, source: str, split: str, data: RunData) -> EvaluationRequest:
        return EvaluationRequest(
            program_id,
            source,
            self.config.domain,  # the spec, which a worker resolves (a name, or an absolute path)
            data.spec,
            split,
            self.config.agent,
            self.config.embedder,
            self.config.sandbox,
            self.config.read_chars,
            agent_model_for(self.config),
        )

    def _submit(
        self,
        program_id: str,
        source: str,
        candidate: _Candidate | None,
        split: str = "select",
        datasets: list[RunData] | None = None,
    ) -> None:
        """Evaluate on each dataset (the run's own by default) unless the archive already holds that
        exact evaluation (then reuse it at once).

        A successful `select` result of a `candidate` becomes its outcome (its island's new member);
        without one it is a seed's (every island). Results on other splits never enter the population.
        With the cascade on, a `select` evaluation starts on its first part, and goes on to `select_rest`
        if the candidate deserves it (`evolve.cascade`).
        """
        if split == "select" and self.cascade.needs_first_look(program_id):
            split = CASCADE
            if candidate is not None:
                self.parts.expect(candidate)
        for data in self.data if datasets is None else datasets:
            request = self._request(program_id, source, split, data)
            existing = self._evaluation(program_id, split, data)
            if existing is None and split == SELECT_REST:  # all of `select` known already: no rest needed
                existing = self._evaluation(program_id, "select", data)
            if existing is not None:
                self._absorb(request, candidate, existing.status == "ok", existing.score, existing.cost)
                continue
            self.in_flight[evaluate_on_worker.remote(request)] = _Evaluating(request, candidate)

    def _collect_one(self) -> None:
        """Wait for the next task to finish (a Ray task, or a proposal in the driver's threads), take in
        its proposal or its evaluation, and then every outcome now due."""
        while True:
            finished = self.proposing.take_finished(timeout=0.0 if self.in_flight else None)
            if finished is not None:
                with self._driver_busy():
                    self._proposal_finished(*finished)
                    self._take_in_outcomes()
                return
            # Ray cannot wait on a thread: with proposals in threads, look at them again every so often.
            timeout = PROPOSAL_POLL_SECONDS if self.proposing else None
            ready, _ = ray.wait(list(self.in_flight), num_returns=1, timeout=timeout)
            if ready:
                break
        with self._driver_busy():
            task = self.in_flight.pop(ready[0])
            if isinstance(task, _Candidate):
                self._proposal_finished(task, self._proposal(ready[0]))
            else:
                self._take_evaluation(ready[0], task.request, task.candidate)
            self._take_in_outcomes()

    @contextmanager
    def _driver_busy(self) -> Iterator[None]:
        """Count the time inside as the driver's own work (`RunStatus.loop_seconds`), not waiting."""
        started = time.perf_counter()
        yield
        self.status.loop_seconds += time.perf_counter() - started

    def _proposal(self, reference: ray.ObjectRef) -> Proposal:
        try:
            return ray.get(reference)
        except (ray.exceptions.RayError, OSError) as error:
            detail = f"the worker was lost twice: {type(error).__name__}: {error}"
            return Proposal(None, reason=WORKER_LOST, detail=detail)

    def _take_evaluation(
        self, reference: ray.ObjectRef, request: EvaluationRequest, candidate: _Candidate | None
    ) -> None:
        """Store a finished evaluation as the worker sent it (JSON, with its cases: in full for `reflect`,
        scored only for the others) and let a successful `select` result into the population."""
        try:
            payload = ray.get(reference)
            result = payload["result"]
            worker = f"{payload['host']}/{payload['node'][:12]}"
            if payload["host"] == socket.gethostname():
                self.local_worker_pids.add(payload["pid"])
            llm_calls = payload["llm_calls"]
        except (ray.exceptions.RayError, OSError) as error:
            data = self._data_of(request)
            lost = lost_result(request, self.domain.name, data.name, data.fingerprints[request.split], error)
            result = lost.to_json(include_cases=False)
            worker = "lost"
            llm_calls = []
        # The calls before the evaluation: a driver killed in between repeats the evaluation on resume,
        # and then its calls were paid twice, so they count twice; none is ever left uncounted.
        with self.store.transaction():
            if llm_calls:
                self.store.record_llm_calls(llm_calls, run_id=self.run_id)
            self.store.record_evaluation(
                request.program_id,
                **result,
                run_id=self.run_id,
                seconds=result["cost"].get("seconds"),
                worker=worker,
            )
        self._absorb(request, candidate, result["status"] == "ok", result["score"], result["cost"])

    def _data_of(self, request: EvaluationRequest) -> RunData:
        """The dataset a request evaluates on (a run's data and its transfer data never share a spec)."""
        return next(data for data in [*self.data, *self.transfer] if data.spec == request.data)

    def _absorb(
        self, request: EvaluationRequest, candidate: _Candidate | None, ok: bool, score: float, cost: dict
    ) -> None:
        """Take a result in: a seed's `select` result makes it a member at once; a candidate's (or its
        failure, or the cascade stopping it) becomes its outcome, taken in in proposal order."""
        if request.split == SELECT_REST:
            self._record_rest(request)
            request, ok, score, cost = self._joined_select(request)
        if request.split not in ("select", CASCADE):
            return
        combined = self._combine_select(request, ok, score, cost)
        if combined is None:
            return
        ok, score, cost = combined
        if request.split == CASCADE:
            if candidate is None:
                self._after_first_look(request, None, ok, score)
            else:
                self.parts.arrive(candidate, (request, ok, score))
                self._decide_in_order()
            return
        member = None
        if ok:
            member = Member(request.program_id, request.source, score, behaviour_descriptor(cost))
        else:
            self.status.failed += 1
        if candidate is not None:
            self.outcomes.arrive(candidate, member)
        elif member is not None:
            self.seed_members[request.program_id] = member

    def _decide_in_order(self) -> None:
        """Decide every candidate whose part is in and whose elders are decided: a decision sees the
        parts of all candidates proposed before it, whichever finished first."""
        for candidate, (request, ok, score) in self.parts.ready():
            self._after_first_look(request, candidate, ok, score)

    def _after_first_look(
        self, request: EvaluationRequest, candidate: _Candidate | None, ok: bool, score: float
    ) -> None:
        """A seed always goes on to all of `select`; a candidate only if the part shows something new about
        it (beside the seeds and the candidates proposed before it) and not clearly worse than its
        island's best when it was proposed (`evolve.cascade`)."""
        if not ok:
            self.status.failed += 1
            if candidate is not None:
                self.outcomes.arrive(candidate, None)
            return
        part = PartResult(score, tuple(self._part_cases(request.program_id, data) for data in self.data))
        if candidate is None:
            goes_on = self.cascade.goes_on(request.program_id, part, None, ordinal=0)
        else:
            goes_on = self.cascade.goes_on(
                request.program_id, part, candidate.best_id, ordinal=candidate.ordinal, known=candidate.known
            )
        # A resumed run compares with another population than the killed one did: a candidate that went
        # on then (its rest is recorded) goes on again, whatever it is compared with now.
        if goes_on or self._went_on(request.program_id):
            self._submit(request.program_id, request.source, candidate, split=SELECT_REST)
        else:
            self.status.stopped_early += 1
            if candidate is not None:
                self.outcomes.arrive(candidate, None)

    def _went_on(self, program_id: str) -> bool:
        """Whether the program was evaluated on the rest of `select` (or all of it) on some dataset: the
        cascade let it on before."""
        return any(
            self._evaluation(program_id, SELECT_REST, data) or self._evaluation(program_id, "select", data)
            for data in self.data
        )

    def _part_cases(self, program_id: str, data: RunData) -> CaseValues:
        """The program's cases on the cascade part of `data`, as recorded (or found) before the decision."""
        evaluation = self._evaluation(program_id, CASCADE, data)
        assert evaluation is not None, "a part's evaluation is recorded before its result is absorbed"
        return case_values(self.store, evaluation, self.domain.score_cases)

    def _record_rest(self, rest: EvaluationRequest) -> None:
        """Give the cascade the program's cases on the rest of `select`, when it has them: what checks that
        a tie on the part still means the same behaviour (`Cascade.record_rest`)."""
        data = self._data_of(rest)
        evaluation = self._evaluation(rest.program_id, SELECT_REST, data)
        if evaluation is not None and evaluation.ok:
            values = case_values(self.store, evaluation, self.domain.score_cases)
            self.cascade.record_rest(rest.program_id, self.data.index(data), values)

    def _joined_select(self, rest: EvaluationRequest) -> tuple[EvaluationRequest, bool, float, dict]:
        """The program's `select` evaluation on the dataset of `rest` (its evaluation on the rest of
        `select`, just in): joined from the cascade part and the rest, recorded unless it already is."""
        data = self._data_of(rest)
        joined = self._evaluation(rest.program_id, "select", data)
        if joined is None:
            parts = (
                self._evaluation(rest.program_id, CASCADE, data),
                self._evaluation(rest.program_id, SELECT_REST, data),
            )
            assert parts[0] is not None and parts[1] is not None, "both parts are recorded before joining"
            joined = record_joined_select(
                self.store, parts, data.fingerprints["select"], self.domain.summarize, self.run_id
            )
        return replace(rest, split="select"), joined.ok, joined.score, joined.cost

    def _budget_spent(self) -> bool:
        # Only the reflective mutator and the LLM agent call models: without either, no cost to query.
        if self.config.mutation_model is not None or self.config.agent == "llm":
            self.status.cost_usd = self.store.llm_cost(self.run_id).cost_usd
        if self.config.max_cost_usd is not None and self.status.cost_usd >= self.config.max_cost_usd:
            return True
        return (
            self.config.max_wall_seconds is not None and self.status.elapsed >= self.config.max_wall_seconds
        )

    # -- end of run -------------------------------------------------------------------------------

    def _finish(self) -> RunSummary:
        seed = max(self.seed_members.values(), key=lambda m: (m.score, m.program_id))
        found = self.database.best()
        assert found is not None
        higher = found.score > seed.score
        select_gain = self._gain(found.program_id, seed.program_id, "select", self.data) if higher else None
        best = winner(found, seed, select_gain)
        for member in {best.program_id: best, seed.program_id: seed}.values():
            self._submit(member.program_id, member.source, None, split="test")
        if self.transfer:
            self.status.phase = "transfer"
            for member in {best.program_id: best, **self.seed_members}.values():
                self._submit(member.program_id, member.source, None, split=ALL, datasets=self.transfer)
        while self.in_flight:
            self._collect_one()
        tests = {m.program_id: self._mean_score(m.program_id, "test", self.data) for m in (best, seed)}
        seed_name = self.store.get_program(seed.program_id).seed_name or seed.program_id
        summary = RunSummary(
            run_id=self.run_id,
            best_program_id=best.program_id,
            best_select=best.score,
            best_test=tests[best.program_id],
            best_seed=seed_name,
            best_seed_program_id=seed.program_id,
            seed_select=seed.score,
            seed_test=tests[seed.program_id],
            candidates=self.status.candidates_done,
            failed=self.status.failed,
            rejected=self.status.rejected,
            duplicates=self.status.duplicates,
            cost_usd=self.store.llm_cost(self.run_id).cost_usd,
            seconds=self.status.elapsed,
            loop_seconds=self.status.loop_seconds,
            stopped_early=self.status.stopped_early,
            best_candidate_id=found.program_id,
            select_gain=select_gain,
            data=tuple(self._data_scores(data, best.program_id, seed.program_id) for data in self.data),
            test_gain=self._gain(best.program_id, seed.program_id, "test", self.data),
            transfer=tuple(self._transfer_scores(data, best.program_id) for data in self.transfer),
        )
        self.store.set_run_status(self.run_id, "finished", summary.to_json())
        return summary

    # -- several datasets, transfer and gains -----------------------------------------------------

    def _fingerprints(self) -> dict[str, list[str]]:
        """What the archive keeps of the run's data: each split's fingerprints over its datasets
        (`all` for the transfer data), so that run-scoped queries see all of them and nothing else."""
        known: dict[str, list[str]] = {}
        for data in self.data:
            for split, fingerprint in data.fingerprints.items():
                known.setdefault(split, []).append(fingerprint)
        for data in self.transfer:
            known.setdefault(ALL, []).append(data.fingerprints[ALL])
        return known

    def _evaluation(self, program_id: str, split: str, data: RunData) -> Evaluation | None:
        return self.store.find_evaluation(
            program_id, self.domain.name, split, data.fingerprints[split], self.config.evaluation_agent
        )

    def _combine_select(
        self, request: EvaluationRequest, ok: bool, score: float, cost: dict
    ) -> tuple[bool, float, dict] | None:
        """A program's `select` (or cascade) result over all datasets once the last one is in (None
        before): ok if every one is, the mean score, and the mean of each cost (the behaviour
        descriptors' input)."""
        key = (request.program_id, request.split)
        parts = self.partial_select.setdefault(key, {})
        parts[request.data] = (ok, score, cost)
        if len(parts) < len(self.data):
            return None
        del self.partial_select[key]
        results = list(parts.values())
        if len(results) == 1:
            return results[0]
        keys = {key for _, _, part in results for key in part}
        mean_cost = {
            key: sum(float(part.get(key) or 0.0) for _, _, part in results) / len(results) for key in keys
        }
        all_ok = all(part_ok for part_ok, _, _ in results)
        mean = sum(part_score for _, part_score, _ in results) / len(results) if all_ok else 0.0
        return all_ok, mean, mean_cost

    def _mean_select(self, program_id: str) -> float | None:
        return self._mean_score(program_id, "select", self.data)

    def _mean_score(self, program_id: str, split: str, datasets: list[RunData]) -> float | None:
        """The mean of a program's successful scores on `split` of each dataset; None if one is missing."""
        scores = [self._score(program_id, split, data) for data in datasets]
        known = [score for score in scores if score is not None]
        return sum(known) / len(known) if known and len(known) == len(scores) else None

    def _score(self, program_id: str, split: str, data: RunData) -> float | None:
        found = self._evaluation(program_id, split, data)
        return found.score if found is not None and found.ok else None

    def _data_scores(self, data: RunData, best_id: str, seed_id: str) -> dict[str, Any]:
        """One selection dataset's scores of the winner and the best seed, on `select` and `test`."""
        return {
            "spec": data.spec,
            "name": data.name,
            "best_select": self._score(best_id, "select", data),
            "best_test": self._score(best_id, "test", data),
            "seed_select": self._score(seed_id, "select", data),
            "seed_test": self._score(seed_id, "test", data),
            "test_gain": self._gain(best_id, seed_id, "test", [data]),
        }

    def _transfer_scores(self, data: RunData, best_id: str) -> dict[str, Any]:
        """The winner against every seed on a transfer dataset, and its gain over the best of them."""
        seeds = {
            self.store.get_program(program_id).seed_name or program_id: self._score(program_id, ALL, data)
            for program_id in self.seed_members
        }
        scored = {name: score for name, score in seeds.items() if score is not None}
        best_seed = max(scored, key=lambda name: (scored[name], name), default=None)
        best_seed_id = next(
            (pid for pid in self.seed_members if (self.store.get_program(pid).seed_name or pid) == best_seed),
            None,
        )
        return {
            "spec": data.spec,
            "name": data.name,
            "winner": self._score(best_id, ALL, data),
            "seeds": seeds,
            "best_seed": best_seed,
            "best_seed_score": scored.get(best_seed) if best_seed else None,
            "gain": None if best_seed_id is None else self._gain(best_id, best_seed_id, ALL, [data]),
        }

    def _gain(
        self, first_id: str, second_id: str, split: str, datasets: list[RunData]
    ) -> dict[str, Any] | None:
        """first minus second on `split` of the datasets (mean), with its paired bootstrap interval."""
        if first_id == second_id:
            return None
        pairs = [
            (self._evaluation(first_id, split, data), self._evaluation(second_id, split, data))
            for data in datasets
        ]
        return measured_gain(self.store, self.domain, pairs, seed=self.config.seed)
