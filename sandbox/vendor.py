"""The host's numpy, copied into the sandbox image when the image's python3 can load it.

Programs rank memories with floating point (dot products, norms, sorts). Debian's numpy (1.24, with its
own BLAS) and the host's numpy (a PyPI wheel with bundled OpenBLAS) can round the last bit differently,
which reorders near-ties and, now and then, changes a score. With the host's very numpy and BLAS in the
image, a program computes the same bits sandboxed as in-process. The wheel's compiled parts only load
in the same Python minor version and architecture, so vendoring happens only when the host matches the
image (CPython 3.11, Linux, same machine type); otherwise the image keeps Debian's numpy and
`sandbox check` says that scores may differ in rare near-ties. MNEMOFORGE_SANDBOX_NUMPY=debian turns
vendoring off.
"""

from __future__ import annotations

import os
import platform
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

IMAGE_PYTHON = (3, 11)
"""bookworm's python3: the only Python whose extension modules the image can load."""

_SKIPPED_PARTS = frozenset({"tests", "f2py", "_pyinstaller"})
"""Parts of numpy no memory program needs (and its test data, which would triple the copy)."""


@dataclass(frozen=True)
class VendoredNumpy:
    version: str
    directories: tuple[Path, ...]
    """numpy itself and, beside it, `numpy.libs` (the bundled OpenBLAS) when the wheel has one."""

    @property
    def signature(self) -> str:
        return f"numpy-{self.version}-cp{IMAGE_PYTHON[0]}{IMAGE_PYTHON[1]}-{platform.machine()}"


def vendored_numpy() -> VendoredNumpy | None:
    """The host's numpy if it can run in the image, else None (the image keeps Debian's numpy)."""
    if os.environ.get("MNEMOFORGE_SANDBOX_NUMPY", "host") == "debian":
        return None
    if sys.version_info[:2] != IMAGE_PYTHON or sys.platform != "linux":
        return None
    try:
        import numpy
    except ImportError:
        return None
    package = Path(numpy.__file__).resolve().parent
    libraries = package.with_name("numpy.libs")
    directories = (package, libraries) if libraries.is_dir() else (package,)
    return VendoredNumpy(numpy.__version__, directories)


def add_vendored(archive: tarfile.TarFile, vendored: VendoredNumpy, prefix: str) -> None:
    """Add numpy under `prefix/` (read-only for everyone, mtimes kept so the shipped .pyc stay valid)."""
    for directory in vendored.directories:
        archive.add(directory, arcname=f"{prefix}/{directory.name}", filter=_keep)


def _keep(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
    if _SKIPPED_PARTS.intersection(Path(info.name).parts[2:]):
        return None
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    info.mode = 0o755 if info.isdir() or info.mode & 0o111 else 0o644
    return info
