"""The process backend: the harness in a local subprocess with rlimits, for machines without Docker.

It is weaker than Docker, and says so (`ProcessIsolation.weaknesses()`, shown when it is chosen):
- always: rlimits on address space, CPU time, file size, open files and core dumps; a scrubbed
  environment (no provider keys); a private working and temp directory; the host's timeouts and kills;
- as root: new network, PID and mount namespaces (`unshare`: no network, not even loopback; /proc
  shows only the sandbox; everything dies with the harness), and an unprivileged uid (`setpriv` to
  nobody, no new privileges) under which the process limit (RLIMIT_NPROC) takes effect;
- as another user: the same namespaces inside a user namespace where the kernel allows it.
What it never has: a read-only root, a size cap on all writes together, or a memory cgroup. The program
sees the host's files (as far as its uid may read them) and may write wherever its uid may.
MNEMOFORGE_PROCESS_ISOLATION=none keeps only the rlimits (to see, or test, what the namespaces add).
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sandbox.factory import SPARE_MAX_AGE_SECONDS, SandboxSessionFactory
from sandbox.image import HARNESS_FILES
from sandbox.limits import SandboxLimits
from sandbox.protocol import HASH_SEED, PYTHON_FLAGS, bootstrap_code
from sandbox.session import FailureReason

NOBODY = 65534
_NAMESPACES = ["--net", "--pid", "--fork", "--kill-child", "--mount-proc"]
_DROP_TO_NOBODY = [f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--no-new-privs"]
_SIGNALS = {int(signal.SIGKILL): "SIGKILL", int(signal.SIGXCPU): "SIGXCPU (CPU time limit)"}


@dataclass(frozen=True)
class ProcessIsolation:
    """What the process backend achieves on this machine, found by trying it once."""

    namespaces: tuple[str, ...]
    """The `unshare` command prefix (empty when none works here)."""
    drop: tuple[str, ...]
    """The `setpriv` command prefix that drops to nobody (empty when it does not happen)."""
    network_namespace: bool
    pid_namespace: bool
    unprivileged_uid: bool
    rlimits: bool = True
    """Whether `prlimit` is there to set the rlimits (without it: no memory, CPU or file-size limit)."""

    def weaknesses(self) -> list[str]:
        """Sentences a person should read before trusting this backend with untrusted programs."""
        notes = [
            "the program can read host files its user may read and write wherever that user may",
            "disk writes are capped per file, not in total",
        ]
        if not self.network_namespace:
            notes.append("no network namespace: the program can open network connections")
        if not self.pid_namespace:
            notes.append("no PID namespace: a process that leaves its process group can outlive the sandbox")
        if not self.unprivileged_uid:
            notes.append("runs as the host user: no process limit, and host files are exposed")
        if not self.rlimits:
            notes.append("prlimit is missing: no memory, CPU-time or file-size limit")
        return notes


@functools.cache
def probe_isolation() -> ProcessIsolation:
    """The strongest wrapper that works here: each candidate must run this interpreter and import numpy."""
    unshare, setpriv, rlimits = (
        shutil.which("unshare"),
        shutil.which("setpriv"),
        bool(shutil.which("prlimit")),
    )
    if os.environ.get("MNEMOFORGE_PROCESS_ISOLATION") == "none":  # rlimits only: to see what is lost
        return ProcessIsolation((), (), False, False, False, rlimits)
    candidates: list[ProcessIsolation] = []
    if unshare and setpriv and os.geteuid() == 0:
        drop = (setpriv, *_DROP_TO_NOBODY)
        candidates.append(ProcessIsolation((unshare, *_NAMESPACES), drop, True, True, True, rlimits))
    if unshare and os.geteuid() != 0:
        namespaces = (unshare, "--map-current-user", *_NAMESPACES)
        candidates.append(ProcessIsolation(namespaces, (), True, True, False, rlimits))
    for candidate in candidates:
        command = [
            *candidate.namespaces,
            *_backstop(60),
            *candidate.drop,
            sys.executable,
            "-I",
            "-c",
            "import numpy",
        ]
        try:
            probe = subprocess.run(command, capture_output=True, timeout=30, cwd="/", check=False)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            return candidate
    # As root, this is reached when nobody cannot read this interpreter's packages (a virtualenv under
    # /root, say): the program then runs as root, and `sandbox check` says so.
    return ProcessIsolation((), (), False, False, False, rlimits)


class ProcessHarness:
    """One harness subprocess with its private directories: a `HarnessProcess` for `RemoteSession`."""

    recyclable = False
    """Never for another program: a fresh subprocess costs little, and nothing here could clean up after
    a program as the container's unreachable supervisor does."""
    marks_output_end = False
    """Its output and replies are pipes straight from the harness: they arrive in the order written."""

    def __init__(self, limits: SandboxLimits, isolation: ProcessIsolation) -> None:
        self.limits = limits
        self.isolation = isolation
        self.started_at = time.monotonic()
        self.directory = Path(tempfile.mkdtemp(prefix="mnemoforge-proc-"))
        library, work = self.directory / "lib", self.directory / "work"
        (library / "sandbox").mkdir(parents=True)
        work.mkdir()
        for name in HARNESS_FILES:
            shutil.copyfile(Path(__file__).with_name(name), library / "sandbox" / name)
        for path in (self.directory, library, library / "sandbox"):
            path.chmod(0o755)
        if isolation.unprivileged_uid:
            os.chown(work, NOBODY, NOBODY)
        work.chmod(0o700)
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(work),
            "TMPDIR": str(work),
            "LANG": "C.UTF-8",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "PYTHONHASHSEED": HASH_SEED,
        }
        backstop = _backstop(limits.session_seconds + SPARE_MAX_AGE_SECONDS + 60)
        command = [
            *self._rlimits(),
            *isolation.namespaces,
            *backstop,
            *isolation.drop,
            sys.executable,
            *PYTHON_FLAGS,
            "-c",
        ]
        command.append(bootstrap_code(str(library)))
        self.popen: subprocess.Popen[bytes] = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=work,
            env=env,
            start_new_session=True,
        )
        assert self.popen.stdin and self.popen.stdout and self.popen.stderr
        self.request_fd = self.popen.stdin.fileno()
        self.reply_fd = self.popen.stdout.fileno()
        self.output_fd = self.popen.stderr.fileno()

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=10)

    def death(self) -> tuple[FailureReason, str]:
        try:
            code = self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()
            return FailureReason.SANDBOX, "stopped answering and did not exit"
        signum = -code if code < 0 else code - 128 if code > 128 else 0  # `timeout` reports 128 + signal
        if signum:
            return FailureReason.KILLED, f"was killed by {_SIGNALS.get(signum, f'signal {signum}')}"
        return FailureReason.CRASH, f"exited with status {code}"

    def dispose(self) -> None:
        for stream in (self.popen.stdin, self.popen.stdout, self.popen.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self.kill()
        shutil.rmtree(self.directory, ignore_errors=True)

    def _rlimits(self) -> list[str]:
        """`prlimit` settings, applied before the namespace wrapper and inherited by all it starts."""
        prlimit = shutil.which("prlimit")
        if prlimit is None or not self.isolation.rlimits:
            return []
        memory = self.limits.memory_mb << 20
        cpu = int(self.limits.session_seconds + SPARE_MAX_AGE_SECONDS + 60)
        limits = [
            f"--as={memory}",
            f"--cpu={cpu}:{cpu + 5}",
            f"--fsize={self.limits.tmpfs_mb << 20}",
            f"--nofile={self.limits.open_files}",
            "--core=0",
        ]
        if self.isolation.unprivileged_uid:
            limits.append(f"--nproc={self.limits.pids}")  # counts nobody's processes; root would ignore it
        return [prlimit, *limits, "--"]


def _backstop(seconds: float) -> list[str]:
    """coreutils `timeout`, between the namespaces and the harness: a wall-clock kill even if the host dies,
    and, in a PID namespace, an init that is not the harness (a namespace's PID 1 ignores signals from
    inside it, so the harness could not even be killed by its own program). It runs before the drop to
    nobody, so the program cannot kill it either."""
    timeout = shutil.which("timeout")
    return [timeout, "--signal=KILL", f"{seconds:.0f}"] if timeout else []


def process_session_factory(
    limits: SandboxLimits | None = None, prewarm: bool = True, reuse: bool = True
) -> SandboxSessionFactory:
    """A `SessionFactory` that runs each program in a fresh, rlimited subprocess (see the module doc).

    Reuse between sessions of one program needs a PID namespace (to kill all the program spawned), so
    it happens only where the namespaces work.
    """
    isolation = probe_isolation()
    factory = SandboxSessionFactory(
        lambda chosen: ProcessHarness(chosen, isolation),
        limits or SandboxLimits(),
        prewarm,
        reuse and isolation.pid_namespace,
    )
    factory.backend = "process"
    return factory
