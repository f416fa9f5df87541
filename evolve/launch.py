"""The `mnemoforge` command's entry point: the CLI, in a process that hashes strings as the sandboxes do.

`mnemoforge eval --sandbox inprocess` runs programs in this process, so it starts under the sandbox's
string-hash seed (`sandbox.hash_seed`): a program that iterates over a set of strings scores here what
it scores in Docker (an evolution's Ray workers are started with that seed by `evolve.run.start_ray`).
The re-execution happens before the CLI is imported, so it costs one interpreter start, not two imports
of everything.
"""

from __future__ import annotations

from sandbox.hash_seed import pin_hash_seed


def main() -> None:
    """Pin the hash seed, then run the typer app."""
    pin_hash_seed()
    from evolve.cli import app

    app()
