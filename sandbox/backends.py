"""Choosing a sandbox: `make_session_factory("docker" | "process" | "inprocess" | "auto", limits)`.

- `docker` (the real one): each program in a container no program has used or one its supervisor
  swept clean (`sandbox.supervisor`); fails with `SandboxUnavailable` when no daemon answers or the
  image cannot be built.
- `process`: a fresh rlimited subprocess per program; weaker, and `warn` is told how.
- `inprocess`: no isolation at all, for trusted programs (the seeds, tests); the reference behaviour.
- `auto`: `docker` when a daemon answers, else `process` (with the warning).

Call `close_factory(factory)` when done with it: sandboxed factories keep a spare sandbox started
(interpreter exit removes it too). A process killed before it could close its factory (a Ray worker at
shutdown) leaves its containers behind: `sweep_orphaned_sandboxes()` removes them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Literal

from sandbox import docker_api
from sandbox.cleanup import sweep_leftovers
from sandbox.docker_backend import docker_session_factory
from sandbox.factory import SandboxSessionFactory
from sandbox.image import ImageBuildError
from sandbox.limits import SandboxLimits
from sandbox.process_backend import probe_isolation, process_session_factory
from sandbox.session import InProcessSession, SessionFactory

__all__ = [
    "BACKENDS",
    "SandboxLimits",
    "SandboxUnavailable",
    "close_factory",
    "make_session_factory",
    "sweep_orphaned_sandboxes",
]

BackendName = Literal["docker", "process", "inprocess", "auto"]
BACKENDS: tuple[str, ...] = ("docker", "process", "inprocess", "auto")
_log = logging.getLogger("mnemoforge.sandbox")


class SandboxUnavailable(RuntimeError):
    """The chosen sandbox cannot run here; the message is one sentence saying what to do."""


def make_session_factory(
    name: str = "auto",
    limits: SandboxLimits | None = None,
    warn: Callable[[str], None] | None = None,
) -> SessionFactory:
    """The session factory of backend `name`; `warn` receives one sentence when isolation is weaker."""
    say = warn or _log.warning
    if name not in BACKENDS:
        raise SandboxUnavailable(f"unknown sandbox {name!r}; choose one of {', '.join(BACKENDS)}")
    if name == "inprocess":
        say("--sandbox inprocess runs the program in this process with no isolation: only for trusted code")
        return InProcessSession
    if name == "auto":
        status = docker_api.daemon_status()
        if status.reachable:
            name = "docker"
        else:
            say(f"no Docker daemon is reachable ({status.detail}); using the weaker process sandbox")
            name = "process"
    if name == "docker":
        try:
            return docker_session_factory(limits)
        except (docker_api.DockerError, ImageBuildError) as error:
            raise SandboxUnavailable(
                f"the Docker sandbox cannot run: {error}; fix that, or choose --sandbox process"
            ) from None
    weaknesses = probe_isolation().weaknesses()
    say("the process sandbox is weaker than Docker: " + "; ".join(weaknesses))
    return process_session_factory(limits)


def close_factory(factory: SessionFactory) -> None:
    """Stop a factory's spare sandbox, if it keeps one (in-process factories keep nothing)."""
    if isinstance(factory, SandboxSessionFactory):
        factory.close()


def sweep_orphaned_sandboxes(name: str, owners: Iterable[int] = ()) -> None:
    """Remove this machine's sandbox containers whose owning process is gone, for backend `name`, once
    the processes `owners` have ended.

    Ray kills its worker processes at shutdown without running their exit handlers, so the containers
    their factories kept (a spare, a recycled one) outlive them; the driver calls this after shutdown,
    with the workers' pids, which may take a moment to end. Process sandboxes need nothing: they exit
    when their host's end of the pipe closes.
    """
    if name in ("docker", "auto") and docker_api.daemon_status().reachable:
        sweep_leftovers(wait_for=owners)
