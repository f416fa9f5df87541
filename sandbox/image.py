"""The sandbox image: Debian bookworm, python3 and numpy, plus the harness; built with no registry.

Two layers, so that a change to the harness costs seconds, not a Debian install:
- the base `mnemoforge-sandbox-base:<recipe hash>`: `debootstrap --variant=minbase` a bookworm root with
  python3 and python3-numpy, then import its tarball as an image (needs root and debootstrap; about
  40 s);
- the sandbox image `mnemoforge-sandbox:<harness hash>`: the base plus the harness package copied to
  /opt/mnemoforge and byte-compiled, in a container committed as the image (seconds).
Every step with the daemon goes through the Docker SDK (`sandbox.docker_api`), not the `docker` program.
The tag hashes the recipe and every harness file, so an image made from other harness code is never
used: `ensure_image()` builds the current one when it is missing. Where a registry is reachable,
`build_image(method="dockerfile")` makes the same content from `sandbox/Dockerfile` instead.

Debian packages come from the mirror the host's apt already uses (or MNEMOFORGE_DEBIAN_MIRROR), so the
build goes wherever this machine's package installs go.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sandbox import docker_api
from sandbox.attach import AttachedStreams, read_to_end
from sandbox.docker_api import DockerError
from sandbox.protocol import HARNESS_ROOT, VENDOR_DIRECTORY
from sandbox.vendor import add_vendored, vendored_numpy

BASE_SUITE = "bookworm"
BASE_PACKAGES = ("python3", "python3-numpy", "libopenblas0-pthread")
RECIPE_VERSION = "1"
IMAGE_REPOSITORY = "mnemoforge-sandbox"
BASE_REPOSITORY = "mnemoforge-sandbox-base"
HARNESS_FILES = (
    "__init__.py",
    "protocol.py",
    "harness.py",
    "supervisor.py",
    "contract.py",
    "schema.py",
    "toolkit.py",
    "vectorstore.py",
)
"""What the harness imports inside the sandbox: nothing else of mnemoforge enters the image."""

SANDBOX_USER = "65534:65534"
"""nobody:nogroup; the harness never runs as root, whatever the image's default."""

IMAGE_ENV = ("HOME=/tmp", "LANG=C.UTF-8", "OPENBLAS_NUM_THREADS=1", "OMP_NUM_THREADS=1")
"""numpy's BLAS would start a thread per core; in a container with a pids limit one is plenty."""

DOCKERFILE = Path(__file__).with_name("Dockerfile")
_BUILD_SECONDS = 1800
_OUTPUT = {"stdout": 1, "stderr": 1, "stream": 1}
BuildMethod = Literal["auto", "debootstrap", "dockerfile"]
Log = Callable[[str], None]


class ImageBuildError(RuntimeError):
    """The image could not be built; the message says which step failed and what it printed."""


@dataclass(frozen=True)
class ImageStatus:
    """The image this code needs, whether the daemon has it, and older sandbox images it could drop."""

    tag: str
    present: bool
    stale: tuple[str, ...]


@dataclass(frozen=True)
class BuildReport:
    tag: str
    method: str
    seconds: float
    base_seconds: float | None
    """Time spent building the Debian base; None when a cached base was reused."""


def recipe_hash() -> str:
    recipe = f"{RECIPE_VERSION}|{BASE_SUITE}|{','.join(BASE_PACKAGES)}|{SANDBOX_USER}|{','.join(IMAGE_ENV)}"
    return hashlib.sha256(recipe.encode()).hexdigest()


def harness_hash() -> str:
    digest = hashlib.sha256(recipe_hash().encode())
    vendored = vendored_numpy()
    digest.update((vendored.signature if vendored else "debian-numpy").encode())
    for name in HARNESS_FILES:
        digest.update(name.encode() + b"\0" + (_harness_dir() / name).read_bytes() + b"\0")
    return digest.hexdigest()


def image_tag() -> str:
    """The tag of the image that matches this code's harness."""
    return f"{IMAGE_REPOSITORY}:{harness_hash()[:12]}"


def base_tag() -> str:
    return f"{BASE_REPOSITORY}:{recipe_hash()[:12]}"


def image_status() -> ImageStatus:
    tag = image_tag()
    tags = docker_api.image_tags(IMAGE_REPOSITORY)
    return ImageStatus(tag, tag in tags, tuple(sorted(tags - {tag})))


def ensure_image(log: Log | None = None) -> str:
    """The current sandbox image's tag, building it first if the daemon does not have it."""
    tag = image_tag()
    if not docker_api.image_exists(tag):
        build_image(log=log)
    return tag


