"""The base every HTTP connector stands on (REST directly, SOAP through ``SoapConnector``).

A connector author declares its operations and writes small methods that build a request and
map the provider's model into the domain model; this base does the rest: credentials on every
request and one resend after a refreshed 401, the provider's rate-limit headers fed to the
limiter, httpx exceptions translated in one table, and the response classified in one
overridable place (``provider_error`` / ``error_for``) — retryable or not, the breaker's fault
or the client's.

A provider is not trusted with our resources: a body is streamed and refused past
``max_response_bytes`` (at once when its Content-Length says so), and large bodies are decoded
on a small per-connector thread pool (``off_loop``), so one provider's huge or pathological
reply never stalls the event loop that serves every other request.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar, TypeVar

import httpx
from pydantic import TypeAdapter, ValidationError

from colonnade.auth import Auth, NoAuth
from colonnade.config import ConnectorSettings
from colonnade.errors import (
    ConfigError,
    UpstreamContractViolation,
    UpstreamError,
    UpstreamNotFound,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamResponseTooLarge,
    UpstreamTimeout,
    UpstreamUnauthenticated,
    UpstreamUnavailable,
)
from colonnade.pipeline.core import ConnectorPipeline
from colonnade.pipeline.operation import Operation
from colonnade.pipeline.ratelimit_headers import QuotaHint, parse_retry_after, quota_hints
from colonnade.pipeline.resilient import Attempt
from colonnade.runtime import Runtime

M = TypeVar("M")
R = TypeVar("R")

# httpx exception → (our error, did the request reach the provider?)
_TRANSPORT_ERRORS: tuple[tuple[type[httpx.HTTPError], type[UpstreamError], bool], ...] = (
    (httpx.ConnectTimeout, UpstreamTimeout, False),
    (httpx.PoolTimeout, UpstreamTimeout, False),
    (httpx.TimeoutException, UpstreamTimeout, True),
    (httpx.ConnectError, UpstreamUnavailable, False),
    (httpx.DecodingError, UpstreamContractViolation, True),
    (httpx.TransportError, UpstreamUnavailable, True),  # resets, truncated bodies, protocol errors
    (httpx.HTTPError, UpstreamUnavailable, True),
)
_MESSAGE_LIMIT = 200
OFF_LOOP_BYTES = 256 * 1024
"""Bodies at least this large are decoded on the connector's thread pool, not the loop."""
_PARSE_THREADS = 2
"""Per connector: a flood of huge replies from one provider queues behind its own threads."""


