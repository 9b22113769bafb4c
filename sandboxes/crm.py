"""CRM sandbox: Salesforce REST shapes (OAuth2 client credentials, sObjects, SOQL)."""

from __future__ import annotations

import re
import secrets
import threading
import time
from typing import Any, ClassVar, Self

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from colonnade.sandboxes import soql
from colonnade.sandboxes.data import Customer, SeedData
from colonnade.sandboxes.provider import Provider
from colonnade.sandboxes.ratelimit import RateLimiter
from colonnade.sandboxes.wire import CaptureCycle

ACCOUNT_FIELDS = [
    "Id", "Name", "AccountNumber", "Industry", "Phone", "Website", "BillingStreet", "BillingCity",
    "BillingPostalCode", "BillingCountry", "SAP_Customer_Number__c", "Stripe_Customer_Id__c",
    "CreatedDate", "LastModifiedDate",
]  # fmt: skip
MAX_COLLECTION_IDS = 2000
_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")
_VERSION = re.compile(r"^v\d+\.\d$")
_BATCH = re.compile(r"batchSize\s*=\s*(\d+)", re.IGNORECASE)
_LOCATOR = re.compile(r"^01gD(\d{10})-(\d+)$")
_STATUS_CODES = {401: "INVALID_SESSION_ID", 403: "REQUEST_LIMIT_EXCEEDED", 404: "NOT_FOUND"}
_STATUS_CODES |= {429: "REQUEST_LIMIT_EXCEEDED", 503: "SERVER_UNAVAILABLE"}


def sf_errors(status: int, code: str, message: str) -> JSONResponse:
    """Salesforce REST errors: a JSON array of {message, errorCode}."""
    return JSONResponse([{"message": message, "errorCode": code}], status_code=status)


def _sf_time(customer: Customer) -> str:
    return customer.created.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def account_record(c: Customer) -> dict[str, Any]:
    """Full Account record without `attributes` (added per API version at render time)."""
    return {
        "Id": c.crm_id,
        "Name": c.name,
        "AccountNumber": c.account_number,
        "Industry": c.industry,
        "Phone": c.phone,
        "Website": c.website,
        "BillingStreet": c.street,
        "BillingCity": c.city,
        "BillingPostalCode": c.postal_code,
        "BillingCountry": c.country,
        "SAP_Customer_Number__c": c.kunnr,
        "Stripe_Customer_Id__c": c.stripe_id,
        "CreatedDate": _sf_time(c),
        "LastModifiedDate": _sf_time(c),
    }


