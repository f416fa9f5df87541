"""Export a program as a pip-installable package that runs without mnemoforge.

    package = export_package(store, "628f4b07", "chat-memory", Path("chat-memory"), runtime_modules)

The package (jinja2 templates in `templates/package/`) holds the program byte for byte as `program.py`,
`Memory` (the program with its toolkit and read budget), the runtime modules a program needs (given by
the caller as source text, so this module imports no other part of mnemoforge), a README with the
program's scores, costs, lineage and data fingerprints, an agent-loop example, a smoke test and
`provenance.json` with the same facts as data.
"""

from __future__ import annotations

import ast
import json
import keyword
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2

from archive.errors import ArchiveError
from archive.models import Evaluation, Program
from archive.report_data import abbreviate_ids
from archive.smoke_samples import sample_for
from archive.store import ArchiveStore

RUNTIME_MODULES = ("toolkit.py", "vectorstore.py", "contract.py", "schema.py", "embedding.py")
"""The files the caller supplies: the toolkit, the Chroma-compatible store, the contract and its schemas,
the embedder."""

INSTRUCTION_NAMES = (
    "INSTRUCTION_KNOWLEDGE_ITEM",
    "INSTRUCTION_QUERY",
    "INSTRUCTION_RESPONSE",
    "ALWAYS_ON_KNOWLEDGE",
)
COUNT_KEYS = frozenset({"questions", "tasks"})
README_METRICS = ("evidence_recall", "answer_score", "success_rate")
_DISTRIBUTION_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9._-]*[A-Za-z0-9]$|^[A-Za-z]$")
_VERSION = re.compile(r"^\d+(\.\d+)*([abc]|rc)?\d*(\.post\d+)?(\.dev\d+)?$")


class ExportError(ArchiveError):
    """The export cannot be made as asked (a bad name or version, a directory in the way)."""


@dataclass(frozen=True)
class ExportedPackage:
    """What `export_package` wrote: the package's directory, names and files."""

    directory: Path
    name: str
    module: str
    version: str
    program_id: str
    files: tuple[Path, ...]


def module_name(name: str) -> str:
    """The import name of distribution `name` ("chat-memory" -> "chat_memory"); `ExportError` if unusable."""
    if not _DISTRIBUTION_NAME.match(name):
        raise ExportError(
            f"'{name}' is not a usable package name; use letters, digits, '-' or '_', starting with a letter"
        )
    module = re.sub(r"[-.]+", "_", name).lower()
    if keyword.iskeyword(module) or module in sys.stdlib_module_names or module in ("numpy", "chromadb"):
        raise ExportError(
            f"the package name '{name}' would shadow the module '{module}'; choose another name"
        )
    return module


def export_package(
    store: ArchiveStore,
    program_id: str,
    name: str,
    directory: Path,
    runtime_modules: Mapping[str, str],
    *,
    read_chars: int,
    version: str = "0.1.0",
    overwrite: bool = False,
    generator: str = "mnemoforge",
) -> ExportedPackage:
    """Render the package of program `program_id` (or unique prefix) into `directory`.

    `runtime_modules` maps each of `RUNTIME_MODULES` to its source, importing only the standard
    library, numpy and each other (relatively). `directory` must be new or empty unless `overwrite`,
    which replaces the files the export writes and leaves any others. `read_chars` is the read budget the
    README states when the program's run saved none (the caller's default; the archive knows no domain).
    """
    module = module_name(name)
    if not _VERSION.match(version):
        raise ExportError(f"'{version}' is not a package version; use e.g. 0.1.0")
    _check_runtime(runtime_modules)
    program = store.get_program(program_id)
    _check_directory(directory, overwrite)
    facts = _facts(store, program, read_chars)
    context = {
        **facts,
        "name": name,
        "module": module,
        "version": version,
        "generator": generator,
        "exported_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "description": f"Memory program {program.id[:12]} for LLM agents ({program.domain}), by mnemoforge",
        "dependencies": ["numpy>=1.26", *(["chromadb"] if _imports(program.source, "chromadb") else [])],
        "sample": sample_for(program.domain),
    }
    package = directory / "src" / module
    rendered: dict[Path, str] = {
        directory / "pyproject.toml": _render("pyproject.toml.j2", context),
        directory / "README.md": _render("README.md.j2", context),
        directory / "examples" / "agent_loop.py": _render("agent_loop.py.j2", context),
        directory / "tests" / "test_smoke.py": _render("test_smoke.py.j2", context),
        package / "__init__.py": _render("__init__.py.j2", context),
        package / "memory.py": _render("memory.py.j2", context),
        package / "smoke.py": _render("smoke.py.j2", context),
        package / "program.py": program.source,
        package / "provenance.json": json.dumps(_provenance(context), indent=2, ensure_ascii=False) + "\n",
        **{package / filename: runtime_modules[filename] for filename in RUNTIME_MODULES},
    }
    for path, text in rendered.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as handle:  # program.py must keep its exact bytes
            handle.write(text)
    return ExportedPackage(directory, name, module, version, program.id, tuple(rendered))


