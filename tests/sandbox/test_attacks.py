"""The adversarial suite: every attack is contained, recorded with the right reason, and harms nothing after.

Each test runs against the Docker backend and the process backend. Where the process backend cannot
contain an attack, the test is a strict expected failure whose reason says why (docs/sandbox.md lists
them); a strict xfail that starts passing fails the suite, so the list stays true.
"""

from __future__ import annotations

import os
import socket
import stat
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from evolve.llm_setup import open_model_access
from providers.config import LLMSettings
from sandbox.docker_backend import docker_session_factory
from sandbox.factory import SandboxSessionFactory
from sandbox.session import Capabilities, FailureReason, ProgramFailure
from tests.providers.fake_llm_server import FakeLLMServer, Fault
from tests.sandbox import attacks
from tests.sandbox.conftest import SHORT_TIMEOUT, TEST_LIMITS, Backend, factory_like
from tests.sandbox.helpers import (
    assert_unaffected,
    host_processes_with,
    kill_processes_with,
    play,
    process_cannot,
    process_cannot_risk,
    tiny_embed,
)

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


def _rlimited(backend: Backend) -> bool:
    return backend.isolation is None or backend.isolation.rlimits


def test_fork_bomb_hits_the_process_limit(backend: Backend) -> None:
    bound = backend.isolation is None or (backend.isolation.unprivileged_uid and backend.isolation.rlimits)
    process_cannot_risk(backend, "RLIMIT_NPROC binds only an unprivileged uid", when=not bound)
    outcome = play(backend.factory, attacks.FORK_BOMB)
    assert outcome.reason is FailureReason.PROCESSES, outcome.failure
    assert_unaffected(backend)


def test_memory_bomb_is_stopped_at_the_memory_limit(backend: Backend) -> None:
    process_cannot_risk(backend, "no prlimit, no address-space limit", when=not _rlimited(backend))
    outcome = play(backend.factory, attacks.MEMORY_BOMB)
    assert outcome.reason is FailureReason.MEMORY, outcome.failure
    assert_unaffected(backend)


@pytest.mark.parametrize(
    ("source", "operation"),
    [(attacks.ENDLESS_WRITE, "write"), (attacks.ENDLESS_READ, "read"), (attacks.SLEEPER, "write")],
    ids=["endless-write", "endless-read", "sleeps-past-timeout"],
)
def test_an_operation_past_its_timeout_is_killed(
    backend: Backend, source: str, operation: str, sandbox_image_or_none: str | None
) -> None:
    factory = factory_like(backend, sandbox_image_or_none, operation_seconds=SHORT_TIMEOUT)
    started = time.monotonic()
    outcome = play(factory, source)
    assert outcome.reason is FailureReason.TIMEOUT, outcome.failure
    assert outcome.message == f"{operation} did not finish within {SHORT_TIMEOUT:g} s"
    assert time.monotonic() - started < SHORT_TIMEOUT + 20  # the start, the kill, the removal
    assert_unaffected(backend)


def test_a_session_past_its_wall_time_is_killed(backend: Backend, sandbox_image_or_none: str | None) -> None:
    factory = factory_like(backend, sandbox_image_or_none, session_seconds=4.0)
    outcome = play(factory, attacks.SLOW_OPERATIONS, writes=5)
    assert outcome.reason is FailureReason.WALL_TIME, outcome.failure
    assert "wall time" in outcome.message
    assert_unaffected(backend)


@pytest.mark.parametrize(
    ("source", "what"),
    [(attacks.HUGE_READ, "in one message"), (attacks.LONG_READ, "150,000 characters")],
    ids=["20MB-read", "150k-chars-read"],
)
def test_a_huge_read_result_is_an_output_limit_failure(backend: Backend, source: str, what: str) -> None:
    outcome = play(backend.factory, source)
    assert outcome.reason is FailureReason.OUTPUT_LIMIT, outcome.failure
    assert what in outcome.message
    assert_unaffected(backend)


@pytest.mark.parametrize(
    "source",
    [attacks.FLOOD_STDOUT, attacks.FLOOD_STDERR, attacks.FLOOD_FD1, attacks.PRINT_THEN_FLOOD],
    ids=["print", "stderr", "os.write(1)", "write-prints-then-read-floods"],
)
def test_flooding_output_is_an_output_limit_failure(backend: Backend, source: str) -> None:
    outcome = play(backend.factory, source)
    assert outcome.reason is FailureReason.OUTPUT_LIMIT, outcome.failure
    assert "printed more than" in outcome.message
    assert outcome.logs and len(outcome.logs) <= 200 and all(len(line) < 600 for line in outcome.logs)
    assert_unaffected(backend)


