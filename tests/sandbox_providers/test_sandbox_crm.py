"""CRM sandbox over real HTTP: OAuth, sObject reads, collections, SOQL paging, errors."""

from __future__ import annotations

import time

import httpx
from sandbox_support import CRM_CREDS

from colonnade.sandboxes import SandboxSet, ServedSandbox

DATA = "/crm/services/data/v60.0"
ACC1 = "001000000000001AAA"


def test_token_shape_and_bad_credentials(
    client: httpx.Client, sandbox: SandboxSet, served: ServedSandbox
) -> None:
    r = client.post("/crm/services/oauth2/token", data=CRM_CREDS)
    body = r.json()
    assert r.status_code == 200
    assert body["token_type"] == "Bearer"
    assert body["instance_url"] == f"{served.base_url}/crm"
    assert body["expires_in"] == 3600
    assert sandbox.crm.tokens_issued == 1
    bad = client.post("/crm/services/oauth2/token", data=CRM_CREDS | {"client_secret": "nope"})
    assert bad.status_code == 400
    assert bad.json() == {
        "error": "invalid_client",
        "error_description": "invalid client credentials",
    }


def test_auth_required_and_limit_header(client: httpx.Client, crm_auth: dict[str, str]) -> None:
    r = client.get(f"{DATA}/sobjects/Account/{ACC1}")
    assert r.status_code == 401
    assert r.json() == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]
    assert r.headers["Sforce-Limit-Info"] == "api-usage=1/15000"
    r = client.get(f"{DATA}/sobjects/Account/{ACC1}", headers=crm_auth)
    assert r.headers["Sforce-Limit-Info"] == "api-usage=2/15000"


def test_token_expires(client: httpx.Client, sandbox: SandboxSet) -> None:
    sandbox.crm.token_ttl_s = 0.2
    token = client.post("/crm/services/oauth2/token", data=CRM_CREDS).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get(f"{DATA}/sobjects/Account/{ACC1}", headers=auth).status_code == 200
    time.sleep(0.3)
    assert client.get(f"{DATA}/sobjects/Account/{ACC1}", headers=auth).status_code == 401


def test_sobject_get(client: httpx.Client, crm_auth: dict[str, str]) -> None:
    r = client.get(f"{DATA}/sobjects/Account/{ACC1}", headers=crm_auth)
    rec = r.json()
    assert rec["attributes"] == {
        "type": "Account",
        "url": f"/services/data/v60.0/sobjects/Account/{ACC1}",
    }
    assert rec["SAP_Customer_Number__c"] == "0000100001"
    assert rec["Stripe_Customer_Id__c"] == "cus_00000000000001"
    assert rec["AccountNumber"] == "CUST-00001"
    r = client.get(f"{DATA}/sobjects/Account/{ACC1}", params={"fields": "Name"}, headers=crm_auth)
    assert set(r.json()) == {"attributes", "Id", "Name"}
    missing = client.get(f"{DATA}/sobjects/Account/001000000009999AAA", headers=crm_auth)
    assert missing.status_code == 404
    assert missing.json()[0]["errorCode"] == "NOT_FOUND"
    bad = client.get(f"{DATA}/sobjects/Account/xyz", headers=crm_auth)
    assert bad.status_code == 400
    assert bad.json()[0]["errorCode"] == "MALFORMED_ID"


def test_collection(client: httpx.Client, crm_auth: dict[str, str], sandbox: SandboxSet) -> None:
    ids = [ACC1, "001000000009999AAA", "001000000000002AAA"]
    r = client.get(
        f"{DATA}/composite/sobjects/Account",
        params={"ids": ",".join(ids), "fields": "Name,SAP_Customer_Number__c"},
        headers=crm_auth,
    )
    body = r.json()
    assert r.status_code == 200
    assert body[0]["Id"] == ACC1
    assert body[1] is None
    assert body[2]["SAP_Customer_Number__c"] == "0000100002"
    assert sandbox.crm.recorder.calls("crm.sobject_collection")[0].batch_size == 3
    no_fields = client.get(
        f"{DATA}/composite/sobjects/Account", params={"ids": ACC1}, headers=crm_auth
    )
    assert no_fields.json()[0]["errorCode"] == "MISSING_ARGUMENT"
    many = ",".join(f"001{i:012d}AAA" for i in range(1, 2002))
    too_many = client.get(
        f"{DATA}/composite/sobjects/Account",
        params={"ids": many, "fields": "Name"},
        headers=crm_auth,
    )
    assert too_many.status_code == 400
    assert too_many.json()[0]["errorCode"] == "EXCEEDED_ID_LIMIT"


