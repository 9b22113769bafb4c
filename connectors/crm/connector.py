"""Salesforce-shaped CRM, declared: accounts by id (SObject Collections, 200 ids a call,
answers in request order), pages by SOQL (following ``nextRecordsUrl``), OAuth2 client
credentials. Its error body is an array of ``{errorCode, message}``; ``REQUEST_LIMIT_EXCEEDED``
is a rate limit even as a 403; errors come inside a 200; ``Sforce-Limit-Info`` is its quota.
"""

from __future__ import annotations

from collections.abc import Sequence

from colonnade import (
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


def account_tag(account_id: str) -> str:
    """Invalidate one account (a CRM change webhook, an operator) by this tag."""
    return f"crm:account:{account_id}"


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
        """A page, the same accounts by id, the count: every CRM interaction the graph uses."""
        page = await self.customer_page(3, None)
        await self.customers_by_id([c.id for c in page.value.customers])
        await self.customer_count()
