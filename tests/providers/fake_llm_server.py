"""A local model server on 127.0.0.1 that speaks the OpenAI and Anthropic wire formats, with scripted faults.

Tests drive the real `openai` and `anthropic` SDKs against it through their `base_url`, so what is
tested is the code path a user runs, HTTP included. It serves:
- `POST /v1/chat/completions` (OpenAI chat completions, `response_format` json_schema honoured),
- `POST /v1/embeddings` (float lists, or base64 float32 when the SDK asks for it, as OpenAI does),
- `POST /v1/messages` (Anthropic Messages, `output_config.format` honoured),
- `GET /v1/models` and `GET /v1/models/{id}` (OpenAI's model objects, or Anthropic's when the request
  carries `anthropic-version`), 404 for a model outside `known_models` when that is set.

Every request is recorded (path, headers, JSON body, arrival time), and `script(...)` queues `Fault`s
that the next requests receive in order: an HTTP error with headers (429 + Retry-After), a hang
longer than the client's timeout, a body that is not JSON, or a chosen reply text. Token counts are
words (split on whitespace), so tests can compute the expected cost by hand.

Run it by hand for an end-to-end check of the CLI: `python -m tests.providers.fake_llm_server --port 8765`.
"""

from __future__ import annotations

import argparse
import base64
import json
import struct
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from evaluators.text import content_words

EMBEDDING_DIMENSIONS = 8


@dataclass
class SeenRequest:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    at: float

    @property
    def wire(self) -> str:
        anthropic_header = any(key.lower() == "anthropic-version" for key in self.headers)
        return "anthropic" if self.path.endswith("/messages") or anthropic_header else "openai"

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    @property
    def last_user_text(self) -> str:
        users = [m for m in self.messages if m.get("role") == "user"]
        return _text(users[-1]["content"]) if users else ""

    @property
    def all_text(self) -> str:
        """System text and every message, joined: what the model was shown."""
        parts = [_text(self.body.get("system", ""))] + [_text(m.get("content", "")) for m in self.messages]
        return "\n".join(parts)

    @property
    def json_schema(self) -> dict[str, Any] | None:
        """The schema the client asked the server to enforce natively, if any."""
        if self.wire == "anthropic":
            return ((self.body.get("output_config") or {}).get("format") or {}).get("schema")
        response_format = self.body.get("response_format") or {}
        return (response_format.get("json_schema") or {}).get("schema")


@dataclass
class Fault:
    """What the next request gets instead of a normal answer. Defaults mean "answer normally"."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    message: str = "scripted failure"
    error_code: str | None = None
    hang: float = 0.0
    raw_body: bytes | None = None
    reply: str | None = None


Reply = Callable[[SeenRequest], str]


def default_reply(request: SeenRequest) -> str:
    """A JSON object filling the native schema when one was sent; otherwise a short fixed sentence."""
    schema = request.json_schema
    if schema is not None:
        return json.dumps(fill_schema(schema))
    return "fake answer"


def echoing(latency: float = 0.0) -> Reply:
    """A deterministic little model that takes `latency` seconds a reply, for benchmarks of the task agent.

    A KnowledgeItem or Query (a native schema was sent) gets the text it was asked about in every string
    field (the question, or the session's text); an answer is the first line of the retrieved memory. So
    what it says depends on what the memory returned, and a write or read out of order changes scores.
    """
    return _task_agent_model(latency, lambda memory, question: memory[0])


def reading(latency: float = 0.0) -> Reply:
    """Like `echoing`, but an answer is the retrieved line sharing the most words with the question.

    A real model reads the whole retrieved memory, not only its first line: with `echoing`, a memory that
    merely puts a likely line first gains as much as one that finds the answer. Ties go to the earlier line.
    """

    def best_line(memory: list[str], question: str) -> str:
        wanted = set(content_words(question))
        return max(memory, key=lambda line: len(wanted & set(content_words(line))))

    return _task_agent_model(latency, best_line)


def _task_agent_model(latency: float, answer: Callable[[list[str], str], str]) -> Reply:
    """The task agent's model: schema requests echo their subject; `answer` picks from the memory lines."""

    def reply(request: SeenRequest) -> str:
        time.sleep(latency)
        text = request.last_user_text
        schema = request.json_schema
        if schema is not None:
            marker = "Question: " if "Question: " in text else "Text:\n"
            subject = text.split(marker, 1)[-1].split("\n\n", 1)[0]
            filled = fill_schema(schema)
            if not isinstance(filled, dict):
                return json.dumps(filled)
            return json.dumps(
                {key: subject if isinstance(value, str) else value for key, value in filled.items()}
            )
        memory = text.split("<retrieved_memory>\n", 1)[-1].split("\n</retrieved_memory>", 1)[0]
        question = text.split("Question: ", 1)[-1].split("\n", 1)[0]
        lines = memory.strip().splitlines()
        return answer(lines, question)[:200] if lines else "not known"

    return reply


def fill_schema(schema: dict[str, Any], name: str = "value") -> Any:
    """A value that satisfies `schema`: strings name their field, numbers are 1, objects recurse."""
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if s.get("type") != "null"] or schema["anyOf"]
        return fill_schema(options[0], name)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type", "string")
    if kind == "object":
        properties = schema.get("properties", {})
        return {key: fill_schema(sub, key) for key, sub in properties.items()}
    if kind == "array":
        return [fill_schema(schema.get("items", {"type": "string"}), name)]
    return {"string": f"fake {name}", "integer": 1, "number": 1.0, "boolean": True, "null": None}.get(
        kind, name
    )


