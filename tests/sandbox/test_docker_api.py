"""The Docker daemon through the SDK: its failures are one sentence in its own words, and never a crash."""

from __future__ import annotations

import pytest

from sandbox import docker_api
from sandbox.backends import SandboxUnavailable, make_session_factory
from sandbox.cleanup import owner_label
from sandbox.docker_backend import docker_session_factory
from sandbox.session import FailureReason
from tests.sandbox import attacks
from tests.sandbox.conftest import TEST_LIMITS
from tests.sandbox.helpers import play


def test_an_unreachable_daemon_is_one_sentence_naming_where_it_was_looked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    status = docker_api.daemon_status(timeout=3)
    assert not status.reachable
    assert status.detail == (
        "no Docker daemon answers at unix:///nonexistent/docker.sock (No such file or directory)"
    )
    with pytest.raises(
        SandboxUnavailable, match=r"^the Docker sandbox cannot run: no Docker daemon is reach"
    ):
        make_session_factory("docker")


def test_a_container_that_cannot_be_created_is_a_sandbox_failure_that_leaves_nothing(
    sandbox_image: str,
) -> None:
    missing = sandbox_image.rsplit(":", 1)[0] + ":no-such-harness"
    before = mine()
    factory = docker_session_factory(TEST_LIMITS, image=missing, prewarm=False, reuse=False)
    try:
        outcome = play(factory, attacks.BENIGN)
    finally:
        factory.close()
    assert outcome.reason is FailureReason.SANDBOX, outcome.failure
    assert outcome.message.startswith("the sandbox could not be started (starting the container")
    assert f"No such image: {missing}" in outcome.message
    assert mine() - before == set()


def mine() -> set[str]:
    """This process's sandbox containers (other processes on the machine may start theirs meanwhile)."""
    return {
        container for container, owner in docker_api.labelled_containers().items() if owner == owner_label()
    }
