"""``RestConnector``: an ``HttpConnector`` whose common shape is declared, not written.

A subclass declares its credentials, error body, rate-limit header family, API version
header and its ``RestOperation``s as class attributes; its port methods are one line each:

    await self.call(self.latest, base="EUR")          # Fetched[FxRates], cached by its tier
    await self.call_each(self.by_customer, ids)       # one request (or page walk) per key
    await self.find_each(self.by_id, ids)             # the same, a 404 is None
    await self.call_many(self.accounts, ids)          # a batch endpoint, chunked
    await self.write(self.create, idempotency_key=k, amount=…)

Everything still goes through the pipeline (cache tiers, tags, coalescing, retries, breaker,
last known good, idempotent writes). The odd provider overrides a hook: ``request`` (build
one request), ``decode`` (bytes → JSON), ``to_domain`` (validate + map), ``follow`` (a next
link), or ``HttpConnector``'s classification (``error_for``, ``check_success``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, TypeVar

import httpx
import structlog
from pydantic import TypeAdapter

from colonnade.config import ConnectorSettings
from colonnade.connector import OFF_LOOP_BYTES, HttpConnector
from colonnade.errors import ConfigError, UpstreamError, UpstreamNotFound, UpstreamRateLimited
from colonnade.pipeline.core import Fetched
from colonnade.pipeline.operation import Operation
from colonnade.pipeline.ratelimit_headers import QuotaHint
from colonnade.pipeline.resilient import Attempt
from colonnade.rest import ratelimits, templates
from colonnade.rest.batching import BatchRequest, chunks
from colonnade.rest.credentials import Anonymous, Credentials
from colonnade.rest.errors import ErrorBody
from colonnade.rest.operation import RestOperation
from colonnade.rest.pagination import Page
from colonnade.rest.paths import dig
from colonnade.rest.ratelimits import RateLimitHeaders
from colonnade.runtime import Runtime

R = TypeVar("R")
PerKey = dict[str, Fetched[R] | BaseException]
_log = structlog.get_logger("colonnade.rest")
_JSON: TypeAdapter[Any] = TypeAdapter(Any)


class RestConnector(HttpConnector):
    credentials: ClassVar[Credentials] = Anonymous()
    errors: ClassVar[ErrorBody] = ErrorBody()
    rate_limit_headers: ClassVar[RateLimitHeaders] = RateLimitHeaders.ANY
    version_header: ClassVar[str | None] = None
    """Sent with ``api_version`` on every request (``Stripe-Version``)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared: dict[str, RestOperation[Any]] = {}
        for klass in reversed(cls.__mro__):
            declared.update({a: v for a, v in vars(klass).items() if isinstance(v, RestOperation)})
        if "name" in vars(cls):
            for op in declared.values():
                op.bind(cls.name)
            cls.operations = tuple(op.operation for op in declared.values())

    def __init__(self, settings: ConnectorSettings, runtime: Runtime, **kwargs: Any) -> None:
        super().__init__(settings, runtime, **kwargs)
        self.auth = self.credentials.build(self)
        if self.version_header is not None:
            self.http.headers[self.version_header] = self.api_version

    # ------------------------------------------------------------------ reads
    async def call(self, op: RestOperation[R], /, **args: Any) -> Fetched[R]:
        """One read (all its pages), cached by the operation's tier and tags."""

        async def fetch(attempt: Attempt) -> R:
            return await self.fetch(attempt, op, args)

        return await self.pipeline.read(
            op.operation, args, fetch, op.codec, scope=self.cache_scope(), tags=op.tags_for(args)
        )

    async def call_each(self, op: RestOperation[R], keys: Sequence[str], /) -> PerKey[R]:
        """One read per key (``{key}`` in the templates, its only argument), concurrently,
        each cached under its own tags."""
        return await self._each(op, keys, missing_is_none=False)

    async def find_each(self, op: RestOperation[R], keys: Sequence[str], /) -> PerKey[R | None]:
        """``call_each`` where a 404 means "there is none": that key's answer is ``None``."""
        return await self._each(op, keys, missing_is_none=True)

    async def call_many(self, op: RestOperation[R], keys: Sequence[str], /) -> PerKey[R | None]:
        """A batch endpoint (``batch=``): the keys not cached, ``chunk`` per request; a key
        the provider has no answer for is ``None``, a record that breaks the model fails
        its own key only."""
        batch = op.batch
        if batch is None:
            raise ConfigError(f"{op.operation.qualified} declares no batch=")
        results, valid = self._refuse_bad_keys(op, keys)

        async def fetch_many(chunk: list[str], attempt: Attempt) -> dict[str, Any]:
            request = self.request(op, {}, extra=batch.request(chunk))
            response = await self.send(attempt, op.operation, request)
            records: dict[str, Any] = await self.off_loop_if_large(
                response, self._records, op, response, chunk
            )
            return records

        parts = await asyncio.gather(
            *(
                self.pipeline.read_many(
                    op.operation,
                    chunk,
                    fetch_many,
                    op.optional_codec,
                    scope=self.cache_scope(),
                    tags_for=lambda k: op.tags_for({"key": k}),
                )
                for chunk in chunks(valid, batch.chunk)
            )
        )
        for part in parts:
            results.update(part)
        return results

    # ------------------------------------------------------------------ writes
    async def write(
        self, op: RestOperation[R], /, *, idempotency_key: str | None = None, **args: Any
    ) -> R:
        """Never cached; retried only with a key (the provider's own when the operation
        declares ``idempotency_header``, else Colonnade's records); invalidates its tags."""

        async def send(attempt: Attempt) -> R:
            request = self.request(op, args, idempotency_key=idempotency_key)
            response = await self.send(attempt, op.operation, request)
            value: R = await self.off_loop_if_large(response, self._one, op, response)
            return value

        return await self.pipeline.write(
            op.operation,
            send,
            op.codec,
            args=self._fingerprinted(op, args),
            scope=self.write_scope(),
            idempotency_key=idempotency_key,
            invalidate_tags=op.invalidates_for(args),
        )

    # ------------------------------------------------------------------ hooks
    def request(
        self,
        op: RestOperation[Any],
        args: Mapping[str, Any],
        *,
        extra: BatchRequest | None = None,
        page: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> httpx.Request:
        """The request for one call (or one page, or one chunk of a batch)."""
        ns = {**args, "settings": self.settings}
        params = templates.params(op.params, ns)
        if op.pages is not None:
            params += list((page or op.pages.first()).items())
        body = templates.render_all(op.body, ns) if op.body is not None else None
        if extra is not None:
            params += extra.params
            body = {**(body or {}), **extra.body} if extra.body is not None else body
        headers = {
            k: templates.wire_text(v) for k, v in templates.render_all(op.headers, ns).items()
        }
        if idempotency_key is not None and op.idempotency_header is not None:
            headers[op.idempotency_header] = idempotency_key
        content: dict[str, Any] = {}
        if body is not None and op.form:
            content["data"] = {k: templates.wire_text(v) for k, v in body.items()}
        elif body is not None:
            content["json"] = body
        return self.http.build_request(
            op.method,
            templates.path(op.path, ns),
            params=tuple(params),
            headers=headers,
            **content,
        )

    def decode(self, op: RestOperation[Any], response: httpx.Response) -> Any:
        """The body as JSON (through ``parse``, the one place a body is decoded); a body
        that is not JSON breaks the contract."""
        return self.parse(op.operation, response, _JSON)

    def to_domain(self, op: RestOperation[Any], wire: Any) -> Any:
        """Validate against the wire model, then map; a map's ``ValueError`` (an unknown
        status, a currency it cannot read) is a contract violation, never a bug."""
        try:
            return op.map(op.wire.validate_python(wire))
        except ValueError as exc:  # pydantic's ValidationError included
            raise self.contract_violation(op.operation, exc) from None

    def follow(self, op: RestOperation[Any], link: str) -> httpx.Request:
        """The request for a next link; only ever to the provider's own origin (and under
        the pagination's ``within`` prefix): our credentials go where we decide."""
        url = self.http.base_url.join(link)
        base = self.http.base_url
        ns = {"settings": self.settings}
        within = templates.render(getattr(op.pages, "within", None), ns)
        if (url.scheme, url.host, url.port) != (base.scheme, base.host, base.port) or (
            within is not None and not url.path.startswith(within)
        ):
            raise self.contract_violation(op.operation, ValueError("next link outside the API"))
        headers = templates.render_all(op.headers, ns)
        return self.http.build_request(op.method, url, headers=headers)

    async def fetch(self, attempt: Attempt, op: RestOperation[R], args: Mapping[str, Any]) -> R:
        """One attempt of a read: one request, or every page of a list."""
        if op.pages is None:
            response = await self.send(attempt, op.operation, self.request(op, args))
            value: R = await self.off_loop_if_large(response, self._one, op, response)
            return value
        return await self._walk(attempt, op, args)

    async def off_loop_if_large(self, response: httpx.Response, fn: Any, *args: Any) -> Any:
        """``fn(*args)`` on the parse threads when the body is large (decoding is CPU-bound)."""
        if len(response.content) < OFF_LOOP_BYTES:
            return fn(*args)
        return await self.off_loop(fn, *args)

    # ------------------------------------------------------------------ classification
    def provider_error(self, response: httpx.Response) -> tuple[str | None, str | None]:
        return self.errors.read(response)

    def error_for(self, op: Operation, response: httpx.Response) -> UpstreamError:
        details = self.error_details(op, response)
        code = details["provider_code"]
        if code is not None and code in self.errors.rate_limited:
            err: UpstreamError = UpstreamRateLimited(
                f"{self.name} says Colonnade is over its request limit ({code})", **details
            )
        else:
            err = super().error_for(op, response)
        hint = self.errors.retry_hint(response, code)
        if hint is not None:
            err.retryable = hint
        return err

    def check_success(self, op: Operation, response: httpx.Response) -> None:
        code = self.errors.inside_success(response)
        if code is not None:
            raise self.error_inside_success(op, response, code)

    def rate_limit_hints(self, response: httpx.Response) -> list[QuotaHint]:
        return ratelimits.hints(self.rate_limit_headers, response.headers)

    # ------------------------------------------------------------------ internals
    async def _each(
        self, op: RestOperation[R], keys: Sequence[str], *, missing_is_none: bool
    ) -> PerKey[Any]:
        results, valid = self._refuse_bad_keys(op, keys)

        async def fetch_one(key: str, attempt: Attempt) -> R | None:
            try:
                return await self.fetch(attempt, op, {"key": key})
            except UpstreamNotFound:
                if missing_is_none:
                    return None
                raise

        codec: Any = op.optional_codec if missing_is_none else op.codec
        results.update(
            await self.pipeline.read_each(
                op.operation,
                valid,
                fetch_one,
                codec,
                scope=self.cache_scope(),
                tags_for=lambda k: op.tags_for({"key": k}),
            )
        )
        return results

    @staticmethod
    def _refuse_bad_keys(
        op: RestOperation[Any], keys: Sequence[str]
    ) -> tuple[PerKey[Any], list[str]]:
        results: PerKey[Any] = {}
        valid: list[str] = []
        for key in dict.fromkeys(keys):
            refused = op.keys.refuse(key) if op.keys is not None else None
            if refused is None:
                valid.append(key)
            else:
                results[key] = refused
        return results, valid

    async def _walk(self, attempt: Attempt, op: RestOperation[R], args: Mapping[str, Any]) -> R:
        pages = op.pages
        assert pages is not None
        params = pages.first()
        request = self.request(op, args, page=params)
        items: list[Any] = []
        for _ in range(pages.max_pages):
            response = await self.send(attempt, op.operation, request)
            page = await self.off_loop_if_large(response, self._page, op, response, params)
            items.extend(page.domain)
            following = pages.next(page.page)
            if following is None:
                return items  # type: ignore[return-value]  # R is list[...] with pages
            if isinstance(following, str):
                request = self.follow(op, following)
            else:
                params = {**params, **following}
                request = self.request(op, args, page=params)
        _log.warning(
            "pagination_bound_reached",
            connector=self.name,
            operation=op.operation.name,
            max_pages=pages.max_pages,
        )
        return items  # type: ignore[return-value]

    def _one(self, op: RestOperation[Any], response: httpx.Response) -> Any:
        return self.to_domain(op, self.decode(op, response))

    def _page(
        self, op: RestOperation[Any], response: httpx.Response, params: dict[str, str]
    ) -> _Decoded:
        assert op.pages is not None
        body = self.decode(op, response)
        raw = dig(body, op.pages.items)
        if not isinstance(raw, list):
            where = op.pages.items or "the body"
            raise self.contract_violation(op.operation, ValueError(f"{where} is not a list"))
        domain = [self.to_domain(op, item) for item in raw]
        return _Decoded(Page(body, raw, response, params), domain)

    def _records(
        self, op: RestOperation[Any], response: httpx.Response, keys: list[str]
    ) -> dict[str, Any]:
        """Each key's record (or ``None``, or the error of its record alone)."""
        assert op.batch is not None
        raw = dig(self.decode(op, response), op.batch.items)
        if not isinstance(raw, list):
            raise self.contract_violation(op.operation, ValueError("batch answer is not a list"))
        if op.batch.key is None:
            if len(raw) != len(keys):
                raise self.contract_violation(
                    op.operation, ValueError("record count differs from keys")
                )
            by_key = dict(zip(keys, raw, strict=True))
        else:
            by_key = {str(dig(r, op.batch.key)): r for r in raw}
        return {k: self._record(op, by_key.get(k)) for k in keys}

    def _record(self, op: RestOperation[Any], record: Any) -> Any:
        if record is None:
            return None
        try:
            return self.to_domain(op, record)
        except UpstreamError as err:
            return err

    def _fingerprinted(self, op: RestOperation[Any], args: Mapping[str, Any]) -> dict[str, Any]:
        """What makes two writes the same write: what would be sent."""
        ns = {**args, "settings": self.settings}
        return {
            "path": templates.path(op.path, ns),
            "params": templates.params(op.params, ns),
            "body": templates.render_all(op.body or {}, ns),
        }


class _Decoded:
    __slots__ = ("domain", "page")

    def __init__(self, page: Page, domain: list[Any]) -> None:
        self.page = page
        self.domain = domain
