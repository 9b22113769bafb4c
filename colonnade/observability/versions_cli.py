"""``colonnade versions``: which provider API version each connector speaks, and what the
providers announced about it.

Without ``--url`` the connectors are built from the configuration (no provider is called) and
their declared versions printed. With ``--url`` a running instance is asked
(``/ops/versions.json``, with ``COLONNADE_ADMIN_TOKEN``): only a process that talked to the
providers has seen their ``Deprecation`` / ``Sunset`` headers.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import httpx

from colonnade.auth import Secret
from colonnade.config import Settings


def _declared(settings: Settings) -> list[dict[str, Any]]:
    from colonnade.embedded import start_sandbox, wants_sandbox
    from colonnade.observability.routes import connectors_of
    from colonnade.observability.versions import ConnectorVersion
    from colonnade.platform import assemble
    from colonnade.runtime import Runtime

    served = None
    if wants_sandbox(settings):
        settings, served = start_sandbox(settings)
    try:
        services = assemble(settings, Runtime.create(settings)).services
        return [ConnectorVersion(c.name, c.api_version).as_dict() for c in connectors_of(services)]
    finally:
        if served is not None:
            served.stop()


def _seen(settings: Settings, url: str) -> list[dict[str, Any]] | None:
    token = None
    if settings.admin_token or settings.admin_token_file:
        token = Secret("admin_token", settings.admin_token, settings.admin_token_file).get()
    if not token:
        sys.stderr.write("colonnade: --url needs COLONNADE_ADMIN_TOKEN (or admin_token_file)\n")
        return None
    try:
        response = httpx.get(
            f"{url.rstrip('/')}/ops/versions.json",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
    except httpx.HTTPError as exc:
        sys.stderr.write(f"colonnade: {url} did not answer ({type(exc).__name__})\n")
        return None
    if response.status_code != 200:
        sys.stderr.write(f"colonnade: {url} answered {response.status_code}\n")
        return None
    connectors: list[dict[str, Any]] = response.json()["connectors"]
    return connectors


def versions_command(settings: Settings, url: str | None, *, as_json: bool) -> int:
    rows = _seen(settings, url) if url else _declared(settings)
    if rows is None:
        return 1
    if as_json:
        sys.stdout.write(json.dumps({"connectors": rows}, indent=2) + "\n")
        return 0
    header = ("connector", "api version", "deprecated", "sunset", "seen")
    table = [header] + [
        (
            r["connector"],
            r["api_version"],
            (r["deprecation_at"] or "yes") if r["deprecated"] else "no",
            r["sunset_at"] or "–",
            r["notice_seen_at"] or ("–" if url else "ask a running instance: --url"),
        )
        for r in rows
    ]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    for row in table:
        sys.stdout.write(
            "  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() + "\n"
        )
    return 0
