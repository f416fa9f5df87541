"""A memory session whose program runs in a sandboxed harness process, driven over the wire protocol.

Backend-neutral: the Docker and process backends each start a `HarnessProcess` (a process with pipes to
the harness, plus how to kill it and explain its death), and `RemoteSession` does the rest. Everything
that arrives from the sandbox is untrusted, so this side enforces:
- the per-operation timeout and the session's wall time, with a hard kill when either passes;
- the size of each protocol message and of read() results, and the program's printed output per
  operation (`output_limit`), reading all pipes without threads and never blocking on a full one;
- that replies answer the request just sent and have the right types (`protocol`, `wrong_type`);
- the LLM budget, through the `CapabilityBroker`.
"""

from __future__ import annotations

import collections
import contextlib
import os
import select
import selectors
import time
from collections.abc import Callable
from typing import Any, Protocol

from sandbox import protocol
from sandbox.broker import CapabilityBroker
from sandbox.contract import ProgramDescription
from sandbox.limits import SandboxLimits
from sandbox.session import Capabilities, FailureReason, OperationStats, ProgramFailure
from sandbox.toolkit import MAX_LOG_LINE_CHARS, MAX_LOG_LINES

_CHUNK = 1 << 16
_CLOSE_SECONDS = 2.0
_OUTPUT_END_SECONDS = 2.0
"""How long the host waits, after a reply, for the mark that ends the operation's output (only with a
sandbox that marks it): past it, the operation goes on and late lines join the next one's logs."""


class HarnessProcess(Protocol):
    """A started harness: its channel, and the backend-specific ways to stop it and explain its end.

    `request_fd` (host -> harness), `reply_fd` (harness -> host) and `output_fd` (what the program
    prints) are the host's ends, made non-blocking by the session; end of file on `reply_fd` means the
    harness is gone.
    """

    started_at: float
    request_fd: int
    reply_fd: int
    output_fd: int

    def alive(self) -> bool:
        """Whether the sandbox still runs (without waiting)."""

    def kill(self) -> None:
        """Stop the harness and everything it spawned, now; return when it is stopped."""

    def death(self) -> tuple[FailureReason, str]:
        """After it ended unasked: the failure reason and a clause like 'was killed by signal 9'."""

    def dispose(self) -> None:
        """Release everything (may finish in the background); the harness may still be running."""

    marks_output_end: bool
    """Whether output and replies reach the host by separate relays, so that output printed before a reply
    may arrive after it: the harness then marks where each operation's output ends, and the session
    waits for the mark (see `protocol.OUTPUT_END_VARIABLE`)."""

    recyclable: bool
    """Whether `recycle()` may be called: the sandbox can be made as new for another program."""

    def recycle(self) -> bool:
        """After a clean session: make the sandbox as new for another program, with a fresh harness
        starting; False when it could not be done (then dispose of it)."""


