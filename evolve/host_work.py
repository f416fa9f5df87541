"""One proposal thread at a time does the work of the host; any number wait for their models at once.

Proposals run in the driver's threads (`evolve.proposal_pool`) for what they wait on: the model. Their
own work (parsing a reply, applying edits, checking the contract, smoke runs, hashing the child's
syntax tree) is short, and Python's parser is not safe to run from several threads here: CPython 3.11
before 3.11.8 keeps the AST converter's recursion depth in shared state, and two threads parsing at once
fail with "SystemError: AST constructor recursion depth mismatch". So a proposal thread holds
`host_work()` throughout, and lets go only `while_waiting()` for its model. Outside a proposal thread
(a Ray worker, a test) `while_waiting()` does nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_held = threading.local()


@contextmanager
def host_work() -> Iterator[None]:
    """Hold the driver's host work for this thread (inside, `while_waiting()` lets it go)."""
    with _lock:
        _held.here = True
        try:
            yield
        finally:
            _held.here = False


@contextmanager
def while_waiting() -> Iterator[None]:
    """Let other proposal threads work while this one waits; take the host work back afterwards."""
    if not getattr(_held, "here", False):
        yield
        return
    _held.here = False
    _lock.release()
    try:
        yield
    finally:
        _lock.acquire()
        _held.here = True
