"""Read what providers say about their limits, in the dialects they say it.

Understood: IETF ``RateLimit-Limit/-Remaining/-Reset`` (and the structured ``RateLimit:
limit=…, remaining=…, reset=…``), the de-facto ``X-RateLimit-*`` family (reset as seconds or
as an epoch timestamp), Salesforce's ``Sforce-Limit-Info: api-usage=used/limit`` (a daily
allowance) and ``Retry-After`` (seconds or an HTTP-date). Each becomes a ``QuotaHint``: how
many requests are left in which window, which the rate limiter turns into a token bucket.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

_SFORCE = re.compile(r"api-usage=(\d+)/(\d+)")
_STRUCTURED = re.compile(r"(limit|remaining|reset)\s*=\s*(\d+(?:\.\d+)?)")
DAY_S = 86_400.0


@dataclass(frozen=True, slots=True)
class QuotaHint:
    name: str
    remaining: float
    limit: float
    window_s: float


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP-date); None if unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _num(headers: Mapping[str, str], name: str) -> float | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        value = float(raw.split(",")[0].split(";")[0].strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _reset_seconds(raw: float, now: float) -> float:
    """X-RateLimit-Reset is a delta for some providers and an epoch for others."""
    return max(1.0, raw - now) if raw > 1_000_000_000 else max(1.0, raw)


def quota_hints(headers: Mapping[str, str], *, now: float | None = None) -> list[QuotaHint]:
    """Every limit the response headers announce (``headers`` must be case-insensitive)."""
    now = time.time() if now is None else now
    hints: list[QuotaHint] = []
    if (usage := headers.get("sforce-limit-info")) and (m := _SFORCE.search(usage)):
        used, daily = float(m.group(1)), float(m.group(2))
        hints.append(QuotaHint("daily", max(0.0, daily - used), daily, DAY_S))
    for prefix in ("ratelimit-", "x-ratelimit-"):
        limit, remaining = _num(headers, prefix + "limit"), _num(headers, prefix + "remaining")
        reset = _num(headers, prefix + "reset")
        if limit and remaining is not None:
            window = _reset_seconds(reset, now) if reset is not None else 60.0
            hints.append(QuotaHint(f"{prefix}{int(limit)}", remaining, limit, window))
            break
    else:
        if structured := headers.get("ratelimit"):
            fields = {k: float(v) for k, v in _STRUCTURED.findall(structured)}
            if "limit" in fields and "remaining" in fields:
                hints.append(
                    QuotaHint(
                        f"ratelimit-{int(fields['limit'])}",
                        fields["remaining"],
                        fields["limit"],
                        max(1.0, fields.get("reset", 60.0)),
                    )
                )
    return hints
