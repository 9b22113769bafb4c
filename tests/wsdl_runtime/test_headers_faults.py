"""Headers, WS-Security and declared faults from configuration, against a legacy quotes
service (``quotes_sandbox``) that checks what arrives and answers with its declared fault."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import structlog
from kit import FAST_RETRY, wsdl_connector
from quotes_sandbox import WSDL, QuotesSandbox

from colonnade.config import Settings
from colonnade.errors import (
    BadUserInput,
    CircuitOpen,
    UpstreamError,
    UpstreamRejected,
    UpstreamUnauthenticated,
    UpstreamUnavailable,
)
from colonnade.fetched import Fetched
from colonnade.pipeline.operation import Operation
from colonnade.runtime import Runtime
from colonnade.sandboxes import ServedSandbox
from colonnade.sandboxes.soap import SOAP12_ENV, SOAP_ENV
from colonnade.soap_faults import SoapFault
from colonnade.state import MemoryBackend
from colonnade.wsdl_import.connector import WsdlConnector
from colonnade.wsdl_import.settings import WsdlSettings

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[QuotesSandbox, ServedSandbox]]:
    sandbox = QuotesSandbox()
    with ServedSandbox(sandbox.app) as server:
        yield sandbox, server


@pytest.fixture
def quotes(served: tuple[QuotesSandbox, ServedSandbox]) -> QuotesSandbox:
    served[0].reset()
    return served[0]


def table(
    served: tuple[QuotesSandbox, ServedSandbox], sandbox: QuotesSandbox, **extra: Any
) -> dict[str, Any]:
    return {
        "base_url": served[1].base_url,
        "wsdl": WSDL,
        "wsse_username": sandbox.user,
        "wsse_password": sandbox.password,
        "soap_headers": {"AuthHeader.Token": sandbox.token, "AuthHeader.Tenant": "t1"},
        "faults": [{"faultcode": "Client.Authentication", "error": "unauthenticated"}],
        **extra,
    }


@pytest.fixture
async def legacy(
    served: tuple[QuotesSandbox, ServedSandbox], quotes: QuotesSandbox
) -> AsyncIterator[WsdlConnector]:
    async with wsdl_connector("legacy", **table(served, quotes)) as connector:
        yield connector


@pytest.fixture
def every_log_line(caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[], list[str]]]:
    """Everything logged: structlog's events (captured as the telemetry tests do, whatever
    logging an earlier test configured) and the standard library's loggers at debug."""
    caplog.set_level(logging.DEBUG)
    with structlog.testing.capture_logs() as events:
        yield lambda: [repr(e) for e in events] + [r.getMessage() for r in caplog.records]


async def test_a_reply_keeps_the_shape_of_its_generated_type(legacy: WsdlConnector) -> None:
    answer = await legacy.read("GetQuote", {"symbol": "ACME"})
    # zeep alone would hand over the inner Quote (a body of one element is unwrapped)
    assert answer.value == {"quote": {"symbol": "ACME", "price": "12.50"}}


async def test_the_username_token_and_declared_header_arrive(
    legacy: WsdlConnector, quotes: QuotesSandbox, every_log_line: Callable[[], list[str]]
) -> None:
    await legacy.read("GetQuote", {"symbol": "ACME"})
    [seen] = quotes.seen
    assert (seen.username, seen.password_type, seen.password_ok) == (
        quotes.user,
        "PasswordText",
        True,
    )
    assert (seen.token, seen.tenant) == (quotes.token, "t1")
    assert seen.envelope == SOAP_ENV  # the first service port (SOAP 1.1) unless told otherwise
    secrets = (quotes.password, quotes.token)
    logged = every_log_line()
    assert logged  # the pipeline logged the call ...
    assert not [line for line in logged if any(s in line for s in secrets)]  # ... blind
    assert not any(s in repr(legacy.settings) for s in secrets)
    assert not any(s in repr(legacy.wsse) + repr(legacy.headers) for s in secrets)


async def test_a_digest_token_proves_the_password_without_sending_it(
    served: tuple[QuotesSandbox, ServedSandbox], quotes: QuotesSandbox
) -> None:
    async with wsdl_connector("legacy", **table(served, quotes, wsse_digest=True)) as c:
        answer = await c.read("GetQuote", {"symbol": "INIT"})
    assert answer.value["quote"]["price"] == "0.10"
    [seen] = quotes.seen
    assert (seen.password_type, seen.password_ok) == ("PasswordDigest", True)
    assert quotes.password.encode() not in seen.body


