"""The gateway in front of the GraphQL view, as ASGI middleware: who, how often, which document.

In order: identify the caller (401 ``UNAUTHENTICATED`` with ``WWW-Authenticate``), take a token
from its bucket (429 ``RATE_LIMITED`` with ``Retry-After`` and the ``RateLimit`` headers), and
resolve a persisted operation into its document (APQ / trusted documents), rewriting the body
or the query string so the view parses an ordinary request. The principal travels in the ASGI
scope to the view's ``get_context``. Everything here answers JSON with an ``extensions.code``.
It sits inside the body-size limit, so the body it buffers is already bounded.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from colonnade.config import Settings
from colonnade.errors import BadUserInput, ConfigError, GatewayError
from colonnade.gateway.client_limits import ClientCostBudget, ClientRateLimiter
from colonnade.gateway.identity import Authenticator, Principal
from colonnade.gateway.jwks import JwksVerifier
from colonnade.gateway.persisted import PersistedOperations
from colonnade.gateway.profile import is_ide_page, is_production
from colonnade.state import StateBackend

PRINCIPAL = "colonnade.principal"


def anonymous_allowed(settings: Settings) -> bool:
    mode = settings.gateway.anonymous
    if mode == "on" and is_production(settings.server):
        raise ConfigError(
            "gateway.anonymous = 'on' is not allowed with server.profile = 'production': "
            "issue API keys (colonnade keys generate) or configure gateway.jwt"
        )
    return mode == "on"


def cost_budget(settings: Settings, runtime: Any) -> ClientCostBudget | None:
    budget = settings.gateway.cost_budget
    return ClientCostBudget(budget, runtime.backend) if budget.per_window else None


def principal_from(scope: Scope) -> Principal | None:
    found = scope.get(PRINCIPAL)
    return found if isinstance(found, Principal) else None


class Gateway:
    def __init__(
        self,
        app: ASGIApp,
        *,
        authenticator: Authenticator,
        limiter: ClientRateLimiter,
        persisted: PersistedOperations,
    ) -> None:
        self.app = app
        self.authenticator = authenticator
        self.limiter = limiter
        self.persisted = persisted

    @classmethod
    def from_settings(cls, app: ASGIApp, settings: Settings, backend: StateBackend) -> Gateway:
        g = settings.gateway
        jwks = JwksVerifier(g.jwt) if g.jwt.jwks_url else None
        return cls(
            app,
            authenticator=Authenticator(
                g, backend, anonymous=anonymous_allowed(settings), jwks=jwks
            ),
            limiter=ClientRateLimiter(g.rate_limit, backend),
            persisted=PersistedOperations(
                g.persisted_queries, backend, ttl_s=g.apq_ttl_s, manifest=g.trusted_documents
            ),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_ide_page(scope):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        extra: list[tuple[bytes, bytes]] = []
        try:
            principal = await self.authenticator.authenticate(headers)
            client = scope.get("client")
            decision = await self.limiter.check(principal, client[0] if client else None)
            if decision is not None:
                extra = decision.headers
                if not decision.allowed:
                    await _refuse(
                        send, 429, "RATE_LIMITED", "this client is over its rate limit", extra
                    )
                    return
            if self.persisted.active:
                scope, receive = await self._persisted(scope, receive)
        except (GatewayError, BadUserInput) as exc:
            status = exc.status if isinstance(exc, GatewayError) else 400
            if status == 401:
                extra = [*extra, (b"www-authenticate", b'Bearer realm="colonnade"')]
            await _refuse(send, status, exc.code.value, exc.message, extra)
            return
        scope = {**scope, PRINCIPAL: principal}
        if not extra:
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _persisted(self, scope: Scope, receive: Receive) -> tuple[Scope, Receive]:
        if scope["method"] == "GET":
            raw = scope.get("query_string", b"")
            if self.persisted.mode == "apq" and b"persistedQuery" not in raw:
                return scope, receive
            params = dict(parse_qsl(raw.decode("latin-1")))
            try:
                extensions = json.loads(params["extensions"]) if "extensions" in params else None
            except ValueError:
                return scope, receive  # the view answers malformed parameters
            document = await self.persisted.document(params.get("query"), extensions)
            if document is not None:
                params["query"] = document
                scope = {**scope, "query_string": urlencode(params).encode()}
            return scope, receive
        body = await _read_body(receive)
        if self.persisted.mode == "apq" and b"persistedQuery" not in body:
            return _with_body(scope, body), _replay(
                body, receive
            )  # the common case: nothing to resolve
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            payload = None
        if isinstance(payload, dict):
            query = payload.get("query")
            document = await self.persisted.document(
                query if isinstance(query, str) else None, payload.get("extensions")
            )
            if document is not None:
                body = json.dumps({**payload, "query": document}).encode()
        elif self.persisted.mode == "trusted":
            await self.persisted.document(None, None)  # refuses: nothing to look up
        return _with_body(scope, body), _replay(body, receive)

    async def aclose(self) -> None:
        await self.authenticator.aclose()


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _with_body(scope: Scope, body: bytes) -> Scope:
    headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    return {**scope, "headers": headers}


def _replay(body: bytes, original: Receive) -> Receive:
    """The body once, then the real connection's messages (a streamed response listens for
    the client's disconnect: a made-up one would cut it short)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return await original()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _refuse(
    send: Send, status: int, code: str, message: str, headers: list[tuple[bytes, bytes]]
) -> None:
    body: dict[str, Any] = {"errors": [{"message": message, "extensions": {"code": code}}]}
    raw = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(raw)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": raw})
