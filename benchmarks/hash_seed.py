"""Benchmarks that run programs in their own process hash strings as the sandbox does.

A program that iterates over a set of strings (summing scores over the words of a query, say) can score
differently under another string-hash seed. The sandboxes and a run's Ray workers use
`sandbox.protocol.HASH_SEED`; a benchmark that evaluates in-process (and its forked pool workers, which
inherit its seed) would otherwise use a random one, and its figures could move from one invocation to
the next.
"""

from __future__ import annotations

import os
import sys

from sandbox.protocol import HASH_SEED


def pin_hash_seed() -> None:
    """Re-execute this benchmark, with the same command line, under PYTHONHASHSEED=HASH_SEED, unless it
    already runs so (the seed is fixed when the interpreter starts, so it cannot be set from inside)."""
    if os.environ.get("PYTHONHASHSEED") != HASH_SEED:
        sys.stdout.flush()
        os.execve(sys.executable, sys.orig_argv, {**os.environ, "PYTHONHASHSEED": HASH_SEED})
