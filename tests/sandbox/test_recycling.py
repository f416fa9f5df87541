"""A Docker container recycled for another program: as clean as a fresh one, or not used again.

A container costs more CPU to create than a short evaluation takes, so a container whose program ended
cleanly serves the next program too, after its supervisor swept it (see `sandbox.supervisor`). These
tests attack that sweep: a program that disarms the harness's own clean-up and leaves a forging,
flooding process, locked files and a message queue behind, and goes for the supervisor itself; one that
leaves System V shared memory.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator

import pytest

from sandbox.docker_backend import docker_session_factory
from sandbox.factory import SandboxSessionFactory
from sandbox.remote import RemoteSession
from sandbox.session import Capabilities
from tests.sandbox import attacks
from tests.sandbox.conftest import TEST_LIMITS
from tests.sandbox.helpers import play, tiny_embed


@pytest.fixture
def factory(sandbox_image: str) -> Iterator[SandboxSessionFactory]:
    """A Docker factory of its own, so that the container kept by one test is not another test's."""
    made = docker_session_factory(TEST_LIMITS, image=sandbox_image, prewarm=False)
    yield made
    made.close()


def start(factory: SandboxSessionFactory, source: str) -> RemoteSession:
    return factory(source, Capabilities(embed=tiny_embed))


def report(factory: SandboxSessionFactory) -> tuple[RemoteSession, dict, list[str]]:
    """Run the reporter in the factory's next sandbox: what it sees, and the logs it got."""
    session = start(factory, attacks.REPORTER)
    session.write({"text": "mine"}, "mine")
    seen = json.loads(session.read({"text": "?"})[0])
    logs = session.drain_logs()
    session.close()
    return session, seen, logs


def test_a_polluted_container_is_recycled_with_nothing_of_the_old_program_left(
    factory: SandboxSessionFactory,
) -> None:
    marker = f"pollution-{uuid.uuid4().hex}"
    polluter = start(factory, attacks.POLLUTER)
    polluter.write({"text": marker}, marker)
    assert polluter.read({"text": "?"})[0].splitlines() == ["queue", "the supervisor is out of reach"]
    polluter.close()
    time.sleep(1.0)  # the forger fills the FIFOs and the output meanwhile

    session, seen, logs = report(factory)

    assert session._process is polluter._process  # recycled, not a new container...
    assert seen["texts"] == ["mine"]  # ...whose answers are the new program's own
    assert seen["tmp"] == [] and seen["mqueue"] == []
    assert not any(marker in command or "POLLUTION" in command for command in seen["processes"])
    assert not any("POLLUTION" in line for line in logs)


def test_a_container_whose_output_is_flooded_to_the_last_is_recycled(factory: SandboxSessionFactory) -> None:
    flooder = start(factory, attacks.FLOOD_LEFT_BEHIND)
    flooder.write({"text": "x"}, "x")
    flooder.close()
    time.sleep(1.0)  # the pipe of the program's output (64 KB) is full long before this

    session, seen, logs = report(factory)

    assert session._process is flooder._process
    assert seen["texts"] == ["mine"] and not any("FFFF" in line for line in logs)


def test_a_container_with_shared_memory_left_in_it_is_not_recycled(factory: SandboxSessionFactory) -> None:
    squatter = start(factory, attacks.SYSV_SQUATTER)
    squatter.write({"text": "x"}, "x")
    assert squatter.read({"text": "?"})[0] == "segment"
    squatter.close()

    session, seen, _ = report(factory)

    assert session._process is not squatter._process
    assert seen["texts"] == ["mine"]


def test_recycled_and_fresh_containers_give_the_same_results(factory: SandboxSessionFactory) -> None:
    fresh = play(factory, attacks.BENIGN, raw_text="first program")
    recycled = play(factory, attacks.STATEFUL.replace("SEEN = []", "SEEN = [None]"), raw_text="second")
    again = play(factory, attacks.BENIGN, raw_text="first program")
    assert fresh.failure is None and recycled.failure is None and again.failure is None
    assert again.result == fresh.result == "first program"
    state = json.loads(recycled.result or "{}")
    assert state["seen"] == 2 and state["tmp"] == ["leftover"]


def test_with_a_spare_the_next_program_starts_at_once_and_containers_are_not_churned(
    sandbox_image: str,
) -> None:
    """A different program takes the warm spare; the kept container is recycled meanwhile and becomes
    the next spare. So a series of programs alternates between two containers."""
    factory = docker_session_factory(TEST_LIMITS, image=sandbox_image, prewarm=True)
    try:
        containers = set()
        for number in range(5):
            outcome = play(factory, attacks.BENIGN, raw_text=f"program {number}")
            assert outcome.failure is None and outcome.result == f"program {number}"
            session = start(factory, attacks.REPORTER)  # a different program each time
            containers.add(session._process.name)
            session.close()
            time.sleep(0.5)  # the recycling in the background
        assert len(containers) <= 2
    finally:
        factory.close()