class FakeLLMServer:
    """Start with `with FakeLLMServer() as server:`; `server.url` is `http://127.0.0.1:PORT`."""

    def __init__(
        self,
        reply: Reply = default_reply,
        port: int = 0,
        expected_key: str | None = None,
        known_models: set[str] | None = None,
    ) -> None:
        self.reply = reply
        self.expected_key = expected_key
        self.known_models = known_models
        self.structured_outputs = True  # what Anthropic model lookups report
        self.requests: list[SeenRequest] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="fake-llm-server",
            daemon=True,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def openai_url(self) -> str:
        return f"{self.url}/v1"

    def script(self, *faults: Fault) -> None:
        with self._lock:
            self._faults.extend(faults)

    def count(self, path_suffix: str = "") -> int:
        with self._lock:
            return sum(1 for r in self.requests if r.path.endswith(path_suffix))

    def start(self) -> FakeLLMServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()  # wake hanging handlers so they finish
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeLLMServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _next_fault(self) -> Fault | None:
        with self._lock:
            return self._faults.popleft() if self._faults else None

    def _seen(self, request: SeenRequest) -> None:
        with self._lock:
            self.requests.append(request)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _done(self) -> None:
        with self._lock:
            self.in_flight -= 1


def _handler_for(fake: FakeLLMServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:  # keep test output clean
            return

        def do_GET(self) -> None:
            self.do_POST()

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                body = {}
            request = SeenRequest(self.path, dict(self.headers.items()), body, time.monotonic())
            fake._seen(request)
            self.in_flight = True
            try:
                self._answer(request)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout); nothing to answer
            finally:
                self._not_in_flight()

        def _not_in_flight(self) -> None:
            """Once per request, before its answer is sent: a client that has its answer may send its
            next request before this handler ends, and that request must not count as a second in flight."""
            if self.in_flight:
                self.in_flight = False
                fake._done()

        def _answer(self, request: SeenRequest) -> None:
            fault = fake._next_fault() or Fault()
            if fault.hang:
                fake._release.wait(fault.hang)
            if fake.expected_key is not None and _presented_key(request) != fake.expected_key:
                # Like some real servers, echo the key that was presented: the client must redact it.
                presented = _presented_key(request)
                fault = Fault(status=401, message=f"Incorrect API key provided: {presented}")
            if fault.raw_body is not None:
                return self._send(fault.status, fault.raw_body, fault.headers)
            if fault.status != 200:
                return self._send_json(fault.status, _error_body(request, fault), fault.headers)
            if request.path.endswith("/embeddings"):
                return self._send_json(200, _embeddings(request))
            if "/models" in request.path:
                return self._models(request)
            if not request.path.endswith(("/chat/completions", "/messages")):
                return self._send_json(
                    404, _error_body(request, Fault(404, message=f"no route {request.path}"))
                )
            text = fault.reply if fault.reply is not None else fake.reply(request)
            builder = _anthropic_message if request.wire == "anthropic" else _chat_completion
            return self._send_json(200, builder(request, text), fault.headers)

        def _models(self, request: SeenRequest) -> None:
            model = request.path.split("/models", 1)[1].strip("/")
            if model and fake.known_models is not None and model not in fake.known_models:
                not_found = Fault(404, message=f"The model '{model}' does not exist")
                return self._send_json(404, _error_body(request, not_found))
            anthropic = request.wire == "anthropic"
            if not model:
                names = sorted(fake.known_models or {"fake-model"})
                return self._send_json(
                    200, {"object": "list", "data": [_model_object(n, anthropic) for n in names]}
                )
            info = _model_object(model, anthropic)
            if anthropic:
                info["capabilities"] = {"structured_outputs": {"supported": fake.structured_outputs}}
            return self._send_json(200, info)

        def _send_json(
            self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
        ) -> None:
            self._send(
                status, json.dumps(payload).encode(), {"content-type": "application/json", **(headers or {})}
            )

        def _send(self, status: int, data: bytes, headers: dict[str, str]) -> None:
            self._not_in_flight()
            self.send_response(status)
            for key, value in {"content-type": "application/json", **headers}.items():
                self.send_header(key, value)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks
        return "".join(block.get("text", "") for block in content if isinstance(block, dict))
    return str(content or "")


