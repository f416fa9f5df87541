"""`mnemoforge export ID --name NAME -o DIR`: a program as a pip-installable package without mnemoforge.

The rendering is `archive.export`; this module supplies what the archive must not import: the text of
the runtime modules a program needs (the toolkit, the Chroma-compatible store, the contract) with their
imports made package-relative, and the default embedder cut out of `providers.embedders`.
"""

from __future__ import annotations

import ast
import re
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Annotated

import typer
from rich.table import Table

import providers.embedders
import sandbox.contract
import sandbox.toolkit
import sandbox.vectorstore
from archive.export import RUNTIME_MODULES, export_package
from evolve.cli.archive_access import ARCHIVE_OPTION_HELP, open_archive
from evolve.cli.support import out, reports_user_errors

VENDORED = {
    "toolkit.py": sandbox.toolkit,
    "vectorstore.py": sandbox.vectorstore,
    "contract.py": sandbox.contract,
}
_SANDBOX_IMPORT = re.compile(r"^from sandbox\.(\w+) import", re.MULTILINE)

EMBEDDING_HEADER = '''"""The default embedder of this package: feature-hashed words and character trigrams.

Copied from mnemoforge's providers/embedders.py by `mnemoforge export`: the embedder the program's scores
were measured with. Deterministic across processes and machines, no model and no download; it captures
lexical and sub-word overlap, not meaning. Pass `embed=` to `Memory` for a neural embedder.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

import numpy as np

'''


@reports_user_errors
def export_command(
    program_id: Annotated[str, typer.Argument(metavar="ID", help="Program id or unique prefix.")],
    name: Annotated[str, typer.Option("--name", help="Package name, e.g. chat-memory.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory to write the package into.")],
    version: Annotated[str, typer.Option("--package-version", help="The package's version.")] = "0.1.0",
    force: Annotated[
        bool, typer.Option("--force", help="Write into a non-empty directory, replacing the package's files.")
    ] = False,
    archive: Annotated[str | None, typer.Option("--archive", help=ARCHIVE_OPTION_HELP)] = None,
) -> None:
    """Export a program as a pip-installable package (program, toolkit, README, example, smoke test)."""
    with open_archive(archive) as store:
        package = export_package(
            store,
            program_id,
            name,
            output,
            runtime_modules(),
            version=version,
            overwrite=force,
            generator=f"mnemoforge {_version()}",
        )
    table = Table.grid(padding=(0, 2))
    for path in package.files:
        table.add_row(str(path.relative_to(package.directory)), f"{path.stat().st_size:,} bytes")
    out.print(
        f"exported program {package.program_id[:12]} as {package.name} "
        f"(import {package.module}) into {package.directory}/",
        highlight=False,
    )
    out.print(table)
    # pip reads a bare relative name as a package to download, so a relative directory gets "./".
    where = str(package.directory)
    if not package.directory.is_absolute() and not where.startswith("."):
        where = f"./{where}"
    next_step = f"next: pip install {where} && python -m {package.module}.smoke"
    out.print(next_step, highlight=False, soft_wrap=True)


def runtime_modules() -> dict[str, str]:
    """The source of every module in `RUNTIME_MODULES`, ready to be written into a package."""
    modules = {filename: vendored(module) for filename, module in VENDORED.items()}
    modules["embedding.py"] = embedding_module()
    assert set(modules) == set(RUNTIME_MODULES), "runtime_modules() and RUNTIME_MODULES disagree"
    return modules


def vendored(module: ModuleType) -> str:
    """A project module's source with `from sandbox.X import` made relative (`from .X import`)."""
    assert module.__file__ is not None
    source = Path(module.__file__).read_text(encoding="utf-8")
    relative = _SANDBOX_IMPORT.sub(r"from .\1 import", source)
    origin = f"{module.__name__.replace('.', '/')}.py"
    return f"# Copied from mnemoforge's {origin} by `mnemoforge export`; only imports changed.\n{relative}"


def embedding_module() -> str:
    """`HashedLexicalEmbedder` and the word pattern it uses, cut out of `providers.embedders`."""
    assert providers.embedders.__file__ is not None
    source = Path(providers.embedders.__file__).read_text(encoding="utf-8")
    wanted = []
    for node in ast.parse(source).body:
        named = (isinstance(node, ast.ClassDef) and node.name == "HashedLexicalEmbedder") or (
            isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "_WORD" for t in node.targets)
        )
        if named:
            segment = ast.get_source_segment(source, node)
            assert segment is not None
            wanted.append(segment)
    return EMBEDDING_HEADER + "\n\n\n".join(wanted) + "\n"


def _version() -> str:
    try:
        return metadata.version("mnemoforge")
    except metadata.PackageNotFoundError:
        return "(development)"
