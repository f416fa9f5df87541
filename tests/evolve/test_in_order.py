"""Results handed out in proposal order, whatever order they come back in."""

from __future__ import annotations

from dataclasses import dataclass

from evolve.in_order import InProposalOrder


@dataclass(frozen=True)
class Candidate:
    ordinal: int


def test_a_result_waits_for_every_earlier_candidates_result() -> None:
    first, second, third = Candidate(1), Candidate(2), Candidate(3)
    results: InProposalOrder[Candidate, str] = InProposalOrder()
    for candidate in (first, second, third):
        results.expect(candidate)
    results.arrive(third, "c")
    results.arrive(second, "b")
    assert list(results.ready()) == [] and list(results) == [first, second, third]
    results.arrive(first, "a")
    assert list(results.ready()) == [(first, "a"), (second, "b"), (third, "c")]
    assert len(results) == 0


def test_what_is_expected_and_back_while_handing_out_comes_in_the_same_pass() -> None:
    results: InProposalOrder[Candidate, str] = InProposalOrder()
    results.expect(Candidate(1))
    results.arrive(Candidate(1), "a")
    handed: list[str] = []
    for candidate, result in results.ready():
        handed.append(result)
        if candidate.ordinal == 1:  # taking one in proposes the next, whose result is found at once
            results.expect(Candidate(2))
            results.arrive(Candidate(2), "b")
            results.expect(Candidate(3))
    assert handed == ["a", "b"] and list(results) == [Candidate(3)]
