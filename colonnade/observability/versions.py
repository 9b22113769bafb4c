"""Which API version each connector speaks, and what providers say about its end of life.

``Deprecation`` (RFC 9745: a structured-field date ``@1735689600``; older drafts sent ``true``
or an HTTP-date) and ``Sunset`` (RFC 8594: an HTTP-date) are read from every provider response.
A notice is logged once when it first appears or changes, counted every time it is seen, and
kept for ``/ops`` and ``colonnade versions``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime


@dataclass(frozen=True, slots=True)
class Notice:
    deprecation: float | bool | None = None
    """Unix time the API was (or will be) deprecated; True when only "deprecated" was said."""
    sunset: float | None = None
    """Unix time after which the provider may stop answering this version."""
    link: str | None = None
    """A ``Link`` with rel="deprecation" or rel="sunset", when given: where to read about it."""

    def __bool__(self) -> bool:
        return self.deprecation is not None or self.sunset is not None


def _http_date(value: str) -> float | None:
    try:
        return parsedate_to_datetime(value.strip()).timestamp()
    except (TypeError, ValueError, IndexError):
        return None


def _deprecation(value: str | None) -> float | bool | None:
    if value is None:
        return None
    text = value.strip()
    if text.startswith("@"):
        try:
            return float(text[1:])
        except ValueError:
            return True
    if text.lower() == "true":
        return True
    return _http_date(text) or True


def _link(value: str | None) -> str | None:
    if not value:
        return None
    for part in value.split(","):
        if 'rel="deprecation"' in part or 'rel="sunset"' in part or "rel=sunset" in part:
            target = part.split(";", 1)[0].strip()
            if target.startswith("<") and target.endswith(">"):
                return target[1:-1][:200]
    return None


def notice_from(headers: Mapping[str, str]) -> Notice:
    sunset_raw = headers.get("sunset")
    return Notice(
        deprecation=_deprecation(headers.get("deprecation")),
        sunset=_http_date(sunset_raw) if sunset_raw else None,
        link=_link(headers.get("link")),
    )


@dataclass(slots=True)
class ConnectorVersion:
    connector: str
    api_version: str
    notice: Notice = Notice()
    notice_seen_at: float | None = None

    def as_dict(self) -> dict[str, object]:
        n = self.notice
        return {
            "connector": self.connector,
            "api_version": self.api_version,
            "deprecated": n.deprecation is not None,
            "deprecation_at": _iso(n.deprecation) if isinstance(n.deprecation, float) else None,
            "sunset_at": _iso(n.sunset) if n.sunset is not None else None,
            "link": n.link,
            "notice_seen_at": _iso(self.notice_seen_at) if self.notice_seen_at else None,
        }


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))