def build_image(method: BuildMethod = "auto", force: bool = False, log: Log | None = None) -> BuildReport:
    """Build the sandbox image (and, if needed, its Debian base); say what was done and how long it took."""
    say = log or (lambda _: None)
    started = time.perf_counter()
    tag = image_tag()
    if method == "auto":
        method = "debootstrap" if shutil.which("debootstrap") and os.geteuid() == 0 else "dockerfile"
    base_seconds = None
    if method == "dockerfile":
        _build_from_dockerfile(tag, say)
    else:
        base = base_tag()
        if force or not docker_api.image_exists(base):
            base_started = time.perf_counter()
            _build_base(base, say)
            base_seconds = time.perf_counter() - base_started
        _add_harness_layer(base, tag, say)
    return BuildReport(tag, method, time.perf_counter() - started, base_seconds)


def remove_stale_images() -> tuple[str, ...]:
    """Remove sandbox images made from other harness code, and Debian bases of other recipes; return
    their tags."""
    stale = image_status().stale + tuple(sorted(docker_api.image_tags(BASE_REPOSITORY) - {base_tag()}))
    client = docker_api.api()
    for tag in stale:
        with contextlib.suppress(DockerError), docker_api.translated(f"removing {tag}"):
            client.remove_image(tag)
    # Builds racing for one tag (two test runs at once) leave untagged copies behind.
    with contextlib.suppress(DockerError), docker_api.translated("pruning untagged sandbox images"):
        client.prune_images(filters={"label": "mnemoforge.harness"})
    return stale


def _build_base(tag: str, say: Log) -> None:
    if shutil.which("debootstrap") is None:
        raise ImageBuildError(
            "debootstrap is not installed: `apt-get install debootstrap`, or build from the Dockerfile"
        )
    if os.geteuid() != 0:
        raise ImageBuildError("debootstrap must run as root: use sudo, or build from the Dockerfile")
    with tempfile.TemporaryDirectory(prefix="mnemoforge-rootfs-") as scratch:
        rootfs = Path(scratch) / "rootfs"
        command = ["debootstrap", "--variant=minbase", f"--include={','.join(BASE_PACKAGES)}", BASE_SUITE]
        command += [str(rootfs), *([mirror] if (mirror := debian_mirror()) else [])]
        say(f"debootstrap {BASE_SUITE} with {', '.join(BASE_PACKAGES)} (about 40 s)")
        _run_step("debootstrap", command, timeout=1800)
        for path in ("var/cache/apt/archives", "var/lib/apt/lists", "usr/share/doc", "usr/share/man"):
            shutil.rmtree(rootfs / path, ignore_errors=True)
        say(f"importing the root file system as {tag}")
        _import_rootfs(rootfs, tag)


