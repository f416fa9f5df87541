"""A container's attach connection, turned back into the three pipes an attached `docker run -i` gave.

The daemon multiplexes a container's stdout and stderr on one connection (frames of an 8-byte header:
the stream, then the payload's length) and takes its stdin on the same connection. The sandbox reads
each of the container's streams on its own, with its own limits, without threads of its own, so two
pump threads do what the docker program did in its own process: one reads the connection and writes
each frame's payload to the stdout or the stderr pipe, the other copies the stdin pipe to the
connection. A pump blocks while its pipe is full, so a container that prints faster than the host
reads waits, as it did behind the docker program. Pipes work whatever carries the connection (a unix
socket, TCP, TLS).
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import struct
import threading
import time
from typing import Any

_CHUNK = 1 << 16
_HEADER = struct.Struct(">BxxxL")
_STDOUT, _STDERR = 1, 2


class AttachedStreams:
    """The host's ends of a container's stdin, stdout and stderr: `stdin_fd` (None when stdin is not
    attached), `stdout_fd`, `stderr_fd`, usable before the container exists (so that starting it need
    not hold up whoever waits for it). `attach()` connects them, or `abandon()` says nothing will.
    End of file on stdout and stderr comes when the container ends, on `hang_up()` or `abandon()`;
    closing stdin (`close()`) closes the container's stdin."""

    def __init__(self, stdin: bool) -> None:
        self._socket: socket.socket | None = None
        self._connection: Any = None
        self._lock = threading.Lock()
        self._users = 0
        self.ended = threading.Event()
        """Set when the container's output has ended (it exited, or the connection was hung up)."""
        self.stdout_fd, self._stdout_w = os.pipe()
        self.stderr_fd, self._stderr_w = os.pipe()
        self.stdin_fd: int | None = None
        self._stdin_r: int | None = None
        if stdin:
            self._stdin_r, self.stdin_fd = os.pipe()

    def attach(self, connection: Any) -> None:
        """Connect to `connection` (what `APIClient.attach_socket` returns) and start the pumps; attach
        before the container starts, so that nothing it prints can be read into the SDK's buffers."""
        attached: socket.socket = getattr(connection, "_sock", connection)
        attached.settimeout(None)  # the SDK's request timeout must not end a quiet container's stream
        with self._lock:
            self._connection = connection  # keeps the SDK's HTTP response, and so the connection, alive
            self._socket = attached
            self._users = 1 if self._stdin_r is None else 2
        threading.Thread(
            target=self._pump_output,
            args=(attached, self._stdout_w, self._stderr_w),
            name="mnemoforge-attach-out",
            daemon=True,
        ).start()
        if self._stdin_r is not None:
            threading.Thread(
                target=self._pump_input,
                args=(attached, self._stdin_r),
                name="mnemoforge-attach-in",
                daemon=True,
            ).start()

    def abandon(self) -> None:
        """The container will not run (or its start failed): the host's readers get end of file, and
        its writes a broken pipe. Idempotent."""
        with self._lock:
            attached = self._socket is not None
            ends = [] if attached or self.ended.is_set() else [self._stdout_w, self._stderr_w, self._stdin_r]
            if ends:
                self.ended.set()
        if attached:
            self.hang_up()  # the pumps end, and close their ends
        for fd in ends:
            if fd is not None:
                os.close(fd)

    def discard(self) -> None:
        """For a container that has ended or never started (a build step, a probe): close every end."""
        self.abandon()
        self.close()

    def hang_up(self) -> None:
        """End the connection: the daemon lets go of the container's streams at once, with whatever the
        container printed and the host has not read yet."""
        with self._lock:
            attached = self._socket
        if attached is not None:
            with contextlib.suppress(OSError):
                attached.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        """Hang up and close the host's ends (the pumps then end, and close the connection)."""
        self.hang_up()
        for fd in (self.stdin_fd, self.stdout_fd, self.stderr_fd):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)

    def _pump_output(self, attached: socket.socket, stdout_w: int, stderr_w: int) -> None:
        targets = {_STDOUT: stdout_w, _STDERR: stderr_w}
        buffered = bytearray()
        try:
            while True:
                chunk = attached.recv(_CHUNK)
                if not chunk:
                    return
                buffered += chunk
                while len(buffered) >= _HEADER.size:
                    stream, size = _HEADER.unpack_from(buffered)
                    if len(buffered) < _HEADER.size + size:
                        break
                    payload = bytes(buffered[_HEADER.size : _HEADER.size + size])
                    del buffered[: _HEADER.size + size]
                    target = targets.get(stream)
                    if target is not None and not _write_all(target, payload):
                        targets.pop(stream)  # the host closed that pipe: drop what still comes on it
        except OSError:
            return
        finally:
            for fd in (stdout_w, stderr_w):
                os.close(fd)
            self.ended.set()
            self._release(attached)

    def _pump_input(self, attached: socket.socket, stdin_r: int) -> None:
        try:
            while chunk := os.read(stdin_r, _CHUNK):
                attached.sendall(chunk)
            attached.shutdown(socket.SHUT_WR)  # the host closed stdin: so does the container's
        except OSError:
            return
        finally:
            os.close(stdin_r)
            self._release(attached)

    def _release(self, attached: socket.socket) -> None:
        """The last pump to end closes the connection (never earlier: the other may still use it)."""
        with self._lock:
            self._users -= 1
            last = self._users == 0
        if last:
            with contextlib.suppress(OSError):
                attached.close()
            with contextlib.suppress(OSError):
                self._connection.close()


def _write_all(fd: int, data: bytes) -> bool:
    """Write all of `data` (blocking while the pipe is full); False when the reader is gone."""
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view) :]
    except BrokenPipeError:
        return False
    return True


def read_to_end(streams: AttachedStreams, deadline: float) -> tuple[bytes, bytes]:
    """All a container prints until it ends, as (stdout, stderr), for short runs whose output is small
    (a build step, a probe); raises `TimeoutError` at `deadline` (time.monotonic())."""
    collected = {streams.stdout_fd: bytearray(), streams.stderr_fd: bytearray()}
    open_fds = set(collected)
    while open_fds:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not (ready := select.select(list(open_fds), [], [], remaining)[0]):
            raise TimeoutError("the container did not end in time")
        for fd in ready:
            chunk = os.read(fd, _CHUNK)
            if chunk:
                collected[fd] += chunk
            else:
                open_fds.discard(fd)
    return bytes(collected[streams.stdout_fd]), bytes(collected[streams.stderr_fd])
