"""The CRM sandbox held to Salesforce's documented REST shapes (REST API Developer Guide:
"Query", "Query More Results", "Status Codes and Error Responses").

A query answers ``totalSize`` (int), ``done`` (bool), ``records`` and — only while ``done`` is
false — ``nextRecordsUrl`` (``/services/data/vXX.X/query/<locator>``); every record carries
``attributes`` with its ``type`` and its ``url`` (``/services/data/vXX.X/sobjects/<type>/<Id>``);
an error is a JSON array of ``{"message", "errorCode"[, "fields"]}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

API = "/services/data/v60.0"
QUERY_KEYS = {"totalSize", "done", "records"}


@pytest.fixture
def salesforce(providers: Any, providers_server: Any, creds: Any) -> Iterator[httpx.Client]:
    base = f"{providers_server.base_url}/crm"
    token = httpx.post(
        f"{base}/services/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
        },
    ).json()["access_token"]
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


def _check_page(page: dict[str, Any]) -> None:
    expected = QUERY_KEYS | ({"nextRecordsUrl"} if page["done"] is False else set())
    assert set(page) == expected
    assert isinstance(page["totalSize"], int)
    assert isinstance(page["done"], bool)
    if not page["done"]:
        assert re.fullmatch(r"/services/data/v\d+\.\d/query/[\w-]+", page["nextRecordsUrl"])
    for record in page["records"]:
        attributes = record["attributes"]
        assert set(attributes) == {"type", "url"}
        assert attributes["type"] == "Account"
        assert attributes["url"] == f"{API}/sobjects/Account/{record['Id']}"


def test_query_pages_have_salesforces_shape(salesforce: httpx.Client) -> None:
    first = salesforce.get(
        f"{API}/query",
        params={"q": "SELECT Id, Name FROM Account"},
        headers={"Sforce-Query-Options": "batchSize=50"},  # Salesforce's own batch header
    ).json()
    _check_page(first)
    assert first["done"] is False  # 200 seeded accounts, batches of 50: the locator is used
    assert first["totalSize"] > len(first["records"])
    more = salesforce.get(first["nextRecordsUrl"]).json()
    _check_page(more)


def test_errors_are_salesforces_error_array(salesforce: httpx.Client) -> None:
    malformed = salesforce.get(f"{API}/query", params={"q": "SELECT Id FROM Account WHERE"})
    missing = salesforce.get(f"{API}/sobjects/Account/001000000000000ZZZ")
    for response in (malformed, missing):
        assert response.status_code in (400, 404)
        body = response.json()
        assert isinstance(body, list)
        assert body
        for error in body:
            assert {"message", "errorCode"} <= set(error) <= {"message", "errorCode", "fields"}
    assert malformed.json()[0]["errorCode"] == "MALFORMED_QUERY"
    assert missing.json()[0]["errorCode"] == "NOT_FOUND"
