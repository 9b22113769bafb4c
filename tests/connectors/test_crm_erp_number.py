"""Customers by ERP customer number (the federation key another graph holds), against the
CRM sandbox over real HTTP: chunked SOQL ``IN`` queries, every page read, one answer per key
in request order, a malformed number refused before any call, each number cached and tagged
alone."""

from __future__ import annotations

import random
import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs

import pytest

from colonnade import BadUserInput, Fetched
from colonnade.connectors.crm import PLUGIN
from colonnade.connectors.crm.connector import account_tag, erp_number_tag
from colonnade.sandboxes.data import crm_id, kunnr
from colonnade.testing import Harness

_NUMBER = re.compile(r"'(\d{10})'")


@pytest.fixture
async def crm() -> AsyncIterator[Harness]:
    async with Harness(PLUGIN, cache=True, customers=230) as harness:
        harness.forget()
        yield harness


def value(answer: Fetched[Any] | BaseException) -> Any:
    if isinstance(answer, BaseException):
        raise answer
    return answer.value


def sent_numbers(harness: Harness) -> list[list[str]]:
    """The numbers each first-page query asked for (locator pages carry no query)."""
    queries = [parse_qs(c.query).get("q") for c in harness.sandbox.recorder.calls("crm.query")]
    return [_NUMBER.findall(q[0]) for q in queries if q]


def mixed_ask() -> list[str]:
    """250 numbers: 220 known, 20 unknown, one malformed, nine repeated; shuffled."""
    known = [kunnr(i) for i in range(1, 221)]
    unknown = [f"{9_000_000_000 + i}" for i in range(20)]
    numbers = [*known, *unknown, "12345", *known[:9]]
    random.Random(11).shuffle(numbers)
    assert len(numbers) == 250
    return numbers


async def test_250_numbers_are_two_queries_answered_per_key_in_order(crm: Harness) -> None:
    numbers = mixed_ask()
    got = await crm.connector.customers_by_erp_number(numbers)
    assert list(got) == list(dict.fromkeys(numbers))  # request order, each key once
    assert crm.calls() == 2  # 240 distinct well-formed numbers: 200 + 40
    assert sorted(len(chunk) for chunk in sent_numbers(crm)) == [40, 200]
    assert "12345" not in {n for chunk in sent_numbers(crm) for n in chunk}
    refused = got["12345"]
    assert isinstance(refused, BadUserInput)
    assert "10 digits" in str(refused)
    for i in range(1, 221):
        customer = value(got[kunnr(i)])
        assert (customer.id, customer.erp_customer_number) == (crm_id(i), kunnr(i))
    assert all(value(got[f"{9_000_000_000 + i}"]) is None for i in range(20))

    crm.forget()
    again = await crm.connector.customers_by_erp_number(numbers)
    assert crm.calls() == 0  # every number, known or not, came from the cache
    assert {k: value(v).id for k, v in again.items() if k != "12345" and value(v)} == {
        k: value(v).id for k, v in got.items() if k != "12345" and value(v)
    }
    assert isinstance(again["12345"], BadUserInput)


async def test_only_malformed_numbers_make_no_call(crm: Harness) -> None:
    bad = ["12345", "00001000011", "000010000a", "0000100001 ", "'0000100001'"]
    got = await crm.connector.customers_by_erp_number(bad)
    assert crm.calls() == 0
    assert list(got) == bad
    assert all(isinstance(answer, BadUserInput) for answer in got.values())


async def test_pages_are_followed_and_a_shared_number_is_the_lowest_id(crm: Harness) -> None:
    sandbox: Any = crm.sandbox
    sandbox.query_batch_size = 4  # Salesforce may page sooner than asked
    sandbox.accounts[crm_id(7)]["SAP_Customer_Number__c"] = kunnr(9)  # 7 and 9 share one
    numbers = [kunnr(i) for i in range(12, 0, -1)]
    got = await crm.connector.customers_by_erp_number(numbers)
    assert crm.calls() == 3  # 12 matching accounts, 4 a page: the query and two locators
    assert [c.path.rsplit("/", 1)[-1][:4] for c in sandbox.recorder.calls()][-2:] == ["01gD"] * 2
    assert value(got[kunnr(9)]).id == crm_id(7)  # not the account that had it first
    assert value(got[kunnr(7)]) is None  # no account has 7's old number any more
    for i in (1, 2, 3, 4, 5, 6, 8, 10, 11, 12):
        assert value(got[kunnr(i)]).id == crm_id(i)


async def test_an_account_change_refetches_only_its_number(crm: Harness) -> None:
    numbers = mixed_ask()
    await crm.connector.customers_by_erp_number(numbers)
    crm.forget()
    cache = crm.connector.pipeline.cache
    await cache.invalidate(tags=[account_tag(crm_id(17)), erp_number_tag("9000000003")])
    again = await crm.connector.customers_by_erp_number(numbers)
    valid = [n for n in dict.fromkeys(numbers) if n != "12345"]
    chunks = {valid.index(n) // 200 for n in (kunnr(17), "9000000003")}  # chunked as asked
    assert crm.calls() == len(chunks)  # no more than one query per chunk holding a miss
    assert sorted(n for chunk in sent_numbers(crm) for n in chunk) == [kunnr(17), "9000000003"]
    assert value(again[kunnr(17)]).id == crm_id(17)
    assert value(again["9000000003"]) is None