class CrmSandbox(Provider):
    """Salesforce-shaped Account API; state is the seeded accounts plus tokens and cursors."""

    name: ClassVar[str] = "crm"

    def __init__(
        self,
        customers: int = 200,
        *,
        client_id: str = "colonnade-demo",
        client_secret: str = "demo-secret",  # noqa: S107 - public sandbox default
        token_ttl_s: float = 3600.0,
        api_limit: int = 15000,
        rate_limit_per_s: float | None = None,
    ) -> None:
        super().__init__()
        self.customers = customers
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_ttl_s = token_ttl_s
        self.api_limit = api_limit
        self.rate_limiter = RateLimiter(rate_limit_per_s)
        self.query_batch_size = 2000
        """Records per query page when the client asks for none (Salesforce's default; it may
        send fewer than asked, so a test lowers this to make a client follow pages)."""
        self._lock = threading.Lock()
        self.reset()
        self.app = CaptureCycle(Starlette(routes=self._routes()))

    @classmethod
    def fresh(cls, customers: int) -> Self:
        return cls(
            customers,
            client_id="colonnade-" + secrets.token_hex(4),
            client_secret=secrets.token_urlsafe(24),
        )

    def connector_settings(self) -> dict[str, Any]:
        return {"client_id": self.client_id, "client_secret": self.client_secret}

    def reset(self) -> None:
        """Back to the seed: accounts, no tokens, no cursors, zero API usage."""
        seed = SeedData.build(customers=self.customers)
        with self._lock:
            self.accounts: dict[str, dict[str, Any]] = {
                c.crm_id: account_record(c) for c in seed.customers
            }
            self._by_prefix = {i[:15]: i for i in self.accounts}
            self._tokens: dict[str, float] = {}
            self._cursors: dict[int, tuple[list[dict[str, Any]], int]] = {}
            self._cursor_seq = 0
            self.tokens_issued = 0
            self.api_used = 0
        self.rate_limiter.reset()

    def _routes(self) -> list[Any]:
        data = "/services/data/{version}"
        return [
            self.route("/services/oauth2/token", "crm.token", self.token, ["POST"]),
            self.route(f"{data}/sobjects/Account/{{id}}", "crm.sobject_get", self.get, ["GET"]),
            self.route(
                f"{data}/composite/sobjects/Account",
                "crm.sobject_collection",
                self.collection,
                ["GET"],
            ),
            self.route(f"{data}/query", "crm.query", self.query, ["GET"]),
            self.route(f"{data}/query/{{locator}}", "crm.query_more", self.query_more, ["GET"]),
        ]

    # Fault shapes ---------------------------------------------------------------------
    def status_response(self, operation: str, status: int) -> Response:
        if operation == "crm.token":
            body = {"error": "server_error", "error_description": "temporarily unavailable"}
            return JSONResponse(body, status_code=status)
        code = _STATUS_CODES.get(status, "UNKNOWN_EXCEPTION")
        return sf_errors(status, code, f"Sandbox injected HTTP {status}")

    def error_in_200_response(self, operation: str) -> Response:
        return sf_errors(
            200, "UNKNOWN_EXCEPTION", "An unexpected error occurred. Please try again."
        )

    def malformed_response(self, operation: str) -> Response:
        return Response(b'{"totalSize": 3, "records": [', media_type="application/json")

    def expire_tokens(self) -> None:
        with self._lock:
            self._tokens.clear()

    def finalize(self, request: Request, response: Response) -> None:
        response.headers["Sforce-Limit-Info"] = f"api-usage={self.api_used}/{self.api_limit}"

    # Helpers --------------------------------------------------------------------------
    def token_count(self) -> int:
        with self._lock:
            return len(self._tokens)

    def _guard(self, request: Request) -> Response | None:
        """Shared checks for /services/data: usage count, version, bearer token, rate limit."""
        with self._lock:
            self.api_used += 1
            auth = request.headers.get("authorization", "")
            token = auth[7:] if auth.lower().startswith("bearer ") else ""
            expiry = self._tokens.get(token)
            valid = expiry is not None and expiry > time.monotonic()
            if expiry is not None and not valid:
                del self._tokens[token]
        if not valid:
            return sf_errors(401, "INVALID_SESSION_ID", "Session expired or invalid")
        if not _VERSION.match(request.path_params["version"]):
            return sf_errors(404, "NOT_FOUND", "The requested resource does not exist")
        if not self.rate_limiter.allow() or self.api_used > self.api_limit:
            # Salesforce enforces its rolling 24 h allowance the same way as a burst limit.
            return sf_errors(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
        return None

    def _fields(self, raw: str | None) -> list[str]:
        known = {f.lower(): f for f in ACCOUNT_FIELDS}
        out: list[str] = []
        for name in (raw or "").split(","):
            name = name.strip()
            if not name:
                continue
            if name.lower() not in known:
                raise soql.SoqlError(
                    "INVALID_FIELD", f"No such column '{name}' on entity 'Account'."
                )
            out.append(known[name.lower()])
        return out

    def _render(self, version: str, record: dict[str, Any], fields: list[str]) -> dict[str, Any]:
        url = f"/services/data/{version}/sobjects/Account/{record['Id']}"
        return {"attributes": {"type": "Account", "url": url}} | {f: record[f] for f in fields}

    def _lookup(self, account_id: str) -> dict[str, Any] | None:
        full = self._by_prefix.get(account_id[:15])
        return self.accounts.get(full) if full else None

    # Handlers -------------------------------------------------------------------------
    async def token(self, request: Request) -> Response:
        form = await request.form()
        ok = (
            form.get("grant_type") == "client_credentials"
            and secrets.compare_digest(str(form.get("client_id", "")), self.client_id)
            and secrets.compare_digest(str(form.get("client_secret", "")), self.client_secret)
        )
        if not ok:
            body = {"error": "invalid_client", "error_description": "invalid client credentials"}
            return JSONResponse(body, status_code=400)
        token = "00D" + secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = time.monotonic() + self.token_ttl_s
            self.tokens_issued += 1
        instance = (
            f"{request.url.scheme}://{request.url.netloc}{request.scope.get('root_path', '')}"
        )
        return JSONResponse(
            {
                "access_token": token,
                "instance_url": instance,
                "id": f"{instance}/id/00D000000000001EAA/005000000000001AAA",
                "token_type": "Bearer",
                "issued_at": str(int(time.time() * 1000)),
                "signature": secrets.token_urlsafe(32),
                "expires_in": int(self.token_ttl_s),
            }
        )

    async def get(self, request: Request) -> Response:
        if (denied := self._guard(request)) is not None:
            return denied
        account_id = request.path_params["id"]
        if not _ID.match(account_id):
            return sf_errors(
                400, "MALFORMED_ID", f"Account ID: id value of incorrect type: {account_id}"
            )
        record = self._lookup(account_id)
        if record is None:
            return sf_errors(404, "NOT_FOUND", "The requested resource does not exist")
        try:
            fields = self._fields(request.query_params.get("fields")) or ACCOUNT_FIELDS
        except soql.SoqlError as exc:
            return sf_errors(400, exc.code, exc.message)
        if "Id" not in fields:
            fields = ["Id", *fields]
        return JSONResponse(self._render(request.path_params["version"], record, fields))

    async def collection(self, request: Request) -> Response:
        if (denied := self._guard(request)) is not None:
            return denied
        ids = [i for i in request.query_params.get("ids", "").split(",") if i]
        request.state.batch_size = len(ids)
        if not ids:
            return sf_errors(400, "MISSING_ARGUMENT", "Required parameter 'ids' is missing")
        if len(ids) > MAX_COLLECTION_IDS:
            return sf_errors(
                400,
                "EXCEEDED_ID_LIMIT",
                "record limit reached. cannot submit more than 2000 records into this call",
            )
        if "fields" not in request.query_params:
            return sf_errors(400, "MISSING_ARGUMENT", "Required parameter 'fields' is missing")
        try:
            fields = self._fields(request.query_params["fields"])
        except soql.SoqlError as exc:
            return sf_errors(400, exc.code, exc.message)
        if bad := [i for i in ids if not _ID.match(i)]:
            return sf_errors(
                400, "MALFORMED_ID", f"Account ID: id value of incorrect type: {bad[0]}"
            )
        version = request.path_params["version"]
        out: list[dict[str, Any] | None] = []
        for account_id in ids:
            record = self._lookup(account_id)
            out.append(None if record is None else self._render(version, record, ["Id", *fields]))
        return JSONResponse(out)

    async def query(self, request: Request) -> Response:
        if (denied := self._guard(request)) is not None:
            return denied
        text = request.query_params.get("q")
        if not text:
            return sf_errors(400, "MALFORMED_QUERY", "Missing query parameter 'q'")
        try:
            parsed = soql.parse(text, ACCOUNT_FIELDS)
        except soql.SoqlError as exc:
            return sf_errors(400, exc.code, exc.message)
        rows = soql.execute(parsed, list(self.accounts.values()))
        if parsed.fields is None:
            return JSONResponse({"totalSize": len(rows), "done": True, "records": []})
        version = request.path_params["version"]
        records = [self._render(version, r, parsed.fields) for r in rows]
        match = _BATCH.search(request.headers.get("sforce-query-options", ""))
        batch = min(max(int(match.group(1)), 1), 2000) if match else self.query_batch_size
        with self._lock:
            self._cursor_seq += 1
            cursor = self._cursor_seq
            self._cursors[cursor] = (records, batch)
            self._cursors.pop(cursor - 200, None)  # keep memory bounded
        return JSONResponse(self._page(version, cursor, 0, batch))

    def _page(self, version: str, cursor: int, offset: int, batch: int | None) -> dict[str, Any]:
        records, original_batch = self._cursors[cursor]
        batch = batch or original_batch
        end = offset + batch
        body: dict[str, Any] = {"totalSize": len(records), "done": end >= len(records)}
        if end < len(records):
            body["nextRecordsUrl"] = f"/services/data/{version}/query/01gD{cursor:010d}-{end}"
        body["records"] = records[offset:end]
        return body

    async def query_more(self, request: Request) -> Response:
        if (denied := self._guard(request)) is not None:
            return denied
        match = _LOCATOR.match(request.path_params["locator"])
        if match is None or int(match.group(1)) not in self._cursors:
            return sf_errors(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        cursor, offset = int(match.group(1)), int(match.group(2))
        batch_match = _BATCH.search(request.headers.get("sforce-query-options", ""))
        batch = min(max(int(batch_match.group(1)), 1), 2000) if batch_match else None
        return JSONResponse(self._page(request.path_params["version"], cursor, offset, batch))
