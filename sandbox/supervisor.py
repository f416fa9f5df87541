"""The in-container supervisor: runs each program's harness as nobody and recycles the container between
programs.

Creating and removing a container costs about 0.4 core-seconds (daemon, containerd, runc), more than a
short evaluation itself, so on a small machine it, not the programs, bounds how many candidates a run
evaluates per minute. A container whose program finished cleanly is therefore recycled for the next
program. This supervisor runs as root with only CAP_SETUID and CAP_SETGID (and no new privileges). It
imports the harness (and numpy) once, never runs program code itself, and forks each program's harness,
which drops to `nobody`, takes stdin and stdout away from itself and closes every other descriptor before
anything of the program exists: so each program starts in a process as new as a fresh interpreter, in
milliseconds instead of the tenth of a core-second an interpreter and numpy cost. On the host's
`recycle` it:
- kills every process of `nobody` (the harness and all it spawned) with `kill(-1)` from a helper that
  has dropped to `nobody` (root here has no CAP_KILL), until none is left;
- empties /tmp and /dev/mqueue as `nobody`, the owner of everything a program can create there;
- gives up (exits, and the host starts a fresh container) if a process, a file or a System V IPC
  object survived;
- writes a marker with a fresh random nonce to stderr (the channel's output FIFO), then `swept NONCE` to
  stdout. All the old program printed precedes the marker in the FIFO, so the host drops it; the nonce
  did not exist while the old program lived, so the program could not have forged the marker.
The host then drains the protocol FIFOs of anything the old program left in them and says `spawn`.

A program cannot reach the supervisor: it runs as another user (no signals, no ptrace, no /proc/PID/fd),
and the supervisor reads nothing a program controls (of /tmp it only counts the entries). It holds the
replies FIFO open, so the host sees no end of file between two harnesses; when a harness ends on its own
(a crash, the OOM killer, a `close`), the supervisor exits with the harness's status and the container
ends, so the host learns why as it would without a supervisor.

Its stdin and stdout are the container's attached streams, which no program can reach (its stderr, and
so every harness's, is the channel's output FIFO): host `recycle` -> `swept NONCE` or `unclean WHY`
(then it exits); host `spawn` -> a new harness. End of file on stdin (the host is gone) ends the
container. It imports nothing but the harness's own modules (standard library and numpy).
"""

from __future__ import annotations

import collections
import contextlib
import os
import secrets
import selectors
import shutil
import signal
import sys
from collections.abc import Callable

NOBODY = 65534
MARKER = "mnemoforge-recycled"
"""Written to stderr after a sweep, followed by the nonce: what the old program printed comes before it."""
WRITABLE = ("/tmp", "/dev/mqueue")
"""Where `nobody` can create anything in the container (the root file system is read-only)."""
_SYSV_TABLES = ("/proc/sysvipc/shm", "/proc/sysvipc/msg", "/proc/sysvipc/sem")
_KILL_ROUNDS = 100


def main() -> None:
    """Serve harnesses until the host goes or a harness ends on its own."""
    from sandbox import harness  # imported once here: each program's harness is forked from this process

    _open_channel(os.environ["MNEMOFORGE_CHANNEL"])
    host = _HostLines()
    while True:
        child = _fork_harness(harness.main)
        _wait_for_recycle(child, host)
        problem = _sweep()
        if problem:  # the harness may be alive still: leave, and the container ends with it
            _say(f"unclean {problem}")
            os._exit(3)
        os.waitpid(child, 0)  # killed by the sweep
        nonce = secrets.token_hex(16)
        print(f"{MARKER} {nonce}", file=sys.stderr, flush=True)
        _say(f"swept {nonce}")
        if host.next_line() != "spawn":
            os._exit(0)


def _fork_harness(serve: Callable[[], None]) -> int:
    """A child that becomes `nobody` with stdin from /dev/null, stdout on stderr and no other descriptor
    of this process (the control streams, the held FIFO), then serves one program's sessions."""
    sys.stderr.flush()
    child = os.fork()
    if child:
        return child
    try:
        _become_nobody()
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()  # as a fresh interpreter would (`random` reseeds itself)
        serve()
    finally:
        os._exit(1)


def _wait_for_recycle(child: int, host: _HostLines) -> None:
    """Return when the host asks to recycle; exit when the harness ends or the host is gone."""
    pidfd = os.pidfd_open(child)
    selector = selectors.DefaultSelector()
    selector.register(pidfd, selectors.EVENT_READ, "harness")
    selector.register(host.fd, selectors.EVENT_READ, "host")
    try:
        while True:
            for key, _ in selector.select():
                if key.data == "harness":
                    _, status = os.waitpid(child, 0)
                    code = os.waitstatus_to_exitcode(status)
                    os._exit(128 - code if code < 0 else code)
                host.read()
                while host.lines:
                    if host.lines.popleft() == "recycle":
                        return
                if host.closed:
                    os._exit(0)
    finally:
        selector.close()
        os.close(pidfd)


