"""The Docker backend: each program in its own container with no network and hard limits.

A container runs the harness under `--init` (tini as PID 1) and coreutils `timeout`, which kills it at a
backstop time even if the host dies without cleaning up. The host speaks the protocol over FIFOs the
container mounts (see `ContainerProcess`), reads what the program prints from the attached `docker run`'s
stderr, and kills a container by name with `docker rm -f`, never by signalling the CLI (an attached
`docker run` does not pass a kill on). Containers are removed when the factory lets them go (at a
session's close, or when a kept one is not needed again), at interpreter exit, on SIGTERM/SIGHUP,
and, after a host crash, by the next factory's sweep of containers whose host process is gone
(every container is labelled with its host and pid).

Starting a container takes about half a second and 0.4 core-seconds; `SandboxSessionFactory` keeps one
started ahead, reuses a program's container for its next session, and recycles a container whose
program finished cleanly for the next program: with the FIFO channel the harness runs under
`sandbox.supervisor`, which starts each program's harness afresh as nobody and sweeps the container
clean in between (see there for what a recycled container guarantees).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import queue
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sandbox import docker_cli
from sandbox.docker_cli import CONTAINER_LABEL
from sandbox.factory import SPARE_MAX_AGE_SECONDS, SandboxSessionFactory
from sandbox.image import SANDBOX_USER, ensure_image
from sandbox.limits import SandboxLimits
from sandbox.protocol import (
    CHANNEL_MOUNT,
    CHANNEL_VARIABLE,
    HASH_SEED,
    PYTHON_FLAGS,
    bootstrap_code,
    supervisor_code,
)
from sandbox.session import FailureReason
from sandbox.supervisor import MARKER

_BACKSTOP_MARGIN_SECONDS = 60.0
_DOCKER_RUN_FAILED = {
    125: "docker run failed",
    126: "the harness could not be run",
    127: "python3 is missing",
}


def docker_run_command(
    image: str, name: str, limits: SandboxLimits, command: list[str] | None = None, channel: str | None = None
) -> list[str]:
    """The full `docker run` command line of one sandbox; every isolation flag is here, in one place.

    `command` replaces the harness (`mnemoforge sandbox check` runs a probe under the same flags).
    `channel`, a host directory with the protocol FIFOs, is mounted read-only for the harness to speak
    over, and the harness runs under the supervisor, which can recycle the container for another program;
    without it the harness speaks over the attached stdin/stdout and the container serves one program.
    """
    wiring = ["--interactive"]
    if channel is not None:
        wiring = ["--volume", f"{channel}:{CHANNEL_MOUNT}:ro", "--env", f"{CHANNEL_VARIABLE}={CHANNEL_MOUNT}"]
    # The supervisor (root with CAP_SETUID/CAP_SETGID only) talks to the host over the attached stdio.
    supervised = channel is not None and command is None
    user = ["--user", SANDBOX_USER]
    if supervised:
        wiring.append("--interactive")
        user = ["--user", "0:0", "--cap-add", "SETUID", "--cap-add", "SETGID"]
        command = ["python3", *PYTHON_FLAGS, "-c", supervisor_code()]
    backstop = limits.session_seconds + SPARE_MAX_AGE_SECONDS + _BACKSTOP_MARGIN_SECONDS
    return [
        docker_cli.docker_path() or docker_cli.DOCKER, "run", *wiring, "--sig-proxy=false",
        "--name", name, "--label", f"{CONTAINER_LABEL}={_owner()}",
        "--network", "none", "--ipc", "none", "--hostname", "sandbox",
        "--read-only", "--tmpfs", f"/tmp:rw,nosuid,nodev,noexec,size={limits.tmpfs_mb}m,mode=1777",
        *user, "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
        "--memory", f"{limits.memory_mb}m", "--memory-swap", f"{limits.memory_mb}m",
        "--pids-limit", str(limits.pids), "--cpus", f"{limits.cpus:g}",
        "--ulimit", f"nofile={limits.open_files}:{limits.open_files}", "--oom-score-adj", "500",
        "--init", "--log-driver", "none", "--workdir", "/tmp", "--env", f"PYTHONHASHSEED={HASH_SEED}",
        image, "timeout", "--signal=KILL", f"{backstop:.0f}",
        *(command or ["python3", *PYTHON_FLAGS, "-c", bootstrap_code()]),
    ]  # fmt: skip


class ContainerProcess:
    """One started container: a `HarnessProcess` for `RemoteSession`.

    With a local daemon the protocol runs over two FIFOs in a private host directory that only this
    container mounts (read-only), so messages go straight between host and harness: a round trip
    costs tens of microseconds instead of the half millisecond of `docker run -i`'s attach path (CLI,
    daemon, shim). The directory's parent is 0700, so no other host user, `nobody` included (the
    process backend's sandboxes), can reach the FIFOs. With a remote daemon (DOCKER_HOST not a unix
    socket), or MNEMOFORGE_DOCKER_CHANNEL=stdio, it runs over the attached stdin/stdout.
    """

    def __init__(self, image: str, limits: SandboxLimits) -> None:
        self.name = f"mnemoforge-sbx-{uuid.uuid4().hex[:16]}"
        self.limits = limits
        self.started_at = time.monotonic()
        self._private: str | None = None
        channel = self._make_channel() if _fifo_channel_possible() else None
        self.recyclable = channel is not None  # the supervisor runs only with the FIFO channel
        _REAPER.track(self.name, self._private)
        self.popen: subprocess.Popen[bytes] = subprocess.Popen(
            docker_run_command(image, self.name, limits, channel=channel),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # a Ctrl-C at the terminal is the host's to handle, not the CLI's
        )
        assert self.popen.stdin and self.popen.stdout and self.popen.stderr
        self.output_fd = self.popen.stderr.fileno()
        if channel is None:
            self.request_fd, self.reply_fd = self.popen.stdin.fileno(), self.popen.stdout.fileno()

    def _make_channel(self) -> str:
        """The FIFOs, and the host's ends opened so that neither side ever blocks on opening: replies
        for reading (end of file comes only after the harness has opened and closed it), requests
        read-write (so the harness's read-only open finds a writer at once)."""
        self._private = tempfile.mkdtemp(prefix=f"{_CHANNEL_PREFIX}{os.getpid()}-")
        channel = os.path.join(self._private, "channel")
        os.mkdir(channel, 0o755)
        os.chmod(channel, 0o755)
        uid, gid = (int(part) for part in SANDBOX_USER.split(":"))
        for name in ("requests", "replies"):
            path = os.path.join(channel, name)
            os.mkfifo(path, 0o600)
            if os.geteuid() == 0:
                os.chown(path, uid, gid)
            else:
                os.chmod(path, 0o666)  # the 0700 parent keeps every other host user out
        self.reply_fd = os.open(os.path.join(channel, "replies"), os.O_RDONLY | os.O_NONBLOCK)
        self.request_fd = os.open(os.path.join(channel, "requests"), os.O_RDWR | os.O_NONBLOCK)
        return channel

    def kill(self) -> None:
        # The CLI goes first: while an attach stream has unread output, the daemon would hold the
        # container (and `docker rm -f`) until someone read it.
        self.popen.kill()
        docker_cli.remove_containers([self.name])
        _REAPER.forget(self.name)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=10)

    def death(self) -> tuple[FailureReason, str]:
        try:
            code = self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = None
        inspected = docker_cli.run_docker(
            ["inspect", "--format", "{{.State.OOMKilled}} {{.State.ExitCode}}", self.name],
            check=False,
            timeout=30,
        )
        if inspected.returncode != 0:
            return FailureReason.SANDBOX, f"container could not be started (docker run exit status {code})"
        oom, _, status_text = inspected.stdout.decode().strip().partition(" ")
        status = int(status_text or -1)
        if oom == "true":
            return (
                FailureReason.MEMORY,
                f"was killed for using more than {self.limits.memory_mb} MB of memory",
            )
        if status in _DOCKER_RUN_FAILED:
            return FailureReason.SANDBOX, f"could not run: {_DOCKER_RUN_FAILED[status]} (status {status})"
        if status > 128:
            return FailureReason.KILLED, f"was killed by signal {status - 128}"
        return FailureReason.CRASH, f"exited with status {status}"

    def recycle(self) -> bool:
        """Make this container new for another program (see `sandbox.supervisor`): the old program's
        processes and files gone, what it printed or left in the channel dropped, a fresh harness
        starting. False when that cannot be done; then dispose of the container."""
        if not self.recyclable or self.popen.poll() is not None:
            return False
        deadline = time.monotonic() + _RECYCLE_SECONDS
        try:
            self._tell("recycle")
            answer = self._control_line(deadline)
            if not answer.startswith("swept "):
                return False
            marker = f"{MARKER} {answer.split()[1]}\n".encode()
            if not _read_through(self.output_fd, marker, deadline):
                return False
            for fd in (self.reply_fd, self.request_fd):
                _drain(fd)
            self._tell("spawn")
        except (OSError, TimeoutError, IndexError):
            return False
        return True

    def _tell(self, command: str) -> None:
        assert self.popen.stdin is not None
        self.popen.stdin.write(f"{command}\n".encode())
        self.popen.stdin.flush()

    def _control_line(self, deadline: float) -> str:
        """The supervisor's next line on the attached stdout (only it writes there)."""
        assert self.popen.stdout is not None
        fd = self.popen.stdout.fileno()
        line = b""
        while not line.endswith(b"\n"):
            _wait_readable(fd, deadline)
            chunk = os.read(fd, 1)
            if not chunk:
                raise OSError("the supervisor is gone")
            line += chunk
        return line.decode(errors="replace").strip()

    def dispose(self) -> None:
        """Close the host's ends (only here: the session reads them until it is done) and remove the
        container in the background."""
        if self.popen.poll() is None:
            self.popen.kill()
        _REAPER.remove(self.name)
        for stream in (self.popen.stdin, self.popen.stdout, self.popen.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        if self._private is not None:
            for fd in (self.request_fd, self.reply_fd):
                with contextlib.suppress(OSError):
                    os.close(fd)
            shutil.rmtree(self._private, ignore_errors=True)
            _REAPER.forget_directory(self.name)
            self._private = None
        _REAPER.collect(self.popen)


_RECYCLE_SECONDS = 5.0


def _wait_readable(fd: int, deadline: float) -> None:
    remaining = deadline - time.monotonic()
    if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
        raise TimeoutError("the sandbox did not answer in time")


def _read_through(fd: int, marker: bytes, deadline: float) -> bool:
    """Read and drop everything up to and including `marker`; False at end of file."""
    tail = b""
    while True:
        _wait_readable(fd, deadline)
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
    status = docker_cli.daemon_status()
    if not status.reachable:
        raise docker_cli.DockerError(f"no Docker daemon is reachable: {status.detail}")
    tag = image or ensure_image()
    install_cleanup_handlers()
    sweep_leftovers()
    factory = SandboxSessionFactory(
        lambda chosen: ContainerProcess(tag, chosen), limits or SandboxLimits(), prewarm, reuse
    )
    factory.backend = "docker"
    return factory


class _Reaper:
    """Removes containers in the background, so that closing a session costs the evaluation nothing.

    It also knows every container this process started and has not removed yet, with its channel
    directory: `remove_all()` (at exit) removes them synchronously, directories included.
    """

    def __init__(self) -> None:
        self._live: set[str] = set()
        self._directories: dict[str, str] = {}
        self._lock = threading.Lock()
        self._queue: queue.Queue[str | subprocess.Popen[bytes]] = queue.Queue()
        self._thread: threading.Thread | None = None

    def track(self, name: str, directory: str | None = None) -> None:
        with self._lock:
            self._live.add(name)
            if directory is not None:
                self._directories[name] = directory

    def forget(self, name: str) -> None:
        with self._lock:
            self._live.discard(name)

    def forget_directory(self, name: str) -> None:
        with self._lock:
            self._directories.pop(name, None)

    def remove(self, name: str) -> None:
        self._submit(name)

    def collect(self, popen: subprocess.Popen[bytes]) -> None:
        """Reap a finished docker CLI process (no zombies), in the background."""
        if popen.poll() is None:
            self._submit(popen)

    def remove_all(self) -> None:
        with self._lock:
            names, self._live = sorted(self._live), set()
            directories, self._directories = list(self._directories.values()), {}
        if names:
            docker_cli.remove_containers(names)
        for directory in directories:
            shutil.rmtree(directory, ignore_errors=True)

    def _submit(self, job: str | subprocess.Popen[bytes]) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="mnemoforge-reaper", daemon=True)
                self._thread.start()
        self._queue.put(job)

    def _work(self) -> None:
        while True:
            jobs = [self._queue.get()]
            while not self._queue.empty():
                jobs.append(self._queue.get_nowait())
            names = [job for job in jobs if isinstance(job, str)]
            if names:
                docker_cli.remove_containers(names)
                with self._lock:
                    self._live.difference_update(names)
            for job in jobs:
                if not isinstance(job, str):
                    try:
                        job.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        job.kill()