def test_soql_keyset_and_locator_paging(client: httpx.Client, crm_auth: dict[str, str]) -> None:
    q = "SELECT Id, Name FROM Account ORDER BY Name ASC, Id ASC"
    r = client.get(
        f"{DATA}/query",
        params={"q": q},
        headers=crm_auth | {"Sforce-Query-Options": "batchSize=75"},
    )
    page = r.json()
    assert page["totalSize"] == 200
    assert page["done"] is False
    rows = list(page["records"])
    while not page["done"]:
        page = client.get(f"/crm{page['nextRecordsUrl']}", headers=crm_auth).json()
        rows.extend(page["records"])
    assert len(rows) == 200
    keys = [(r["Name"], r["Id"]) for r in rows]
    assert keys == sorted(keys)
    name, rid = keys[99]
    where = f"(Name > '{name}' OR (Name = '{name}' AND Id > '{rid}'))"
    keyset = f"SELECT Id, Name FROM Account WHERE {where} ORDER BY Name, Id LIMIT 50"  # noqa: S608
    nxt = client.get(f"{DATA}/query", params={"q": keyset}, headers=crm_auth).json()
    assert nxt["totalSize"] == 50
    assert nxt["done"] is True
    assert [(r["Name"], r["Id"]) for r in nxt["records"]] == keys[100:150]


def test_soql_count_and_errors(client: httpx.Client, crm_auth: dict[str, str]) -> None:
    count = client.get(
        f"{DATA}/query", params={"q": "select count() from Account"}, headers=crm_auth
    )
    assert count.json() == {"totalSize": 200, "done": True, "records": []}
    bad = client.get(
        f"{DATA}/query", params={"q": "SELECT Id FROM Account GROUP BY Id"}, headers=crm_auth
    )
    assert bad.status_code == 400
    assert bad.json()[0]["errorCode"] == "MALFORMED_QUERY"
    field = client.get(f"{DATA}/query", params={"q": "SELECT Nope FROM Account"}, headers=crm_auth)
    assert field.json()[0]["errorCode"] == "INVALID_FIELD"


def _query(client: httpx.Client, auth: dict[str, str], q: str) -> httpx.Response:
    return client.get(f"{DATA}/query", params={"q": q}, headers=auth)


def test_soql_in_and_not_in(
    client: httpx.Client, crm_auth: dict[str, str], sandbox: SandboxSet
) -> None:
    wanted = "('0000100003', '0000100001', '0000100001', '9999999999')"
    number = "SAP_Customer_Number__c"
    q = f"SELECT Id, {number} FROM Account WHERE {number} IN {wanted} ORDER BY Id"  # noqa: S608
    found = _query(client, crm_auth, q).json()
    assert found["totalSize"] == 2  # a repeated value matches once, an unknown one nothing
    assert [r["SAP_Customer_Number__c"] for r in found["records"]] == ["0000100001", "0000100003"]
    q = f"select Id from Account where {number} not in {wanted}"  # noqa: S608
    rest = _query(client, crm_auth, q).json()
    assert rest["totalSize"] == 198
    assert {r["Id"] for r in rest["records"]}.isdisjoint(r["Id"] for r in found["records"])
    sandbox.crm.accounts[ACC1]["Name"] = "O'Brien"
    quoted = _query(client, crm_auth, "SELECT Id FROM Account WHERE Name IN ('x', 'O\\'Brien')")
    assert [r["Id"] for r in quoted.json()["records"]] == [ACC1]  # the escaped quote is the value


def test_soql_in_errors_are_salesforce_shaped(
    client: httpx.Client, crm_auth: dict[str, str]
) -> None:
    for where in (
        "SAP_Customer_Number__c IN ()",
        "SAP_Customer_Number__c IN ('0000100001'",
        "SAP_Customer_Number__c IN ('0000100001',)",
        "SAP_Customer_Number__c IN '0000100001'",
        "SAP_Customer_Number__c IN (0000100001)",
        "SAP_Customer_Number__c NOT ('0000100001')",
    ):
        bad = _query(client, crm_auth, f"SELECT Id FROM Account WHERE {where}")  # noqa: S608
        assert bad.status_code == 400, where
        assert bad.json()[0]["errorCode"] == "MALFORMED_QUERY", where
    field = _query(client, crm_auth, "SELECT Id FROM Account WHERE Nope IN ('a')")
    assert field.json()[0]["errorCode"] == "INVALID_FIELD"


def test_rate_limit_is_403(
    client: httpx.Client, crm_auth: dict[str, str], sandbox: SandboxSet
) -> None:
    sandbox.crm.rate_limiter.per_s = 2
    statuses = [
        client.get(f"{DATA}/sobjects/Account/{ACC1}", headers=crm_auth).status_code
        for _ in range(4)
    ]
    assert statuses[:2] == [200, 200]
    assert 403 in statuses[2:]
    last = client.get(f"{DATA}/sobjects/Account/{ACC1}", headers=crm_auth)
    assert last.json()[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