def _sweep() -> str:
    """Kill everything of `nobody` and empty where it writes, in a helper running as `nobody`; then
    check. Returns what survived, or "" when the container is as clean as a fresh one."""
    sys.stderr.flush()
    helper = os.fork()
    if helper == 0:
        code = 1
        try:
            _become_nobody()
            code = 0 if _kill_others() else 2
            for directory in WRITABLE:
                _empty(directory)
        finally:
            os._exit(code)
    _, status = os.waitpid(helper, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        return "a process of the program survived the sweep"
    for directory in WRITABLE:
        if os.path.isdir(directory) and os.listdir(directory):
            return f"{directory} is not empty after the sweep"
    for table in _SYSV_TABLES:
        with contextlib.suppress(OSError), open(table) as listing:
            if len(listing.read().splitlines()) > 1:
                return f"the program left System V IPC objects ({table})"
    return ""


def _become_nobody() -> None:
    """In a forked child: drop to `nobody` for good and keep only stderr of this process's descriptors
    (stdin from /dev/null, stdout onto stderr), so that nothing it runs can reach the control streams
    or the held FIFO. Changing its user also makes the process undumpable (with the kernel's default
    fs.suid_dumpable): no other `nobody` process can ptrace it or open its /proc files."""
    os.setgroups([])
    os.setresgid(NOBODY, NOBODY, NOBODY)
    os.setresuid(NOBODY, NOBODY, NOBODY)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(2, 1)
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))


def _kill_others() -> bool:
    """SIGKILL every other process of this user until none is alive (zombies are dead)."""
    for _ in range(_KILL_ROUNDS):
        with contextlib.suppress(ProcessLookupError):
            os.kill(-1, signal.SIGKILL)
        if not _living_others():
            return True
    return False


def _living_others() -> list[int]:
    me, living = os.getpid(), []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            with open(f"/proc/{entry}/status") as status:
                fields = dict(line.split(":", 1) for line in status.read().splitlines() if ":" in line)
            if int(fields["Uid"].split()[1]) == NOBODY and not fields["State"].strip().startswith(("Z", "X")):
                living.append(int(entry))
    return living


def _empty(directory: str) -> None:
    """Remove everything in `directory`, unlocking directories the program made unreadable first."""
    if not os.path.isdir(directory):
        return
    for entry in os.listdir(directory):
        path = os.path.join(directory, entry)
        with contextlib.suppress(OSError, RecursionError):
            if os.path.isdir(path) and not os.path.islink(path):
                _unlock(path)
                shutil.rmtree(path)
            else:
                os.unlink(path)


def _unlock(directory: str) -> None:
    os.chmod(directory, 0o700)
    for entry in os.listdir(directory):
        path = os.path.join(directory, entry)
        if os.path.isdir(path) and not os.path.islink(path):
            _unlock(path)


def _open_channel(channel: str) -> None:
    """Open the channel's FIFOs as their owner (`nobody` when the host is root): hold the replies FIFO
    for the supervisor's life (it is never written), and make the output FIFO this process's stderr, so
    that every harness and all it spawns print there. Output then reaches the host straight, as replies
    do: what a program printed before a reply is in the host's pipe when the reply is (the attach
    stream, relayed by the daemon, could deliver it after)."""
    os.seteuid(NOBODY)
    try:
        os.open(os.path.join(channel, "replies"), os.O_WRONLY | os.O_NONBLOCK)
        output = os.open(os.path.join(channel, "output"), os.O_WRONLY | os.O_NONBLOCK)
    finally:
        os.seteuid(0)
    os.set_blocking(output, True)  # a program printing into a full pipe waits, as on a terminal
    sys.stderr.flush()
    os.dup2(output, 2)
    os.close(output)


def _say(line: str) -> None:
    os.write(1, f"{line}\n".encode())


class _HostLines:
    """Lines from the host on stdin: `read()` adds what one read brings to `lines`."""

    def __init__(self) -> None:
        self.fd = sys.stdin.fileno()
        self.closed = False
        self.lines: collections.deque[str] = collections.deque()
        self._partial = b""

    def read(self) -> None:
        chunk = os.read(self.fd, 4096)
        self.closed = not chunk
        *complete, self._partial = (self._partial + chunk).split(b"\n")
        self.lines.extend(line.decode(errors="replace").strip() for line in complete)

    def next_line(self) -> str | None:
        """Block for the next line; None when the host is gone."""
        while not self.lines and not self.closed:
            self.read()
        return self.lines.popleft() if self.lines else None


if __name__ == "__main__":
    main()