def _import_rootfs(rootfs: Path, tag: str) -> None:
    """Stream a tarball of `rootfs` (numeric owners, as debootstrap made them) into the daemon as the
    image `tag`."""
    repository, _, version = tag.partition(":")
    tar = subprocess.Popen(["tar", "--numeric-owner", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
    tarball = tar.stdout
    assert tarball is not None
    try:
        with docker_api.patient_api(_BUILD_SECONDS) as client, docker_api.translated("the image import"):
            chunks = iter(lambda: tarball.read(1 << 20), b"")
            answer = client.import_image(chunks, repository=repository, tag=version, stream_src=True)
    except DockerError as error:
        raise ImageBuildError(str(error)) from None
    finally:
        tarball.close()
        tar.wait()
    failure = _stream_error(str(answer).splitlines())
    if failure or tar.returncode != 0:
        raise ImageBuildError(f"the image import failed: {failure or f'tar exited with {tar.returncode}'}")


def _add_harness_layer(base: str, tag: str, say: Log) -> None:
    """Copy the harness into a container of the base, byte-compile it there, and commit that as `tag`."""
    say(f"adding the harness as {tag}")
    name = f"mnemoforge-build-{uuid.uuid4().hex[:12]}"
    vendored = vendored_numpy()
    expected = vendored.version if vendored else ""
    paths = [f"{HARNESS_ROOT}/{VENDOR_DIRECTORY}", HARNESS_ROOT]
    check = (
        f"import compileall, sys; sys.path[:0] = {paths!r}; "
        f"import numpy; assert numpy.__version__ == {expected!r} or not {expected!r}, numpy.__version__; "
        f"sys.exit(not compileall.compile_dir({HARNESS_ROOT!r} + '/sandbox', quiet=1))"
    )
    changes = [f"USER {SANDBOX_USER}", "WORKDIR /tmp", *(f"ENV {pair}" for pair in IMAGE_ENV)]
    changes += [f"LABEL mnemoforge.harness={harness_hash()}", 'CMD ["python3", "--version"]']
    repository, _, version = tag.partition(":")
    client = docker_api.api()
    streams = None
    try:
        with docker_api.translated("adding the harness to the image"):
            host_config = client.create_host_config(network_mode="none")
            client.create_container(base, ["python3", "-c", check], name=name, host_config=host_config)
            client.put_archive(name, str(Path(HARNESS_ROOT).parent), _harness_tar())
            streams = AttachedStreams(stdin=False)
            streams.attach(client.attach_socket(name, _OUTPUT))
            client.start(name)
            output = b"".join(read_to_end(streams, time.monotonic() + 300))
            status = client.wait(name, timeout=300)["StatusCode"]
            if status != 0:
                raise ImageBuildError(
                    f"the image's python3 cannot import numpy or compile the harness: {last_words(output)}"
                )
            client.commit(name, repository=repository, tag=version, changes=changes)
    except (DockerError, TimeoutError) as error:
        raise ImageBuildError(str(error)) from None
    finally:
        if streams is not None:
            streams.discard()
        docker_api.remove_containers([name])


def _build_from_dockerfile(tag: str, say: Log) -> None:
    say(f"building from {DOCKERFILE.name} (needs a registry for the Debian base image)")
    with tempfile.TemporaryDirectory(prefix="mnemoforge-context-") as context:
        with tarfile.open(fileobj=io.BytesIO(_harness_tar()), mode="r") as archive:
            archive.extractall(context, filter="data")
        shutil.copy(DOCKERFILE, Path(context) / "Dockerfile")
        labels = {"mnemoforge.harness": harness_hash()}
        try:
            with docker_api.patient_api(_BUILD_SECONDS) as client, docker_api.translated("the image build"):
                progress = list(client.build(path=context, tag=tag, labels=labels, rm=True, decode=True))
        except DockerError as error:
            raise ImageBuildError(str(error)) from None
    lines = [str(step.get("stream") or step.get("error") or "") for step in progress]
    if failure := _stream_error([json.dumps(step) for step in progress]):
        raise ImageBuildError(f"the image build failed: {failure} (after: {last_words(''.join(lines))})")


def _stream_error(lines: list[str]) -> str:
    """The error a daemon reported in a stream of JSON progress lines (an import's, a build's), or ""."""
    for line in lines:
        with contextlib.suppress(ValueError):
            message = json.loads(line)
            if isinstance(message, dict) and (message.get("error") or message.get("errorDetail")):
                return str(message.get("error") or message["errorDetail"].get("message", message))
    return ""


def _harness_tar() -> bytes:
    """The harness files as `mnemoforge/sandbox/*.py` (and the host's numpy in `mnemoforge/vendor/` when
    it can run there: see `sandbox.vendor`), root-owned and world-readable, nothing else."""
    buffer = io.BytesIO()
    root = Path(HARNESS_ROOT).name
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for directory in (root, f"{root}/sandbox"):
            info = tarfile.TarInfo(directory)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, int(time.time())
            archive.addfile(info)
        for name in HARNESS_FILES:
            data = (_harness_dir() / name).read_bytes()
            info = tarfile.TarInfo(f"{root}/sandbox/{name}")
            info.size, info.mode, info.mtime = len(data), 0o644, int(time.time())
            archive.addfile(info, io.BytesIO(data))
        if vendored := vendored_numpy():
            add_vendored(archive, vendored, f"{root}/{VENDOR_DIRECTORY}")
    return buffer.getvalue()


def debian_mirror() -> str | None:
    """The Debian mirror for debootstrap: MNEMOFORGE_DEBIAN_MIRROR, else the one the host's apt uses for
    bookworm, else None (debootstrap's own default)."""
    if mirror := os.environ.get("MNEMOFORGE_DEBIAN_MIRROR"):
        return mirror
    sources = sorted(Path("/etc/apt/sources.list.d").glob("*.sources"))
    for path in sources:
        for stanza in _read(path).split("\n\n"):
            fields = dict(re.findall(r"^(\w[\w-]*):\s*(.*)$", stanza, flags=re.MULTILINE))
            if BASE_SUITE in fields.get("Suites", "").split() and "deb" in fields.get("Types", "").split():
                return fields.get("URIs", "").split()[0] if fields.get("URIs") else None
    for line in _read(Path("/etc/apt/sources.list")).splitlines():
        parts = re.sub(r"\[[^]]*\]", "", line).split()
        if len(parts) >= 3 and parts[0] == "deb" and parts[2] == BASE_SUITE:
            return parts[1]
    return None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _harness_dir() -> Path:
    return Path(__file__).resolve().parent


def _run_step(step: str, command: list[str], timeout: float) -> None:
    try:
        completed = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise ImageBuildError(f"{step} did not finish within {timeout:.0f} s") from None
    if completed.returncode != 0:
        output = completed.stdout + completed.stderr
        raise ImageBuildError(f"{step} failed: {last_words(output, lines=4)}")


def last_words(output: bytes | str, lines: int = 2) -> str:
    """The last non-empty lines of what a tool printed, joined: what a one-sentence error should quote."""
    text = output.decode("utf-8", "replace") if isinstance(output, bytes) else output
    kept = [line.strip() for line in text.splitlines() if line.strip()]
    return " / ".join(kept[-lines:])
