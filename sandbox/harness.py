"""The in-sandbox harness: hosts one memory program and serves it over the wire protocol.

It runs inside the container (or the process backend's subprocess) with the image's python3, so it
uses the standard library, numpy and the sandbox modules copied beside it, nothing else.

Before the program is loaded, the harness takes the protocol channel private: it moves the real stdin
and stdout to fresh descriptors (non-inheritable, so a spawned process never gets them), points fd 0 at
/dev/null and fd 1 at stderr, and makes `sys.stdout` the stderr stream. So `print`, `sys.__stdout__`,
`os.write(1, ...)` and any child process's output all land in the program's logs, never in the protocol.
A forked child loses the channel at once (an at-fork hook closes it), so only the harness process
speaks. A program can still find the private descriptors through /proc (it runs in this process), so
the host treats every byte it receives as untrusted: ids, types, sizes and the LLM budget are checked
on the host side, and a forged message gains nothing that returning a value could not.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import shutil
import signal
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable
from typing import Any

from sandbox import protocol
from sandbox.contract import ContractError, LoadedProgram, load_program
from sandbox.toolkit import CapabilityError, Toolkit


class _NotHarness(Exception):
    """Raised in a forked child that reaches the channel: it must leave without a word."""


class _Failure(Exception):
    """An operation failed; `type` is a protocol error type (a failure reason)."""

    def __init__(self, error_type: str, message: str, trace: str = "") -> None:
        self.type = error_type
        self.message = message
        self.trace = trace
        super().__init__(message)


class Channel:
    """The protocol stream, on descriptors that only the harness process holds.

    `lock` serialises exchanges, so that program threads calling `toolkit.embed` concurrently each get
    their own answer. `in_operation` is true only while the host is inside a request and so is
    listening for capability calls.
    """

    def __init__(self, in_fd: int, out_fd: int, marks_output_end: bool = False) -> None:
        self._in = os.fdopen(in_fd, "rb", buffering=1 << 16)
        self._in_fd = in_fd
        self._out_fd = out_fd
        self._owner = os.getpid()
        self.lock = threading.Lock()
        self.in_operation = False
        self.marks_output_end = marks_output_end

    @classmethod
    def claim(cls) -> Channel:
        """Open the protocol channel privately: the FIFOs in $MNEMOFORGE_CHANNEL if the backend made
        them, else stdin/stdout moved to fresh descriptors. From here on, fd 0 is /dev/null and fd 1
        is stderr. (`os.open` and `os.dup` make non-inheritable descriptors.)"""
        sys.stdout.flush()
        directory = os.environ.pop(protocol.CHANNEL_VARIABLE, "")
        marks_output_end = os.environ.pop(protocol.OUTPUT_END_VARIABLE, "") == "1"
        if directory:
            in_fd = os.open(os.path.join(directory, "requests"), os.O_RDONLY)
            out_fd = os.open(os.path.join(directory, "replies"), os.O_WRONLY)
        else:
            in_fd, out_fd = os.dup(0), os.dup(1)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.dup2(2, 1)
        sys.stdout = sys.__stdout__ = sys.stderr
        channel = cls(in_fd, out_fd, marks_output_end)
        os.register_at_fork(after_in_child=channel.abandon)
        return channel

    def abandon(self) -> None:
        """In a forked child: close the channel so the child cannot speak in the harness's name."""
        for fd in (self._in_fd, self._out_fd):
            with contextlib.suppress(OSError):
                os.close(fd)

    def receive(self) -> dict[str, Any] | None:
        """The next message from the host, or None when the host has hung up."""
        self.ensure_owner()
        line = self._in.readline()
        if not line:
            return None
        return protocol.decode(line)

    def reply(self, message: dict[str, Any]) -> None:
        """Answer a request: mark the end of its output first if the host asked for it (see
        `protocol.OUTPUT_END_VARIABLE`)."""
        if self.marks_output_end:
            with contextlib.suppress(OSError):
                os.write(2, protocol.OUTPUT_END + f"{message.get('id')}\n".encode())
        self.send(message)

    def send(self, message: dict[str, Any]) -> None:
        self.ensure_owner()
        data = memoryview(protocol.encode(message))
        while data:
            data = data[os.write(self._out_fd, data) :]

    def ensure_owner(self) -> None:
        if os.getpid() != self._owner:
            raise _NotHarness


