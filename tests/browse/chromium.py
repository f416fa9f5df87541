"""Headless Chromium driven over the DevTools protocol on a pipe, for the report tests.

The pipe (`--remote-debugging-pipe`: commands on fd 3, replies on fd 4, NUL-terminated JSON) needs no
port and no websocket library. Through it a test loads a page, records every network request *the
page* makes (Chromium's own background traffic belongs to other sessions and is not counted), asks the
rendered DOM questions in JavaScript, and takes a full-page screenshot.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

BROWSER_NAMES = ("chromium", "chromium-browser")
MISSING = (
    "headless Chromium is needed to test the report: install Debian's `chromium` "
    "(apt-get install -y chromium), or set MNEMOFORGE_SKIP_BROWSER=1 to skip these tests"
)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-pipe",
)


def find_chromium() -> str | None:
    return next((found for name in BROWSER_NAMES if (found := shutil.which(name))), None)


class BrowserError(RuntimeError):
    pass


class Page:
    """One tab attached in flat mode: its session id, its load, and what it requested."""

    def __init__(self, browser: HeadlessChromium, session: str) -> None:
        self.browser = browser
        self.session = session

    def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.browser.call(method, params, self.session)

    def evaluate(self, expression: str) -> Any:
        reply = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in reply:
            raise BrowserError(f"JavaScript failed: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def requested_urls(self) -> list[str]:
        return [
            event["params"]["request"]["url"]
            for event in self.browser.events
            if event.get("sessionId") == self.session and event["method"] == "Network.requestWillBeSent"
        ]

    def screenshot(self, path: Path, width: int) -> tuple[int, int]:
        """A PNG of the whole page at `width` CSS pixels; returns (width, height)."""
        height = int(self.evaluate("document.documentElement.scrollHeight"))
        clip = {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}
        reply = self.call(
            "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
        )
        path.write_bytes(base64.b64decode(reply["data"]))
        return width, height


class HeadlessChromium:
    """A Chromium process with a throwaway profile; use as a context manager."""

    def __init__(self, binary: str, profile: Path, timeout: float = 60.0) -> None:
        self.binary = binary
        self.profile = profile
        self.timeout = timeout
        self.events: list[dict[str, Any]] = []
        self._next_id = 0
        self._buffer = b""

    def __enter__(self) -> HeadlessChromium:
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()

        def wire_pipes() -> None:
            # In the child: move both ends above 9 first, so that placing them on the protocol's fds
            # 3 and 4 cannot overwrite one with the other. dup2 leaves 3 and 4 inheritable, and
            # close_fds=False keeps them; Python's own fds are close-on-exec anyway.
            reading = fcntl.fcntl(to_browser_read, fcntl.F_DUPFD, 10)
            writing = fcntl.fcntl(from_browser_write, fcntl.F_DUPFD, 10)
            os.dup2(reading, 3)
            os.dup2(writing, 4)

        self.process = subprocess.Popen(
            [self.binary, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=False,
            preexec_fn=wire_pipes,
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        return self

    def __exit__(self, *_exc: object) -> None:
        with contextlib.suppress(BrowserError, OSError):
            self.call("Browser.close")
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)

    def open(self, url: str, width: int, height: int) -> Page:
        """A new tab of `width` x `height` showing `url`, returned once its load event fired."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        page.call("Network.enable")
        page.call("Page.enable")
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
        page.call("Emulation.setDeviceMetricsOverride", metrics)
        page.call("Page.navigate", {"url": url})
        self._wait_for(
            lambda event: event["method"] == "Page.loadEventFired" and event.get("sessionId") == session
        )
        return page

    def call(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        reply = self._wait_for(lambda event: event.get("id") == message["id"], record=False)
        if "error" in reply:
            raise BrowserError(f"{method} failed: {reply['error']}")
        return reply.get("result", {})

    def _wait_for(self, wanted: Any, record: bool = True) -> dict[str, Any]:
        for seen in self.events:
            if record and wanted(seen):
                return seen
        deadline = time.monotonic() + self.timeout
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "method" in message:
                    self.events.append(message)
                if wanted(message):
                    return message
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.process.poll() is not None:
                raise BrowserError("Chromium did not answer in time (or exited)")
            ready, _, _ = select.select([self._from_browser], [], [], remaining)
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    raise BrowserError("Chromium closed the DevTools pipe")
                self._buffer += chunk
