"""The ERP's WSDL served from configuration alone, against the SAP-shaped ERP sandbox: reads,
batched reads and a keyed write, each counted at the sandbox."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from kit import wsdl_connector
from support import Credentials

from colonnade.config import Settings
from colonnade.errors import (
    BadUserInput,
    ConfigError,
    UpstreamContractViolation,
    UpstreamOutcomeUnknown,
    UpstreamRejected,
    UpstreamUnavailable,
)
from colonnade.fetched import Fetched
from colonnade.runtime import Runtime
from colonnade.sandboxes import Fault, SandboxSet, ServedSandbox
from colonnade.state import MemoryBackend
from colonnade.wsdl_import.connector import WsdlConnector, import_for
from colonnade.wsdl_import.settings import WsdlSettings

GETLIST = "ZSD_SALESORDER_GETLIST"
GETDETAIL = "ZSD_SALESORDER_GETDETAIL"
CREATE = "ZSD_SALESORDER_CREATE"
CUSTOMER = "0000100002"


def table(server: ServedSandbox, creds: Credentials, **extra: Any) -> dict[str, Any]:
    """What an operator writes: the WSDL, where and as whom, which operations only read."""
    return {
        "base_url": server.base_url,  # the WSDL's soap:address path (/erp/sap/bc/...) is kept
        "wsdl": "erp/zsd_salesorder.wsdl",
        "username": creds.erp_user,
        "password": creds.erp_password,
        "query": [GETLIST, GETDETAIL],
        "batch": {
            GETDETAIL: {"keys": "IT_ORDERS.item", "match": "ET_ORDERS.item.VBELN"},
            GETLIST: {"keys": "IT_CUSTOMERS.item", "match": "ET_ORDERS.item.KUNNR"},
        },
        **extra,
    }


@pytest.fixture
async def sap(
    providers: SandboxSet, providers_server: ServedSandbox, creds: Credentials
) -> AsyncIterator[WsdlConnector]:
    async with wsdl_connector("sap", **table(providers_server, creds)) as connector:
        yield connector


def numbers(value: dict[str, Any]) -> list[str]:
    return [o["VBELN"] for o in value["ET_ORDERS"]["item"]]


async def test_getlist_keeps_leading_zeros_and_is_cached(
    sap: WsdlConnector, providers: SandboxSet
) -> None:
    answer = await sap.read(GETLIST, {"IT_CUSTOMERS": {"item": [CUSTOMER]}})
    assert isinstance(answer, Fetched)
    expected = [o.vbeln for o in providers.erp.orders_for(CUSTOMER)]
    assert expected
    assert numbers(answer.value) == expected
    assert {o["KUNNR"] for o in answer.value["ET_ORDERS"]["item"]} == {CUSTOMER}
    first = answer.value["ET_ORDERS"]["item"][0]
    assert isinstance(first["NETWR"], str)  # a decimal stays its exact text
    assert answer.value["RETURN"] == {"item": []}  # SAP's empty table: [], not null
    json.dumps(answer.value)  # what the cache stores
    again = await sap.read(GETLIST, {"IT_CUSTOMERS": {"item": [CUSTOMER]}})
    assert again.value == answer.value
    assert providers.erp.recorder.count(f"erp.{GETLIST}") == 1


async def test_getdetail_for_several_numbers_is_one_call_cached_per_number(
    sap: WsdlConnector, providers: SandboxSet
) -> None:
    wanted = ["0000500001", "0000500002", "0000500003"]
    answers = await sap.read_keys(GETDETAIL, wanted)
    calls = providers.erp.recorder.calls(f"erp.{GETDETAIL}")
    assert [c.batch_size for c in calls] == [3]
    for number in wanted:
        answer = answers[number]
        assert isinstance(answer, Fetched)
        assert [o["VBELN"] for o in answer.value] == [number]
    more = await sap.read_keys(GETDETAIL, ["0000500002", "0000500004", "9999999999"])
    calls = providers.erp.recorder.calls(f"erp.{GETDETAIL}")
    assert [c.batch_size for c in calls] == [3, 2]  # the cached number is not asked again
    records = answers["0000500001"]
    assert isinstance(records, Fetched)
    # the GraphQL field of one caller: its records inside the operation's whole reply
    wrapped = sap.batch_reply(GETDETAIL, records.value)
    assert wrapped == {"ET_ORDERS": {"item": records.value}, "RETURN": {"item": []}}
    unknown = more["9999999999"]
    assert isinstance(unknown, Fetched)
    assert unknown.value == []


async def test_several_customers_are_one_call_each_answered_with_its_own_orders(
    sap: WsdlConnector, providers: SandboxSet
) -> None:
    """Many customers in one call, each answered with its own orders only."""
    customers = ["0000100001", CUSTOMER, "0000100003"]
    answers = await sap.read_keys(GETLIST, customers, {"MAX_ROWS": 1000})
    assert providers.erp.recorder.count(f"erp.{GETLIST}") == 1
    for customer in customers:
        answer = answers[customer]
        assert isinstance(answer, Fetched)
        expected = [o.vbeln for o in providers.erp.orders_for(customer)]
        assert [o["VBELN"] for o in answer.value] == expected


async def test_more_keys_than_a_batch_holds_are_several_calls(
    providers: SandboxSet, providers_server: ServedSandbox, creds: Credentials
) -> None:
    settings = table(providers_server, creds)
    settings["batch"][GETDETAIL]["max_keys"] = 2
    async with wsdl_connector("sap", **settings) as sap:
        wanted = [f"00005000{n:02d}" for n in range(1, 6)]
        answers = await sap.read_keys(GETDETAIL, wanted)
    assert all(isinstance(answers[n], Fetched) for n in wanted)
    sizes = sorted(c.batch_size for c in providers.erp.recorder.calls(f"erp.{GETDETAIL}"))
    assert sizes == [1, 2, 2]


async def test_a_key_the_xsd_refuses_fails_alone_before_any_call(
    sap: WsdlConnector, providers: SandboxSet
) -> None:
    answers = await sap.read_keys(GETDETAIL, ["0000500001", "00005000011"])  # char10
    assert isinstance(answers["00005000011"], BadUserInput)
    assert isinstance(answers["0000500001"], Fetched)
    assert [c.batch_size for c in providers.erp.recorder.calls(f"erp.{GETDETAIL}")] == [1]
    with pytest.raises(BadUserInput, match="maxLength"):
        await sap.read(GETLIST, {"IT_CUSTOMERS": {"item": ["00001000021"]}})
    assert providers.erp.recorder.count(f"erp.{GETLIST}") == 0


async def test_a_keyed_create_is_sent_once_however_often_it_is_repeated(
    sap: WsdlConnector, providers: SandboxSet
) -> None:
    draft = {
        "ORDER_HEADER": {"SOLD_TO_PARTY": CUSTOMER, "CURRENCY": "EUR"},
        "IT_ITEMS": {"item": [{"MATNR": "MAT-1001", "KWMENG": "2", "NETWR": "10.00"}]},
    }
    before = providers.erp.order_count()
    first = await sap.write(CREATE, draft, "key-1")
    assert first["SALES_NO"].startswith("0000")  # char10: the zeros stay
    repeats = await asyncio.gather(*(sap.write(CREATE, draft, "key-1") for _ in range(3)))
    assert all(r == first for r in repeats)
    assert providers.erp.recorder.count(f"erp.{CREATE}") == 1
    assert providers.erp.order_count() == before + 1
    with pytest.raises(BadUserInput, match="different arguments"):
        await sap.write(CREATE, {**draft, "TESTRUN": "X"}, "key-1")


async def test_a_lost_answer_is_outcome_unknown_and_the_retry_is_not_sent(
    sap: WsdlConnector, providers: SandboxSet
) -> None:
    draft = {
        "ORDER_HEADER": {"SOLD_TO_PARTY": CUSTOMER, "CURRENCY": "EUR"},
        "IT_ITEMS": {"item": [{"MATNR": "MAT-1001", "KWMENG": "1", "NETWR": "1"}]},
    }
    before = providers.erp.order_count()
    providers.erp.faults.add(Fault("drop_after_commit", match=f"erp.{CREATE}", times=1))
    with pytest.raises(UpstreamOutcomeUnknown):
        await sap.write(CREATE, draft, "key-2")
    with pytest.raises(UpstreamUnavailable, match="may have succeeded"):
        await sap.write(CREATE, draft, "key-2")
    assert providers.erp.recorder.count(f"erp.{CREATE}") == 1
    assert providers.erp.order_count() == before + 1


async def test_a_write_makes_cached_reads_stale(sap: WsdlConnector, providers: SandboxSet) -> None:
    args = {"IT_CUSTOMERS": {"item": [CUSTOMER]}}
    before = numbers((await sap.read(GETLIST, args)).value)
    draft = {
        "ORDER_HEADER": {"SOLD_TO_PARTY": CUSTOMER, "CURRENCY": "EUR"},
        "IT_ITEMS": {"item": [{"MATNR": "MAT-1001", "KWMENG": "1", "NETWR": "1"}]},
    }
    created = await sap.write(CREATE, draft, None)
    after = numbers((await sap.read(GETLIST, args)).value)
    assert after == [*before, created["SALES_NO"]]


async def test_reads_and_writes_are_where_the_table_puts_them(sap: WsdlConnector) -> None:
    with pytest.raises(ConfigError, match="is a mutation"):
        await sap.read(CREATE, {})
    with pytest.raises(ConfigError, match="is a query"):
        await sap.write(GETLIST, {}, None)
    kinds = {op.name: (op.kind.value, op.tier) for op in sap.operations}
    assert kinds == {
        GETLIST: ("read", "short"),
        GETDETAIL: ("read", "short"),
        CREATE: ("write", None),
    }


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"query": ["ZSD_SALESORDER_GETLIS"]}, r"query names 'ZSD_SALESORDER_GETLIS'"),
        ({"batch": {GETDETAIL: {"keys": "IT_ORDERS", "match": "ET_ORDERS.item.VBELN"}}}, "keys"),
        ({"batch": {GETDETAIL: {"keys": "IT_ORDERS.item", "match": "RETURN.item"}}}, "match"),
        ({"batch": {CREATE: {"keys": "IT_ITEMS.item", "match": "SALES_NO"}}}, "cannot be batched"),
        ({"read_tier": "forever"}, "forever"),
        ({"soap_headers": {"Session": "s3cret-value"}}, "Declared headers: none"),
        ({"return_log": {"path": "MESSAGES.item"}}, "in no operation's reply"),
    ],
)
async def test_a_table_that_does_not_fit_the_wsdl_fails_at_start(
    providers_server: ServedSandbox, creds: Credentials, extra: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message) as raised:
        async with wsdl_connector("sap", **{**table(providers_server, creds), **extra}):
            pass
    assert "s3cret-value" not in str(raised.value)


RETURN_LOG = {"path": "RETURN.item", "ignore": ["V1/302"]}  # 302: a number not in the database
BAD_DRAFT = {
    "ORDER_HEADER": {"SOLD_TO_PARTY": CUSTOMER, "CURRENCY": "EUR"},
    "IT_ITEMS": {"item": [{"MATNR": "MAT-NOPE", "KWMENG": "1", "NETWR": "1"}]},
}


async def test_without_a_return_log_sap_s_refusal_is_an_answer(sap: WsdlConnector) -> None:
    refused = await sap.write(CREATE, BAD_DRAFT, None)
    assert refused["SALES_NO"] is None  # SAP's empty SALES_NO
    assert [m["TYPE"] for m in refused["RETURN"]["item"]] == ["E", "E"]


async def test_with_a_return_log_sap_s_refusal_is_rejected_and_its_failure_retried(
    providers: SandboxSet, providers_server: ServedSandbox, creds: Credentials
) -> None:
    settings = table(providers_server, creds, return_log=RETURN_LOG)
    async with wsdl_connector("sap", **settings) as sap:
        with pytest.raises(UpstreamRejected) as raised:
            await sap.write(CREATE, BAD_DRAFT, "key-3")
        assert raised.value.provider_code == "M3/305"
        assert (
            raised.value.message
            == "sap rejected the request: Item 000010: material MAT-NOPE does not exist"
        )
        assert providers.erp.recorder.count(f"erp.{CREATE}") == 1
        found = await sap.read_keys(GETDETAIL, ["0000500001", "9999999999"])  # 302 ignored
        assert all(isinstance(v, Fetched) for v in found.values())
        providers.erp.faults.add(Fault("error_in_200", match=f"erp.{GETLIST}"))
        with pytest.raises(UpstreamRejected) as failed:
            await sap.read(GETLIST, {"IT_CUSTOMERS": {"item": [CUSTOMER]}})
    assert failed.value.provider_code == "ZSD/900"
    # an E on a read is SAP refusing this request: not retried, not the breaker's business
    # (a client's bad keys must not open it for everyone); an A(bort) would be retried
    assert providers.erp.recorder.count(f"erp.{GETLIST}") == 1
    assert not failed.value.counts_as_failure


async def test_fifty_numbers_cost_one_call_and_equal_concurrent_reads_one(
    sap: WsdlConnector, providers: SandboxSet
) -> None:
    wanted = [f"0000500{n:03d}" for n in range(1, 51)]
    answers = await sap.read_keys(GETDETAIL, wanted)
    assert all(isinstance(a, Fetched) and a.value for a in answers.values())
    again = await sap.read_keys(GETDETAIL, wanted)  # every number cached on its own
    assert again.keys() == answers.keys()
    assert [c.batch_size for c in providers.erp.recorder.calls(f"erp.{GETDETAIL}")] == [50]
    args = {"IT_CUSTOMERS": {"item": [CUSTOMER]}}
    same = await asyncio.gather(*(sap.read(GETLIST, args) for _ in range(20)))
    assert len({json.dumps(s.value) for s in same}) == 1
    assert providers.erp.recorder.count(f"erp.{GETLIST}") == 1  # coalesced, then cached


async def test_an_import_given_must_follow_the_table(
    providers_server: ServedSandbox, creds: Credentials
) -> None:
    settings = WsdlSettings(**table(providers_server, creds))
    other = WsdlSettings(wsdl=settings.wsdl, mutation=[GETLIST])  # GETLIST a write there
    plain = import_for(other, "sap")
    runtime = Runtime.create(Settings(sandbox={"embedded": "off"}), backend=MemoryBackend())
    with pytest.raises(ConfigError, match="import_for"):
        WsdlConnector(settings, runtime, name="sap", report=plain)
    sap = WsdlConnector(settings, runtime, name="sap", report=import_for(settings, "sap"))
    assert sap.report.model is sap.model
    await sap.aclose()
    await runtime.aclose()


@pytest.mark.parametrize(
    "fault",
    [
        Fault("rename_field", match=f"erp.{GETLIST}", rename=("VBELN", "VBELX")),
        Fault("malformed", match=f"erp.{GETLIST}"),
        Fault("many_attributes", match=f"erp.{GETLIST}", size=1000),
    ],
    ids=["renamed", "malformed", "many-attributes"],
)
async def test_a_reply_that_breaks_the_wsdl_is_a_contract_violation(
    sap: WsdlConnector, providers: SandboxSet, fault: Fault
) -> None:
    providers.erp.faults.add(fault)
    with pytest.raises(UpstreamContractViolation):
        await sap.read(GETLIST, {"IT_CUSTOMERS": {"item": [CUSTOMER]}})
    assert providers.erp.recorder.count(f"erp.{GETLIST}") == 1  # the same reply again: no
