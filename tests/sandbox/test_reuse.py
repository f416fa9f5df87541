"""One sandbox per program, not per conversation: what a reused sandbox must and must not carry over."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest

from sandbox.factory import SandboxSessionFactory
from sandbox.remote import RemoteSession
from sandbox.session import Capabilities, FailureReason, ProgramFailure
from tests.sandbox import attacks
from tests.sandbox.conftest import Backend, factory_like
from tests.sandbox.helpers import (
    host_processes_with,
    kill_processes_with,
    play,
    started_processes_with,
    tiny_embed,
)


def start(factory: SandboxSessionFactory, source: str) -> RemoteSession:
    return factory(source, Capabilities(embed=tiny_embed))


@pytest.fixture
def factory(backend: Backend, sandbox_image_or_none: str | None) -> Iterator[SandboxSessionFactory]:
    """A factory of its own, so that every sandbox here is young (an old one is never reused)."""
    made = factory_like(backend, sandbox_image_or_none, reuse=True)
    yield made
    made.close()


def test_the_next_session_of_a_program_reuses_its_sandbox_with_nothing_left_over(
    factory: SandboxSessionFactory,
) -> None:
    if not factory.reuse:
        pytest.skip("without a PID namespace the process backend never reuses a sandbox")
    marker = f"mnemoforge-leftover-{uuid.uuid4().hex}"
    try:
        first = start(factory, attacks.STATEFUL)
        first.write({"text": marker}, marker)
        state = json.loads(first.read({"text": "?"})[0])
        assert state["seen"] == 1 and state["tmp"] == ["leftover"]
        assert started_processes_with(marker)
        first.close()
        second = start(factory, attacks.STATEFUL)
        assert second._process is first._process  # the same sandbox...
        fresh = json.loads(second.read({"text": "?"})[0])
        second.close()
        assert fresh["seen"] == 0 and fresh["tmp"] == []  # ...with a fresh module and an empty /tmp
        assert host_processes_with(marker) == []  # and the process the first session left is gone
    finally:
        kill_processes_with(marker)


def test_another_program_gets_a_used_sandbox_only_recycled(
    backend: Backend, factory: SandboxSessionFactory
) -> None:
    """A container is recycled by its supervisor (tests/sandbox/test_recycling.py attacks that); a
    process sandbox never serves another program."""
    first = start(factory, attacks.STATEFUL)
    first.close()
    other = start(factory, attacks.BENIGN)
    other.close()
    assert (other._process is first._process) == (backend.name == "docker")


def test_a_program_that_leaves_a_thread_running_gets_a_fresh_sandbox_next_time(
    factory: SandboxSessionFactory,
) -> None:
    assert play(factory, attacks.LINGERING_THREAD).failure is None
    first = start(factory, attacks.LINGERING_THREAD)
    first.write({"text": "x"}, "x")
    first.close()
    second = start(factory, attacks.LINGERING_THREAD)
    second.close()
    assert second._process is not first._process


def test_a_sandbox_is_never_reused_after_a_failure(factory: SandboxSessionFactory) -> None:
    failing = start(factory, attacks.CRASH)
    try:
        failing.write({"text": "x"}, "x")
    except ProgramFailure as failure:
        assert failure.reason is FailureReason.CRASH
    failing.close()
    again = start(factory, attacks.CRASH)
    again.close()
    assert again._process is not failing._process
