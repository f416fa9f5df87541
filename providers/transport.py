"""The narrow interface between the provider-neutral client and one provider's SDK.

A transport turns a `ChatRequest` into exactly one HTTP request through its SDK and returns a
`RawCompletion`, or raises: `TransientFailure` for what a retry may fix, `ProviderRequestError` for what
it cannot. Retries, caching, budgets and accounting live above it, in `providers.llm`, so they behave
identically for every provider.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from providers.errors import ProviderRequestError, TransientFailure
from providers.models import ModelSpec
from providers.retry import parse_retry_after
from providers.secrets import redact

Role = Literal["user", "assistant"]


@dataclass(frozen=True)
class Message:
    role: Role
    content: str


@dataclass(frozen=True)
class ChatRequest:
    """Everything that determines a completion, and nothing secret: its JSON is the cache key's input."""

    messages: tuple[Message, ...]
    system: str | None = None
    max_tokens: int = 1024
    temperature: float = 0.0
    json_schema: dict[str, Any] | None = None

    def canonical_json(self) -> str:
        """A stable serialisation (sorted keys, no whitespace variance) for hashing."""
        return json.dumps(
            {
                "messages": [[m.role, m.content] for m in self.messages],
                "system": self.system,
                "max_tokens": self.max_tokens,
                "temperature": self.temperature,
                "json_schema": self.json_schema,
            },
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )

    def without_schema(self) -> ChatRequest:
        return ChatRequest(self.messages, self.system, self.max_tokens, self.temperature, None)


@dataclass(frozen=True)
class RawCompletion:
    """What one successful request returned; token counts are the provider's own (0 when it gave none)."""

    text: str
    input_tokens: int = 0
    output_tokens: int = 0
    finish_reason: str = ""
    served_model: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class ChatTransport(Protocol):
    """One provider's chat endpoint; `supports_json_schema` says whether it can enforce a schema natively."""

    supports_json_schema: bool

    def send(self, request: ChatRequest, timeout: float) -> RawCompletion: ...

    def check(self, timeout: float) -> None:
        """One request that proves the endpoint is reachable and the key accepted, spending no tokens."""
        ...


def to_messages(
    prompt: str | Sequence[Message | dict[str, str]], system: str | None
) -> tuple[tuple[Message, ...], str | None]:
    """Normalise a prompt or a message list; "system" messages are folded into the system text.

    Both Anthropic (a separate `system` field) and OpenAI (a leading system message) are then built
    from the same (messages, system) pair.
    """
    if isinstance(prompt, str):
        return (Message("user", prompt),), system
    messages: list[Message] = []
    systems = [system] if system else []
    for entry in prompt:
        role, content = (
            (entry.role, entry.content) if isinstance(entry, Message) else (entry["role"], entry["content"])
        )
        if role == "system":
            systems.append(str(content))
        elif role in ("user", "assistant"):
            messages.append(Message(role, str(content)))  # type: ignore[arg-type]
        else:
            raise ValueError(f"message role {role!r} is not one of system, user, assistant")
    if not messages:
        raise ValueError("a chat request needs at least one user message")
    return tuple(messages), ("\n\n".join(systems) if systems else None)


KEY_VARIABLES = {
    "openai": "OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
    "openai-compatible": "OPENAI_COMPATIBLE_API_KEY",
}
"""The environment variable each provider's key is read from (when the config gives none)."""

SERVER_MESSAGE_CHARS = 300


def status_failure(
    status: int, headers: Mapping[str, str], server_message: str, spec: ModelSpec
) -> TransientFailure | ProviderRequestError:
    """The exception for an HTTP error status, shared by all transports so every provider reads alike.

    429, 408, 409 and 5xx are transient (except a 429 that says the quota is gone, and 501: a server
    that does not implement an endpoint will not implement it on retry); the rest are the caller's to
    fix, and their message says how. `server_message` is redacted and shortened first.
    """
    said = redact(" ".join(server_message.split()))[:SERVER_MESSAGE_CHARS]
    where = f"{spec.label} (model {spec.model})"
    if status == 429 and "quota" not in said.lower():
        return TransientFailure("rate limited", f"HTTP 429: {said}", parse_retry_after(headers))
    if status in (408, 409) or (status >= 500 and status != 501):
        return TransientFailure("server error", f"HTTP {status}: {said}", parse_retry_after(headers))
    if status == 429:
        fix = "add credit or raise the quota of this account, or use another key"
    elif status == 401:
        fix = f"set {KEY_VARIABLES[spec.provider]} (or api_key in the [llm] config) to a valid key"
    elif status == 403:
        fix = "use a key whose project may call this model, or choose another model"
    elif status == 404:
        fix = "check the model name after the provider in --model (and the base URL for a local server)"
    else:
        fix = "check the model name and the request settings (max_tokens, response format) for this model"
    return ProviderRequestError(
        f"{where} refused the request with HTTP {status} ({said or 'no message'}): {fix}",
        spec.provider,
        spec.model,
        status,
    )


@dataclass(frozen=True)
class SDKErrors:
    """The exception classes of one provider SDK, which `translated_errors` turns into ours.

    The openai and anthropic SDKs are generated alike: a base error, an API error under it, and under
    that connection errors (timeouts among them) and HTTP status errors. What differs is their names and
    where a status error keeps the server's words (`server_message`)."""

    sdk: str
    base: type[Exception]
    api: type[Exception]
    connection: type[Exception]
    timeout: type[Exception]
    status: type[Exception]
    server_message: Callable[[Any], str]


@contextmanager
def translated_errors(spec: ModelSpec, errors: SDKErrors) -> Iterator[None]:
    """Turns an SDK's exceptions into `TransientFailure` (worth a retry) or `ProviderRequestError`."""
    try:
        yield
    except errors.timeout:
        raise TransientFailure("timeout", "no answer within the timeout") from None
    except errors.connection as error:
        raise TransientFailure("connection", f"cannot connect ({_innermost_cause(error)})") from None
    except errors.status as error:
        status, headers = error.status_code, dict(error.response.headers)  # type: ignore[attr-defined]
        raise status_failure(status, headers, errors.server_message(error), spec) from None
    except ValueError:  # a 2xx body that is not JSON (a proxy's HTML page, a truncated answer)
        raise TransientFailure("malformed response", "the answer was not valid JSON") from None
    except errors.api as error:  # a 2xx whose body the SDK could not read
        raise TransientFailure("malformed response", type(error).__name__) from None
    except errors.base as error:
        raise ProviderRequestError(
            f"the {errors.sdk} SDK could not send the request to {spec.label}: {type(error).__name__}",
            spec.provider,
            spec.model,
        ) from None


def _innermost_cause(error: BaseException) -> str:
    """The innermost cause's class name, e.g. ConnectError, without its text (which may hold URLs)."""
    while error.__cause__ is not None:
        error = error.__cause__
    return type(error).__name__
