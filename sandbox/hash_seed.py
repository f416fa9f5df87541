"""Processes that run programs in themselves hash strings as the sandboxes do.

A program that iterates over a set of strings (summing scores over the words of a query, say) can score
differently under another string-hash seed. The sandboxes and a run's Ray workers start their
interpreters with `sandbox.protocol.HASH_SEED`; a process that evaluates programs in-process (the
`mnemoforge` command with `--sandbox inprocess`, a benchmark and its forked pool workers, which inherit
its seed) would otherwise use a random one, and its figures could move from one invocation to the next
and differ from the sandbox's.
"""

from __future__ import annotations

import os
import sys

from sandbox.protocol import HASH_SEED


def pin_hash_seed() -> None:
    """Re-execute this process, with the same command line, under PYTHONHASHSEED=HASH_SEED, unless it
    already runs so (the seed is fixed when the interpreter starts, so it cannot be set from inside).
    Call it first thing: anything done before it is done twice."""
    if os.environ.get("PYTHONHASHSEED") != HASH_SEED:
        sys.stdout.flush()
        sys.stderr.flush()
        os.execve(sys.executable, sys.orig_argv, {**os.environ, "PYTHONHASHSEED": HASH_SEED})