async def test_secrets_from_files_are_reread_when_rotated(
    served: tuple[QuotesSandbox, ServedSandbox], quotes: QuotesSandbox, tmp_path: Path
) -> None:
    password, token = tmp_path / "password", tmp_path / "token"
    password.write_text(quotes.password + "\n")
    token.write_text(quotes.token)
    settings = table(
        served,
        quotes,
        wsse_password=None,
        wsse_password_file=password,
        soap_headers={},
        soap_header_files={"AuthHeader.Token": token},
        read_tier="live",
    )
    async with wsdl_connector("legacy", **settings) as c:
        await c.read("GetQuote", {"symbol": "ACME"})
        quotes.password, quotes.token = "rotated-password", "rotated-token"
        password.write_text("rotated-password")
        token.write_text("rotated-token")
        await c.read("GetQuote", {"symbol": "ACME"})
    assert [(s.password_ok, s.token) for s in quotes.seen] == [
        (True, quotes.seen[0].token),
        (True, "rotated-token"),
    ]


async def test_a_declared_fault_is_the_provider_s_answer_not_a_failure(
    legacy: WsdlConnector, quotes: QuotesSandbox
) -> None:
    with pytest.raises(UpstreamRejected) as raised:
        await legacy.read("GetQuote", {"symbol": "BAD"})
    error = raised.value
    assert type(error) is UpstreamRejected  # sent as soap:Server, yet declared by the WSDL
    assert error.provider_code == "QuoteFault"
    assert (error.retryable, error.counts_as_failure) == (False, False)
    assert error.message == "legacy rejected the request: No such symbol"
    assert quotes.recorder.count("quotes.GetQuote") == 1


async def test_an_undeclared_server_fault_is_unavailable_and_retried(
    legacy: WsdlConnector, quotes: QuotesSandbox
) -> None:
    with pytest.raises(UpstreamUnavailable) as raised:
        await legacy.read("GetQuote", {"symbol": "DOWN"})
    assert raised.value.provider_code == "soap:Server"
    assert "unavailable" not in raised.value.message  # a failure names its code only
    assert quotes.recorder.count("quotes.GetQuote") == 3


async def test_configured_rows_come_first(
    served: tuple[QuotesSandbox, ServedSandbox], quotes: QuotesSandbox
) -> None:
    rows = [
        {"detail_element": "QuoteFault", "error": "not_found"},
        {"faultcode": "Client.Authentication", "error": "unauthenticated"},
    ]
    async with wsdl_connector("legacy", **table(served, quotes, faults=rows)) as c:
        with pytest.raises(UpstreamError) as raised:
            await c.read("GetQuote", {"symbol": "BAD"})
        assert raised.value.code.value == "NOT_FOUND"
        assert raised.value.provider_code == "QuoteFault"
        quotes.password = "changed-at-the-provider"
        with pytest.raises(UpstreamUnauthenticated) as refused:
            await c.read("GetQuote", {"symbol": "INIT"})
    assert refused.value.provider_code == "soap:Client.Authentication"


async def test_a_provider_echoing_a_secret_does_not_put_it_in_the_error(
    served: tuple[QuotesSandbox, ServedSandbox], quotes: QuotesSandbox
) -> None:
    sent, settings = quotes.token, table(served, quotes)
    quotes.token = "the-provider-expects-another"
    async with wsdl_connector("legacy", **settings) as c:
        with pytest.raises(UpstreamRejected) as raised:
            await c.read("GetQuote", {"symbol": "ACME"})
    assert "Invalid token" in raised.value.message
    assert sent not in raised.value.message
    assert sent not in str(raised.value.as_extensions())


async def test_a_list_of_keys_read_is_detected_and_batched(
    legacy: WsdlConnector, quotes: QuotesSandbox
) -> None:
    spec = legacy.batches["GetQuotes"]
    assert (spec.keys_path, spec.match_path) == ("symbols", "quote.symbol")
    answers = await legacy.read_keys("GetQuotes", ["ACME", "INIT", "NONE", "TOO-LONG-1"])
    assert quotes.recorder.count("quotes.GetQuotes") == 1
    acme, none = answers["ACME"], answers["NONE"]
    assert isinstance(acme, Fetched)
    assert acme.value == [{"symbol": "ACME", "price": "12.50"}]
    assert isinstance(none, Fetched)
    assert none.value == []
    assert isinstance(answers["TOO-LONG-1"], BadUserInput)  # maxLength 8, refused alone
    assert legacy.batch_reply("GetQuotes", acme.value) == {"quote": acme.value}
    assert [s.operation for s in quotes.seen] == ["GetQuotes"]


