"""A session factory over any sandbox backend, with one sandbox started ahead and one kept for reuse.

Starting a sandbox (a container, or an interpreter that imports numpy) costs a few hundred milliseconds,
which would dominate short evaluations. So the factory keeps one spare started: a session takes it, and
the next spare starts while that session runs. A spare is idle (its harness waits for the first
message), holds no program, and serves at most one session; one older than `SPARE_MAX_AGE_SECONDS` is
replaced, because its backstop clock (see the backends) is already running. The sandbox of a session
that ended cleanly is kept: the same program's next session reuses it, another program gets it
recycled where the backend can (a Docker container under its supervisor), else a fresh one.
"""

from __future__ import annotations

import functools
import hashlib
import threading
import time
from collections.abc import Callable

from sandbox.limits import SandboxLimits
from sandbox.remote import HarnessProcess, RemoteSession
from sandbox.session import Capabilities, FailureReason, ProgramFailure

SPARE_MAX_AGE_SECONDS = 300.0


class SandboxSessionFactory:
    """`SessionFactory`: `factory(source, capabilities)` gives a `RemoteSession` in a sandbox.

    With `reuse` (for backends whose sandbox has its own PID namespace), a sandbox whose session closed
    cleanly is kept for the next session of the same program source, the next conversation of the
    same evaluation, after the harness has reset it: program dropped, its processes killed, its temp
    files removed. So an evaluation pays for one sandbox, not one per conversation, and isolation
    between its conversations is still stronger than in-process. A different program gets the kept
    sandbox only if the backend can recycle it (`HarnessProcess.recycle`: a fresh harness in a sandbox
    swept by something the program could not touch), else a sandbox no program has used; so does any
    session after a failure. With `prewarm`, the different program takes the spare at once and the
    kept sandbox is recycled in the background to be the next spare, so neither a new sandbox nor the
    recycling delays a session. One factory may serve many evaluations, from one thread or several;
    `close()` stops the sandboxes it keeps.
    """

    backend = "sandbox"

    def __init__(
        self,
        start: Callable[[SandboxLimits], HarnessProcess],
        limits: SandboxLimits,
        prewarm: bool = True,
        reuse: bool = True,
    ) -> None:
        self.limits = limits
        self.prewarm = prewarm
        self.reuse = reuse
        self._start = start
        self._lock = threading.Lock()
        self._spare: HarnessProcess | None = start(limits) if prewarm else None
        self._kept: tuple[str, HarnessProcess] | None = None
        self._recycling = 0
        """Sandboxes being recycled in the background, each to become the spare."""
        self._closed = False

    def __call__(self, source: str, capabilities: Capabilities) -> RemoteSession:
        program = hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()
        release = functools.partial(self._keep, program) if self.reuse else None
        kept, same_program = self._take_kept(program)
        if kept is not None:
            return RemoteSession(source, capabilities, kept, self.limits, release, reused=same_program)
        try:
            return RemoteSession(source, capabilities, self._take_spare(), self.limits, release)
        except ProgramFailure as failure:
            if failure.reason is not FailureReason.SANDBOX:
                raise
        # A sandbox that did not start is the machine's hiccup, not the program's: one more try.
        return RemoteSession(source, capabilities, self._start(self.limits), self.limits, release)

    def close(self) -> None:
        with self._lock:
            held = [self._spare, self._kept[1] if self._kept else None]
            self._spare = self._kept = None
            self._closed = True
        for process in held:
            _discard(process)

    def _keep(self, program: str, process: HarnessProcess) -> bool:
        if _too_old(process):
            return False
        with self._lock:
            previous, self._kept = self._kept, (program, process)
        _discard(previous[1] if previous else None)
        return True

    def _take_kept(self, program: str) -> tuple[HarnessProcess | None, bool]:
        """The kept sandbox, if usable, and whether it last ran this same program (then only reset)."""
        with self._lock:
            kept, self._kept = self._kept, None
        if kept is None:
            return None, False
        kept_program, process = kept
        if not _too_old(process) and process.alive():
            if kept_program == program:
                return process, True
            if process.recyclable and not self.prewarm:
                if process.recycle():
                    return process, False
            elif process.recyclable:
                with self._lock:
                    self._recycling += 1
                threading.Thread(target=self._recycle_into_spare, args=(process,), daemon=True).start()
                return None, False
        _discard(process)
        return None, False

    def _recycle_into_spare(self, process: HarnessProcess) -> None:
        recycled = process.recycle()
        with self._lock:
            self._recycling -= 1
            if not recycled or self._closed:
                previous = process
            else:
                previous, self._spare = self._spare, process
        _discard(previous)

    def _take_spare(self) -> HarnessProcess:
        with self._lock:
            spare, self._spare = self._spare, None
            if self.prewarm and not self._recycling:
                self._spare = self._start(self.limits)
        if spare is None:
            return self._start(self.limits)
        if _too_old(spare) or not spare.alive():
            _discard(spare)
            return self._start(self.limits)
        return spare


def _too_old(process: HarnessProcess) -> bool:
    """Past this age a sandbox is not handed out: its backstop clock leaves too little time."""
    return time.monotonic() - process.started_at > SPARE_MAX_AGE_SECONDS


def _discard(process: HarnessProcess | None) -> None:
    if process is not None:
        process.dispose()
