"""Keeping API keys out of everything mnemoforge writes: messages, logs, records, cache files.

Keys only ever live in the SDK client objects. Our own code never formats one, but text that comes
back from a server (an error body that echoes the key, for instance) and the SDKs' debug logging are
outside our control, so both pass through `redact` before they reach a message or a log handler.
"""

from __future__ import annotations

import base64
import logging
import threading
from urllib.parse import unquote, urlsplit

REDACTED = "[redacted]"
MIN_SECRET_LENGTH = 8
"""Shorter "keys" (placeholders such as "EMPTY") are not secrets and redacting them would mangle text."""

SDK_LOGGERS = ("openai", "anthropic", "httpx2", "httpcore2", "httpx", "httpcore")

_lock = threading.Lock()
_secrets: set[str] = set()


def register_secret(secret: str | None) -> None:
    """Remember `secret` so that `redact` and the SDK log filter remove it from now on."""
    if secret and len(secret) >= MIN_SECRET_LENGTH:
        with _lock:
            _secrets.add(secret)
        _install_log_filter()


def register_url_credentials(url: str | None) -> None:
    """Treat a base URL's password as a secret, and the Basic-auth token httpx builds from it.

    httpx sends `user:password@` in a URL as `Authorization: Basic ...` (instead of the API key), and
    servers may echo that header back in their errors.
    """
    parts = urlsplit(url or "")
    if parts.password:
        user, password = unquote(parts.username or ""), unquote(parts.password)
        register_secret(password)
        register_secret(base64.b64encode(f"{user}:{password}".encode()).decode())


def redact(text: str) -> str:
    """`text` with every registered secret replaced by `[redacted]`."""
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites a log record's message with secrets removed, so no handler can write them."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the logging module's problem, not a leak
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_filter = RedactingFilter()


def _install_log_filter() -> None:
    """Attach the filter to the SDK loggers and their children that exist now.

    A logger's filters do not apply to records that propagate up from its children, so the filter
    goes on every existing logger under the SDK names; the SDKs create theirs when imported, which
    happens before any key is registered.
    """
    names = [
        name
        for name in list(logging.root.manager.loggerDict)
        if any(name == prefix or name.startswith(prefix + ".") for prefix in (*SDK_LOGGERS, "providers"))
    ]
    for name in {*names, *SDK_LOGGERS, "providers"}:
        logging.getLogger(name).addFilter(_filter)  # addFilter ignores a filter already present
