"""The floor: the same upstream calls as Colonnade, hand-written, with no GraphQL layer.

A tiny Starlette app (served by the same uvicorn as the facade, so the HTTP server costs the
same) that answers the benchmark's three questions with plain httpx calls and returns the same
JSON a GraphQL client gets from Colonnade:

- ``GET /customers?first=N``: one OAuth token (kept), one SOQL query, one SOAP GETLIST built
  by string template and read with lxml, and one Stripe list call per customer;
- ``GET /customer/{id}?orders=1``: one SObject Collection call and one GETLIST;
- ``GET /customer/{id}?payments=1``: one SObject Collection call and one Stripe list call.

To make the *same* calls it keeps what Colonnade keeps: concurrent identical calls are shared
(singleflight), at most 10 calls per provider are in flight (Colonnade's default bulkhead), and
with the cache on, accounts are kept 300 s and orders 5 s + 5 s stale-while-revalidate
(Colonnade's ``standard`` and ``short`` tiers). No retries, no breaker, no validation models:
that is the point of a floor.

Run: ``python bench/baseline.py --port 8300 --sandbox http://127.0.0.1:8100 [--no-cache]``;
credentials from ``BASELINE_*`` environment variables (default: the sandbox's demo values).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

import httpx
import uvicorn
from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

API = "/services/data/v60.0"
FIELDS = (
    "Id,Name,AccountNumber,Industry,Phone,Website,BillingCity,BillingCountry,"
    "SAP_Customer_Number__c,Stripe_Customer_Id__c,CreatedDate"
)
SOQL = (
    "SELECT Id, Name, AccountNumber, Industry, Phone, Website, BillingCity, BillingCountry, "
    "SAP_Customer_Number__c, Stripe_Customer_Id__c, CreatedDate FROM Account "
    "ORDER BY Name, Id LIMIT {limit}"
)
ERP_PATH = "/sap/bc/srt/rfc/sap/zsd_salesorder/100/zsd_salesorder/zsd_salesorder"
GETLIST = (
    "<?xml version='1.0' encoding='utf-8'?>\n"
    '<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/">'
    "<soap-env:Body>"
    '<ns0:ZSD_SALESORDER_GETLIST xmlns:ns0="urn:sap-com:document:sap:rfc:functions">'
    "<IT_CUSTOMERS>{items}</IT_CUSTOMERS></ns0:ZSD_SALESORDER_GETLIST>"
    "</soap-env:Body></soap-env:Envelope>"
)
GETLIST_ACTION = (
    '"urn:sap-com:document:sap:rfc:functions:ZSD_SALESORDER:ZSD_SALESORDER_GETLISTRequest"'
)
ORDER_STATUS = {"A": "OPEN", "B": "IN_PROCESS", "C": "COMPLETED"}
BULKHEAD = 10
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


class UpstreamFailed(Exception):
    pass


class Memo:
    """Singleflight always; a TTL + stale-while-revalidate cache when enabled."""

    def __init__(self, ttl_s: float, swr_s: float, *, enabled: bool) -> None:
        self.ttl_s, self.swr_s, self.enabled = ttl_s, swr_s, enabled
        self._entries: dict[str, tuple[float, Any]] = {}
        self._inflight: dict[str, asyncio.Future[Any]] = {}
        self._background: set[asyncio.Future[Any]] = set()

    async def get(self, key: str, fetch: Callable[[], Awaitable[Any]]) -> Any:
        if self.enabled and (hit := self._entries.get(key)) is not None:
            age = time.monotonic() - hit[0]
            if age < self.ttl_s:
                return hit[1]
            if age < self.ttl_s + self.swr_s:
                if key not in self._inflight:
                    refresh = self._flight(key, fetch)
                    self._background.add(refresh)
                    refresh.add_done_callback(self._background.discard)
                    refresh.add_done_callback(lambda f: f.cancelled() or f.exception())
                return hit[1]
        return await asyncio.shield(self._flight(key, fetch))

    def _flight(self, key: str, fetch: Callable[[], Awaitable[Any]]) -> asyncio.Future[Any]:
        fut = self._inflight.get(key)
        if fut is None:
            fut = asyncio.ensure_future(self._load(key, fetch))
            self._inflight[key] = fut
            fut.add_done_callback(lambda _: self._inflight.pop(key, None))
        return fut

    async def _load(self, key: str, fetch: Callable[[], Awaitable[Any]]) -> Any:
        value = await fetch()
        if self.enabled:
            self._entries[key] = (time.monotonic(), value)
        return value


class Upstreams:
    def __init__(self, sandbox: str, *, cache: bool) -> None:
        limits = httpx.Limits(max_connections=BULKHEAD + 2, max_keepalive_connections=BULKHEAD)
        timeout = httpx.Timeout(10.0)
        env = os.environ.get
        self.crm = httpx.AsyncClient(base_url=f"{sandbox}/crm", limits=limits, timeout=timeout)
        self.erp = httpx.AsyncClient(
            base_url=f"{sandbox}/erp",
            limits=limits,
            timeout=timeout,
            auth=(
                env("BASELINE_ERP_USER", "COLONNADE"),
                env("BASELINE_ERP_PASSWORD", "demo-password"),
            ),
        )
        key = env("BASELINE_PAYMENTS_API_KEY", "sk_test_colonnade_demo")
        self.payments = httpx.AsyncClient(
            base_url=f"{sandbox}/payments",
            limits=limits,
            timeout=timeout,
            headers={"Authorization": f"Bearer {key}"},
        )
        self.client_id = env("BASELINE_CRM_CLIENT_ID", "colonnade-demo")
        self.client_secret = env("BASELINE_CRM_CLIENT_SECRET", "demo-secret")
        self.gates = {name: asyncio.Semaphore(BULKHEAD) for name in ("crm", "erp", "payments")}
        self._token: tuple[str, float] | None = None
        self._token_lock = asyncio.Lock()
        self.accounts = Memo(300, 60, enabled=cache)
        self.orders = Memo(5, 5, enabled=cache)
        self.flights = Memo(0, 0, enabled=False)

    async def aclose(self) -> None:
        for client in (self.crm, self.erp, self.payments):
            await client.aclose()

    async def _call(self, provider: str, send: Awaitable[httpx.Response]) -> httpx.Response:
        async with self.gates[provider]:
            try:
                response = await send
            except httpx.HTTPError as exc:
                raise UpstreamFailed(f"{provider}: {type(exc).__name__}") from None
        if response.status_code != 200:
            raise UpstreamFailed(f"{provider} answered {response.status_code}")
        return response

    # ------------------------------------------------------------------ CRM
    async def token(self) -> str:
        async with self._token_lock:
            if self._token is None or time.monotonic() >= self._token[1]:
                form = {
                    "grant_type": "client_credentials",
                    "client_id": self.client_id,
                    "client_secret": self.client_secret,
                }
                response = await self._call(
                    "crm", self.crm.post("/services/oauth2/token", data=form)
                )
                body = response.json()
                ttl = float(body.get("expires_in") or 900) - 60
                self._token = (body["access_token"], time.monotonic() + ttl)
            return self._token[0]

    async def account_page(self, first: int) -> list[dict[str, Any]]:
        async def fetch() -> list[dict[str, Any]]:
            auth = {"Authorization": f"Bearer {await self.token()}"}
            response = await self._call(
                "crm",
                self.crm.get(
                    f"{API}/query", params={"q": SOQL.format(limit=first + 1)}, headers=auth
                ),
            )
            page = response.json()
            records: list[dict[str, Any]] = page["records"]
            while not page["done"] and page.get("nextRecordsUrl") and len(records) <= first:
                response = await self._call(
                    "crm", self.crm.get(page["nextRecordsUrl"], headers=auth)
                )
                page = response.json()
                records.extend(page["records"])
            return records

        records: list[dict[str, Any]] = await self.flights.get(f"page:{first}", fetch)
        return records

    async def account(self, account_id: str) -> dict[str, Any] | None:
        async def fetch() -> dict[str, Any] | None:
            auth = {"Authorization": f"Bearer {await self.token()}"}
            params = {"ids": account_id, "fields": FIELDS}
            response = await self._call(
                "crm",
                self.crm.get(f"{API}/composite/sobjects/Account", params=params, headers=auth),
            )
            record: dict[str, Any] | None = response.json()[0]
            return record

        found: dict[str, Any] | None = await self.accounts.get(account_id, fetch)
        return found

    # ------------------------------------------------------------------ ERP
    async def orders_of(self, kunnrs: list[str]) -> dict[str, list[dict[str, Any]]]:
        """One GETLIST for all customers (cached per customer when the cache is on)."""

        async def fetch() -> dict[str, list[dict[str, Any]]]:
            items = "".join(f"<item>{escape(k)}</item>" for k in kunnrs)
            response = await self._call(
                "erp",
                self.erp.post(
                    ERP_PATH,
                    content=GETLIST.format(items=items).encode(),
                    headers={
                        "Content-Type": "text/xml; charset=utf-8",
                        "SOAPAction": GETLIST_ACTION,
                    },
                ),
            )
            return parse_getlist(response.content, kunnrs)

        if len(kunnrs) == 1:  # the per-customer path is the one the cache serves
            [k] = kunnrs
            one: list[dict[str, Any]] = await self.orders.get(k, lambda: _pick(fetch(), k))
            return {k: one}
        batch: dict[str, list[dict[str, Any]]] = await self.flights.get(
            "orders:" + ",".join(kunnrs), fetch
        )
        return batch

    # ------------------------------------------------------------------ payments
    async def payments_of(self, customer: str) -> list[dict[str, Any]]:
        async def fetch() -> list[dict[str, Any]]:
            out: list[dict[str, Any]] = []
            params = {"customer": customer, "limit": "100"}
            for _ in range(10):
                response = await self._call(
                    "payments", self.payments.get("/v1/payment_intents", params=params)
                )
                page = response.json()
                out.extend(payment_json(p) for p in page["data"])
                if not page["has_more"] or not page["data"]:
                    break
                params["starting_after"] = page["data"][-1]["id"]
            return out[:10]

        found: list[dict[str, Any]] = await self.flights.get(f"payments:{customer}", fetch)
        return found


async def _pick(
    batch: Awaitable[dict[str, list[dict[str, Any]]]], key: str
) -> list[dict[str, Any]]:
    return (await batch)[key]


def parse_getlist(content: bytes, kunnrs: list[str]) -> dict[str, list[dict[str, Any]]]:
    root = etree.fromstring(content, parser=_PARSER)
    response = root[-1][0]  # Envelope / Body / ZSD_SALESORDER_GETLISTResponse
    for message in response.iterfind("RETURN/item"):
        if message.findtext("TYPE") in ("E", "A"):
            raise UpstreamFailed(f"erp: {message.findtext('MESSAGE')}")
    grouped: dict[str, list[dict[str, Any]]] = {k: [] for k in kunnrs}
    for order in response.iterfind("ET_ORDERS/item"):
        currency = order.findtext("WAERK")
        grouped.setdefault(order.findtext("KUNNR") or "", []).append(
            {
                "number": order.findtext("VBELN"),
                "date": order.findtext("AUDAT"),
                "status": ORDER_STATUS[order.findtext("GBSTK") or ""],
                "netValue": {"amount": order.findtext("NETWR"), "currency": currency},
                "items": [
                    {
                        "position": int(item.findtext("POSNR") or 0),
                        "material": item.findtext("MATNR"),
                        "quantity": item.findtext("KWMENG"),
                    }
                    for item in order.iterfind("ITEMS/item")
                ],
            }
        )
    return grouped


def payment_json(intent: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": intent["id"],
        "status": str(intent["status"]).upper(),
        "amount": {
            "amount": str(Decimal(intent["amount"]).scaleb(-2)),
            "currency": str(intent["currency"]).upper(),
        },
    }


def cursor(record: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps([record["Name"], record["Id"]]).encode()).decode()


def create_app(sandbox: str, *, cache: bool) -> Starlette:
    up = Upstreams(sandbox, cache=cache)

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def customers(request: Request) -> Response:
        first = int(request.query_params.get("first", "20"))
        records = await up.account_page(first)
        page = records[:first]
        errors: list[dict[str, Any]] = []
        kunnrs = [r["SAP_Customer_Number__c"] for r in page if r["SAP_Customer_Number__c"]]
        stripe_ids = [r["Stripe_Customer_Id__c"] for r in page if r["Stripe_Customer_Id__c"]]
        outcomes = await asyncio.gather(
            up.orders_of(kunnrs),
            *(up.payments_of(s) for s in stripe_ids),
            return_exceptions=True,
        )
        orders, payments = outcomes[0], dict(zip(stripe_ids, outcomes[1:], strict=True))
        edges = []
        for i, r in enumerate(page):
            node: dict[str, Any] = {
                "id": r["Id"],
                "name": r["Name"],
                "erpCustomerNumber": r["SAP_Customer_Number__c"],
            }
            kunnr, stripe_id = r["SAP_Customer_Number__c"], r["Stripe_Customer_Id__c"]
            if isinstance(orders, BaseException):
                node["salesOrders"] = None
                errors.append(_error(orders, ["customers", "edges", i, "node", "salesOrders"]))
            else:
                node["salesOrders"] = orders.get(kunnr, []) if kunnr else []
            paid = payments.get(stripe_id, []) if stripe_id else []
            if isinstance(paid, BaseException):
                node["payments"] = None
                errors.append(_error(paid, ["customers", "edges", i, "node", "payments"]))
            else:
                node["payments"] = paid
            edges.append({"node": node})
        body: dict[str, Any] = {
            "data": {
                "customers": {
                    "edges": edges,
                    "pageInfo": {
                        "hasNextPage": len(records) > first,
                        "endCursor": cursor(page[-1]) if page else None,
                    },
                }
            }
        }
        if errors:
            body["errors"] = errors
        return JSONResponse(body)

    async def customer(request: Request) -> Response:
        record = await up.account(request.path_params["id"])
        if record is None:
            return JSONResponse({"data": {"customer": None}})
        node: dict[str, Any] = {"id": record["Id"], "name": record["Name"]}
        errors: list[dict[str, Any]] = []
        if request.query_params.get("orders"):
            kunnr = record["SAP_Customer_Number__c"]
            node["erpCustomerNumber"] = kunnr
            try:
                node["salesOrders"] = (await up.orders_of([kunnr]))[kunnr] if kunnr else []
            except UpstreamFailed as exc:
                node["salesOrders"] = None
                errors.append(_error(exc, ["customer", "salesOrders"]))
        if request.query_params.get("payments"):
            stripe_id = record["Stripe_Customer_Id__c"]
            try:
                node["payments"] = await up.payments_of(stripe_id) if stripe_id else []
            except UpstreamFailed as exc:
                node["payments"] = None
                errors.append(_error(exc, ["customer", "payments"]))
        body: dict[str, Any] = {"data": {"customer": node}}
        if errors:
            body["errors"] = errors
        return JSONResponse(body)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await up.aclose()

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/customers", customers),
            Route("/customer/{id}", customer),
        ],
        lifespan=lifespan,
    )


def _error(exc: BaseException, path: list[str | int]) -> dict[str, Any]:
    return {"message": str(exc) or type(exc).__name__, "path": path}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8300)
    parser.add_argument("--sandbox", default="http://127.0.0.1:8100")
    parser.add_argument("--no-cache", action="store_true")
    args = parser.parse_args()
    app = create_app(args.sandbox.rstrip("/"), cache=not args.no_cache)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