async def test_a_bare_body_of_simple_type_goes_and_comes_back_as_a_value(
    legacy: WsdlConnector, quotes: QuotesSandbox
) -> None:
    [ping] = [o for o in legacy.model.operations if o.name == "Ping"]
    assert [(a.name, a.source) for a in ping.args] == [("text", "value")]
    answer = await legacy.read("Ping", {"text": "hello"})
    assert answer.value == "pong: hello"
    assert quotes.seen[-1].token is None  # Ping declares no AuthHeader: none is sent


async def test_the_soap_1_2_port_is_spoken_when_the_table_names_it(
    served: tuple[QuotesSandbox, ServedSandbox], quotes: QuotesSandbox
) -> None:
    async with wsdl_connector("legacy", **table(served, quotes, port="QuotesSoap12")) as c:
        answer = await c.read("GetQuote", {"symbol": "ACME"})
        with pytest.raises(UpstreamRejected) as raised:
            await c.read("GetQuote", {"symbol": "BAD"})
    assert answer.value == {"quote": {"symbol": "ACME", "price": "12.50"}}
    assert raised.value.provider_code == "QuoteFault"  # a SOAP 1.2 Detail, declared
    assert [s.envelope for s in quotes.seen] == [SOAP12_ENV, SOAP12_ENV]
    assert all(s.content_type.startswith("application/soap+xml") for s in quotes.seen)
    assert all(s.password_ok and s.token == quotes.token for s in quotes.seen)


@pytest.mark.parametrize("per_operation", [True, False])
async def test_one_failing_operation_opens_its_own_breaker_only(
    served: tuple[QuotesSandbox, ServedSandbox], quotes: QuotesSandbox, per_operation: bool
) -> None:
    breaker = {"min_calls": 3, "failure_ratio": 0.5, "break_s": 30.0}
    if not per_operation:
        breaker["per_operation"] = False
    settings = table(served, quotes, breaker=breaker, read_tier="live")
    async with wsdl_connector("legacy", **settings) as c:
        for _ in range(3):
            with pytest.raises(UpstreamError):
                await c.read("GetQuote", {"symbol": "DOWN"})
        with pytest.raises(CircuitOpen):
            await c.read("GetQuote", {"symbol": "ACME"})
        if per_operation:  # the default: the other operations are still served
            assert (await c.read("GetQuotes", {"symbols": ["ACME"]})).value["quote"]
        else:
            with pytest.raises(CircuitOpen):
                await c.read("GetQuotes", {"symbols": ["ACME"]})


async def test_a_one_way_write_is_done_when_the_provider_accepts_it(
    legacy: WsdlConnector, quotes: QuotesSandbox
) -> None:
    assert await legacy.write("RecordTrade", {"symbol": "ACME", "quantity": 3}, None) is None
    [trade] = quotes.trades
    assert b"ACME" in trade
    assert b"<ns0:quantity>3</ns0:quantity>" in trade


async def test_cached_answers_never_cross_header_values_or_wsse_users(
    served: tuple[QuotesSandbox, ServedSandbox], quotes: QuotesSandbox
) -> None:
    """Two connectors on one cache: a tenant header or another WS-Security user is another
    caller, whose answer is fetched for it; the same values share the entry."""
    runtime = Runtime.create(Settings(sandbox={"embedded": "off"}), backend=MemoryBackend())
    base = table(served, quotes, retry=FAST_RETRY)
    t1 = {**base["soap_headers"], "AuthHeader.Tenant": "t1"}
    t2 = {**base["soap_headers"], "AuthHeader.Tenant": "t2"}
    tables = [
        {**base, "soap_headers": t1},
        {**base, "soap_headers": t1},  # the same caller: served from the cache
        {**base, "soap_headers": t2},
        {**base, "soap_headers": t1, "wsse_username": "OTHER"},  # refused, but asked
    ]
    for settings in tables:
        c = WsdlConnector(WsdlSettings(**settings), runtime, name="legacy")
        try:
            await c.read("GetQuote", {"symbol": "ACME"})
        except UpstreamUnauthenticated:
            pass
        finally:
            await c.aclose()
    await runtime.aclose()
    assert [(s.tenant, s.username) for s in quotes.seen] == [
        ("t1", quotes.user),
        ("t2", quotes.user),
        ("t1", "OTHER"),
    ]


async def test_a_secret_across_the_cut_of_a_long_faultstring_leaves_no_part_behind(
    legacy: WsdlConnector,
) -> None:
    """The SDK quotes at most 200 characters: secrets are blanked before the cut."""
    secret = legacy.headers.values()[0]
    assert len(secret) > 4
    fault = SoapFault("Client", "x" * (200 - len(secret) // 2) + secret)
    message = legacy.fault_message(Operation("legacy", "GetQuote"), fault, UpstreamRejected)
    assert secret[: len(secret) // 2] not in message.split("x")[-1]
    assert "*" in message
