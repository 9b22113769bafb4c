"""Fuzz a running facade: schema-generated operations (hypothesis-graphql) over POST and GET,
then the hand-written hostile requests of ``hostile_cases`` and a few hostile headers.

Usage: python tests/http/fuzz_app.py http://127.0.0.1:PORT [--examples N] [--seconds S]
(scripts/ci/fuzz.sh starts the facade and runs this). Bounded in examples and in time.

Asserts, over every response: no 5xx, no INTERNAL_SERVER_ERROR, no stack trace; and after
the run, no breaker open (from /readyz). Prints the figures and every finding (request and
response) so a failure names its input; exits 1 on any finding.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import graphql
import httpx
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, nodes, queries

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[2]))

from hostile_cases import CASES, JSON_CT

from colonnade.platform.graph import full_schema

TRACE = re.compile(r'Traceback \(most recent call last\)|File "[^"]+", line \d+')


@dataclass
class Tally:
    requests: int = 0
    server_errors: int = 0
    masked: int = 0
    traces: int = 0
    findings: list[str] = field(default_factory=list)

    def check(self, what: str, response: httpx.Response) -> None:
        self.requests += 1
        text = response.text
        problems = []
        if response.status_code >= 500:
            self.server_errors += 1
            problems.append(f"status {response.status_code}")
        if "INTERNAL_SERVER_ERROR" in text:
            self.masked += 1
            problems.append("INTERNAL_SERVER_ERROR")
        if TRACE.search(text):
            self.traces += 1
            problems.append("stack trace")
        if problems and len(self.findings) < 50:
            what = re.sub(r"\s+", " ", what)
            self.findings.append(
                f"{', '.join(problems)}\n  request: {what[:900]}\n  response: {text[:600]}"
            )


def _literal(value: Any) -> Any:
    """A Python value as a GraphQL literal (the AST hypothesis-graphql puts in a query)."""
    from graphql.language import ast

    if isinstance(value, dict):
        return ast.ObjectValueNode(
            fields=tuple(
                ast.ObjectFieldNode(name=ast.NameNode(value=k), value=_literal(v))
                for k, v in value.items()
            )
        )
    if isinstance(value, list):
        return ast.ListValueNode(values=tuple(_literal(v) for v in value))
    if isinstance(value, bool):
        return ast.BooleanValueNode(value=value)
    if isinstance(value, int):
        return ast.IntValueNode(value=str(value))
    if value is None:
        return ast.NullValueNode()
    return ast.StringValueNode(value=value)


def representations(strings: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    """Federation's ``_entities`` input: mostly entity-shaped, some of it not at all."""
    typename = st.sampled_from(["Customer", "SalesOrder", "Payment", "Money", "Query", "Nope"])
    keys = st.sampled_from(["id", "number", "erpCustomerNumber", "paymentCustomerId", "x"])
    value = st.one_of(strings, st.none(), st.integers(), st.lists(strings, max_size=2))
    entity = st.builds(
        lambda t, fields: {"__typename": t, **fields},
        typename,
        st.dictionaries(keys, value, max_size=3),
    )
    odd = st.one_of(st.dictionaries(keys, value, max_size=2), strings, st.integers(), st.none())
    return st.one_of(entity, entity, odd).map(_literal)


def scalar_strategies() -> dict[str, st.SearchStrategy[Any]]:
    text = st.text(max_size=24)
    decimal = st.one_of(
        st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
        st.sampled_from(["NaN", "Infinity", "-0", "1e9999999", "9" * 5000, "", " 1", "1,5"]),
        text,
    )
    date = st.one_of(st.dates().map(lambda d: d.isoformat()), text)
    stamp = st.one_of(st.datetimes().map(lambda d: d.isoformat()), text)
    # Strings and IDs: random text, plus ids the sandboxes know (to reach the providers) and
    # the inputs that broke things before (control characters, dotted capitals, surrogates).
    known = st.sampled_from(
        ["001000000000002AAA", "0000100002", "0000500001", "EUR", "USD", "XY", "eur", "MAT-1001"]
    )
    nasty = st.sampled_from(
        ["\u0001", "\x00", "İ-1", "\ud800", "\u202e", "a" * 5000, "' OR 1=1 --", "<x/>", "%00"]
    )
    string = st.one_of(text, known, nasty).map(nodes.String)
    return {
        "_Any": representations(st.one_of(text, known, nasty)),
        "String": string,
        "ID": string,
        "Decimal": decimal.map(nodes.String),
        "Date": date.map(nodes.String),
        "DateTime": stamp.map(nodes.String),
    }


