"""The wire protocol between the host and the sandbox harness: JSON lines, one message per line.

Host -> sandbox, requests, each with an `id`:
    {"id": 1, "op": "load", "source": "...", "llm": true, "llm_calls_per_operation": 1}
    {"id": 2, "op": "describe"}
    {"id": 3, "op": "write", "item": {...}, "raw_text": "..."}
    {"id": 4, "op": "read", "query": {...}}
    {"id": 5, "op": "reset"}     drop the program and all it left; reply {"reusable": bool}; `load` may follow
    {"id": 6, "op": "close"}     reply, then exit
Sandbox -> host:
    {"ready": true, "protocol": 1, "python": "3.11.2"}                       once, when the harness starts
    {"id": 3, "ok": true, "result": ..., "logs": [...]}                       a reply
    {"id": 3, "ok": false, "error": {"type", "message", "traceback"}, "logs": [...]}
    {"call": 7, "tool": "llm" | "embed", "args": {...}}                       a capability call
Host -> sandbox, the answer to a capability call:
    {"call": 7, "ok": true, "result": ...}  or  {"call": 7, "ok": false, "error": {"type", "message"}}

An error's `type` is a failure reason (`contract`, `crash`, `wrong_type`, `memory`, `processes`, `disk`,
`llm_budget`, `llm_unavailable`): machine-readable, so the host needs no parsing of messages.

Both sides import this module, so it is standard library only. Everything that arrives at the host is
untrusted: the host checks ids, types and sizes itself (see `sandbox.remote`).
"""

from __future__ import annotations

import base64
import json
from typing import Any

PROTOCOL_VERSION = 1
OPERATIONS = ("load", "describe", "write", "read", "reset", "close")
TOOLS = ("llm", "embed")
ERROR_TYPES = (
    "contract",
    "crash",
    "wrong_type",
    "memory",
    "processes",
    "disk",
    "llm_budget",
    "llm_unavailable",
)
"""The error types a harness may report; anything else from the sandbox is a protocol violation."""

HARNESS_ROOT = "/opt/mnemoforge"
"""Where the image keeps the harness package (`sandbox/`), and the process backend's private copy mirrors."""
CHANNEL_VARIABLE = "MNEMOFORGE_CHANNEL"
"""If set, the directory holding the `requests` and `replies` FIFOs the harness speaks over, instead of
its stdin and stdout, and the `output` FIFO its supervisor makes everyone's stderr (the Docker backend
bind-mounts them: host and harness then talk directly)."""
CHANNEL_MOUNT = "/run/mnemoforge"
OUTPUT_END_VARIABLE = "MNEMOFORGE_OUTPUT_END"
"""If set, the harness marks the end of each operation's output with `OUTPUT_END` and the request's id on
stderr before it replies. For a sandbox whose output and replies reach the host by separate relays (the
Docker daemon's attach stream copies stdout and stderr each on its own), so that the host can wait for
all an operation printed before it moves on."""
OUTPUT_END = b"\x00mnemoforge-output-end "
VENDOR_DIRECTORY = "vendor"
"""Beside `sandbox/`: packages that take precedence over the interpreter's own (the host's numpy)."""


class ProtocolError(ValueError):
    """A message that is not valid JSON, not an object, or not shaped as the protocol says."""


def encode(message: dict[str, Any]) -> bytes:
    """One message as one line. JSON escapes newlines inside strings, so a line is always one message.

    Lone surrogates (legal in a Python str) pass through, so a string crosses unchanged; `json.loads`
    reads them back from bytes the same way.
    """
    text = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8", "surrogatepass") + b"\n"


def decode(line: bytes) -> dict[str, Any]:
    """Parse one line into a message object; raise `ProtocolError` for anything else."""
    try:
        message = json.loads(line)
    except (ValueError, UnicodeDecodeError) as error:
        raise ProtocolError(f"not a JSON line: {_preview(line)} ({error})") from None
    if not isinstance(message, dict):
        raise ProtocolError(f"not a JSON object: {_preview(line)}")
    return message


def ok_reply(request_id: int, result: Any, logs: list[str]) -> dict[str, Any]:
    return {"id": request_id, "ok": True, "result": result, "logs": logs}


def error_reply(
    request_id: int, error_type: str, message: str, traceback: str = "", logs: list[str] | None = None
) -> dict[str, Any]:
    error = {"type": error_type, "message": message, "traceback": traceback}
    return {"id": request_id, "ok": False, "error": error, "logs": list(logs or [])}


def capability_answer(call: int, result: Any) -> dict[str, Any]:
    return {"call": call, "ok": True, "result": result}


def capability_refusal(call: int, error_type: str, message: str) -> dict[str, Any]:
    return {"call": call, "ok": False, "error": {"type": error_type, "message": message}}


def pack_vectors(matrix: Any) -> dict[str, Any]:
    """Embeddings for the wire: float64 bytes in base64, exact and far cheaper to parse than JSON numbers."""
    rows, columns = matrix.shape
    return {"shape": [rows, columns], "f8": base64.b64encode(matrix.astype("<f8").tobytes()).decode("ascii")}


def unpack_vectors(packed: dict[str, Any]) -> list[list[float]]:
    """The inverse of `pack_vectors`, as the lists of floats `toolkit.embed` returns."""
    import numpy as np  # only here: the host side of this module needs no numpy

    rows, columns = packed["shape"]
    return np.frombuffer(base64.b64decode(packed["f8"]), dtype="<f8").reshape(rows, columns).tolist()


PYTHON_FLAGS = ("-s", "-P")
"""How the harness's interpreter starts: no user site directory (-s), no working directory on the path
(-P), so nothing outside the harness root and the interpreter's library can shadow a module. Not -I:
its -E would ignore PYTHONHASHSEED, and the environment is the backend's own, built from nothing."""

HASH_SEED = "0"
"""PYTHONHASHSEED in every sandbox. With a fixed seed, set and dict iteration orders are the same on
every run, so a program that, say, sums floats over a set of words scores the same every time it is
evaluated (in-process runs, with Python's random seed, may differ from each other in such programs)."""


def bootstrap_code(root: str = HARNESS_ROOT) -> str:
    """The `python3 -c` code (with `PYTHON_FLAGS`) that starts the harness from `root`."""
    paths = [f"{root}/{VENDOR_DIRECTORY}", root]
    return f"import sys; sys.path[:0] = {paths!r}; from sandbox.harness import main; main()"


def supervisor_code(root: str = HARNESS_ROOT) -> str:
    """The `python3 -c` code (with `PYTHON_FLAGS`) that starts the Docker sandbox's supervisor
    (`sandbox.supervisor`), which serves harnesses, from `root`."""
    paths = [f"{root}/{VENDOR_DIRECTORY}", root]
    return f"import sys; sys.path[:0] = {paths!r}; from sandbox.supervisor import main; main()"


def _preview(line: bytes, limit: int = 120) -> str:
    text = line[:limit].decode("utf-8", "replace")
    return repr(text + ("..." if len(line) > limit else ""))
