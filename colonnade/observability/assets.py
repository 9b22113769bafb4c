"""Browser assets served by Colonnade itself, never from a CDN.

Strawberry's GraphiQL page names its seven assets by unpkg URL with an SRI hash each. The same
files come from the npm packages (``web/package.json``, installed by ``scripts/web-assets.sh``),
byte for byte, so the page is rewritten to point at ``/_assets/<package>/<file>`` and keeps its
``integrity`` attributes: the browser itself checks that what we serve is what the page expects.
Only files the page names are served; nothing else under ``node_modules`` is reachable.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

ASSETS_PREFIX = "/_assets"
ENV_DIR = "COLONNADE_WEB_ASSETS_DIR"
_CDN = re.compile(
    r"https://unpkg\.com/(?P<pkg>(?:@[\w.-]+/)?[\w.-]+)@(?P<ver>[\w.-]+)/(?P<file>[^\"'\s]+)"
)
_MISSING = (
    "browser assets are not installed: run scripts/web-assets.sh "
    f"(or point {ENV_DIR} at a node_modules folder holding them)"
)


def assets_dir() -> Path:
    """``$COLONNADE_WEB_ASSETS_DIR`` or ``web/node_modules`` of the source checkout."""
    configured = os.environ.get(ENV_DIR)
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "web" / "node_modules"


class LocalAssets:
    """Rewrites CDN URLs in a page to local ones and serves exactly those files."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or assets_dir()
        self._files: dict[str, tuple[str, str]] = {}  # local path → (package, version wanted)

    def localize(self, html: str) -> str:
        def local(m: re.Match[str]) -> str:
            path = f"{m['pkg']}/{m['file']}"
            self._files[path] = (m["pkg"], m["ver"])
            return f"{ASSETS_PREFIX}/{path}"

        return _CDN.sub(local, html)

    def installed_version(self, package: str) -> str | None:
        try:
            manifest = json.loads((self.root / package / "package.json").read_text())
        except (OSError, ValueError):
            return None
        version = manifest.get("version")
        return version if isinstance(version, str) else None

    def missing(self) -> list[str]:
        """Packages the rewritten pages need that are absent or at another version."""
        wanted = dict(self._files.values())
        return sorted(
            f"{pkg}@{ver}" for pkg, ver in wanted.items() if self.installed_version(pkg) != ver
        )

    async def endpoint(self, request: Request) -> Response:
        path = request.path_params["path"]
        if path not in self._files:
            return PlainTextResponse("not found", status_code=404)
        file = self.root / path
        if not file.is_file():
            return PlainTextResponse(_MISSING, status_code=404)
        # Versioned by the page (the SRI hash pins the bytes): cache for a day.
        return FileResponse(file, headers={"Cache-Control": "public, max-age=86400"})
