"""The limits a sandbox enforces on one program instance, with their defaults.

Plain typed data, shared by the Docker and process backends. Time limits are enforced on the host
(the sandbox is never trusted to stop itself); resource limits by the kernel (cgroups in Docker,
rlimits in the process backend).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SandboxLimits:
    """Hard limits for one session (one program instance; the conversation domain makes one per conversation).

    A program that exceeds one fails its evaluation with a recorded reason; none of them is a warning.
    """

    operation_seconds: float = 60.0
    """Per write/read/load: past it the sandbox is killed and the evaluation fails with `timeout`."""
    session_seconds: float = 3600.0
    """Total wall time of one session, from its start to its close (`wall_time`)."""
    start_seconds: float = 60.0
    """Time for a fresh sandbox to start and report ready (a slow daemon is `sandbox`, not the program)."""
    max_read_chars: int = 100_000
    """A read() result longer than this is `output_limit`. Shorter results pass unchanged, so the evaluator's
    own read budget (3,000 characters by default) truncates and counts them exactly as in-process."""
    max_message_bytes: int = 8 << 20
    """Any single protocol message from the sandbox larger than this is `output_limit`."""
    max_output_bytes: int = 1 << 20
    """What the program may print (stdout and stderr together) during one operation (`output_limit`)."""
    memory_mb: int = 512
    """Memory, swap included (Docker: --memory = --memory-swap; process backend: address space)."""
    pids: int = 64
    """Processes and threads together."""
    cpus: float = 1.0
    tmpfs_mb: int = 64
    """Size of the writable /tmp (Docker); the largest file the process backend may write."""
    open_files: int = 256

    def __post_init__(self) -> None:
        for name in ("operation_seconds", "session_seconds", "start_seconds", "cpus"):
            if getattr(self, name) <= 0:
                raise ValueError(f"sandbox limit {name} must be positive")
        for name in (
            "max_read_chars",
            "max_message_bytes",
            "max_output_bytes",
            "memory_mb",
            "pids",
            "tmpfs_mb",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"sandbox limit {name} must be at least 1")