def test_a_program_printing_forever_from_a_thread_cannot_hold_the_host(backend: Backend) -> None:
    """Its threads print on after write() returns, faster than the host can take the lines in. The host
    reads what came with the reply only up to the output cap and fails the program there, instead of
    reading for as long as the program prints. Through a direct pipe (the process backend) the output
    is there with the reply, so write() itself fails. Through Docker's attach path the daemon paces
    it: the host may see less than the cap in each operation (then nothing fails), or the cap is
    passed in write() or read(); either way the host is not held."""
    session = backend.factory(attacks.PRINTING_THREAD, Capabilities(embed=tiny_embed))
    failures: list[ProgramFailure] = []

    def write_then_read() -> None:
        try:
            session.write({"text": "x"}, "x")
            session.read({"text": "?"})
        except ProgramFailure as failure:
            failures.append(failure)

    worker = threading.Thread(target=write_then_read, daemon=True)
    worker.start()
    worker.join(timeout=TEST_LIMITS.operation_seconds)
    held = worker.is_alive()
    if held:
        session._process.kill()  # let the host go, so that this failure does not hold the suite too
        worker.join(timeout=30)
    session.close()
    assert not held, (
        f"the host was still reading the program's output after {TEST_LIMITS.operation_seconds:g} s"
    )
    if backend.name == "process":
        assert failures, "more than the cap was in the pipe with the reply, yet write() did not fail"
    assert all(failure.reason is FailureReason.OUTPUT_LIMIT for failure in failures), failures
    operations = ("write",) if backend.name == "process" else ("write", "read")
    limit = f"printed more than {TEST_LIMITS.max_output_bytes:,} bytes during"
    assert all(any(f.message.endswith(f"{limit} {op}") for op in operations) for f in failures), failures
    assert all(len(failure.logs) <= 200 for failure in failures)
    assert_unaffected(backend)


def test_printed_forged_replies_land_in_the_logs_not_the_protocol(backend: Backend) -> None:
    outcome = play(backend.factory, attacks.FORGED_PRINTS)
    assert outcome.failure is None, outcome.failure
    assert outcome.result == "genuine"
    forged_lines = [line for line in outcome.logs if "FORGED" in line]
    assert len(forged_lines) == 4, outcome.logs  # print, sys.__stdout__, os.write(1), a child's print
    assert all(line.startswith("[output] ") for line in forged_lines)


def test_what_a_program_prints_before_its_reply_is_logged_with_that_operation(backend: Backend) -> None:
    assert_output_stays_with_its_operation(backend.factory)


def test_with_the_stdio_channel_too_output_stays_with_its_operation(
    sandbox_image: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Output and replies then come by one attach stream, whose stdout and stderr the daemon relays
    apart: the harness marks where each operation's output ends (as with DOCKER_HOST=tcp://...)."""
    monkeypatch.setenv("MNEMOFORGE_DOCKER_CHANNEL", "stdio")
    factory = docker_session_factory(TEST_LIMITS, image=sandbox_image, prewarm=False, reuse=False)
    assert_output_stays_with_its_operation(factory)
    forged = play(factory, attacks.FORGED_OUTPUT_END)  # muddles its own logs at most
    assert forged.result == "answered", forged.failure
    assert "[output] after the forged mark" in forged.logs and "[output] no newline" in forged.logs
    assert not any("output-end" in line for line in forged.logs), forged.logs


def assert_output_stays_with_its_operation(factory: SandboxSessionFactory) -> None:
    """Forty reads, each printing 151 lines just before it returns: each read's logs hold its own."""
    session = factory(attacks.PRINTS_THEN_ANSWERS, Capabilities(embed=tiny_embed))
    try:
        session.write({"text": "stored"}, "stored")
        for read in range(1, 41):
            assert session.read({"text": "?"})[0] == "answered"
            logs = session.drain_logs()
            assert logs[-1] == f"[output] last of read {read}", logs[-3:]
            assert len(logs) == 151 and all(f"of read {read}" in line for line in logs)
    finally:
        session.close()


def test_a_reply_forged_on_the_private_channel_is_a_protocol_failure(backend: Backend) -> None:
    outcome = play(backend.factory, attacks.FORGED_ON_EVERY_FD)
    assert outcome.reason is FailureReason.PROTOCOL, outcome.failure
    assert outcome.result is None
    assert_unaffected(backend)


def test_the_program_cannot_read_the_protocol_input(backend: Backend) -> None:
    outcome = play(backend.factory, attacks.STDIN_THIEF)
    assert outcome.result == "stdin: ''"


@pytest.fixture
def loopback_listener() -> Iterator[socket.socket]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.5)
    yield listener
    listener.close()


