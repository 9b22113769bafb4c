"""Over real HTTP: every malformed request is a 4xx with a JSON body and a code, and the
GraphQL-over-HTTP media types and statuses are the spec's (graphql-http's audit, by hand)."""

from __future__ import annotations

import pytest
from hostile_cases import CASES

from colonnade.sandboxes.faults import Fault

GQL = "application/graphql-response+json"


@pytest.mark.parametrize(
    ("name", "method", "path", "headers", "body", "status"), CASES, ids=[c[0] for c in CASES]
)
def test_hostile_request_gets_a_typed_json_answer(
    http, name, method, path, headers, body, status
) -> None:
    response = http.request(method, path, headers=headers, content=body)
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].split(";")[0] in ("application/json", GQL)
    assert "Traceback" not in response.text
    if status >= 400:
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] not in (None, "INTERNAL_SERVER_ERROR")
        assert error["message"]


def test_graphql_response_json_is_negotiated(http) -> None:
    ok = http.post("/graphql", json={"query": "{ __typename }"}, headers={"accept": GQL})
    assert ok.status_code == 200
    assert ok.headers["content-type"] == f"{GQL}; charset=utf-8"
    legacy = http.post("/graphql", json={"query": "{ __typename }"}, headers={"accept": "*/*"})
    assert legacy.headers["content-type"].startswith("application/json")
    assert (
        http.post("/graphql", json={"query": "{ __typename }"})
        .headers["content-type"]
        .startswith("application/json")
    )
    prefer_json = http.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"accept": f"{GQL};q=0.5, application/json"},
    )
    assert prefer_json.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"query": "{ customers(first: ) }"}, "GRAPHQL_PARSE_FAILED"),
        ({"query": "{ shoeSize }"}, "GRAPHQL_VALIDATION_FAILED"),
        (
            {
                "query": "query($n: Int!) { customers(first: $n) { edges { cursor } } }",
                "variables": {"n": "x"},
            },
            "GRAPHQL_VALIDATION_FAILED",
        ),
    ],
    ids=["parse", "validation", "variable coercion"],
)
def test_request_errors_are_400_without_data_under_graphql_response_json(http, body, code) -> None:
    strict = http.post("/graphql", json=body, headers={"accept": GQL})
    assert strict.status_code == 400
    assert "data" not in strict.json()
    assert strict.json()["errors"][0]["extensions"]["code"] == code
    legacy = http.post("/graphql", json=body, headers={"accept": "application/json"})
    assert legacy.status_code == 200
    assert legacy.json()["data"] is None
    assert legacy.json()["errors"][0]["extensions"]["code"] == code


def test_variable_errors_keep_the_variable_name_and_location(http) -> None:
    body = http.post(
        "/graphql",
        json={
            "query": "query($n: Int!) { customers(first: $n) { edges { cursor } } }",
            "variables": {"n": "x"},
        },
    ).json()
    [error] = body["errors"]
    assert (
        error["message"]
        == "Variable '$n' has invalid value: Int cannot represent non-integer value: 'x'"
    )
    assert error["locations"] == [{"line": 1, "column": 7}]


def test_literal_errors_keep_their_location(http) -> None:
    [error] = http.post(
        "/graphql", json={"query": '{ customers(first: "x") { edges { cursor } } }'}
    ).json()["errors"]
    assert error["message"] == 'Int cannot represent non-integer value: "x"'
    assert error["locations"] == [{"line": 1, "column": 20}]


def test_mutation_over_get_is_405_with_allow_and_sends_nothing(http, providers) -> None:
    mutation = 'mutation { createPayment(input: {customerId: "001000000000002AAA", amount: "1", currency: "EUR", idempotencyKey: "get-1"}) { id } }'
    response = http.get("/graphql", params={"query": mutation}, headers={"accept": GQL})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert providers.payments.recorder.count("*") == 0


def test_a_query_over_get_with_variables_works(http) -> None:
    response = http.get(
        "/graphql",
        params={
            "query": "query($n: Int!) { customers(first: $n) { edges { cursor } } }",
            "variables": '{"n": 1}',
        },
        headers={"accept": GQL},
    )
    assert response.status_code == 200
    assert len(response.json()["data"]["customers"]["edges"]) == 1


def test_field_errors_still_answer_200_with_data(http, providers) -> None:
    """A provider failing is an execution error: data present, status 200, even under the strict type."""
    providers.erp.faults.add(Fault("status", status=503))
    response = http.post(
        "/graphql",
        json={"query": '{ customer(id: "001000000000002AAA") { name salesOrders { number } } }'},
        headers={"accept": GQL},
    )
    assert response.status_code == 200
    assert response.json()["data"]["customer"]["name"]
