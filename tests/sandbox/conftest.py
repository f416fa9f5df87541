"""Fixtures of the sandbox suite: the real image (built once per session), and factories with short limits.

Docker is required: without a reachable daemon the suite fails with a clear message, because a sandbox
suite that silently skips protects nothing. Set MNEMOFORGE_SKIP_DOCKER=1 to skip the Docker half
explicitly (the process backend's tests still run).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from sandbox import docker_api
from sandbox.docker_backend import docker_session_factory
from sandbox.factory import SandboxSessionFactory
from sandbox.image import ensure_image
from sandbox.limits import SandboxLimits
from sandbox.process_backend import ProcessIsolation, probe_isolation, process_session_factory

TEST_LIMITS = SandboxLimits(
    operation_seconds=30.0,
    session_seconds=120.0,
    start_seconds=60.0,
    memory_mb=384,
    pids=32,
    tmpfs_mb=16,
    max_output_bytes=256 << 10,
    max_message_bytes=4 << 20,
)
"""Small caps keep the attacks quick; every limit is still a hard one. The operation timeout is generous so
that an attack meets the limit it aims at even on a busy machine; the timeout tests use `SHORT_TIMEOUT`."""
SHORT_TIMEOUT = 2.0


@dataclass(frozen=True)
class Backend:
    name: str
    factory: SandboxSessionFactory
    isolation: ProcessIsolation | None = None
    """For the process backend: what it achieves on this machine (decides its expected failures)."""


@pytest.fixture(scope="session")
def sandbox_image() -> str:
    if os.environ.get("MNEMOFORGE_SKIP_DOCKER") == "1":
        pytest.skip("MNEMOFORGE_SKIP_DOCKER=1: the Docker sandbox is not tested in this run")
    status = docker_api.daemon_status()
    assert status.reachable, (
        f"the sandbox tests need a Docker daemon and none is reachable ({status.detail}): install docker.io "
        "and start dockerd, or set MNEMOFORGE_SKIP_DOCKER=1 to skip the Docker tests on purpose"
    )
    return ensure_image()


@pytest.fixture(scope="session")
def docker_factory(sandbox_image: str) -> Iterator[SandboxSessionFactory]:
    factory = docker_session_factory(TEST_LIMITS, image=sandbox_image)
    yield factory
    factory.close()


@pytest.fixture(scope="session")
def process_factory() -> Iterator[SandboxSessionFactory]:
    factory = process_session_factory(TEST_LIMITS)
    yield factory
    factory.close()


@pytest.fixture(scope="session", params=["docker", "process"])
def backend(request: pytest.FixtureRequest) -> Backend:
    if request.param == "docker":
        return Backend("docker", request.getfixturevalue("docker_factory"))
    return Backend("process", request.getfixturevalue("process_factory"), probe_isolation())


def factory_like(
    backend: Backend, image: str | None, reuse: bool = False, **changes: float
) -> SandboxSessionFactory:
    """A factory of `backend`'s kind, without a spare (its sandboxes start when asked for), with some
    limits changed."""
    limits = dataclasses.replace(TEST_LIMITS, **changes)
    if backend.name == "docker":
        return docker_session_factory(limits, image=image, prewarm=False, reuse=reuse)
    return process_session_factory(limits, prewarm=False, reuse=reuse)


@pytest.fixture(scope="session")
def sandbox_image_or_none(request: pytest.FixtureRequest) -> str | None:
    """The image for tests that make their own Docker factory; None when only the process backend runs."""
    if os.environ.get("MNEMOFORGE_SKIP_DOCKER") == "1":
        return None
    return request.getfixturevalue("sandbox_image")