def test_network_connections_fail_loopback_included(
    backend: Backend, request: pytest.FixtureRequest, loopback_listener: socket.socket
) -> None:
    isolated = backend.isolation is None or backend.isolation.network_namespace
    process_cannot(request, backend, "no network namespace (unshare unavailable)", when=not isolated)
    host, port = loopback_listener.getsockname()
    outcome = play(backend.factory, attacks.NETWORK, query=f"{host}:{port}")
    assert outcome.failure is None, outcome.failure
    assert outcome.result is not None and "connected" not in outcome.result, outcome.result
    with pytest.raises(TimeoutError):
        loopback_listener.accept()


@pytest.fixture
def world_readable_secret() -> Iterator[tuple[Path, str]]:
    """A key in a world-readable file outside any private directory, like a project's .env."""
    secret = f"sk-test-secret-{uuid.uuid4().hex}"
    directory = Path(tempfile.mkdtemp(prefix="mnemoforge-hostfile-"))
    directory.chmod(0o755)
    path = directory / ".env"
    path.write_text(f"OPENAI_API_KEY={secret}\n")
    path.chmod(stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IROTH)
    yield path, secret
    path.unlink()
    directory.rmdir()


def test_host_files_are_out_of_reach(
    backend: Backend, request: pytest.FixtureRequest, world_readable_secret: tuple[Path, str]
) -> None:
    process_cannot(request, backend, "it shares the host filesystem: world-readable files are readable")
    path, secret = world_readable_secret
    targets = [str(path), "/etc/shadow", "/root/.bashrc", f"/proc/{os.getpid()}/environ"]
    outcome = play(backend.factory, attacks.HOST_FILES, query="|".join(targets))
    assert outcome.failure is None, outcome.failure
    assert outcome.result is not None and secret not in outcome.result, outcome.result
    assert "root:" not in outcome.result


def test_nothing_outside_tmp_is_writable(backend: Backend, request: pytest.FixtureRequest) -> None:
    process_cannot(
        request, backend, "no read-only root: world-writable host directories (/var/tmp, /dev/shm)"
    )
    outcome = play(backend.factory, attacks.WRITE_OUTSIDE_TMP)
    assert outcome.result == "written: ", outcome.result


def test_filling_tmp_stops_at_its_size_cap(backend: Backend, request: pytest.FixtureRequest) -> None:
    process_cannot(request, backend, "files are capped one by one (RLIMIT_FSIZE), not in total")
    outcome = play(backend.factory, attacks.FILL_TMP)
    assert outcome.reason is FailureReason.DISK, outcome.result or outcome.failure
    assert_unaffected(backend)


def test_one_file_larger_than_the_cap_is_a_disk_failure(backend: Backend) -> None:
    process_cannot_risk(backend, "no prlimit, no file-size limit", when=not _rlimited(backend))
    outcome = play(backend.factory, attacks.ONE_HUGE_FILE)
    assert outcome.reason is FailureReason.DISK, outcome.failure
    assert_unaffected(backend)


def test_killing_its_own_harness_is_recorded_as_killed(backend: Backend) -> None:
    outcome = play(backend.factory, attacks.KILL_OWN_HARNESS)
    assert outcome.reason is FailureReason.KILLED, outcome.failure
    assert outcome.message in (
        "the sandbox was killed by signal 9 during write",  # Docker: tini reports 128 + 9
        "the sandbox was killed by SIGKILL during write",
    )
    assert_unaffected(backend)


def test_sys_exit_fails_the_operation_not_the_host(backend: Backend) -> None:
    outcome = play(backend.factory, attacks.SYS_EXIT)
    assert outcome.reason is FailureReason.CRASH
    assert outcome.message == "write raised SystemExit: 3"
    assert_unaffected(backend)


def test_os_exit_is_a_crash(backend: Backend) -> None:
    outcome = play(backend.factory, attacks.OS_EXIT)
    assert outcome.reason is FailureReason.CRASH
    assert outcome.message == "the sandbox exited with status 0 during write"
    assert_unaffected(backend)


