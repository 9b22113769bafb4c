"""Headless Debian Chromium for browser tests, with everything but loopback blocked.

Playwright drives the system's ``/usr/bin/chromium`` (no browser download). Every request the
page makes is recorded; any that would leave loopback is aborted, so a test can assert both that
the page works offline and that it never tried the network.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@dataclass
class Traffic:
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def left_loopback(self) -> list[str]:
        return [u for u in self.requests if not _is_local(u)]


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about"}:
        return True
    return (parts.hostname or "") in LOOPBACK


@contextmanager
def offline_page(**context_options: object) -> Iterator[tuple[object, Traffic]]:
    """A fresh-profile Chromium page that may only talk to loopback."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (scripts/ci/chromium.sh installs it)")
    traffic = Traffic()
    with tempfile.TemporaryDirectory() as profile, sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            viewport={"width": 1400, "height": 900},
            **context_options,
        )
        try:

            def guard(route: object) -> None:
                url = route.request.url  # type: ignore[attr-defined]
                if _is_local(url):
                    route.continue_()  # type: ignore[attr-defined]
                else:
                    traffic.blocked.append(url)
                    route.abort()  # type: ignore[attr-defined]

            context.route("**/*", guard)
            context.on("request", lambda req: traffic.requests.append(req.url))
            page = context.new_page()
            yield page, traffic
        finally:
            context.close()


def screenshot(page: object, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=False)  # type: ignore[attr-defined]
    return path
