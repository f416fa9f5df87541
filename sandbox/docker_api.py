"""The Docker daemon, as the sandbox talks to it: through the Python SDK, one client per process.

The daemon is found as the `docker` program would find it (`docker.from_env()`): DOCKER_HOST (with
DOCKER_TLS_VERIFY and DOCKER_CERT_PATH for TLS), else DOCKER_CONTEXT or the current context of
~/.docker/config.json, else the local socket /var/run/docker.sock. No `docker` program is needed, only
a daemon that answers. Every failure of the SDK (its own `docker.errors.*` and the transport's
`requests` errors) becomes a `DockerError` whose message is one sentence.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import docker
import requests
from docker.errors import APIError, DockerException, NotFound

CONTAINER_LABEL = "mnemoforge.sandbox"
"""Every sandbox container carries this label (value: host name and pid), so leftovers can be swept."""

_TIMEOUT_SECONDS = 120
_LOCAL_SOCKET_URL = "http+docker://localhost"
"""The SDK's base URL for a daemon on a unix socket (a daemon that sees this machine's files)."""


class DockerError(RuntimeError):
    """The daemon could not be reached or refused a request; the message is one sentence."""


@dataclass(frozen=True)
class DaemonStatus:
    """Whether a Docker daemon answers, and either its version or why not."""

    reachable: bool
    detail: str


_lock = threading.Lock()
_client: tuple[int, docker.APIClient] | None = None


def api() -> docker.APIClient:
    """This process's client (made on first use; a forked child makes its own, as a connection pool
    must not be shared across a fork). Raises `DockerError` when no daemon answers."""
    global _client
    with _lock:
        if _client is None or _client[0] != os.getpid():
            with translated("connecting to the Docker daemon"):
                _client = (os.getpid(), docker.from_env(timeout=_TIMEOUT_SECONDS).api)
        return _client[1]


@contextlib.contextmanager
def patient_api(seconds: float) -> Iterator[docker.APIClient]:
    """A client of its own whose requests may each take up to `seconds` (an image build or import,
    which the shared client's timeout would cut short). Raises `DockerError` when no daemon answers."""
    with translated("connecting to the Docker daemon"):
        client = docker.from_env(timeout=round(seconds))
    try:
        yield client.api
    finally:
        client.close()


def daemon_is_local() -> bool:
    """Whether the daemon listens on a unix socket of this machine, so that it can bind-mount files of
    this machine into a container (a remote daemon, over TCP or SSH, would mount its own)."""
    return api().base_url == _LOCAL_SOCKET_URL


def daemon_status(timeout: float = 10.0) -> DaemonStatus:
    """Ask the daemon for its version: the cheapest call that proves it is reachable and answering."""
    try:
        client = docker.from_env(timeout=max(1, round(timeout)))
        try:
            version = client.api.version()
        finally:
            client.close()
    except (DockerException, requests.RequestException) as error:
        return DaemonStatus(False, explanation(error))
    return DaemonStatus(True, str(version.get("Version", "unknown version")))


def image_exists(tag: str) -> bool:
    try:
        with translated(f"looking up the image {tag}"):
            api().inspect_image(tag)
    except DockerError as error:
        if isinstance(error.__cause__, NotFound):
            return False
        raise
    return True


def image_tags(repository: str) -> set[str]:
    """Every `repository:tag` the daemon holds for `repository`."""
    with translated(f"listing the images of {repository}"):
        images = api().images(name=repository)
    return {
        tag for image in images for tag in image.get("RepoTags") or () if tag.startswith(f"{repository}:")
    }


def remove_containers(names: Sequence[str]) -> bool:
    """Kill and remove containers by name or id (with their anonymous volumes); ones already gone, or
    being removed, are fine. Never raises: cleanup runs in `finally` blocks, a background thread and at
    exit; False says the daemon did not answer."""
    removed = True
    for name in names:
        try:
            api().remove_container(name, force=True, v=True)
        except NotFound:
            pass
        except APIError as error:
            removed = removed and error.status_code == 409  # removal already in progress
        except (DockerException, requests.RequestException, DockerError):
            removed = False
    return removed


def labelled_containers(label: str = CONTAINER_LABEL) -> dict[str, str]:
    """{container id: label value} of every container (running or not) that carries `label`."""
    with translated("listing the sandbox containers"):
        listed = api().containers(all=True, filters={"label": label})
    return {container["Id"]: (container.get("Labels") or {}).get(label, "") for container in listed}


@contextlib.contextmanager
def translated(doing: str) -> Iterator[None]:
    """Turn any failure of the SDK while `doing` into a `DockerError` of one sentence (the SDK's
    exception stays as its cause, for callers that tell a missing object from a failure)."""
    try:
        yield
    except (DockerException, requests.RequestException) as error:
        raise DockerError(f"{doing} failed: {explanation(error)}") from error


def explanation(error: BaseException) -> str:
    """What went wrong, in the daemon's or the transport's own words, on one line."""
    if isinstance(error, APIError):
        text = str(error.explanation or error)
    elif isinstance(error, requests.Timeout):
        text = "the Docker daemon did not answer in time"
    elif isinstance(error, requests.ConnectionError) or "fetching server API version" in str(error):
        where = os.environ.get("DOCKER_HOST") or "the local socket or the current docker context"
        text = f"no Docker daemon answers at {where} ({_root_cause(error)})"
    else:
        text = str(error)
    return " ".join(text.split())[:500]


def _root_cause(error: BaseException) -> str:
    """The operating system's words for a transport failure (e.g. 'Connection refused'), found down
    the chain of wrapped errors, rather than urllib3's nested reprs."""
    pending, seen = [error], set()
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, OSError) and current.strerror:
            return current.strerror
        pending += [e for e in (current.__cause__, getattr(current, "reason", None), *current.args)
                    if isinstance(e, BaseException)]  # fmt: skip
    return str(error)
