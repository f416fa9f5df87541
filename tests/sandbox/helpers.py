"""Running one program through a sandbox and checking what it left behind."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from docker.errors import NotFound

from sandbox import docker_api
from sandbox.docker_backend import ContainerProcess
from sandbox.factory import SandboxSessionFactory
from sandbox.process_backend import ProcessHarness
from sandbox.session import Capabilities, FailureReason, ProgramFailure
from tests.sandbox import attacks
from tests.sandbox.conftest import Backend


def tiny_embed(texts: list[str]) -> list[list[float]]:
    return [[float(len(text)), 1.0] for text in texts]


@dataclass
class Outcome:
    """What one session of a program ended with: a read result, or a failure with its reason and logs."""

    result: str | None = None
    failure: ProgramFailure | None = None
    logs: list[str] = field(default_factory=list)

    @property
    def reason(self) -> FailureReason | None:
        return self.failure.reason if self.failure else None

    @property
    def message(self) -> str:
        return self.failure.message if self.failure else ""


def play(
    factory: SandboxSessionFactory,
    source: str,
    capabilities: Capabilities | None = None,
    raw_text: str = "hello world",
    query: str = "what?",
    writes: int = 1,
) -> Outcome:
    """Write `writes` times, read once, close; after a failure, check that the sandbox is gone."""
    session = None
    outcome = Outcome()
    try:
        session = factory(source, capabilities or Capabilities(embed=tiny_embed))
        for _ in range(writes):
            session.write({"text": raw_text}, raw_text)
        outcome.result, _ = session.read({"text": query})
        outcome.logs = session.drain_logs()
    except ProgramFailure as failure:
        outcome.failure, outcome.logs = failure, failure.logs
    finally:
        if session is not None:
            session.close()
            if outcome.failure is not None:
                assert_gone(session._process)
    return outcome


def assert_gone(process: Any, within: float = 20.0) -> None:
    """The sandbox of a closed session no longer exists: no container, no process group."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not _exists(process):
            return
        time.sleep(0.1)
    pytest.fail(f"the sandbox {process!r} still exists {within:.0f} s after its session closed")


def _exists(process: Any) -> bool:
    if isinstance(process, ContainerProcess):
        try:
            docker_api.api().inspect_container(process.name)
        except NotFound:
            return False
        return True
    assert isinstance(process, ProcessHarness)
    try:
        os.killpg(process.popen.pid, 0)
    except ProcessLookupError:
        return process.directory.exists()
    return True


def assert_unaffected(backend: Backend) -> None:
    """The next evaluation on the same factory works normally."""
    outcome = play(backend.factory, attacks.BENIGN, raw_text="the next program runs normally")
    assert outcome.failure is None, outcome.failure
    assert outcome.result == "the next program runs normally"


def process_cannot(request: pytest.FixtureRequest, backend: Backend, why: str, when: bool = True) -> None:
    """Mark this test an expected (strict) failure on the process backend, saying what it cannot contain."""
    if backend.name == "process" and when:
        request.applymarker(pytest.mark.xfail(reason=f"process backend: {why}", strict=True))


def process_cannot_risk(backend: Backend, why: str, when: bool) -> None:
    """On a process backend that cannot contain this attack, do not even launch it (it would harm the
    machine: a fork bomb without a process limit, a memory bomb without an address-space limit)."""
    if backend.name == "process" and when:
        pytest.xfail(f"process backend: {why} (not attempted)")


def host_processes_with(marker: str) -> list[str]:
    """'PID command line' of every host process whose command line holds `marker` (read from /proc,
    in full: `ps` may cut long command lines)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                command = (
                    Path(f"/proc/{entry}/cmdline")
                    .read_bytes()
                    .replace(b"\0", b" ")
                    .decode("utf-8", "replace")
                )
            except OSError:
                continue
            if marker in command:
                found.append(f"{entry} {command}")
    return found


def started_processes_with(marker: str, within: float = 10.0) -> list[str]:
    """`host_processes_with(marker)` once it finds something, waiting up to `within` seconds: a process a
    program has just started may not show its command line yet. Python's `subprocess` returns once the
    child's `execve` has released the parent (vfork), and the kernel sets the new command line a moment
    later; under load that moment is long enough for a single look at /proc to miss it."""
    deadline = time.monotonic() + within
    while not (found := host_processes_with(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def kill_processes_with(marker: str) -> None:
    """Clean up after a failed containment test, so one failure does not leak into the machine."""
    for line in host_processes_with(marker):
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(line.split()[0]), signal.SIGKILL)