def _words(text: str) -> int:
    return len(text.split())


def _presented_key(request: SeenRequest) -> str:
    headers = {key.lower(): value for key, value in request.headers.items()}
    if "x-api-key" in headers:
        return headers["x-api-key"]
    return headers.get("authorization", "").removeprefix("Bearer ").strip()


def _error_body(request: SeenRequest, fault: Fault) -> dict[str, Any]:
    if request.wire == "anthropic":
        kind = {401: "authentication_error", 429: "rate_limit_error", 529: "overloaded_error"}.get(
            fault.status
        )
        return {"type": "error", "error": {"type": kind or "api_error", "message": fault.message}}
    return {
        "error": {"message": fault.message, "type": "fake_error", "code": fault.error_code, "param": None}
    }


def _model_object(model: str, anthropic: bool) -> dict[str, Any]:
    if anthropic:
        return {"id": model, "type": "model", "display_name": model, "created_at": "2026-01-01T00:00:00Z"}
    return {"id": model, "object": "model", "created": 0, "owned_by": "fake"}


def _chat_completion(request: SeenRequest, text: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{len(text)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.body.get("model", ""),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": _words(request.all_text),
            "completion_tokens": _words(text),
            "total_tokens": _words(request.all_text) + _words(text),
        },
    }


def _anthropic_message(request: SeenRequest, text: str) -> dict[str, Any]:
    return {
        "id": f"msg_{len(text)}",
        "type": "message",
        "role": "assistant",
        "model": request.body.get("model", ""),
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": _words(request.all_text), "output_tokens": _words(text)},
    }


def embedding_for(text: str) -> list[float]:
    """A deterministic vector per text, so tests can check order and caching."""
    seed = zlib.crc32(text.encode())
    return [((seed >> (3 * i)) % 97) / 97.0 for i in range(EMBEDDING_DIMENSIONS)]


def _embeddings(request: SeenRequest) -> dict[str, Any]:
    texts = request.body.get("input", [])
    texts = [texts] if isinstance(texts, str) else texts
    as_base64 = request.body.get("encoding_format") == "base64"
    data = []
    for index, text in enumerate(texts):
        vector = embedding_for(text)
        encoded: Any = (
            base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode() if as_base64 else vector
        )
        data.append({"object": "embedding", "index": index, "embedding": encoded})
    tokens = sum(_words(t) for t in texts)
    return {
        "object": "list",
        "data": data,
        "model": request.body.get("model"),
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve fake OpenAI/Anthropic endpoints on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8765)
    port = parser.parse_args().port
    with FakeLLMServer(port=port) as server:
        print(
            f"fake LLM server at {server.url} (OpenAI base URL {server.openai_url}); Ctrl-C stops it",
            flush=True,
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
