"""Removing the Docker sandbox's leftovers: this process's containers, and those of dead host processes.

Every sandbox container is labelled with its host and pid, and its protocol FIFOs live in a private
directory named after the pid. Containers are removed when the factory lets them go (by `REAPER`, in
the background, so that closing a session costs the evaluation nothing), at interpreter exit and on
SIGTERM/SIGHUP (`install_cleanup_handlers`), and, after a host crash, by the next factory's
`sweep_leftovers` of containers and directories whose host process is gone.
"""

from __future__ import annotations

import atexit
import os
import queue
import shutil
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sandbox import docker_api

CHANNEL_PREFIX = "mnemoforge-channel-"
"""A container's channel directory is `<tmp>/CHANNEL_PREFIX<host pid>-<random>`."""


def owner_label() -> str:
    """The value of a container's `CONTAINER_LABEL`: which host process owns it."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Reaper:
    """Removes containers in the background, and knows every container this process started and has
    not removed yet, with its channel directory: `remove_all()` (at exit) removes them synchronously,
    directories included."""

    def __init__(self) -> None:
        self._live: set[str] = set()
        self._directories: dict[str, str] = {}
        self._lock = threading.Lock()
        self._queue: queue.Queue[str] = queue.Queue()
        self._thread: threading.Thread | None = None

    def track(self, name: str, directory: str | None = None) -> None:
        with self._lock:
            self._live.add(name)
            if directory is not None:
                self._directories[name] = directory

    def forget(self, name: str) -> None:
        """The container is removed already."""
        with self._lock:
            self._live.discard(name)

    def forget_directory(self, name: str) -> None:
        with self._lock:
            self._directories.pop(name, None)

    def remove(self, name: str) -> None:
        """Remove the container in the background."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="mnemoforge-reaper", daemon=True)
                self._thread.start()
        self._queue.put(name)

    def remove_all(self) -> None:
        with self._lock:
            names, self._live = sorted(self._live), set()
            directories, self._directories = list(self._directories.values()), {}
        if names:
            docker_api.remove_containers(names)
        for directory in directories:
            shutil.rmtree(directory, ignore_errors=True)

    def _work(self) -> None:
        while True:
            names = [self._queue.get()]
            while not self._queue.empty():
                names.append(self._queue.get_nowait())
            docker_api.remove_containers(names)
            with self._lock:
                self._live.difference_update(names)


REAPER = Reaper()
_HANDLERS_INSTALLED = False


def install_cleanup_handlers() -> None:
    """Remove this process's containers at exit, and turn SIGTERM/SIGHUP into an exit that does so.

    Only default handlers are replaced, and only from the main thread: a host that handles these
    signals itself keeps its handlers (and `atexit` still runs when it exits normally).
    """
    global _HANDLERS_INSTALLED
    if _HANDLERS_INSTALLED:
        return
    _HANDLERS_INSTALLED = True
    atexit.register(REAPER.remove_all)
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) == signal.SIG_DFL:
            signal.signal(signum, _exit_on_signal)


def _exit_on_signal(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def sweep_leftovers(wait_for: Iterable[int] = (), wait_seconds: float = 10.0) -> list[str]:
    """Remove sandbox containers of this host whose owning process is gone, and their channel
    directories; return the containers' ids. First wait up to `wait_seconds` for the processes
    `wait_for` (owners known to be ending) to be gone. Raises `DockerError` when the daemon does not
    answer."""
    deadline = time.monotonic() + wait_seconds
    ending = set(wait_for)
    while ending and time.monotonic() < deadline:
        ending = {pid for pid in ending if _alive(pid)}
        if ending:
            time.sleep(0.05)
    for directory in Path(tempfile.gettempdir()).glob(f"{CHANNEL_PREFIX}*-*"):
        pid = directory.name[len(CHANNEL_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(directory, ignore_errors=True)
    host = socket.gethostname()
    leftovers = []
    for container, owner in docker_api.labelled_containers().items():
        owner_host, _, pid = owner.rpartition(":")
        if owner_host == host and pid.isdigit() and not _alive(int(pid)):
            leftovers.append(container)
    docker_api.remove_containers(leftovers)
    return leftovers


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
