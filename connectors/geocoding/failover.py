"""Failover across every configured geocoder, in priority order, per address.

The designed cases are Nominatim's breaker being open (``CircuitOpen``) and its 1 request/s
budget being spent (``UpstreamRateLimited`` from our own bucket, raised at once: Nominatim's
limiter does not queue, see ``NominatimSettings``); any other provider failure fails over too,
because another provider's answer beats an error. A refused address (``BadUserInput``) is the
client's and is not tried elsewhere. What answered, and what was passed over and why, travels
with the value so the graph can label it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from colonnade import Fetched, UpstreamError
from colonnade.connectors.geocoding.port import Geocoder, Place


@dataclass(frozen=True, slots=True)
class PassedOver:
    provider: str
    code: str
    """Why it did not answer (``CIRCUIT_OPEN``, ``UPSTREAM_RATE_LIMITED``, …)."""


@dataclass(frozen=True, slots=True)
class Answer:
    place: Place | None
    provider: str
    """The geocoder that answered."""
    passed_over: tuple[PassedOver, ...] = ()
    """Geocoders asked first that could not answer (empty: the first one did)."""


class NoGeocoderAnswered(UpstreamError):
    """Every geocoder failed for this address: the last one's code, and each one's in
    ``extensions.failover`` (codes only: safe for a client)."""

    retryable = False

    def __init__(self, failures: Sequence[UpstreamError]) -> None:
        last = failures[-1]
        tried = [{"connector": f.connector, "code": f.code.value} for f in failures]
        super().__init__(
            "no geocoder could answer: "
            + "; ".join(f"{f.connector} {f.code.value}" for f in failures),
            connector=last.connector,
            request_sent=any(f.request_sent for f in failures),
            failover=tried,
        )
        self.code = last.code
        self.failures = tuple(failures)


GeoAnswers = dict[str, Fetched[Answer] | BaseException]


class Failover:
    def __init__(self, geocoders: Sequence[Geocoder]) -> None:
        # Stable: geocoders of equal priority keep the platform's declaration order.
        self.geocoders = sorted(geocoders, key=lambda g: g.priority)

    async def geocode(self, addresses: Sequence[str]) -> GeoAnswers:
        results: GeoAnswers = {}
        failed: dict[str, list[UpstreamError]] = {a: [] for a in addresses}
        pending = list(failed)
        for geocoder in self.geocoders:
            if not pending:
                break
            try:
                answers = await geocoder.geocode(pending)
            except UpstreamError as err:  # the whole call failed: every address with it
                answers = dict.fromkeys(pending, err)
            still: list[str] = []
            for address in pending:
                got = answers[address]
                if isinstance(got, UpstreamError):
                    failed[address].append(got)
                    still.append(address)
                elif isinstance(got, BaseException):
                    results[address] = got
                else:
                    skipped = tuple(PassedOver(f.connector, f.code.value) for f in failed[address])
                    answer = Answer(got.value, geocoder.name, skipped)
                    results[address] = Fetched(
                        answer, got.stale, got.as_of, got.reason, got.error_code
                    )
            pending = still
        for address in pending:
            results[address] = NoGeocoderAnswered(failed[address])
        return results
