"""FX sandbox: Frankfurter v1 shapes (``/latest``, ``/{date}``, ``/currencies``; no key).

Rates are made up but stable: a table against EUR nudged by the date, crossed for another
base and written with at most six significant decimals, like the ECB's. ``published_through``
holds back the latest day (a provider publishing late); unset, the latest day is the last
weekday up to today (UTC).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from colonnade.sandboxes.provider import Provider

FIRST_DAY = date(1999, 1, 4)
_EUR = {
    "AUD": ("Australian Dollar", "1.6512"),
    "CHF": ("Swiss Franc", "0.9402"),
    "GBP": ("British Pound", "0.85710"),
    "JPY": ("Japanese Yen", "162.35"),
    "SEK": ("Swedish Krona", "11.2345"),
    "USD": ("United States Dollar", "1.0812"),
}
NAMES = {"EUR": "Euro", **{code: name for code, (name, _) in _EUR.items()}}


def eur_rates(day: date) -> dict[str, Decimal]:
    """Against EUR on ``day``: the table moved by up to ±1 %, a different move each day."""
    nudge = Decimal((day.toordinal() * 7919) % 201 - 100) / 10_000
    return {c: (Decimal(r) * (1 + nudge)).quantize(Decimal(r)) for c, (_, r) in _EUR.items()}


def rates(day: date, base: str) -> dict[str, Decimal]:
    table = {"EUR": Decimal(1), **eur_rates(day)}
    per_base = table[base]
    return {c: _six_digits(r / per_base) for c, r in table.items() if c != base}


def _six_digits(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1).scaleb(value.adjusted() - 5)).normalize()


def working_day_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def message(status: int, text: str) -> JSONResponse:
    return JSONResponse({"message": text}, status_code=status)


class FxSandbox(Provider):
    name = "fx"

    def __init__(self, customers: int = 0, *, published_through: date | None = None) -> None:
        super().__init__()
        self.published_through = published_through
        self._initial = published_through
        self.app = Starlette(
            routes=[
                self.route("/latest", "fx.latest", self.latest, ["GET"]),
                self.route("/currencies", "fx.currencies", self.currencies, ["GET"]),
                self.route("/{day}", "fx.historical", self.historical, ["GET"]),
            ]
        )

    def reset(self) -> None:
        self.published_through = self._initial

    def latest_day(self) -> date:
        today = datetime.now(UTC).date()
        if self.published_through is not None:
            today = min(today, self.published_through)
        return working_day_on_or_before(today)

    async def latest(self, request: Request) -> Response:
        return self._rates(request, self.latest_day())

    async def historical(self, request: Request) -> Response:
        try:
            day = date.fromisoformat(request.path_params["day"])
        except ValueError:
            return message(404, "not found")
        if day < FIRST_DAY:
            return message(404, "not found")
        return self._rates(request, working_day_on_or_before(min(day, self.latest_day())))

    async def currencies(self, request: Request) -> Response:
        return JSONResponse(dict(sorted(NAMES.items())))

    def _rates(self, request: Request, day: date) -> Response:
        base = request.query_params.get("base", "EUR").upper()
        if base not in NAMES:
            return message(404, "not found")
        quoted = rates(day, base)
        wanted = request.query_params.get("symbols")
        if wanted:
            quoted = {c: r for c, r in quoted.items() if c in wanted.upper().split(",")}
        body: dict[str, Any] = {"amount": 1.0, "base": base, "date": day.isoformat()}
        # Numbers as the provider writes them (1.0812, not "1.0812"): the client reads them.
        text = json.dumps({**body, "rates": {c: float(r) for c, r in quoted.items()}})
        return Response(text, media_type="application/json")

    # Provider-specific shapes ------------------------------------------------------------
    def status_response(self, operation: str, status: int) -> Response:
        if status == 429:
            return message(429, "too many requests")
        return message(status, "internal server error" if status >= 500 else "bad request")

    def error_in_200_response(self, operation: str) -> Response:
        """Frankfurter sends no error inside a 200; a broken proxy could: a message, no rates."""
        return JSONResponse({"message": "internal server error"}, status_code=200)

    def malformed_response(self, operation: str) -> Response:
        return Response(
            b'{"amount":1.0,"base":"EUR","rates":{"USD":1.0', media_type="application/json"
        )