class Harness:
    """Serves `load`, `describe`, `write`, `read`, `close` for one program instance."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.program: LoadedProgram | None = None
        self.toolkit: Toolkit | None = None
        self.knowledge_base: Any = None
        self._next_call = 0

    def serve(self) -> None:
        self.channel.send({"ready": True, "protocol": protocol.PROTOCOL_VERSION, "python": sys.version})
        while True:
            request = self.channel.receive()
            if request is None:
                return
            with self.channel.lock:
                self.channel.in_operation = True
            reply = self.handle(request)
            _flush_output()
            self.channel.ensure_owner()  # a forked child that returned here must not take the lock
            with self.channel.lock:
                self.channel.in_operation = False
                self.channel.reply(reply)
            if request.get("op") == "close":
                return

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        request_id = request.get("id")
        try:
            handler = getattr(self, f"_op_{request.get('op')}", None)
            if request.get("op") not in protocol.OPERATIONS or handler is None:
                raise _Failure("crash", f"the harness got an unknown request: {request.get('op')!r}")
            result = handler(request)
        except _Failure as failure:
            return protocol.error_reply(
                request_id, failure.type, failure.message, failure.trace, self._logs()
            )
        return protocol.ok_reply(request_id, result, self._logs())

    def _op_load(self, request: dict[str, Any]) -> None:
        try:
            self.program = load_program(str(request["source"]))
        except ContractError as error:
            cause = error.__cause__
            kind = _classify(cause) if cause is not None else "crash"
            raise _Failure("contract" if kind == "crash" else kind, str(error)) from None
        except _NotHarness:
            raise
        except BaseException as error:  # SystemExit & co. at module level
            raise _failure("load", error) from None
        llm = self._llm if request.get("llm") else None
        self.toolkit = Toolkit(self._embed, llm, int(request.get("llm_calls_per_operation", 1)))
        program, toolkit = self.program, self.toolkit
        self.knowledge_base = _run("__init__", lambda: program.new_knowledge_base(toolkit))

    def _op_describe(self, request: dict[str, Any]) -> dict[str, Any]:
        return self._loaded().description.to_json()

    def _op_write(self, request: dict[str, Any]) -> None:
        program = self._loaded()
        item = _run("building KnowledgeItem", lambda: program.make_item(request.get("item")))
        raw_text = str(request.get("raw_text", ""))
        self._begin_operation()
        _run("write", lambda: self.knowledge_base.write(item, raw_text))

    def _op_read(self, request: dict[str, Any]) -> str:
        program = self._loaded()
        query = _run("building Query", lambda: program.make_query(request.get("query")))
        self._begin_operation()
        result = _run("read", lambda: self.knowledge_base.read(query))
        if not isinstance(result, str):
            raise _Failure("wrong_type", f"read() returned {type(result).__name__}, not str")
        return result

    def _op_close(self, request: dict[str, Any]) -> None:
        if self.toolkit is not None:
            self.toolkit.close()

    def _op_reset(self, request: dict[str, Any]) -> dict[str, bool]:
        """Drop the program instance and everything it left, so that this sandbox can serve the same
        program's next session as if fresh: its processes are killed (the host asks for this only in a
        sandbox with its own PID namespace), its temp files removed, its module forgotten. A thread the
        program left running cannot be stopped, so then the sandbox says it is not reusable."""
        self._op_close(request)
        self.program = self.toolkit = self.knowledge_base = None
        sys.modules.pop("memory_program", None)
        _kill_other_processes()
        _empty_directory(tempfile.gettempdir())
        gc.collect()
        return {"reusable": threading.active_count() == 1}

    def _loaded(self) -> LoadedProgram:
        if self.program is None or self.toolkit is None:
            raise _Failure("crash", "the harness got an operation before a program was loaded")
        return self.program

    def _begin_operation(self) -> None:
        assert self.toolkit is not None
        self.toolkit.begin_operation()

    def _logs(self) -> list[str]:
        return self.toolkit.logger.drain() if self.toolkit is not None else []

    def _embed(self, texts: list[str]) -> list[list[float]]:
        return protocol.unpack_vectors(self._call_host("embed", {"texts": texts}))

    def _llm(self, prompt: str, system: str | None, max_tokens: int) -> str:
        return str(self._call_host("llm", {"prompt": prompt, "system": system, "max_tokens": max_tokens}))

    def _call_host(self, tool: str, args: dict[str, Any]) -> Any:
        """One capability call, answered by the host; refusals become `CapabilityError` in the program."""
        self.channel.ensure_owner()
        with self.channel.lock:
            if not self.channel.in_operation:
                raise RuntimeError(f"toolkit.{tool} can only be used while write() or read() runs")
            self._next_call += 1
            call = self._next_call
            self.channel.send({"call": call, "tool": tool, "args": args})
            answer = self.channel.receive()
        if answer is None:
            os._exit(0)  # the host is gone: nobody is left to serve
        if answer.get("call") != call:
            raise RuntimeError(f"the host answered call {answer.get('call')!r}, not {call}")
        if answer.get("ok"):
            return answer.get("result")
        error = answer.get("error") or {}
        error_type, message = str(error.get("type", "")), str(error.get("message", ""))
        if error_type in ("llm_budget", "llm_unavailable"):
            raise CapabilityError(error_type, message)
        raise RuntimeError(f"the host could not serve toolkit.{tool}: {message}")


def _run(operation: str, call: Callable[[], Any]) -> Any:
    try:
        return call()
    except _NotHarness:
        raise
    except BaseException as error:  # sys.exit() and KeyboardInterrupt fail the operation, not the harness
        raise _failure(operation, error) from None


def _failure(operation: str, error: BaseException) -> _Failure:
    trace = "".join(traceback.format_exception(error)[-3:])
    kind = _classify(error)
    message = str(error) if kind in ("llm_budget", "llm_unavailable") else None
    return _Failure(kind, message or f"{operation} raised {type(error).__name__}: {error}", trace)


def _classify(error: BaseException) -> str:
    """The failure reason an exception stands for: a spent limit is named, anything else is a crash."""
    if isinstance(error, CapabilityError):
        return error.reason if error.reason in protocol.ERROR_TYPES else "crash"
    if isinstance(error, MemoryError):
        return "memory"
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return "disk"
    if isinstance(error, OSError) and error.errno == errno.EAGAIN:
        return "processes"  # fork() or clone() refused: the process limit is reached
    if isinstance(error, RuntimeError) and "can't start new thread" in str(error):
        return "processes"
    return "crash"


def _kill_other_processes() -> None:
    """SIGKILL every process of this PID namespace but the harness and its ancestors, then reap."""
    keep, pid = {os.getpid()}, os.getppid()
    while pid > 0 and pid not in keep:
        keep.add(pid)
        try:
            with open(f"/proc/{pid}/stat") as stat:
                pid = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) not in keep:
            with contextlib.suppress(OSError):  # gone already, or not the program's (another user)
                os.kill(int(entry), signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _empty_directory(path: str) -> None:
    for entry in os.listdir(path):
        target = os.path.join(path, entry)
        with contextlib.suppress(OSError):
            if os.path.isdir(target) and not os.path.islink(target):
                shutil.rmtree(target, ignore_errors=True)
            else:
                os.remove(target)


def _flush_output() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()


def main() -> None:
    """Serve until `close` or until the host hangs up, then leave at once.

    `os._exit` skips joining the program's non-daemon threads, which would otherwise keep a closed
    sandbox alive.
    """
    channel = Channel.claim()
    try:
        Harness(channel).serve()
    except _NotHarness:
        pass
    except protocol.ProtocolError as error:
        print(f"harness: {error}", file=sys.stderr)
    _flush_output()
    os._exit(0)