def test_a_process_that_outlives_its_operation_dies_with_the_sandbox(
    backend: Backend, request: pytest.FixtureRequest
) -> None:
    contained = backend.isolation is None or backend.isolation.pid_namespace
    process_cannot(
        request, backend, "no PID namespace: a process that calls setsid() escapes", when=not contained
    )
    marker = f"mnemoforge-outlive-{uuid.uuid4().hex}"
    try:
        outcome = play(backend.factory, attacks.OUTLIVING_PROCESS, raw_text=marker)
        assert outcome.failure is None, outcome.failure
        deadline = time.monotonic() + 15
        while host_processes_with(marker) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert host_processes_with(marker) == []
    finally:
        kill_processes_with(marker)


class CountingLLM:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, prompt: str, system: str | None, max_tokens: int) -> str:
        self.calls += 1
        return "an answer"


def test_a_second_llm_call_in_one_operation_is_refused(backend: Backend) -> None:
    llm = CountingLLM()
    outcome = play(backend.factory, attacks.LLM_TWICE, Capabilities(embed=tiny_embed, llm=llm))
    assert outcome.reason is FailureReason.LLM_BUDGET
    assert llm.calls == 1


def test_the_host_enforces_the_llm_budget_when_the_toolkit_is_tampered_with(backend: Backend) -> None:
    llm = CountingLLM()
    outcome = play(backend.factory, attacks.LLM_BUDGET_BYPASS, Capabilities(embed=tiny_embed, llm=llm))
    assert outcome.reason is FailureReason.LLM_BUDGET
    assert outcome.message == "the LLM budget of 1 call(s) per write/read is spent"
    assert llm.calls == 1
    assert_unaffected(backend)


def test_llm_without_a_configured_llm_is_llm_unavailable(backend: Backend) -> None:
    outcome = play(backend.factory, attacks.LLM_UNAVAILABLE)
    assert outcome.reason is FailureReason.LLM_UNAVAILABLE


@pytest.mark.parametrize("program", ["no offline path", "offline path"])
def test_a_model_outage_is_llm_unavailable_not_the_programs_crash(
    backend: Backend, program: str, tmp_path: Path
) -> None:
    with FakeLLMServer() as server:
        settings = LLMSettings(api_key="sk-test", max_attempts=1, cache=False)
        access = open_model_access(f"openai-compatible:{server.openai_url}:fake-model", settings)
        server.script(Fault(status=503, message="the model is down"))
        capabilities = Capabilities(embed=tiny_embed, llm=access.toolkit_llm)
        if program == "no offline path":
            outcome = play(backend.factory, attacks.LLM_UNAVAILABLE, capabilities)
            assert outcome.reason is FailureReason.LLM_UNAVAILABLE
            assert "the host's model failed" in outcome.message and "503" in outcome.message
        else:
            outcome = play(backend.factory, attacks.LLM_WITH_OFFLINE_PATH, capabilities)
            assert outcome.failure is None and outcome.result == "offline: hello world"
    assert_unaffected(backend)


def test_a_non_string_read_is_wrong_type(backend: Backend) -> None:
    outcome = play(backend.factory, attacks.WRONG_TYPE)
    assert outcome.reason is FailureReason.WRONG_TYPE
    assert outcome.message == "read() returned int, not str"


def test_a_crash_keeps_its_message_and_traceback(backend: Backend) -> None:
    outcome = play(backend.factory, attacks.CRASH)
    assert outcome.reason is FailureReason.CRASH
    assert outcome.message == "write raised ValueError: the program is broken"
    assert any("ValueError" in line for line in outcome.logs)


def test_a_program_breaking_the_contract_is_a_contract_failure(backend: Backend) -> None:
    outcome = play(backend.factory, "KnowledgeBase = 1\n")
    assert outcome.reason is FailureReason.CONTRACT
    assert "INSTRUCTION_KNOWLEDGE_ITEM" in outcome.message


def test_the_stdio_channel_for_remote_daemons_contains_forgeries_too(
    sandbox_image: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MNEMOFORGE_DOCKER_CHANNEL", "stdio")  # as with DOCKER_HOST=tcp://...
    factory = docker_session_factory(TEST_LIMITS, image=sandbox_image, prewarm=False, reuse=False)
    printed = play(factory, attacks.FORGED_PRINTS)
    assert printed.result == "genuine" and sum("FORGED" in line for line in printed.logs) == 4
    assert play(factory, attacks.FORGED_ON_EVERY_FD).reason is FailureReason.PROTOCOL
