"""Salesforce-shaped CRM, declared: accounts by id (SObject Collections, 200 ids a call,
answers in request order), by ERP customer number (SOQL ``IN``, 200 numbers a call), pages
by SOQL (following ``nextRecordsUrl``), OAuth2 client credentials. Its error body is an
array of ``{errorCode, message}``; ``REQUEST_LIMIT_EXCEEDED`` is a rate limit even as a 403;
errors come inside a 200; ``Sforce-Limit-Info`` is its quota.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import cast

from pydantic import TypeAdapter

from colonnade import (
    Attempt,
    ClientCredentials,
    CommaSeparated,
    ErrorBody,
    Fetched,
    Keys,
    NextLink,
    RateLimitHeaders,
    RestConnector,
    RestOperation,
    Runtime,
)
from colonnade.connectors.crm import soql
from colonnade.connectors.crm.mapping import to_customer
from colonnade.connectors.crm.models import ACCOUNT_FIELDS, SfAccount, SfCountResult
from colonnade.connectors.crm.settings import CrmSettings
from colonnade.connectors.domain import Customer, CustomerPage
from colonnade.connectors.ports import PerKey

_DATA = "/services/data/{settings.api_version}"
ERP_NUMBERS_PER_CALL = 200
"""200 quoted 10-digit numbers keep a query URL near 4 kB: well under Salesforce's 16 kB URI
limit (and its 100 000-character SOQL limit), with room for a longer field list."""


def account_tag(account_id: str) -> str:
    """Invalidate one account (a CRM change webhook, an operator) by this tag."""
    return f"crm:account:{account_id}"


def erp_number_tag(number: str) -> str:
    """Every answer by ERP number carries this too: a cached "no account has it" (which has
    no account to be tagged by) ends when whoever gives an account that number says so."""
    return f"crm:erp-number:{number}"


class CrmConnector(RestConnector):
    name = "crm"
    credentials = ClientCredentials("/services/oauth2/token")
    errors = ErrorBody(
        code="0.errorCode",
        message="0.message",
        rate_limited={"REQUEST_LIMIT_EXCEEDED", "TOO_MANY_REQUESTS"},
        in_success=True,
    )
    rate_limit_headers = RateLimitHeaders.SALESFORCE
    by_id = RestOperation(
        "GET",
        _DATA + "/composite/sobjects/Account",
        SfAccount,
        to_customer,
        name="accounts_by_id",
        params={"fields": ",".join(ACCOUNT_FIELDS)},
        batch=CommaSeparated("ids", chunk=200, key=None),
        tier="standard",
        tags=(account_tag("{key}"),),
        keys=Keys(
            r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?", "a CRM record id (15 or 18 letters/digits)"
        ),
    )
    by_erp_number = RestOperation(
        "GET",
        _DATA + "/query",
        SfAccount,
        to_customer,
        name="accounts_by_erp_number",
        params={"q": "{q}"},
        pages=NextLink("nextRecordsUrl", items="records", within=_DATA + "/query/"),
        tier="standard",
        keys=Keys(r"[0-9]{10}", "an ERP customer number (10 digits)"),
    )
    page = RestOperation(
        "GET",
        _DATA + "/query",
        SfAccount,
        to_customer,
        name="account_page",
        params={"q": "{q}"},
        pages=NextLink("nextRecordsUrl", items="records", within=_DATA + "/query/"),
        tier="short",
    )
    count = RestOperation(
        "GET",
        _DATA + "/query",
        SfCountResult,
        lambda r: r.totalSize,
        name="account_count",
        params={"q": soql.COUNT_ACCOUNTS},
        tier="short",
        result=int,
    )

    def __init__(self, settings: CrmSettings, runtime: Runtime) -> None:
        super().__init__(settings, runtime)
        self.api_version = settings.api_version  # part of every cache key

    async def customers_by_id(self, ids: Sequence[str]) -> PerKey[Customer | None]:
        return await self.call_many(self.by_id, ids)

    async def customers_by_erp_number(self, numbers: Sequence[str]) -> PerKey[Customer | None]:
        """Accounts by ``SAP_Customer_Number__c``: a malformed number is its own key's
        BadUserInput (never sent); the rest ``ERP_NUMBERS_PER_CALL`` a query, every page read,
        each number cached alone and tagged with the account that answers it. Two accounts
        with one number: the lowest Id answers, every time (Salesforce does not forbid it;
        the duplicate is the CRM's data problem, not a reason to fail the key).

        Per key through ``pipeline.read_many`` rather than ``call_many``: that one neither walks
        pages nor tags an answer by what it found (the account id is known only after the
        query). Chunked before the cache is asked, like ``call_many``: each query is one
        attempt of its own, retried alone; misses spread over two chunks cost two queries."""
        op = self.by_erp_number
        codec = cast(TypeAdapter[Customer | None], op.optional_codec)  # the item, or None
        answers, valid = self._refuse_bad_keys(op, numbers)
        answered_by: dict[str, str] = {}  # number -> account id, for the number's tags

        async def fetch_many(chunk: list[str], attempt: Attempt) -> dict[str, Customer | None]:
            q = soql.accounts_by_erp_number(chunk)
            accounts: list[Customer] = await self.fetch(attempt, op, {"q": q})
            first: dict[str, Customer] = {}
            for account in sorted(accounts, key=lambda c: c.id):
                if account.erp_customer_number is not None:
                    first.setdefault(account.erp_customer_number, account)
            answered_by.update({n: c.id for n, c in first.items()})
            return {n: first.get(n) for n in chunk}

        def tags_for(number: str) -> tuple[str, ...]:
            found = answered_by.get(number)
            return (erp_number_tag(number), *((account_tag(found),) if found else ()))

        parts = await asyncio.gather(
            *(
                self.pipeline.read_many(
                    op.operation,
                    valid[i : i + ERP_NUMBERS_PER_CALL],
                    fetch_many,
                    codec,
                    scope=self.cache_scope(),
                    tags_for=tags_for,
                )
                for i in range(0, len(valid), ERP_NUMBERS_PER_CALL)
            )
        )
        for part in parts:
            answers.update(part)
        return {n: answers[n] for n in dict.fromkeys(numbers)}  # in the order asked

    async def customer_page(
        self, first: int, after: tuple[str, str] | None
    ) -> Fetched[CustomerPage]:
        """``first + 1`` rows: the extra one says whether there is a next page."""
        got = await self.call(self.page, q=soql.account_page(first + 1, after))
        page = CustomerPage(customers=got.value[:first], has_next_page=len(got.value) > first)
        return Fetched(page, got.stale, got.as_of, got.reason, got.error_code)

    async def customer_count(self) -> Fetched[int]:
        return await self.call(self.count)

    async def contract_probe(self) -> None:
        """A page, the same accounts by id and by ERP number, the count: every CRM interaction
        the graph uses."""
        page = await self.customer_page(3, None)
        await self.customers_by_id([c.id for c in page.value.customers])
        numbers = [c.erp_customer_number for c in page.value.customers]
        await self.customers_by_erp_number([n for n in numbers if n is not None])
        await self.customer_count()