def _facts(store: ArchiveStore, program: Program, default_read_chars: int) -> dict[str, Any]:
    """What the README and provenance.json say about the program, from the archive."""
    evaluations = store.program_evaluations(program.id)
    run = store.get_run(program.run_id) if program.run_id else None
    read_chars = int((run.config if run else {}).get("read_chars") or default_read_chars)
    lineage = []
    for step in store.lineage(program.id):
        best = _best_select(store.program_evaluations(step.id) if step.id != program.id else evaluations)
        lineage.append(
            {
                "id": step.id,
                "origin": f"seed {step.seed_name}" if step.seed_name else step.mutator,
                "score": None if best is None else best.score,
                "message": step.commit_message,
                "other_parents": step.parent_ids[1:],
            }
        )
    present = {k for e in evaluations for k, v in e.metrics.items() if isinstance(v, int | float)}
    return {
        "program_id": program.id,
        "domain": program.domain,
        "origin": f"seed {program.seed_name}" if program.seed_name else f"{program.mutator} mutation",
        "commit_message": program.commit_message,
        "run_id": program.run_id,
        "run_data": (run.config if run else {}).get("data"),
        "read_chars": read_chars,
        "requires": _requires(program.source),
        "instructions": _instructions(program.source),
        "evaluations": evaluations,
        "metric_names": [metric for metric in README_METRICS if metric in present],
        "fingerprints": _fingerprints(evaluations),
        "lineage": lineage,
    }


def _best_select(evaluations: list[Evaluation]) -> Evaluation | None:
    ok = [e for e in evaluations if e.ok and e.split == "select"]
    return max(ok, key=lambda e: e.score, default=None)


def _fingerprints(evaluations: list[Evaluation]) -> list[dict[str, str]]:
    seen: dict[tuple[str, str], dict[str, str]] = {}
    for e in evaluations:
        seen.setdefault(
            (e.split, e.data_fingerprint),
            {"split": e.split, "data_name": e.data_name, "fingerprint": e.data_fingerprint},
        )
    return list(seen.values())


def _provenance(context: dict[str, Any]) -> dict[str, Any]:
    return {
        "program_id": context["program_id"],
        "domain": context["domain"],
        "origin": context["origin"],
        "commit_message": context["commit_message"],
        "run_id": context["run_id"],
        "read_chars": context["read_chars"],
        "exported_at": context["exported_at"],
        "generator": context["generator"],
        "evaluations": [
            e.model_dump(mode="json", exclude={"logs", "id", "worker", "run_id"})
            for e in context["evaluations"]
        ],
        "fingerprints": context["fingerprints"],
        "lineage": context["lineage"],
    }


def _instructions(source: str) -> dict[str, str | None]:
    """The instruction constants as written (None when computed rather than a literal)."""
    found: dict[str, str | None] = dict.fromkeys(INSTRUCTION_NAMES)
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in found:
                    try:
                        value = ast.literal_eval(node.value)
                    except ValueError:
                        continue
                    found[target.id] = value if isinstance(value, str) else None
    return found


def _requires(source: str) -> tuple[str, ...]:
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "REQUIRES" for t in node.targets):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                return ()
            return (value,) if isinstance(value, str) else tuple(str(v) for v in value)
    return ()


def _imports(source: str, top_level: str) -> bool:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == top_level for a in node.names):
            return True
        if (
            isinstance(node, ast.ImportFrom)
            and (node.module or "").split(".")[0] == top_level
            and not node.level
        ):
            return True
    return False


def _check_runtime(runtime_modules: Mapping[str, str]) -> None:
    """Every runtime module is given and imports only the standard library, numpy and its siblings."""
    missing = [filename for filename in RUNTIME_MODULES if filename not in runtime_modules]
    if missing:
        raise ValueError(f"runtime modules missing: {', '.join(missing)}")
    allowed = set(sys.stdlib_module_names) | {"numpy", "__future__"}
    siblings = {filename.removesuffix(".py") for filename in RUNTIME_MODULES}
    for filename in RUNTIME_MODULES:
        for node in ast.walk(ast.parse(runtime_modules[filename])):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            elif isinstance(node, ast.ImportFrom) and (node.level != 1 or node.module not in siblings):
                raise ValueError(
                    f"runtime module {filename} imports .{node.module or ''}, which is not vendored"
                )
            for imported in names:
                if imported.split(".")[0] not in allowed:
                    raise ValueError(
                        f"runtime module {filename} imports {imported}; the package must stand alone"
                    )


def _check_directory(directory: Path, overwrite: bool) -> None:
    if directory.exists() and not directory.is_dir():
        raise ExportError(f"{directory} is a file; give a directory for the package")
    if directory.is_dir() and any(directory.iterdir()) and not overwrite:
        raise ExportError(
            f"{directory} is not empty; give a new directory, or --force to overwrite the package files"
        )


def _render(template: str, context: dict[str, Any]) -> str:
    return _environment().get_template(template).render(**context, category_metrics=_category_metrics)


def _category_metrics(evaluation: Evaluation) -> list[str]:
    metrics: list[str] = []
    for values in evaluation.by_category.values():
        metrics += [k for k, v in values.items() if isinstance(v, int | float) and k not in metrics]
    return sorted(metrics, key=lambda k: (k not in COUNT_KEYS, k))


def _metric_cell(value: object, metric: str) -> str:
    if not isinstance(value, int | float):
        return "–"
    return f"{value:.0f}" if metric in COUNT_KEYS else f"{value:.3f}"


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("archive", "templates/package"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        pyrepr=repr,
        tomlstr=lambda value: json.dumps(
            str(value), ensure_ascii=False
        ),  # a JSON string is a TOML basic string
        score=lambda value: "–" if not isinstance(value, int | float) else f"{value:.3f}",
        count=lambda value: "–" if not isinstance(value, int | float) else f"{value:,.0f}",
        fixed=lambda value, digits: "–" if not isinstance(value, int | float) else f"{value:.{digits}f}",
        cell=lambda value: " ".join(str(value or "").split()).replace("|", "\\|"),
        oneline=lambda value: " ".join(str(value).split()),
        short_ids=abbreviate_ids,
        title=lambda value: str(value).replace("_", " "),
        metric=_metric_cell,
    )
    return environment
