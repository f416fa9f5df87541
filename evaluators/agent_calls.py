"""Running an episode's agent calls ahead of the memory, concurrently, when the agent can take it.

With an LLM agent an episode is almost all waiting: a LoCoMo conversation is hundreds of model calls
and a few milliseconds of memory work. Many of those calls do not depend on memory state (filling a
session's KnowledgeItem, a question's Query), and a question's answer depends only on what its read
returned. So an episode submits them here as soon as their inputs are known and takes their results in
its own order: writes and reads stay in order, the calls overlap.

How many calls overlap is the agent's `concurrency`. The model client's own limit (its semaphore, one per
model and process) still bounds what is sent, across every episode and evaluation of the process. An
agent with concurrency 1 (the offline agent) gets no threads at all: each call runs when its result is
first asked for, in the caller's thread, in exactly the order of a plain sequential episode.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")


class Pending(Protocol[T]):  # type: ignore[misc]
    """A call's result, when asked for; raises what the call raised."""

    def result(self) -> T: ...


class _Deferred(Generic[T]):
    """A call made in the caller's thread the first time its result is asked for."""

    def __init__(self, call: Callable[..., T], args: tuple[Any, ...]) -> None:
        self._call = call
        self._args = args
        self._done = False
        self._value: T | None = None

    def result(self) -> T:
        if not self._done:
            self._value = self._call(*self._args)
            self._done = True
        return self._value  # type: ignore[return-value]


class AgentCalls:
    """Use as `with AgentCalls(agent_concurrency(agent)) as calls: item = calls.submit(fill, ...)`.

    Leaving the block (normally or by an exception, e.g. a program failure) cancels the calls not yet
    started and waits for those already sent, so none outlives its episode.
    """

    def __init__(self, concurrency: int) -> None:
        self._pool = (
            ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="agent-call")
            if concurrency > 1
            else None
        )

    def submit(self, call: Callable[..., T], *args: Any) -> Pending[T]:
        if self._pool is None:
            return _Deferred(call, args)
        future: Future[T] = self._pool.submit(call, *args)
        return future

    def __enter__(self) -> AgentCalls:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def agent_concurrency(agent: object) -> int:
    """How many of `agent`'s calls may overlap: its `concurrency`, or 1 for an agent that names none."""
    return max(1, int(getattr(agent, "concurrency", 1)))