class RemoteSession:
    """`MemorySession` over a harness process; every failure is a `ProgramFailure` with its reason."""

    def __init__(
        self,
        source: str,
        capabilities: Capabilities,
        process: HarnessProcess,
        limits: SandboxLimits,
        release: Callable[[HarnessProcess], bool] | None = None,
        reused: bool = False,
    ) -> None:
        """Start a session in `process`: a fresh harness, or (`reused`) one that a previous session of the
        same program has reset. `release`, if given, may keep the sandbox after a clean close (it
        returns True when it did); otherwise the sandbox is removed."""
        self._process = process
        self._release = release
        self._limits = limits
        self._broker = CapabilityBroker(capabilities)
        self._wall_deadline = time.monotonic() + limits.session_seconds
        self._next_id = 0
        self._closed = False
        self._failed: ProgramFailure | None = None
        self._logs: list[str] = []
        self._output = _OutputTail()
        self._stdout = bytearray()
        self._stdin_fd = _nonblocking(process.request_fd)
        self._stdout_fd = _nonblocking(process.reply_fd)
        self._stderr_fd = _nonblocking(process.output_fd)
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._stdout_fd, selectors.EVENT_READ)
        self._selector.register(self._stderr_fd, selectors.EVENT_READ)
        self._stdout_open = self._stderr_open = True
        try:
            if not reused:
                self._handshake()
            self._request("load", source=source, llm=capabilities.llm is not None,
                          llm_calls_per_operation=capabilities.llm_calls_per_operation)  # fmt: skip
            description = self._request("describe")
            if not isinstance(description, dict):
                raise self._fail(FailureReason.PROTOCOL, "describe did not return a JSON object")
            try:
                self.description = ProgramDescription.from_json(description)
            except (KeyError, TypeError, ValueError) as error:
                raise self._fail(
                    FailureReason.PROTOCOL, f"describe returned a malformed description: {error}"
                ) from None
        except BaseException:
            self._closed = True
            self._process.kill()
            self._process.dispose()
            raise

    def write(self, item: dict[str, Any], raw_text: str) -> OperationStats:
        started = time.perf_counter()
        self._request("write", item=item, raw_text=raw_text)
        return self._stats(started)

    def read(self, query: dict[str, Any]) -> tuple[str, OperationStats]:
        started = time.perf_counter()
        result = self._request("read", query=query)
        stats = self._stats(started)
        if not isinstance(result, str):
            raise self._fail(FailureReason.WRONG_TYPE, f"read() returned {type(result).__name__}, not str")
        if len(result) > self._limits.max_read_chars:
            limit = self._limits.max_read_chars
            raise self._fail(
                FailureReason.OUTPUT_LIMIT,
                f"read() returned {len(result):,} characters, over the limit of {limit:,}",
            )
        return result, stats

    def drain_logs(self) -> list[str]:
        logs, self._logs = self._logs, []
        return logs

    def close(self) -> None:
        """End the session and remove the sandbox; never raises (evaluators call it in `finally`)."""
        if self._closed:
            return
        self._closed = True
        if self._failed is None and self._stdout_open and self._release is not None:
            try:
                answer = self._request("reset", timeout=_CLOSE_SECONDS)
            except (ProgramFailure, OSError):
                answer = None
            clean = isinstance(answer, dict) and answer.get("reusable") is True and not self._stdout
            self._selector.close()
            if clean and self._failed is None and self._release(self._process):
                return
        elif self._failed is None and self._stdout_open:
            with contextlib.suppress(ProgramFailure, OSError):
                self._request("close", timeout=_CLOSE_SECONDS)
        self._selector.close()
        self._process.dispose()

    # -- the exchange ---------------------------------------------------------------------------------

    def _handshake(self) -> None:
        deadline = time.monotonic() + self._limits.start_seconds
        try:
            hello = self._next_message("start", deadline, FailureReason.SANDBOX)
        except ProgramFailure as failure:
            if failure.reason is FailureReason.SANDBOX:
                raise
            raise self._fail(FailureReason.SANDBOX, f"the sandbox did not start: {failure.message}") from None
        if hello.get("ready") is not True or hello.get("protocol") != protocol.PROTOCOL_VERSION:
            raise self._fail(
                FailureReason.SANDBOX, f"the sandbox harness speaks another protocol: {hello!r:.200}"
            )

    def _request(self, op: str, timeout: float | None = None, **params: Any) -> Any:
        if self._failed is not None:
            raise ProgramFailure(FailureReason.SANDBOX, f"the session already failed: {self._failed.message}")
        self._next_id += 1
        request_id = self._next_id
        self._broker.begin_operation()
        self._output.begin_operation()
        now = time.monotonic()
        op_deadline = now + (timeout if timeout is not None else self._limits.operation_seconds)
        deadline = min(op_deadline, self._wall_deadline)
        reason = FailureReason.TIMEOUT if op_deadline <= self._wall_deadline else FailureReason.WALL_TIME
        self._send({"id": request_id, "op": op, **params}, op, deadline, reason)
        while True:
            message = self._next_message(op, deadline, reason)
            if "call" in message and "id" not in message:
                self._send(self._broker.answer(message), op, deadline, reason)
                continue
            if message.get("id") != request_id:
                raise self._fail(
                    FailureReason.PROTOCOL,
                    f"got a reply to request {message.get('id')!r} during {op} #{request_id}",
                )
            if self._process.marks_output_end:
                self._await_output_end(request_id, op)
            self._collect_output(op)
            self._logs.extend(self._output.drain())
            self._logs.extend(_log_lines(message.get("logs")))
            if message.get("ok") is True:
                return message.get("result")
            raise self._program_error(message.get("error"))

    def _program_error(self, error: Any) -> ProgramFailure:
        if not isinstance(error, dict) or error.get("type") not in protocol.ERROR_TYPES:
            return self._fail(FailureReason.PROTOCOL, f"the sandbox sent a malformed error: {error!r:.200}")
        trace = str(error.get("traceback") or "").rstrip().splitlines()[-6:]
        logs = (self.drain_logs() + trace)[-MAX_LOG_LINES:]
        failure = ProgramFailure(FailureReason(error["type"]), str(error.get("message", ""))[:2000], logs)
        self._failed = failure
        return failure

    def _send(self, message: dict[str, Any], op: str, deadline: float, reason: FailureReason) -> None:
        """Write one message; while the pipe is full, keep reading (the sandbox may be blocked writing)."""
        data = memoryview(protocol.encode(message))
        registered = False
        try:
            while data:
                try:
                    data = data[os.write(self._stdin_fd, data) :]
                except BlockingIOError:
                    if not registered:  # most messages fit in the pipe: register only when one does not
                        self._selector.register(self._stdin_fd, selectors.EVENT_WRITE)
                        registered = True
                    self._wait(op, deadline, reason)
                except BrokenPipeError:
                    raise self._died(op) from None
        finally:
            if registered:
                self._selector.unregister(self._stdin_fd)

    def _next_message(self, op: str, deadline: float, reason: FailureReason) -> dict[str, Any]:
        while True:
            newline = self._stdout.find(b"\n")
            if newline >= 0:
                line = bytes(self._stdout[:newline])
                del self._stdout[: newline + 1]
                self._check_size(len(line), op)
                try:
                    return protocol.decode(line)
                except protocol.ProtocolError as error:
                    raise self._fail(FailureReason.PROTOCOL, f"during {op}: {error}") from None
            self._check_size(len(self._stdout), op)
            if not self._stdout_open:
                raise self._died(op)
            self._wait(op, deadline, reason)

    def _wait(self, op: str, deadline: float, reason: FailureReason) -> None:
        """Wait until a pipe is ready or the deadline passes (then kill); read whatever is readable."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise self._fail(reason, self._deadline_message(op, reason))
        for key, _ in self._selector.select(remaining):
            if key.fd == self._stdout_fd:
                self._read_stdout()
            elif key.fd == self._stderr_fd:
                self._read_stderr(op)

    def _read_stdout(self) -> None:
        try:
            chunk = os.read(self._stdout_fd, _CHUNK)
        except BlockingIOError:
            return
        if chunk:
            self._stdout += chunk
        else:
            self._stdout_open = False
            self._selector.unregister(self._stdout_fd)

    def _read_stderr(self, op: str) -> None:
        """Take in one chunk of output (the selector found some), and fail `op` if that passes the cap."""
        if self._take_output():
            self._check_output_cap(op)

    def _take_output(self) -> bool:
        """Read one waiting chunk of output into the tail; False when none waits or the stream ended."""
        try:
            chunk = os.read(self._stderr_fd, _CHUNK)
        except BlockingIOError:
            return False
        if not chunk:
            self._stderr_open = False
            self._selector.unregister(self._stderr_fd)
            return False
        self._output.feed(chunk)
        return True

    def _check_output_cap(self, op: str) -> None:
        limit = self._limits.max_output_bytes
        if self._output.operation_bytes > limit:
            raise self._fail(
                FailureReason.OUTPUT_LIMIT, f"the program printed more than {limit:,} bytes during {op}"
            )

    def _await_output_end(self, request_id: int, op: str) -> None:
        """Read output until the mark that ends request `request_id`'s, for at most `_OUTPUT_END_SECONDS`.
        A program can forge the mark or bury it under more output: it then muddles only its own logs."""
        give_up = time.monotonic() + _OUTPUT_END_SECONDS
        while self._stderr_open and self._output.ended_through < request_id:
            remaining = give_up - time.monotonic()
            if remaining <= 0 or not select.select([self._stderr_fd], [], [], remaining)[0]:
                return
            self._read_stderr(op)

    def _collect_output(self, op: str | None = None) -> None:
        """Read what the program printed before its reply (it is already in the pipe), but no more than
        the operation's output cap: a thread that prints on after the reply, faster than the host takes
        it in, must not keep the host here. With `op` (a reply arrived), output past the cap fails the
        operation as `output_limit`; without (the sandbox is dead or being killed), reading just stops.
        """
        limit = self._limits.max_output_bytes
        while self._stderr_open and self._output.operation_bytes <= limit and self._take_output():
            pass
        if op is not None:
            self._check_output_cap(op)

    def _check_size(self, size: int, op: str) -> None:
        if size > self._limits.max_message_bytes:
            raise self._fail(
                FailureReason.OUTPUT_LIMIT,
                f"the sandbox sent over {self._limits.max_message_bytes:,} bytes in one message during {op}",
            )

    def _deadline_message(self, op: str, reason: FailureReason) -> str:
        if reason is FailureReason.WALL_TIME:
            return f"the session used up its {self._limits.session_seconds:g} s of wall time during {op}"
        if reason is FailureReason.SANDBOX:
            return f"the sandbox did not report ready within {self._limits.start_seconds:g} s"
        return f"{op} did not finish within {self._limits.operation_seconds:g} s"

    def _died(self, op: str) -> ProgramFailure:
        """The harness ended without being asked: find out why, and fail with that reason."""
        if self._failed is not None:
            return self._failed
        self._collect_output()
        reason, how = self._process.death()
        failure = ProgramFailure(
            reason, f"the sandbox {how} during {op}", self.drain_logs() + self._output.drain()
        )
        self._failed = failure
        return failure

    def _fail(self, reason: FailureReason, message: str) -> ProgramFailure:
        """Kill the sandbox (it cannot be trusted any more) and build the failure to raise."""
        self._process.kill()
        with contextlib.suppress(OSError):
            self._collect_output()
        # The program's log lines and what it printed are capped apart: together, the last of them.
        logs = (self.drain_logs() + self._output.drain())[-MAX_LOG_LINES:]
        failure = ProgramFailure(reason, message, logs)
        self._failed = failure
        return failure

    def _stats(self, started: float) -> OperationStats:
        return OperationStats(
            seconds=time.perf_counter() - started,
            llm_calls=self._broker.llm_calls,
            embed_calls=self._broker.embed_calls,
        )


class _OutputTail:
    """What the program printed: the last lines (bounded), the bytes counted per operation, and the
    highest request id whose end-of-output mark came by (marks are taken out of the lines)."""

    def __init__(self) -> None:
        self._lines: collections.deque[str] = collections.deque(maxlen=MAX_LOG_LINES)
        self._partial = b""
        self.operation_bytes = 0
        self.ended_through = 0

    def begin_operation(self) -> None:
        self.operation_bytes = 0

    def feed(self, chunk: bytes) -> None:
        self.operation_bytes += len(chunk)
        data = self._partial + chunk
        *lines, self._partial = data.split(b"\n")
        if len(self._partial) > MAX_LOG_LINE_CHARS * 4:
            lines.append(self._partial)
            self._partial = b""
        printed = [text for text in map(self._unmarked, lines) if text is not None]
        for line in printed[-MAX_LOG_LINES:]:
            self._lines.append(
                "[output] " + line[: MAX_LOG_LINE_CHARS * 4].decode("utf-8", "replace")[:MAX_LOG_LINE_CHARS]
            )

    def _unmarked(self, line: bytes) -> bytes | None:
        """The line without an end-of-output mark (noted, and not counted as output); None when the line
        was only the mark."""
        text, mark, request_id = line.partition(protocol.OUTPUT_END)
        if not mark:
            return line
        self.operation_bytes -= len(mark) + len(request_id) + 1
        with contextlib.suppress(ValueError):
            self.ended_through = max(self.ended_through, int(request_id))
        return text or None

    def drain(self) -> list[str]:
        if self._partial:
            counted = self.operation_bytes
            self.feed(b"\n")
            self.operation_bytes = counted
        lines = list(self._lines)
        self._lines.clear()
        return lines


def _log_lines(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [str(line)[:MAX_LOG_LINE_CHARS] for line in value[: MAX_LOG_LINES + 1]]


def _nonblocking(fd: int) -> int:
    os.set_blocking(fd, False)
    return fd