_REAPER = _Reaper()
_HANDLERS_INSTALLED = False


def install_cleanup_handlers() -> None:
    """Remove this process's containers at exit, and turn SIGTERM/SIGHUP into an exit that does so.

    Only default handlers are replaced, and only from the main thread: a host that handles these
    signals itself keeps its handlers (and `atexit` still runs when it exits normally).
    """
    global _HANDLERS_INSTALLED
    if _HANDLERS_INSTALLED:
        return
    _HANDLERS_INSTALLED = True
    atexit.register(_REAPER.remove_all)
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) == signal.SIG_DFL:
            signal.signal(signum, _exit_on_signal)


def _exit_on_signal(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


_CHANNEL_PREFIX = "mnemoforge-channel-"


def sweep_leftovers(wait_for: Iterable[int] = (), wait_seconds: float = 10.0) -> list[str]:
    """Remove sandbox containers of this host whose owning process is gone, and their channel
    directories; return the containers' ids. First wait up to `wait_seconds` for the processes
    `wait_for` (owners known to be ending) to be gone."""
    deadline = time.monotonic() + wait_seconds
    ending = set(wait_for)
    while ending and time.monotonic() < deadline:
        ending = {pid for pid in ending if _alive(pid)}
        if ending:
            time.sleep(0.05)
    for directory in Path(tempfile.gettempdir()).glob(f"{_CHANNEL_PREFIX}*-*"):
        pid = directory.name[len(_CHANNEL_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(directory, ignore_errors=True)
    host = socket.gethostname()
    leftovers = []
    for container, owner in docker_cli.labelled_containers().items():
        owner_host, _, pid = owner.rpartition(":")
        if owner_host == host and pid.isdigit() and not _alive(int(pid)):
            leftovers.append(container)
    docker_cli.remove_containers(leftovers)
    return leftovers


def _fifo_channel_possible() -> bool:
    """FIFOs need the daemon to see this machine's files: a local daemon, on Linux."""
    if os.environ.get("MNEMOFORGE_DOCKER_CHANNEL") == "stdio" or sys.platform != "linux":
        return False
    return os.environ.get("DOCKER_HOST", "unix://").startswith("unix://")


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