class HttpConnector:
    """Subclasses set ``name`` and build their ``auth``; see connectors/ for three examples."""

    name: ClassVar[str]
    operations: ClassVar[tuple[Operation, ...]] = ()
    """Every operation the connector declares: config that names an operation is checked here."""
    api_version: str = "v1"
    """The provider API version spoken; part of every cache key (a new version, new entries)."""

    def __init__(
        self, settings: ConnectorSettings, runtime: Runtime, *, idempotency_ttl_s: float = 86_400.0
    ) -> None:
        if not settings.base_url:
            raise ConfigError(
                f"connector {self.name!r} has no base_url. Set connectors.{self.name}.base_url in "
                f"colonnade.toml or COLONNADE_CONNECTORS__{self.name.upper()}__BASE_URL, or run "
                "with the embedded sandbox (sandbox.embedded = 'auto')."
            )
        self.settings = settings
        self.runtime = runtime
        self._check_cache_tiers(settings, runtime)
        t = settings.timeouts
        self.http = httpx.AsyncClient(
            base_url=settings.base_url,
            timeout=httpx.Timeout(
                connect=t.connect_s, read=t.read_s, write=t.write_s, pool=t.total_s
            ),
            limits=httpx.Limits(
                max_connections=settings.bulkhead.max_concurrent + 2,
                max_keepalive_connections=settings.bulkhead.max_concurrent,
            ),
            follow_redirects=False,
            headers={"User-Agent": "Colonnade/0.1"},
        )
        self.pipeline = ConnectorPipeline(
            self.name,
            settings,
            runtime.backend,
            runtime.cache,
            runtime.telemetry,
            idempotency_ttl_s=idempotency_ttl_s,
        )
        self.auth: Auth = NoAuth()
        self._parse_pool = ThreadPoolExecutor(
            max_workers=_PARSE_THREADS, thread_name_prefix=f"colonnade-parse-{self.name}"
        )

    def _check_cache_tiers(self, settings: ConnectorSettings, runtime: Runtime) -> None:
        """Fail at start, not on the first request, when config names what does not exist."""
        known = {op.name: op for op in self.operations}
        for op_name, tier in settings.cache_tiers.items():
            if op_name not in known:
                raise ConfigError(
                    f"connectors.{self.name}.cache_tiers names operation {op_name!r}, which "
                    f"{self.name} does not have. Its operations: {', '.join(sorted(known))}."
                )
            runtime.cache.tier(known[op_name], tier)  # raises ConfigError for an unknown tier
        for op in self.operations:
            runtime.cache.tier(op)

    def cache_scope(self) -> str:
        """Whose answer and in which API version: cached entries never cross either."""
        return f"{self.api_version}:{self.auth.scope()}"

    def write_scope(self) -> str:
        """Whose writes: idempotency records are keyed by this, stable across rotation."""
        return self.auth.identity()

    # ------------------------------------------------------------------ transport
    async def send(self, attempt: Attempt, op: Operation, request: httpx.Request) -> httpx.Response:
        """Send with credentials; after a 401, refresh once and resend once; then classify."""
        self.runtime.telemetry.outbound(request.headers)
        await self.auth.apply(request)
        response = await self._exchange(attempt, op, request)
        if response.status_code == 401 and await self.auth.refresh(request):
            retry = self.http.build_request(
                request.method, request.url, headers=request.headers, content=request.content
            )
            await self.auth.apply(retry)
            response = await self._exchange(attempt, op, retry)
        attempt.status = response.status_code
        hints = self.rate_limit_hints(response)
        self.runtime.telemetry.response(self.name, response.status_code, response.headers, hints)
        await self.pipeline.caller.limiter.learn(hints)
        if response.status_code == 401:
            raise UpstreamUnauthenticated(
                f"{self.name} refused Colonnade's credentials",
                connector=self.name,
                operation=op.name,
                status=401,
            )
        if not response.is_success:
            raise self.error_for(op, response)
        self.check_success(op, response)
        return response

    async def _exchange(
        self, attempt: Attempt, op: Operation, request: httpx.Request
    ) -> httpx.Response:
        try:
            response = await self.http.send(request, stream=True)
            attempt.sent = True  # an answer came back: the provider saw the request
            try:
                await self._read_capped(op, response)
            finally:
                await response.aclose()  # unread (refused) bodies close the connection
            return response
        except httpx.HTTPError as exc:
            for exc_type, error_type, sent in _TRANSPORT_ERRORS:
                if isinstance(exc, exc_type):
                    attempt.sent = attempt.sent or sent
                    raise error_type(
                        f"{self.name}: {_describe_transport(exc)}",
                        connector=self.name,
                        operation=op.name,
                        request_sent=sent,
                    ) from None
            raise  # unreachable: the table ends with httpx.HTTPError

    async def _read_capped(self, op: Operation, response: httpx.Response) -> None:
        """Read the body into ``response.content``, never more than ``max_response_bytes``
        (plus the one chunk that crossed it)."""
        limit = self.settings.max_response_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise self._too_large(op, response, 0)
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > limit:
                raise self._too_large(op, response, len(body))
        # What httpx's own ``aread`` stores; ``content`` is read-only otherwise.
        response._content = bytes(body)

    def _too_large(
        self, op: Operation, response: httpx.Response, read: int
    ) -> UpstreamResponseTooLarge:
        limit = self.settings.max_response_bytes
        return UpstreamResponseTooLarge(
            f"{self.name} answered {op.name} with a body larger than {limit} bytes",
            limit=limit,
            bytes_read=read,
            connector=self.name,
            operation=op.name,
            status=response.status_code,
        )

    async def off_loop(self, fn: Callable[..., R], *args: Any) -> R:
        """Run CPU-bound decoding on this connector's parse threads, not the event loop.

        A cancelled caller (deadline) stops waiting; the thread finishes its bounded work."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._parse_pool, functools.partial(fn, *args))

    def rate_limit_hints(self, response: httpx.Response) -> list[QuotaHint]:
        """What this response says about the provider's limits; override to read fewer
        header families (or a provider's own)."""
        return quota_hints(response.headers)

    # ------------------------------------------------------------------ classification
    def provider_error(self, response: httpx.Response) -> tuple[str | None, str | None]:
        """(provider error code, provider message) from an error body; override per provider."""
        return None, None

    def error_for(self, op: Operation, response: httpx.Response) -> UpstreamError:
        """Map a non-2xx response to a typed error. Override to honour provider hints."""
        status = response.status_code
        _, message = self.provider_error(response)
        kw = self.error_details(op, response)
        if status == 429:
            return UpstreamRateLimited(f"{self.name} is rate limiting Colonnade", **kw)
        if status == 408:
            return UpstreamTimeout(f"{self.name} timed out the request", **kw)
        if status == 404:
            return UpstreamNotFound(_client_message(self.name, "not found", message), **kw)
        if 400 <= status < 500:
            return UpstreamRejected(
                _client_message(self.name, "rejected the request", message), **kw
            )
        return UpstreamUnavailable(f"{self.name} answered {status}", **kw)

    def error_details(self, op: Operation, response: httpx.Response) -> dict[str, Any]:
        """The keyword arguments every typed error from this response carries."""
        code, _ = self.provider_error(response)
        return {
            "connector": self.name,
            "operation": op.name,
            "status": response.status_code,
            "provider_code": code,
            "retry_after_s": parse_retry_after(response.headers.get("Retry-After")),
        }

    def check_success(self, op: Operation, response: httpx.Response) -> None:
        """A 2xx may still carry an error (a 200 with an error body): override to detect it."""

    def error_inside_success(
        self, op: Operation, response: httpx.Response, code: str
    ) -> UpstreamUnavailable:
        """A 2xx whose body is the provider's error shape: the provider failing, not us."""
        return UpstreamUnavailable(
            f"{self.name} answered {response.status_code} with an error ({code})",
            connector=self.name,
            operation=op.name,
            status=response.status_code,
            provider_code=code,
        )

    def parse(self, op: Operation, response: httpx.Response, model: TypeAdapter[M]) -> M:
        """Validate a JSON body against the provider model the connector declared."""
        try:
            return model.validate_json(response.content)
        except ValidationError as exc:
            raise self.contract_violation(op, exc) from None

    async def aparse(self, op: Operation, response: httpx.Response, model: TypeAdapter[M]) -> M:
        """``parse``, on the parse threads when the body is large (validation is CPU-bound)."""
        if len(response.content) < OFF_LOOP_BYTES:
            return self.parse(op, response, model)
        return await self.off_loop(self.parse, op, response, model)

    def contract_violation(self, op: Operation, exc: Exception) -> UpstreamContractViolation:
        detail = _first_problem(exc)
        return UpstreamContractViolation(
            f"{self.name} answered {op.name} in an unexpected shape ({detail})",
            connector=self.name,
            operation=op.name,
        )

    async def contract_probe(self) -> None:
        """A few representative reads whose requests and answers ``colonnade contracts``
        records and verifies (see ``colonnade.contracts``). Connectors override this."""
        raise NotImplementedError(f"connector {self.name!r} declares no contract probe")

    def stop_refreshing(self) -> None:
        """The process is shutting down: no background refresh starts from here on (a stale
        entry is served as it is, a token is used until it expires). Flags only: this runs
        from the signal handler."""
        self.pipeline.coalescer.stop_refreshing()
        stop = getattr(self.auth, "stop_refreshing", None)
        if stop is not None:
            stop()

    async def aclose(self) -> None:
        await self.pipeline.aclose()
        closer = getattr(self.auth, "aclose", None)
        if closer is not None:
            await closer()
        await self.http.aclose()
        self._parse_pool.shutdown(wait=False, cancel_futures=True)


def _client_message(connector: str, what: str, provider_message: str | None) -> str:
    if not provider_message:
        return f"{connector} {what}"
    return f"{connector} {what}: {provider_message[:_MESSAGE_LIMIT]}"


def _describe_transport(exc: httpx.HTTPError) -> str:
    known: dict[type[httpx.HTTPError], str] = {
        httpx.ConnectError: "connection refused or unreachable",
        httpx.ConnectTimeout: "connection timed out",
        httpx.ReadTimeout: "no response in time",
        httpx.WriteTimeout: "request could not be sent in time",
        httpx.PoolTimeout: "no free connection in time",
        httpx.RemoteProtocolError: "connection dropped or response malformed",
        httpx.ReadError: "connection reset while reading",
    }
    return known.get(type(exc), type(exc).__name__)


def _first_problem(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        errors = exc.errors()
        if errors:
            first = errors[0]
            where = ".".join(str(p) for p in first["loc"]) or "body"
            return f"{where}: {first['msg']}"
    return type(exc).__name__
