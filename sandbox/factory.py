"""A session factory over any sandbox backend, with one sandbox started ahead.

Starting a sandbox (a container, or an interpreter that imports numpy) costs a few hundred milliseconds,
which would dominate short evaluations. So the factory keeps one spare started: a session takes it, and
the next spare starts while that session runs. A spare is idle (its harness waits for the first
message), holds no program, and serves at most one session; one older than `SPARE_MAX_AGE_SECONDS` is
replaced, because its backstop clock (see the backends) is already running.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sandbox.limits import SandboxLimits
from sandbox.remote import HarnessProcess, RemoteSession
from sandbox.session import Capabilities, FailureReason, ProgramFailure

SPARE_MAX_AGE_SECONDS = 300.0


class SandboxSessionFactory:
    """`SessionFactory`: `factory(source, capabilities)` gives a `RemoteSession` in a fresh sandbox.

    One factory may serve many evaluations, from one thread or several. `close()` stops its spare.
    """

    backend = "sandbox"

    def __init__(
        self, start: Callable[[SandboxLimits], HarnessProcess], limits: SandboxLimits, prewarm: bool = True
    ) -> None:
        self.limits = limits
        self.prewarm = prewarm
        self._start = start
        self._lock = threading.Lock()
        self._spare: HarnessProcess | None = start(limits) if prewarm else None

    def __call__(self, source: str, capabilities: Capabilities) -> RemoteSession:
        process = self._take()
        try:
            return RemoteSession(source, capabilities, process, self.limits)
        except ProgramFailure as failure:
            if failure.reason is not FailureReason.SANDBOX:
                raise
        # A sandbox that did not start is the machine's hiccup, not the program's: one more try.
        return RemoteSession(source, capabilities, self._start(self.limits), self.limits)

    def close(self) -> None:
        with self._lock:
            spare, self._spare = self._spare, None
        if spare is not None:
            spare.kill()
            spare.dispose()

    def _take(self) -> HarnessProcess:
        with self._lock:
            spare, self._spare = self._spare, None
            if self.prewarm:
                self._spare = self._start(self.limits)
        if spare is None:
            return self._start(self.limits)
        if time.monotonic() - spare.started_at > SPARE_MAX_AGE_SECONDS or spare.popen.poll() is not None:
            spare.kill()
            spare.dispose()
            return self._start(self.limits)
        return spare
