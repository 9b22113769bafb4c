"""Salesforce-shaped CRM: accounts by id (SObject Collections), pages by SOQL, OAuth2.

Salesforce specifics handled here: its error body (a JSON array of {errorCode, message}),
``REQUEST_LIMIT_EXCEEDED`` arriving as a 403 (it is a rate limit, not a refusal), errors
inside a 200, and ``Sforce-Limit-Info`` (read by the engine's rate limiter).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import httpx
from pydantic import TypeAdapter

from colonnade.auth import OAuth2ClientCredentials, Secret
from colonnade.config import required
from colonnade.connector import HttpConnector
from colonnade.connectors.crm import soql
from colonnade.connectors.crm.mapping import to_customer
from colonnade.connectors.crm.models import (
    ACCOUNT,
    ACCOUNT_FIELDS,
    COLLECTION,
    COUNT,
    QUERY,
    SfAccount,
)
from colonnade.connectors.crm.settings import CrmSettings
from colonnade.connectors.domain import Customer, CustomerPage
from colonnade.connectors.ports import PerKey
from colonnade.errors import (
    BadUserInput,
    UpstreamError,
    UpstreamRateLimited,
)
from colonnade.fetched import Fetched
from colonnade.pipeline.operation import Operation
from colonnade.pipeline.resilient import Attempt
from colonnade.runtime import Runtime

ACCOUNTS_BY_ID = Operation("crm", "accounts_by_id", tier="standard")
ACCOUNT_PAGE = Operation("crm", "account_page", tier="short")
ACCOUNT_COUNT = Operation("crm", "account_count", tier="short")

_CUSTOMER = TypeAdapter(Customer | None)
_PAGE = TypeAdapter(CustomerPage)
_INT = TypeAdapter(int)
_COLLECTION_MAX = 200
_SALESFORCE_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")
_RATE_LIMIT_CODES = {"REQUEST_LIMIT_EXCEEDED", "TOO_MANY_REQUESTS"}


def account_tag(account_id: str) -> str:
    """Invalidate one account (a CRM change webhook, an operator) by this tag."""
    return f"crm:account:{account_id}"


class CrmConnector(HttpConnector):
    name = "crm"
    operations = (ACCOUNTS_BY_ID, ACCOUNT_PAGE, ACCOUNT_COUNT)

    def __init__(self, settings: CrmSettings, runtime: Runtime) -> None:
        super().__init__(settings, runtime)
        self.crm_settings = settings
        self.api_version = settings.api_version
        self._data = f"/services/data/{settings.api_version}"
        self.auth = OAuth2ClientCredentials(
            self.http,
            connector=self.name,
            token_url="/services/oauth2/token",  # noqa: S106 - a path, not a secret
            client_id=required(settings.client_id, "connectors.crm.client_id"),
            client_secret=Secret(
                "connectors.crm.client_secret", settings.client_secret, settings.client_secret_file
            ),
            refresh_ahead_s=settings.token_refresh_ahead_s,
            default_ttl_s=settings.default_token_ttl_s,
            telemetry=runtime.telemetry,
        )

    # ----------------------------------------------------------------- port: CustomerDirectory
    async def customers_by_id(self, ids: Sequence[str]) -> PerKey[Customer | None]:
        results: PerKey[Customer | None] = {}
        unique = []
        for i in dict.fromkeys(ids):
            if _SALESFORCE_ID.fullmatch(i):
                unique.append(i)
            else:  # one malformed id must not fail the whole collection call
                results[i] = BadUserInput(f"{i!r} is not a CRM record id (15 or 18 letters/digits)")
        for start in range(0, len(unique), _COLLECTION_MAX):
            chunk = unique[start : start + _COLLECTION_MAX]
            results.update(
                await self.pipeline.read_many(
                    ACCOUNTS_BY_ID,
                    chunk,
                    self._fetch_accounts,
                    _CUSTOMER,
                    scope=self.cache_scope(),
                    tags_for=lambda i: (account_tag(i),),
                )
            )
        return results

    async def customer_page(
        self, first: int, after: tuple[str, str] | None
    ) -> Fetched[CustomerPage]:
        async def fetch(attempt: Attempt) -> CustomerPage:
            accounts = await self._query(
                attempt, ACCOUNT_PAGE, soql.account_page(first + 1, after), first + 1
            )
            customers = [to_customer(a) for a in accounts]
            return CustomerPage(customers=customers[:first], has_next_page=len(customers) > first)

        args = {"first": first, "after": list(after) if after else None}
        return await self.pipeline.read(ACCOUNT_PAGE, args, fetch, _PAGE, scope=self.cache_scope())

    async def customer_count(self) -> Fetched[int]:
        async def fetch(attempt: Attempt) -> int:
            request = self.http.build_request(
                "GET", f"{self._data}/query", params={"q": soql.COUNT_ACCOUNTS}
            )
            response = await self.send(attempt, ACCOUNT_COUNT, request)
            return self.parse(ACCOUNT_COUNT, response, COUNT).totalSize

        return await self.pipeline.read(ACCOUNT_COUNT, {}, fetch, _INT, scope=self.cache_scope())

    async def contract_probe(self) -> None:
        """A page, the same accounts by id, the count: every CRM interaction the graph uses."""
        page = await self.customer_page(3, None)
        await self.customers_by_id([c.id for c in page.value.customers])
        await self.customer_count()

    # ----------------------------------------------------------------- wire
    async def _fetch_accounts(
        self, ids: list[str], attempt: Attempt
    ) -> dict[str, Customer | UpstreamError | None]:
        request = self.http.build_request(
            "GET",
            f"{self._data}/composite/sobjects/Account",
            params={"ids": ",".join(ids), "fields": ",".join(ACCOUNT_FIELDS)},
        )
        response = await self.send(attempt, ACCOUNTS_BY_ID, request)
        records = await self.aparse(ACCOUNTS_BY_ID, response, COLLECTION)
        if len(records) != len(ids):
            raise self.contract_violation(
                ACCOUNTS_BY_ID, ValueError("record count differs from ids")
            )
        return {
            i: (self._customer(ACCOUNTS_BY_ID, r) if r is not None else None)
            for i, r in zip(ids, records, strict=True)
        }

    def _customer(self, op: Operation, record: dict[str, Any]) -> Customer | UpstreamError:
        """One record, or the typed reason it cannot be read: that record's failure alone."""
        try:
            return to_customer(ACCOUNT.validate_python(record))
        except ValueError as exc:  # pydantic's ValidationError included
            return self.contract_violation(op, exc)

    async def _query(self, attempt: Attempt, op: Operation, q: str, want: int) -> list[SfAccount]:
        request = self.http.build_request("GET", f"{self._data}/query", params={"q": q})
        page = await self.aparse(op, await self.send(attempt, op, request), QUERY)
        records = list(page.records)
        while not page.done and page.nextRecordsUrl and len(records) < want:
            if not page.nextRecordsUrl.startswith(f"{self._data}/query/"):
                # Our token goes only where we decide: never to a URL the body names.
                raise self.contract_violation(op, ValueError("nextRecordsUrl outside the API"))
            request = self.http.build_request("GET", page.nextRecordsUrl)
            page = await self.aparse(op, await self.send(attempt, op, request), QUERY)
            records.extend(page.records)
        return records

    # ----------------------------------------------------------------- classification
    def provider_error(self, response: httpx.Response) -> tuple[str | None, str | None]:
        try:
            body: Any = response.json()
        except ValueError:
            return None, None
        if isinstance(body, list) and body and isinstance(body[0], dict):
            return body[0].get("errorCode"), body[0].get("message")
        return None, None

    def error_for(self, op: Operation, response: httpx.Response) -> UpstreamError:
        details = self.error_details(op, response)
        if details["provider_code"] in _RATE_LIMIT_CODES:  # Salesforce says so with a 403
            return UpstreamRateLimited(f"{self.name} API request limit reached", **details)
        return super().error_for(op, response)

    def check_success(self, op: Operation, response: httpx.Response) -> None:
        """Salesforce can answer 200 with an error array; that is the provider failing."""
        if b'"errorCode"' in response.content[:512]:
            code, _ = self.provider_error(response)
            if code is not None:
                raise self.error_inside_success(op, response, code)
