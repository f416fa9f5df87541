"""No provider key set on the host is visible anywhere inside the sandbox: environment, processes, files."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import uuid
from collections.abc import Iterator

import pytest

from sandbox.docker_backend import docker_session_factory
from sandbox.process_backend import probe_isolation, process_session_factory
from tests.sandbox import attacks
from tests.sandbox.conftest import TEST_LIMITS
from tests.sandbox.helpers import play

KEY_VARIABLES = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "MNEMOFORGE_API_KEY")


@pytest.fixture
def host_secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh key in the host's environment, under every name a provider client reads: in this process
    (so every sandbox started from now on inherits the chance to leak it) and in the starting
    environment of a host process, the way a shell's `export OPENAI_API_KEY=...` puts it there."""
    secret = f"sk-test-secret-{uuid.uuid4().hex}"
    for name in KEY_VARIABLES:
        monkeypatch.setenv(name, secret)
    holder = subprocess.Popen(["sleep", "300"], env=dict(os.environ))
    yield secret
    holder.kill()
    holder.wait()


def test_no_host_key_is_visible_anywhere_in_the_docker_sandbox(sandbox_image: str, host_secret: str) -> None:
    # A factory made after the key was set: its containers start from this very environment. The hunt
    # reads the environment, every /proc/*/environ and cmdline, and every file in the container.
    limits = dataclasses.replace(TEST_LIMITS, operation_seconds=120.0)
    factory = docker_session_factory(limits, image=sandbox_image, prewarm=False)
    outcome = play(factory, attacks.SECRET_HUNT, query=host_secret)
    assert outcome.failure is None, outcome.failure
    assert outcome.result is not None
    found = json.loads(outcome.result)
    assert found["files_scanned"] > 1000, found  # the hunt really searched the filesystem
    assert found["hits"] == []


def test_no_host_key_is_visible_in_the_process_sandbox_environment(
    host_secret: str, request: pytest.FixtureRequest
) -> None:
    # The process backend shares the host's files (a documented weakness), so only what it does
    # control is hunted: its environment and every process it can see.
    isolation = probe_isolation()
    if not (isolation.pid_namespace or isolation.unprivileged_uid):
        reason = "process backend: as the host's user, without a PID namespace, it reads /proc/<pid>/environ"
        request.applymarker(pytest.mark.xfail(reason=reason, strict=True))
    factory = process_session_factory(TEST_LIMITS, prewarm=False)
    outcome = play(factory, attacks.PROCESS_SECRET_HUNT, query=host_secret)
    assert outcome.failure is None, outcome.failure
    assert outcome.result is not None
    assert json.loads(outcome.result)["hits"] == []
