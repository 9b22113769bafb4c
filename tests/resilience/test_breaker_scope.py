"""Breaker scope, declared per operation: one breaker per connector, per operation, or per
group of keys — the EU VIES VAT service fails per member state, so DE failing must not stop
the calls for FR. Against a VAT-check provider served over real HTTP on loopback."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pydantic import TypeAdapter
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from support import state_backend

from colonnade.config import CacheSettings, ConnectorSettings
from colonnade.errors import CircuitOpen, UpstreamError, UpstreamRejected, UpstreamUnavailable
from colonnade.pipeline.cache import ResponseCache
from colonnade.pipeline.core import ConnectorPipeline
from colonnade.pipeline.operation import BreakerScope, KeyGroups, Kind, Operation
from colonnade.pipeline.resilient import Attempt
from colonnade.readiness import _breakers
from colonnade.sandboxes.server import ServedSandbox
from colonnade.state import BreakerState, StateBackend
from colonnade.telemetry import Telemetry

MEMBER_STATE = KeyGroups("member_state", lambda vat: str(vat)[:2].upper())
CHECK = Operation("vies", "check_vat", breaker_scope=MEMBER_STATE)
CHECK_MANY = Operation("vies", "check_vats", breaker_scope=MEMBER_STATE)
REGISTER = Operation("vies", "register", kind=Kind.WRITE, breaker_scope=MEMBER_STATE)
BREAKER = {"min_calls": 2, "failure_ratio": 0.5, "window_s": 30, "break_s": 30}
VALID = TypeAdapter(bool)


@dataclass
class VatProvider:
    """VIES-like: a member state listed in ``down`` answers 503; a malformed number 400."""

    down: set[str]
    calls: Counter[str]
    base_url: str = ""

    def app(self) -> Starlette:
        async def check(request: Request) -> JSONResponse:
            numbers = request.path_params["vats"].split(",")
            for vat in numbers:
                self.calls[vat[:2]] += 1
            if any(vat[:2] in self.down for vat in numbers):
                return JSONResponse({"error": "MS_UNAVAILABLE"}, status_code=503)
            if not all(vat[2:].isdigit() for vat in numbers):
                return JSONResponse({"error": "INVALID_INPUT"}, status_code=400)
            return JSONResponse(dict.fromkeys(numbers, True))

        return Starlette(routes=[Route("/check/{vats}", check, methods=["GET", "POST"])])


@pytest.fixture
def vies() -> Iterator[VatProvider]:
    provider = VatProvider(down=set(), calls=Counter())
    with ServedSandbox(provider.app()) as served:
        provider.base_url = served.base_url
        yield provider


@pytest.fixture
async def backend(backend_kind: str) -> AsyncIterator[StateBackend]:
    async with state_backend(backend_kind) as b:
        yield b


def pipeline(backend: StateBackend, **breaker: Any) -> ConnectorPipeline:
    settings = ConnectorSettings(breaker={**BREAKER, **breaker}, retry={"max_attempts": 1})
    telemetry = Telemetry()
    cache = ResponseCache(backend, CacheSettings(enabled=False), telemetry)
    return ConnectorPipeline("vies", settings, backend, cache, telemetry)


async def ask(vies: VatProvider, vats: list[str], attempt: Attempt) -> dict[str, bool]:
    async with httpx.AsyncClient(base_url=vies.base_url) as http:
        attempt.sent = True
        response = await http.post(f"/check/{','.join(vats)}")
    attempt.status = response.status_code
    if response.status_code == 503:
        raise UpstreamUnavailable("member state down", connector="vies", status=503)
    if response.status_code == 400:
        raise UpstreamRejected("invalid VAT number", connector="vies", status=400)
    return {vat: bool(v) for vat, v in response.json().items()}


async def check_each(p: ConnectorPipeline, vies: VatProvider, vats: list[str]) -> dict[str, Any]:
    async def one(vat: str, attempt: Attempt) -> bool:
        return (await ask(vies, [vat], attempt))[vat]

    got = await p.read_each(CHECK, vats, one, VALID, scope="s")
    return {k: v if isinstance(v, BaseException) else v.value for k, v in got.items()}


async def test_a_member_state_failing_opens_only_its_own_breaker(
    vies: VatProvider, backend: StateBackend
) -> None:
    p = pipeline(backend)
    vies.down.add("DE")
    first = await check_each(p, vies, ["DE111", "DE222", "FR111", "FR222"])
    assert all(isinstance(first[v], UpstreamUnavailable) for v in ("DE111", "DE222"))
    assert first["FR111"] is True
    assert first["FR222"] is True
    assert await p.caller.breaker(CHECK, "DE").state() is BreakerState.OPEN
    assert await p.caller.breaker(CHECK, "FR").state() is BreakerState.CLOSED

    vies.calls.clear()
    again = await check_each(p, vies, ["DE333", "FR333", "IT333"])
    assert isinstance(again["DE333"], CircuitOpen)  # fails fast, DE is not called
    assert again["FR333"] is True
    assert again["IT333"] is True
    assert vies.calls == Counter({"FR": 1, "IT": 1})


async def test_read_many_sends_one_call_per_group_and_fails_only_the_open_group(
    vies: VatProvider, backend: StateBackend
) -> None:
    p = pipeline(backend)
    vies.down.add("DE")

    async def many(vats: list[str], attempt: Attempt) -> dict[str, bool | UpstreamError]:
        return dict(await ask(vies, vats, attempt))

    async def check(vats: list[str]) -> dict[str, Any]:
        got = await p.read_many(CHECK_MANY, vats, many, VALID, scope="s")
        return {k: v if isinstance(v, BaseException) else v.value for k, v in got.items()}

    for _ in range(2):
        got = await check(["DE1", "FR1", "DE2", "FR2"])
        assert isinstance(got["DE1"], UpstreamUnavailable)
        assert isinstance(got["DE2"], UpstreamUnavailable)
        assert got["FR1"] is True
        assert got["FR2"] is True
    vies.calls.clear()
    got = await check(["DE3", "FR3"])
    assert isinstance(got["DE3"], CircuitOpen)
    assert got["FR3"] is True
    assert vies.calls == Counter({"FR": 1})


async def test_a_keyed_group_breaker_covers_single_reads_and_writes(
    vies: VatProvider, backend: StateBackend
) -> None:
    p = pipeline(backend)
    vies.down.add("DE")

    async def read(vat: str) -> Any:
        async def fetch(attempt: Attempt) -> bool:
            return (await ask(vies, [vat], attempt))[vat]

        try:
            return (await p.read(CHECK, vat, fetch, VALID, scope="s")).value
        except UpstreamError as err:
            return err

    assert isinstance(await read("DE1"), UpstreamUnavailable)
    assert isinstance(await read("DE2"), UpstreamUnavailable)
    assert isinstance(await read("DE3"), CircuitOpen)
    assert await read("FR1") is True

    async def send(attempt: Attempt) -> bool:
        return (await ask(vies, ["DE9"], attempt))["DE9"]

    with pytest.raises(CircuitOpen):  # the write of a DE number: DE's breaker, not sent
        await p.write(REGISTER, send, VALID, args="DE9", scope="s", idempotency_key=None)


async def test_readiness_lists_each_group_breaker_once_it_exists(
    vies: VatProvider, backend: StateBackend
) -> None:
    @dataclass
    class Vies:
        pipeline: ConnectorPipeline
        operations: tuple[Operation, ...] = (CHECK, CHECK_MANY)

    connector = Vies(pipeline(backend))
    assert await _breakers(connector) == {}  # no key called yet: no group breaker
    vies.down.add("DE")
    await check_each(connector.pipeline, vies, ["DE1", "DE2", "FR1"])
    assert await _breakers(connector) == {
        "cb:vies.member_state:DE": "open",
        "cb:vies.member_state:FR": "closed",
    }


async def check_a_then_b(
    p: ConnectorPipeline, vies: VatProvider, a: Operation, b: Operation
) -> tuple[list[Any], Any]:
    """Two failures of ``a``, then one call of ``b``: b's answer, and a's."""
    vies.down.add("DE")

    async def call(op: Operation, vat: str) -> Any:
        async def fetch(attempt: Attempt) -> bool:
            return (await ask(vies, [vat], attempt))[vat]

        try:
            return (await p.read(op, vat, fetch, VALID, scope="s")).value
        except UpstreamError as err:
            return err

    failed = [await call(a, "DE1"), await call(a, "DE2")]
    vies.down.clear()
    return failed, await call(b, "FR1")


async def test_per_connector_scope_shares_one_breaker_across_operations(
    vies: VatProvider, backend: StateBackend
) -> None:
    a = Operation("vies", "a", breaker_scope=BreakerScope.CONNECTOR)
    b = Operation("vies", "b", breaker_scope=BreakerScope.CONNECTOR)
    p = pipeline(backend, per_operation=True)  # the declared scope wins over the default
    failed, other = await check_a_then_b(p, vies, a, b)
    assert all(isinstance(f, UpstreamUnavailable) for f in failed)
    assert isinstance(other, CircuitOpen)
    assert p.caller.breaker(a).key == p.caller.breaker(b).key == "cb:vies"
    assert vies.calls["FR"] == 0


async def test_per_operation_scope_keeps_other_operations_called(
    vies: VatProvider, backend: StateBackend
) -> None:
    a = Operation("vies", "a", breaker_scope=BreakerScope.OPERATION)
    b = Operation("vies", "b", breaker_scope=BreakerScope.OPERATION)
    p = pipeline(backend)  # configured default: per connector
    failed, other = await check_a_then_b(p, vies, a, b)
    assert all(isinstance(f, UpstreamUnavailable) for f in failed)
    assert other is True
    assert await p.caller.breaker(a).state() is BreakerState.OPEN
    assert await p.caller.breaker(b).state() is BreakerState.CLOSED
    assert p.caller.breaker(a).key == "cb:vies.a"


async def test_an_undeclared_scope_follows_the_configuration(backend: StateBackend) -> None:
    op = Operation("vies", "a")
    assert pipeline(backend).caller.breaker(op).key == "cb:vies"
    assert pipeline(backend, per_operation=True).caller.breaker(op).key == "cb:vies.a"
    with pytest.raises(ValueError, match="per key group"):
        pipeline(backend).caller.breaker(CHECK)  # a grouped operation needs its key's group
