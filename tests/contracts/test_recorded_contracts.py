"""Recorded contracts: every connector's committed contract.json still holds against its
sandbox, and drift in a provider's answer is reported field by field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from colonnade.contracts import compare, run, shape_of_json, shape_of_xml
from colonnade.sandboxes import Fault

RENAMES = [
    ("crm", "crm.*", "Name"),
    ("payments", "payments.*", "amount"),
    ("erp", "erp.*", "VBELN"),
]


@pytest.fixture
async def uncached(make_facade: Any) -> Any:
    return await make_facade(cache={"enabled": False})


@pytest.mark.parametrize("name", ["crm", "payments", "erp"])
async def test_the_committed_contract_holds_against_the_sandbox(uncached: Any, name: str) -> None:
    connector = uncached.connector(name)
    current = await run.probe(connector)
    path, drifts = run.verify(connector, current, live=False)
    assert path.is_file()
    assert [str(d) for d in drifts] == [], "run `colonnade contracts record` and review the diff"


@pytest.mark.parametrize(("name", "match", "field"), RENAMES)
async def test_a_renamed_field_is_reported_by_name(
    uncached: Any, providers: Any, name: str, match: str, field: str
) -> None:
    getattr(providers, name).faults.add(
        Fault("rename_field", match=match, rename=(field, "Renamed"))
    )
    connector = uncached.connector(name)
    _, drifts = run.verify(connector, await run.probe(connector), live=False)
    errors = [str(d) for d in drifts if d.severity == "error"]
    assert errors
    assert any(f".{field}'" in e or f"'{field}'" in e for e in errors), errors


def test_drift_in_a_recorded_live_answer_is_named_field_by_field() -> None:
    then = {"GET /v1/x": _interaction({"id": "pi_1", "amount": 100, "status": "ok"})}
    now = {"GET /v1/x": _interaction({"id": "pi_1", "amount_total": 100, "status": 3, "new": True})}
    drifts = {str(d) for d in compare(then, now)}
    assert drifts == {
        "ERROR GET /v1/x: response field 'amount' renamed to 'amount_total'?",
        "ERROR GET /v1/x: response field 'status' changed kind: string → integer",
        "INFO  GET /v1/x: response field 'new' added (boolean)",
    }


def test_a_request_the_provider_now_refuses_is_drift() -> None:
    then = {"POST /v1/y": {**_interaction({}), "statuses": [200]}}
    now = {"POST /v1/y": {**_interaction({}), "statuses": [400]}}
    [drift] = compare(then, now)
    assert drift.severity == "error"
    assert "refused with [400]" in drift.what


def test_xml_shapes_name_repeated_elements_and_attributes() -> None:
    xml = b'<r xmlns="urn:x"><item a="1"><V>1</V></item><item><V/></item><one>x</one></r>'
    assert shape_of_xml(xml) == {
        "r": ["element"],
        "r.item[]": ["element"],
        "r.item[].@a": ["string"],
        "r.item[].V": ["empty", "text"],
        "r.one": ["text"],
    }


def _interaction(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "statuses": [200],
        "query_params": [],
        "form_params": [],
        "request": {},
        "response": shape_of_json(json.loads(json.dumps(body))),
    }
