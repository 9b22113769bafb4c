"""What a response served that was not fresh: stale cache entries, fallbacks.

Resolvers note it per field path (stale, last known good, a declared default); the
``DegradationNotice`` extension puts it in the response's
``extensions.colonnade`` so a UI can say "prices as of 10:02" instead of pretending.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from colonnade.fetched import Fetched


@dataclass(slots=True)
class DegradationReport:
    stale: list[dict[str, Any]] = field(default_factory=list)
    fallbacks: list[dict[str, Any]] = field(default_factory=list)

    def fallback(self, path: list[str | int], connector: str, kind: str, code: str) -> None:
        self.fallbacks.append({"path": path, "connector": connector, "kind": kind, "code": code})

    def as_extensions(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.stale:
            out["stale"] = self.stale
        if self.fallbacks:
            out["fallbacks"] = self.fallbacks
        return out

    def note(self, path: list[str | int], connector: str, fetched: Fetched[Any]) -> None:
        entry: dict[str, Any] = {
            "path": path,
            "connector": connector,
            "reason": fetched.reason,
            "asOf": datetime.fromtimestamp(fetched.as_of or 0, tz=UTC).isoformat(),
        }
        if fetched.error_code:
            entry["code"] = fetched.error_code
        self.stale.append(entry)
