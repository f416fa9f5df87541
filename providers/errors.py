"""What can go wrong when mnemoforge talks to a model, as exceptions a caller can act on.

Every message is one sentence that names the provider and the model and says what to fix, because
these errors reach users through the CLI (exit code 2) and through evaluation records. Messages never
contain an API key: they are built from our own words plus a server's message after redaction.

- `ProviderConfigError`: nothing was sent; the model string, key or settings are wrong.
- `ProviderRequestError`: the provider refused the request (401, 403, 404, 400...); retrying cannot help.
- `ProviderUnavailableError`: the provider could not answer (rate limits, 5xx, timeouts, refused
  connections) even after the retries the policy allows.
- `BudgetExhausted`: the run's budget of calls, tokens or dollars is spent; no new call is started.
"""

from __future__ import annotations


class ProviderError(RuntimeError):
    """Base of every provider failure; `provider` and `model` say which endpoint it concerns."""

    def __init__(self, message: str, provider: str = "", model: str = "") -> None:
        self.provider = provider
        self.model = model
        super().__init__(message)


class ProviderConfigError(ProviderError, ValueError):
    """The configuration cannot work (bad model string, missing key, unpriced model under a dollar budget)."""


class ProviderRequestError(ProviderError):
    """The provider answered with an error that a retry cannot fix; `status` is the HTTP status."""

    def __init__(self, message: str, provider: str = "", model: str = "", status: int | None = None) -> None:
        self.status = status
        super().__init__(message, provider, model)


class ProviderUnavailableError(ProviderError):
    """Retries were exhausted on transient failures; `attempts` says how many requests were made."""

    def __init__(self, message: str, provider: str = "", model: str = "", attempts: int = 0) -> None:
        self.attempts = attempts
        super().__init__(message, provider, model)


class BudgetExhausted(ProviderError):
    """The budget is spent; `limit` names which one ("calls", "tokens" or "dollars")."""

    def __init__(self, message: str, limit: str) -> None:
        self.limit = limit
        super().__init__(message)


class TransientFailure(Exception):
    """Raised by a transport for a failure worth retrying; never escapes the provider layer.

    `retry_after` is the server's requested wait in seconds (Retry-After), when it gave one;
    `kind` is a short word for messages ("rate limited", "server error", "timeout", "connection").
    """

    def __init__(self, kind: str, detail: str, retry_after: float | None = None) -> None:
        self.kind = kind
        self.detail = detail
        self.retry_after = retry_after
        super().__init__(f"{kind}: {detail}")
