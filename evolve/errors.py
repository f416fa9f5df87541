"""The engine's one error for mistakes in what was asked of it.

The engine (`Evolution`, the workers, model access) raises `UserError` for what a user can cause and fix
(no model, a missing key, a sandbox that cannot run); a caller without the CLI catches it like any other
exception, and the CLI (`evolve/cli/support.py`) prints it as one sentence with exit code 2.
"""

from __future__ import annotations


class UserError(Exception):
    """A mistake in what the user asked for; the message says what to do instead."""
