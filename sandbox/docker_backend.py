"""The Docker backend: each program in its own container with no network and hard limits.

The sandbox talks to the daemon through the Docker SDK (`sandbox.docker_api`); no `docker` program is
needed. A container runs the harness under `init` (tini as PID 1) and coreutils `timeout`, which kills
it at a backstop time even if the host dies without cleaning up. The host speaks the protocol over
FIFOs the container mounts (see `ContainerProcess`), reads what the program prints from a third FIFO
beside them (or, with a remote daemon, from the container's attach connection, `sandbox.attach`), and
kills a container by removing it. Containers are removed when the factory lets them go (at a session's
close, or when a kept one is not needed again) and otherwise by `sandbox.cleanup` (at interpreter exit,
on SIGTERM/SIGHUP, and, after a host crash, by the next factory's sweep).

Starting a container takes about half a second and 0.4 core-seconds; `SandboxSessionFactory` keeps one
started ahead, reuses a program's container for its next session, and recycles a container whose
program finished cleanly for the next program: with the FIFO channel the harness runs under
`sandbox.supervisor`, which starts each program's harness afresh as nobody and sweeps the container
clean in between (see there for what a recycled container guarantees).
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import sys
import tempfile
import threading
import time
import uuid
from typing import Any

from docker.types import LogConfig, Ulimit

from sandbox import docker_api
from sandbox.attach import AttachedStreams
from sandbox.cleanup import CHANNEL_PREFIX, REAPER, install_cleanup_handlers, owner_label, sweep_leftovers
from sandbox.docker_api import CONTAINER_LABEL, DockerError
from sandbox.factory import SPARE_MAX_AGE_SECONDS, SandboxSessionFactory
from sandbox.image import SANDBOX_USER, ensure_image
from sandbox.limits import SandboxLimits
from sandbox.protocol import (
    CHANNEL_MOUNT,
    CHANNEL_VARIABLE,
    HASH_SEED,
    OUTPUT_END_VARIABLE,
    PYTHON_FLAGS,
    bootstrap_code,
    supervisor_code,
)
from sandbox.session import FailureReason
from sandbox.supervisor import MARKER

_BACKSTOP_MARGIN_SECONDS = 60.0
_COULD_NOT_RUN = {126: "the harness could not be run", 127: "python3 is missing"}
"""Exit statuses of `timeout` (and of the daemon) when the command it was given cannot run."""
_ATTACH_ALL = {"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}


def marks_output_end(channel: str | None, command: list[str] | None) -> bool:
    """Whether the harness marks where each operation's output ends: when it speaks over the attached
    stdin/stdout (no FIFO channel), the daemon relays its stdout and stderr apart, so the host needs the
    mark to tell which output came before which reply. A `command` (a probe) is no harness."""
    return channel is None and command is None


def container_spec(
    image: str, name: str, limits: SandboxLimits, command: list[str] | None = None, channel: str | None = None
) -> dict[str, Any]:
    """The `create_container` arguments of one sandbox; every isolation setting is here, in one place.

    `command` replaces the harness (`mnemoforge sandbox check` runs a probe under the same settings).
    `channel`, a host directory with the protocol FIFOs, is mounted read-only for the harness to speak
    over, and the harness runs under the supervisor, which can recycle the container for another
    program; without it the harness speaks over the attached stdin/stdout and the container serves one
    program. Stdin is open (and closed when the host hangs up) unless a `command` is given.
    """
    binds, environment = {}, [f"PYTHONHASHSEED={HASH_SEED}"]
    if channel is not None:
        binds = {channel: {"bind": CHANNEL_MOUNT, "mode": "ro"}}
        environment.append(f"{CHANNEL_VARIABLE}={CHANNEL_MOUNT}")
    if marks_output_end(channel, command):
        environment.append(f"{OUTPUT_END_VARIABLE}=1")
    # The supervisor (root with CAP_SETUID/CAP_SETGID only) talks to the host over the attached stdio.
    supervised = channel is not None and command is None
    stdin_open = command is None
    user, cap_add = SANDBOX_USER, None
    if supervised:
        user, cap_add = "0:0", ["SETUID", "SETGID"]
        command = ["python3", *PYTHON_FLAGS, "-c", supervisor_code()]
    backstop = limits.session_seconds + SPARE_MAX_AGE_SECONDS + _BACKSTOP_MARGIN_SECONDS
    host_config = docker_api.api().create_host_config(
        binds=binds, network_mode="none", ipc_mode="none",
        read_only=True, tmpfs={"/tmp": f"rw,nosuid,nodev,noexec,size={limits.tmpfs_mb}m,mode=1777"},
        cap_drop=["ALL"], cap_add=cap_add, security_opt=["no-new-privileges"],
        mem_limit=limits.memory_mb << 20, memswap_limit=limits.memory_mb << 20,
        pids_limit=limits.pids, nano_cpus=round(limits.cpus * 1e9),
        ulimits=[Ulimit(name="nofile", soft=limits.open_files, hard=limits.open_files)],
        oom_score_adj=500, init=True, log_config=LogConfig(type="none"),
    )  # fmt: skip
    return {
        "image": image,
        "name": name,
        "command": [
            "timeout",
            "--signal=KILL",
            f"{backstop:.0f}",
            *(command or ["python3", *PYTHON_FLAGS, "-c", bootstrap_code()]),
        ],
        "user": user,
        "hostname": "sandbox",
        "working_dir": "/tmp",
        "environment": environment,
        "labels": {CONTAINER_LABEL: owner_label()},
        "stdin_open": stdin_open,
        "host_config": host_config,
    }


def start_container(spec: dict[str, Any], streams: AttachedStreams) -> None:
    """Create the container of `spec`, attach `streams` to it, then start it (attached first, so that
    nothing it prints is missed). Raises `DockerError` after removing what was created."""
    client = docker_api.api()
    try:
        with docker_api.translated(f"starting the container {spec['name']}"):
            client.create_container(**spec)
            params = _ATTACH_ALL if spec["stdin_open"] else {"stdout": 1, "stderr": 1, "stream": 1}
            streams.attach(client.attach_socket(spec["name"], params))
            client.start(spec["name"])
    except DockerError:
        docker_api.remove_containers([spec["name"]])
        raise


class ContainerProcess:
    """One started container: a `HarnessProcess` for `RemoteSession`.

    With a local daemon the protocol runs over two FIFOs in a private host directory that only this
    container mounts (read-only), so messages go straight between host and harness: a round trip
    costs tens of microseconds instead of the half millisecond of the attach path (daemon, shim). What
    the program prints takes a third FIFO there, so it keeps its order with the replies.
    The directory's parent is 0700, so no other host user, `nobody` included (the process backend's
    sandboxes), can reach the FIFOs. With a remote daemon (not on a unix socket of this machine), or
    MNEMOFORGE_DOCKER_CHANNEL=stdio, it runs over the attached stdin/stdout, and output over stderr.

    The container is created and started in the background: the session's handshake waits for the
    harness anyway, and the caller (often a session taking the factory's spare, which starts the
    next) need not wait for the daemon. One that could not be created or started is a sandbox that
    ended at once: its channel is closed, and `death()` says why (a `sandbox` failure, which the
    factory retries once).
    """

    def __init__(self, image: str, limits: SandboxLimits) -> None:
        self.name = f"mnemoforge-sbx-{uuid.uuid4().hex[:16]}"
        self.limits = limits
        self.started_at = time.monotonic()
        self._private: str | None = None
        self._start_error: str | None = None
        self._lock = threading.Lock()
        self._disposed = self._starter_done = False
        try:
            channel = self._make_channel() if _fifo_channel_possible() else None
        except DockerError as error:
            channel, self._start_error = None, str(error)
        self.recyclable = channel is not None  # the supervisor runs only with the FIFO channel
        self.marks_output_end = marks_output_end(channel, None)
        self._streams = AttachedStreams(stdin=True)
        if channel is None:
            assert self._streams.stdin_fd is not None
            self.request_fd, self.reply_fd = self._streams.stdin_fd, self._streams.stdout_fd
            self.output_fd = self._streams.stderr_fd
        self._starter = threading.Thread(
            target=self._start, args=(image, channel), name="mnemoforge-container-start", daemon=True
        )
        REAPER.track(self.name, self._private)
        self._starter.start()

    def _start(self, image: str, channel: str | None) -> None:
        """In the background: create, attach and start the container (or fail to), then, if the
        process was disposed of meanwhile, let it go."""
        if self._start_error is None:
            try:
                start_container(container_spec(image, self.name, self.limits, channel=channel), self._streams)
            except DockerError as error:
                self._start_error = str(error)
        if self._start_error is not None:
            self._streams.abandon()
            self._hang_up_replies()
            REAPER.forget(self.name)
        with self._lock:
            self._starter_done = True
            disposed = self._disposed
        if disposed:
            self._let_go()

    def _hang_up_replies(self) -> None:
        """A writer that comes and goes: the host's poll on the replies FIFO then reports end of file
        (which it never does for a FIFO that never had a writer), as when a harness ends."""
        if self._private is not None:
            with contextlib.suppress(OSError):
                os.close(
                    os.open(os.path.join(self._private, "channel", "replies"), os.O_WRONLY | os.O_NONBLOCK)
                )

    def _make_channel(self) -> str:
        """The FIFOs, and the host's ends opened so that neither side ever blocks on opening: replies
        for reading (end of file comes only after the harness has opened and closed it), requests
        read-write (so the harness's read-only open finds a writer at once), output read-write (so it
        never reads as ended: the harness's death shows on replies)."""
        self._private = tempfile.mkdtemp(prefix=f"{CHANNEL_PREFIX}{os.getpid()}-")
        channel = os.path.join(self._private, "channel")
        os.mkdir(channel, 0o755)
        os.chmod(channel, 0o755)
        uid, gid = (int(part) for part in SANDBOX_USER.split(":"))
        for name in ("requests", "replies", "output"):
            path = os.path.join(channel, name)
            os.mkfifo(path, 0o600)
            if os.geteuid() == 0:
                os.chown(path, uid, gid)
            else:
                os.chmod(path, 0o666)  # the 0700 parent keeps every other host user out
        self.reply_fd = os.open(os.path.join(channel, "replies"), os.O_RDONLY | os.O_NONBLOCK)
        self.request_fd = os.open(os.path.join(channel, "requests"), os.O_RDWR | os.O_NONBLOCK)
        self.output_fd = os.open(os.path.join(channel, "output"), os.O_RDWR | os.O_NONBLOCK)
        return channel

    def alive(self) -> bool:
        return self._starter.is_alive() or not self._streams.ended.is_set()

    def kill(self) -> None:
        self._starter.join()  # bounded by the client's timeout: a start is not left half done
        # Hang up first: while its attach connection has unread output, the daemon would hold the
        # container (and its removal) until someone read it.
        self._streams.hang_up()
        if self._start_error is None:
            docker_api.remove_containers([self.name])
        REAPER.forget(self.name)

    def death(self) -> tuple[FailureReason, str]:
        self._starter.join()
        if self._start_error is not None:
            return FailureReason.SANDBOX, f"could not be started ({self._start_error})"
        self._streams.ended.wait(10)
        try:
            with docker_api.translated(f"inspecting the container {self.name}"):
                docker_api.api().wait(self.name, timeout=10)
                state = docker_api.api().inspect_container(self.name)["State"]
        except DockerError as error:
            return FailureReason.SANDBOX, f"ended and could not be inspected ({error})"
        status = int(state.get("ExitCode", -1))
        if state.get("OOMKilled"):
            return (
                FailureReason.MEMORY,
                f"was killed for using more than {self.limits.memory_mb} MB of memory",
            )
        if status in _COULD_NOT_RUN:
            return FailureReason.SANDBOX, f"could not run: {_COULD_NOT_RUN[status]} (status {status})"
        if status > 128:
            return FailureReason.KILLED, f"was killed by signal {status - 128}"
        return FailureReason.CRASH, f"exited with status {status}"

    def recycle(self) -> bool:
        """Make this container new for another program (see `sandbox.supervisor`): the old program's
        processes and files gone, what it printed or left in the channel dropped, a fresh harness
        starting. False when that cannot be done; then dispose of the container."""
        if not self.recyclable or not self.alive():
            return False
        deadline = time.monotonic() + _RECYCLE_SECONDS
        output_tail = bytearray()
        try:
            self._tell("recycle")
            answer = self._control_line(deadline, output_tail)
            if not answer.startswith("swept "):
                return False
            marker = f"{MARKER} {answer.split()[1]}\n".encode()
            if not output_tail.endswith(marker) and not _read_through(self.output_fd, marker, deadline):
                return False
            for fd in (self.reply_fd, self.request_fd):
                _drain(fd)
            self._tell("spawn")
        except (OSError, TimeoutError, IndexError):
            return False
        return True

    def _tell(self, command: str) -> None:
        assert self._streams.stdin_fd is not None
        data = f"{command}\n".encode()
        while data:
            data = data[os.write(self._streams.stdin_fd, data) :]

    def _control_line(self, deadline: float, output_tail: bytearray) -> str:
        """The supervisor's next line on the attached stdout (only it writes there). Meanwhile the output
        FIFO is emptied as it fills, its last bytes kept in `output_tail`: a process the old program left
        may keep it full until the sweep, and the supervisor's marker must get in after it."""
        fd = self._streams.stdout_fd
        line = b""
        while not line.endswith(b"\n"):
            for ready in _wait_readable((fd, self.output_fd), deadline):
                if ready == self.output_fd:
                    with contextlib.suppress(BlockingIOError):
                        output_tail[:] = (output_tail + os.read(ready, 1 << 16))[-_OUTPUT_TAIL_BYTES:]
                    continue
                chunk = os.read(fd, 1)
                if not chunk:
                    raise OSError("the supervisor is gone")
                line += chunk
        return line.decode(errors="replace").strip()

    def dispose(self) -> None:
        """Close the host's ends (only here: the session reads them until it is done) and remove the
        container in the background (once started, if it is still starting)."""
        self._streams.close()
        with self._lock:
            self._disposed = True
            starting = not self._starter_done
        if not starting:
            self._let_go()

    def _let_go(self) -> None:
        self._streams.hang_up()
        if self._start_error is None:
            REAPER.remove(self.name)
        self._remove_channel()

    def _remove_channel(self) -> None:
        if self._private is not None:
            for fd in (self.request_fd, self.reply_fd, self.output_fd):
                with contextlib.suppress(OSError):
                    os.close(fd)
            shutil.rmtree(self._private, ignore_errors=True)
            REAPER.forget_directory(self.name)
            self._private = None


_RECYCLE_SECONDS = 5.0
_OUTPUT_TAIL_BYTES = 256
"""Enough to hold the supervisor's marker, the last thing written to the output before `swept`."""


def _wait_readable(fds: tuple[int, ...], deadline: float) -> list[int]:
    """The descriptors of `fds` that can be read; TimeoutError when none can before `deadline`."""
    remaining = deadline - time.monotonic()
    ready = select.select(fds, [], [], remaining)[0] if remaining > 0 else []
    if not ready:
        raise TimeoutError("the sandbox did not answer in time")
    return ready


def _read_through(fd: int, marker: bytes, deadline: float) -> bool:
    """Read and drop everything up to and including `marker`; False at end of file."""
    tail = b""
    while True:
        _wait_readable((fd,), deadline)
        try:
            chunk = os.read(fd, 1 << 16)
        except BlockingIOError:
            continue
        if not chunk:
            return False
        tail = (tail + chunk)[-(len(marker) + len(chunk)) :]
        if marker in tail:
            return True


def _drain(fd: int) -> None:
    """Drop whatever waits in a pipe or FIFO, without blocking."""
    os.set_blocking(fd, False)
    with contextlib.suppress(BlockingIOError):
        while os.read(fd, 1 << 16):
            pass


def docker_session_factory(
    limits: SandboxLimits | None = None, image: str | None = None, prewarm: bool = True, reuse: bool = True
) -> SandboxSessionFactory:
    """A `SessionFactory` that runs each program in a container of `image` (with `reuse`, one container
    serves the consecutive sessions of one program, reset in between, and is then recycled for the
    next program by its supervisor: see the factory and `sandbox.supervisor`).

    `image` defaults to the current sandbox image, built first if missing. Raises `DockerError` when no
    daemon answers. Installs the exit-time cleanup and sweeps containers left by dead host processes.
    """
    status = docker_api.daemon_status()
    if not status.reachable:
        raise DockerError(f"no Docker daemon is reachable: {status.detail}")
    tag = image or ensure_image()
    install_cleanup_handlers()
    sweep_leftovers()
    factory = SandboxSessionFactory(
        lambda chosen: ContainerProcess(tag, chosen), limits or SandboxLimits(), prewarm, reuse
    )
    factory.backend = "docker"
    return factory


def _fifo_channel_possible() -> bool:
    """FIFOs need the daemon to see this machine's files: a local daemon, on Linux."""
    if os.environ.get("MNEMOFORGE_DOCKER_CHANNEL") == "stdio" or sys.platform != "linux":
        return False
    return docker_api.daemon_is_local()
