"""The `docker` command line, as the sandbox uses it: one place that runs it and reports its failures.

The CLI (not the SDK) is used on purpose: an attached `docker run -i` gives the host plain pipes to the
harness, and every step here is what a person would type to check it by hand.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

DOCKER = os.environ.get("MNEMOFORGE_DOCKER", "docker")
"""The docker executable; MNEMOFORGE_DOCKER overrides it (e.g. a full path)."""

CONTAINER_LABEL = "mnemoforge.sandbox"
"""Every sandbox container carries this label (value: host name and pid), so leftovers can be swept."""


class DockerError(RuntimeError):
    """The docker CLI failed; the message is one sentence with the CLI's own last words."""


@dataclass(frozen=True)
class DaemonStatus:
    """Whether a Docker daemon answers, and either its version or why not."""

    reachable: bool
    detail: str


def docker_path() -> str | None:
    return shutil.which(DOCKER)


def run_docker(
    args: Sequence[str], *, input: bytes | None = None, timeout: float = 120.0, check: bool = True
) -> subprocess.CompletedProcess[bytes]:
    """Run `docker ARGS`; raise `DockerError` when it is missing, times out or (with `check`) fails."""
    executable = docker_path()
    if executable is None:
        raise DockerError(f"the {DOCKER!r} command is not installed (install docker.io or Docker Engine)")
    try:
        completed = subprocess.run(
            [executable, *args], input=input, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise DockerError(f"`docker {' '.join(args[:2])}` did not answer within {timeout:.0f} s") from None
    if check and completed.returncode != 0:
        raise DockerError(f"`docker {' '.join(args[:2])}` failed: {last_words(completed.stderr)}")
    return completed


def daemon_status(timeout: float = 10.0) -> DaemonStatus:
    """Ask the daemon for its version: the cheapest call that proves it is reachable and answering."""
    try:
        completed = run_docker(["version", "--format", "{{.Server.Version}}"], timeout=timeout, check=False)
    except DockerError as error:
        return DaemonStatus(False, str(error))
    if completed.returncode != 0:
        return DaemonStatus(False, last_words(completed.stderr) or "docker version failed")
    return DaemonStatus(True, completed.stdout.decode().strip())


def image_exists(tag: str) -> bool:
    return run_docker(["image", "inspect", tag], check=False, timeout=30).returncode == 0


def remove_containers(names: Sequence[str]) -> bool:
    """Kill and remove containers by name or id; ones already gone are fine. Never raises: cleanup
    runs in `finally` blocks, a background thread and at exit; False says the daemon did not answer."""
    if not names:
        return True
    try:
        run_docker(["rm", "--force", "--volumes", *names], check=False, timeout=60)
    except DockerError:
        return False
    return True


def labelled_containers(label: str = CONTAINER_LABEL) -> dict[str, str]:
    """{container id: label value} of every container (running or not) that carries `label`."""
    completed = run_docker(
        [
            "ps",
            "--all",
            "--no-trunc",
            "--filter",
            f"label={label}",
            "--format",
            f'{{{{.ID}}}} {{{{.Label "{label}"}}}}',
        ],
        timeout=30,
    )
    found = {}
    for line in completed.stdout.decode().splitlines():
        container, _, value = line.partition(" ")
        if container:
            found[container] = value
    return found


def last_words(stderr: bytes | str, lines: int = 2) -> str:
    """The last non-empty lines of a tool's stderr, joined: what a one-sentence error should quote."""
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    kept = [line.strip() for line in text.splitlines() if line.strip()]
    return " / ".join(kept[-lines:])
