"""Speed-ups of TextWorld's PDDL engine for playing ALFWorld games: memoized pure steps, no copies.

Profiling the offline agent on the dev games (`benchmarks/alfworld_speed.py`) showed where a game's
seconds go: translating the game's PDDL to the planner's SAS form (twice per state: once plain, once
optimized for replanning), and, on every step, rendering the text of every admissible command, where
TextWorld re-parses the same few query and template strings with a PEG parser and deep-copies the
rendering context (entity infos included) for every symbol. None of this depends on anything but its
text arguments, so:

- the SAS translation (about 0.4-1 s a game) is memoized per (domain, problem) in the process and
  on disk (`translation_cache_dir()`, a compressed pickle per game, keyed by the sha256 of the
  fast-downward version, domain and problem), so a game is translated once per machine; the
  optimized translation is only used to replan (the `policy_commands` and walkthrough infos, which
  the adapter never requests), so the plain one goes to the replanning slot instead of translating
  a second time;
- template and conjunctive-query parsing are memoized (parsed templates are handed out as copies,
  since TextWorld annotates them with a context; parsed queries are only read);
- the rendering context is copied one level deep: TextWorld only ever adds keys to its `variables`
  and `mapping` dicts, never changes the entity infos and variables they hold.

`benchmarks/alfworld_speed.py` checks that every dev game plays to the same observations and
admissible commands with and without these patches before it reports a time.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import os
import pickle
import zlib
from importlib import metadata
from pathlib import Path
from typing import Any

PARSE_CACHE_SIZE = 4096
TRANSLATION_CACHE_SIZE = 256

_INSTALLED = False


def install() -> None:
    """Patch TextWorld once per process; idempotent. Needs the `alfworld` extra importable."""
    global _INSTALLED
    if _INSTALLED:
        return
    import fast_downward
    import textworld.envs.pddl.textgen as textgen
    from textworld.logic import Rule

    translate = functools.lru_cache(maxsize=TRANSLATION_CACHE_SIZE)(_on_disk(fast_downward.pddl2sas))
    parse = functools.lru_cache(maxsize=PARSE_CACHE_SIZE)(textgen._parse_and_convert)
    parse_query = functools.lru_cache(maxsize=PARSE_CACHE_SIZE)(Rule.parse_conjunctive_query)

    def pddl2sas(domain: str, problem: str, verbose: bool = False, optimize: bool = False) -> Any:
        return translate(domain, problem)

    def parse_and_convert(text: str, rule_name: str = "start", trace: bool = False) -> Any:
        return copy.deepcopy(parse(text, rule_name=rule_name, trace=trace))

    def copy_context(context: dict[str, Any]) -> dict[str, Any]:
        return {**context, "variables": dict(context["variables"]), "mapping": dict(context["mapping"])}

    fast_downward.pddl2sas = pddl2sas
    textgen._parse_and_convert = parse_and_convert
    textgen.copy_context = copy_context
    Rule.parse_conjunctive_query = staticmethod(parse_query)
    _INSTALLED = True


def translation_cache_dir() -> Path:
    """`$MNEMOFORGE_CACHE_DIR/alfworld-sas`, else under `$XDG_CACHE_HOME` or `~/.cache/mnemoforge`."""
    root = os.environ.get("MNEMOFORGE_CACHE_DIR")
    if root:
        return Path(root).expanduser() / "alfworld-sas"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg).expanduser() / "mnemoforge" / "alfworld-sas"


def _on_disk(translate: Any) -> Any:
    """`translate(domain, problem)`, read from the disk cache when this machine has translated it before.

    The cache holds only what this process's own translator wrote (a user-private directory); an
    unreadable or stale entry is translated again and overwritten.
    """
    version = metadata.version("fast_downward_textworld")

    def cached(domain: str, problem: str) -> Any:
        key = hashlib.sha256(f"{version}\0{domain}\0{problem}".encode()).hexdigest()
        path = translation_cache_dir() / f"{key}.pickle.z"
        try:
            return pickle.loads(zlib.decompress(path.read_bytes()))
        except (OSError, zlib.error, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            pass
        result = translate(domain, problem)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.tmp")
            partial.write_bytes(zlib.compress(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)))
            partial.replace(path)
        except OSError:
            pass  # a read-only cache directory only costs the translation next time
        return result

    return cached