# Operations that once broke the facade (issue 8), always tried before the generated ones.
KNOWN: list[tuple[str, str]] = [
    ("query", '{ salesOrder(number: "\\u0001") { number } }'),
    ("query", '{ customers(first: 2, after: "\\ud800") { edges { cursor } } }'),
    (
        "mutation",
        'mutation { createPayment(input: {customerId: "001000000000002AAA", amount: "NaN", currency: "EUR", idempotencyKey: "fuzz-nan"}) { id } }',
    ),
    (
        "mutation",
        'mutation { createPayment(input: {customerId: "001000000000002AAA", amount: "1e9999999", currency: "EUR", idempotencyKey: "fuzz-huge"}) { id } }',
    ),
    (
        "mutation",
        'mutation { createPayment(input: {customerId: "001000000000002AAA", amount: "1", currency: "EUR", idempotencyKey: "İ-1"}) { id } }',
    ),
    (
        "mutation",
        'mutation { createSalesOrder(input: {customerId: "001000000000002AAA", currency: "XY", lines: [{material: "MAT-1001", quantity: "1", unitPrice: "1"}]}) { number } }',
    ),
]


def _known_operations(fn: Any) -> Any:
    for op in reversed(KNOWN):
        fn = example(op)(fn)
    return fn


def fuzz_operations(client: httpx.Client, tally: Tally, examples: int, until: float) -> None:
    # The SDL is a federation subgraph's: it uses directives it imports with @link rather than
    # defines, so it is built without SDL validation (the operations are about types and fields).
    sdl = graphql.build_schema(full_schema().as_str(), assume_valid_sdl=True)
    scalars = scalar_strategies()
    operations = st.one_of(
        queries(sdl, custom_scalars=scalars).map(lambda q: ("query", q)),
        mutations(sdl, custom_scalars=scalars).map(lambda q: ("mutation", q)),
    )

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,  # the same inputs every CI run: a finding is reproducible
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(operations)
    @_known_operations
    def run(op: tuple[str, str]) -> None:
        if time.monotonic() > until:
            return
        kind, document = op
        body = json.dumps({"query": document}).encode()  # \u escapes: lone surrogates too
        response = client.post("/graphql", content=body, headers=JSON_CT)
        tally.check(f"POST {document}", response)
        response = client.get(f"/graphql?query={quote(document, safe='', errors='surrogatepass')}")
        tally.check(f"GET {document}", response)
        if kind == "mutation" and response.status_code != 405:
            tally.findings.append(f"mutation over GET got {response.status_code}: {document[:300]}")

    run()


def hostile(client: httpx.Client, tally: Tally) -> None:
    for name, method, path, headers, body, _ in CASES:
        tally.check(
            f"{name}: {method} {path}", client.request(method, path, headers=headers, content=body)
        )
    extra: list[tuple[str, dict[str, str]]] = [
        ("15 KB header", {"x-big": "a" * 15_000}),
        ("200 headers", {f"x-h{i}": "v" for i in range(200)}),
        ("garbage accept", {"accept": ";;,q=x,*/*;q=abc,application/graphql-response+json;q=-1"}),
        (
            "odd content-type params",
            {"content-type": 'application/json; charset="UTF-8"; boundary=;;'},
        ),
        ("bogus encoding list", {"content-encoding": "identity, gzip"}),
    ]
    for name, headers in extra:
        headers = {"content-type": "application/json", **headers}
        response = client.post("/graphql", headers=headers, content=b'{"query": "{ __typename }"}')
        tally.check(f"{name}: POST /graphql", response)


def breaker_trips(client: httpx.Client) -> list[str]:
    ready = client.get("/readyz").json()
    return [
        f"{name} {key}={state}"
        for name, report in ready["connectors"].items()
        for key, state in report["breakers"].items()
        if state != "closed"
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--examples", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=40.0)
    args = parser.parse_args()
    tally = Tally()
    started = time.monotonic()
    with httpx.Client(base_url=args.url, timeout=30) as client:
        hostile(client, tally)
        fuzz_operations(client, tally, args.examples, started + args.seconds)
        trips = breaker_trips(client)
    elapsed = time.monotonic() - started
    for finding in tally.findings:
        print(f"FINDING {finding}")
    for trip in trips:
        print(f"FINDING breaker not closed after the run: {trip}")
    print(
        json.dumps(
            {
                "requests_fuzzed": tally.requests,
                "responses_5xx": tally.server_errors,
                "masked_errors": tally.masked,
                "stack_traces": tally.traces,
                "breaker_trips": len(trips),
                "seconds": round(elapsed, 1),
            }
        )
    )
    failed = tally.findings or trips
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
