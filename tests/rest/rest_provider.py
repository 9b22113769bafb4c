"""A small REST provider for the SDK's tests: every auth kind, every pagination style (and
two that never end), every batch style, an error body, rate-limit headers, writes.

Served over real HTTP on loopback (``ServedSandbox``); faults come from the sandbox
``Provider`` base (``Fault("status", match="rest.items", status=503)``), and every request's
query and headers are kept in ``seen`` so tests can look at what was sent.
"""

from __future__ import annotations

import base64
import secrets
import threading
from typing import Any, ClassVar
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from colonnade.sandboxes.provider import Handler, Provider

ITEMS = [{"id": f"it_{n:02d}", "value": n} for n in range(25)]
BY_ID = {i["id"]: i for i in ITEMS}
API_KEY = "key-" + secrets.token_hex(8)
USER, PASSWORD = "colonnade", "pw-" + secrets.token_hex(8)
CLIENT_ID, CLIENT_SECRET = "client-1", "secret-" + secrets.token_hex(8)
RATES = {"EUR": {"USD": "1.0832", "GBP": "0.8561"}, "USD": {"EUR": "0.9232", "GBP": "0.7904"}}


def error(status: int, code: str, message: str = "it went wrong") -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


class RestProvider(Provider):
    name: ClassVar[str] = "rest"

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self.seen: list[Request] = []
        self.tokens: set[str] = set()
        self.token_fetches = 0
        self.created: dict[str, dict[str, Any]] = {}
        self.limit_headers: dict[str, str] = {}
        self.app = Starlette(routes=self._routes())

    def reset(self) -> None:
        self.faults.clear()
        self.recorder.reset()
        with self._lock:
            self.seen.clear()
            self.tokens.clear()
            self.token_fetches = 0
            self.created.clear()
            self.limit_headers = {}

    def _routes(self) -> list[Any]:
        r = self.route
        return [
            r("/oauth/token", "rest.token", self.token, ["POST"]),
            r("/items", "rest.items", self.authed(self.items), ["GET"]),
            r("/items/{id}", "rest.item", self.authed(self.item), ["GET"]),
            r("/cursor", "rest.cursor", self.authed(self.body_cursor), ["GET"]),
            r("/linked", "rest.linked", self.authed(self.linked), ["GET"]),
            r("/link-header", "rest.link_header", self.authed(self.link_header), ["GET"]),
            r("/offset", "rest.offset", self.authed(self.offset), ["GET"]),
            r("/pages", "rest.pages", self.authed(self.pages), ["GET"]),
            r("/forever", "rest.forever", self.authed(self.forever), ["GET"]),
            r("/foreign", "rest.foreign", self.authed(self.foreign), ["GET"]),
            r("/batch/repeated", "rest.batch_repeated", self.authed(self.repeated), ["GET"]),
            r("/batch/comma", "rest.batch_comma", self.authed(self.comma), ["GET"]),
            r("/batch/body", "rest.batch_body", self.authed(self.in_body), ["POST"]),
            r("/things", "rest.create", self.authed(self.create), ["POST"]),
            r("/latest", "rest.fx_latest", self.authed(self.fx_latest), ["GET"]),
            r("/timeseries", "rest.fx_series", self.authed(self.fx_series), ["GET"]),
        ]

    # ------------------------------------------------------------------ auth
    def _credential_ok(self, request: Request) -> bool:
        auth = request.headers.get("authorization", "")
        if request.headers.get("x-api-key") == API_KEY:
            return True
        if request.query_params.get("api_key") == API_KEY:
            return True
        if auth == f"Bearer {API_KEY}":
            return True
        if auth.startswith("Bearer ") and auth[7:] in self.tokens:
            return True
        basic = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        return auth == basic or request.query_params.get("public") == "yes"

    def authed(self, handler: Handler) -> Handler:
        async def guarded(request: Request) -> Response:
            with self._lock:
                self.seen.append(request)
            if not self._credential_ok(request):
                return error(401, "unauthenticated", "no valid credentials")
            return await handler(request)

        return guarded

    async def token(self, request: Request) -> Response:
        form = await request.form()
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        token = secrets.token_hex(8)
        with self._lock:
            self.tokens.add(token)
            self.token_fetches += 1
        return JSONResponse({"access_token": token, "expires_in": 3600})

    # ------------------------------------------------------------------ pagination
    @staticmethod
    def _int(request: Request, name: str, default: int) -> int:
        return int(request.query_params.get(name, default))

    async def items(self, request: Request) -> Response:
        """Stripe's shape: ``starting_after`` the last id, ``has_more``."""
        limit = self._int(request, "limit", 10)
        after = request.query_params.get("starting_after")
        start = 0 if after is None else [i["id"] for i in ITEMS].index(after) + 1
        page = ITEMS[start : start + limit]
        return JSONResponse({"data": page, "has_more": start + limit < len(ITEMS)})

    async def item(self, request: Request) -> Response:
        item = BY_ID.get(request.path_params["id"])
        return JSONResponse(item) if item else error(404, "resource_missing", "no such item")

    async def body_cursor(self, request: Request) -> Response:
        """The next cursor in the body (``meta.next``), ``null`` at the end."""
        start = self._int(request, "cursor", 0)
        nxt = start + 10 if start + 10 < len(ITEMS) else None
        return JSONResponse({"items": ITEMS[start : start + 10], "meta": {"next": nxt}})

    async def linked(self, request: Request) -> Response:
        page = self._int(request, "page", 0)
        nxt = f"/linked?page={page + 1}" if (page + 1) * 10 < len(ITEMS) else None
        return JSONResponse({"data": ITEMS[page * 10 : page * 10 + 10], "next": nxt})

    async def link_header(self, request: Request) -> Response:
        page = self._int(request, "page", 0)
        headers = {}
        if (page + 1) * 10 < len(ITEMS):
            url = f"{request.base_url}link-header?{urlencode({'page': page + 1})}"
            headers["Link"] = f'<{url}>; rel="next"'
        return JSONResponse(ITEMS[page * 10 : page * 10 + 10], headers=headers)

    async def offset(self, request: Request) -> Response:
        offset, limit = self._int(request, "offset", 0), self._int(request, "limit", 10)
        return JSONResponse({"data": ITEMS[offset : offset + limit]})

    async def pages(self, request: Request) -> Response:
        page, size = self._int(request, "page", 1), self._int(request, "per_page", 10)
        return JSONResponse({"data": ITEMS[(page - 1) * size : page * size]})

    async def forever(self, request: Request) -> Response:
        """Never ends: always more, always a cursor, always a next link."""
        n = self._int(request, "cursor", 0)
        body = {"data": [ITEMS[n % 25]], "has_more": True, "next": f"/forever?cursor={n + 1}"}
        return JSONResponse({**body, "meta": {"next": n + 1}})

    async def foreign(self, request: Request) -> Response:
        return JSONResponse({"data": ITEMS[:2], "next": "http://elsewhere.invalid/steal"})

    # ------------------------------------------------------------------ batches
    def _batch(self, request: Request, ids: list[str], positional: bool) -> Response:
        request.state.batch_size = len(ids)
        if positional:
            return JSONResponse([BY_ID.get(i) for i in ids])
        return JSONResponse({"data": [BY_ID[i] for i in ids if i in BY_ID]})

    async def repeated(self, request: Request) -> Response:
        return self._batch(request, request.query_params.getlist("id"), positional=False)

    async def comma(self, request: Request) -> Response:
        ids = request.query_params.get("ids", "").split(",")
        return self._batch(request, ids, positional=request.query_params.get("order") == "1")

    async def in_body(self, request: Request) -> Response:
        body = await request.json()
        return self._batch(request, list(body["ids"]), positional=False)

    # ------------------------------------------------------------------ writes
    async def create(self, request: Request) -> Response:
        key = request.headers.get("idempotency-key")
        form = dict(await request.form())
        with self._lock:
            if key is not None and key in self.created:
                return JSONResponse(self.created[key])
            thing = {"id": f"th_{len(self.created) + 1:02d}", "value": int(str(form["value"]))}
            self.created[key or thing["id"]] = thing
        return JSONResponse(thing)

    # ------------------------------------------------------------------ exchange rates
    async def fx_latest(self, request: Request) -> Response:
        base = request.query_params.get("base", "EUR")
        if base not in RATES:
            return error(422, "invalid_base", f"unknown currency {base}")
        return JSONResponse({"base": base, "date": "2026-12-01", "rates": RATES[base]})

    async def fx_series(self, request: Request) -> Response:
        """One day a row, 23 days; ``page``/``per_page``."""
        page, size = self._int(request, "page", 1), self._int(request, "per_page", 10)
        days = [{"date": f"2026-11-{d:02d}", "rate": str(1 + d / 100)} for d in range(1, 24)]
        return JSONResponse({"data": days[(page - 1) * size : page * size]})

    # ------------------------------------------------------------------ shapes for faults
    def status_response(self, operation: str, status: int) -> Response:
        code = {429: "rate_limited", 409: "lock_timeout"}.get(status, f"http_{status}")
        return error(status, code)

    def error_in_200_response(self, operation: str) -> Response:
        return error(200, "internal_error", "an error dressed as a success")

    def malformed_response(self, operation: str) -> Response:
        return Response(b'{"data": [{"id": ', media_type="application/json")

    def finalize(self, request: Request, response: Response) -> None:
        for name, value in self.limit_headers.items():
            response.headers[name] = value
