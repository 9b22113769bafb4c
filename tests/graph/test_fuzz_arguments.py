"""Property-based fuzz of every argument of every field and mutation, in-process over the ASGI
app against the sandboxes: hostile strings (control characters, lone surrogates, huge), numbers
(NaN, infinities, 5,000 digits, floats that overflow), cursors that decode to anything.

Whatever is generated: no 5xx, no INTERNAL_SERVER_ERROR, never CIRCUIT_OPEN, and every breaker
still closed afterwards — a client's input never counts against a provider. Bounded (a few
hundred examples, derandomized so CI is reproducible) to fit the default run.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from colonnade.state import BreakerState

pytestmark = pytest.mark.fuzz

BREAKER = {"min_calls": 4, "failure_ratio": 0.5, "window_s": 30, "break_s": 5}
EXAMPLES = 150  # per test; two tests

RESULTS: Counter[str] = Counter()

# Characters of every category, surrogates and controls included.
ANY_CHAR = st.characters(codec=None, categories=None)
HOSTILE_TEXT = st.one_of(
    st.text(ANY_CHAR, max_size=40),
    st.sampled_from(["", " ", "\x00", "\u0001", "\ud800", "\udfff", "\ufffe", "İ-1", "'", "\\"]),
    st.builds(
        lambda c, n: c * n, st.sampled_from(["x", "\u0001", "é", "\ud800"]), st.integers(256, 6000)
    ),
)
ID_LIKE = st.one_of(
    HOSTILE_TEXT,
    st.sampled_from(
        ["001000000000002AAA", "0000500001", "pi_000000000000000000000001", "../customers"]
    ),
)
DECIMAL_TEXT = st.one_of(
    st.sampled_from(
        [
            "NaN",
            "sNaN",
            "Infinity",
            "-Infinity",
            "1e9999999",
            "-1e9999999",
            "9" * 5000,
            "-0",
            "0",
            "1.001",
            "1e-9999",
            "12.34",
            "0.000001",
            "abc",
            "",
            "1_000",
        ]
    ),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.text(ANY_CHAR, max_size=12),
)
DECIMAL_VALUE = st.one_of(
    DECIMAL_TEXT,
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.none(),
)
INT_VALUE = st.one_of(
    st.integers(min_value=-(2**31), max_value=2**31 - 1),
    st.sampled_from([0, -1, 101, 2**31, 2**63, 10**30]),
)
CURSOR = st.one_of(
    HOSTILE_TEXT,
    st.builds(
        lambda a, b: base64.urlsafe_b64encode(json.dumps([a, b]).encode()).decode(),
        HOSTILE_TEXT,
        HOSTILE_TEXT,
    ),
    st.builds(lambda raw: base64.urlsafe_b64encode(raw).decode(), st.binary(max_size=64)),
)
CURRENCY = st.one_of(HOSTILE_TEXT, st.sampled_from(["EUR", "eur", "XY", "ABC", "JPY", "USD"]))
MAYBE_TEXT = st.one_of(st.none(), HOSTILE_TEXT)

QUERIES = {
    "customer": ("query($v: ID!) { customer(id: $v) { id name } }", ID_LIKE),
    "customers.first": ("query($v: Int!) { customers(first: $v) { edges { cursor } } }", INT_VALUE),
    "customers.after": (
        "query($v: String) { customers(first: 2, after: $v) { edges { cursor } } }",
        CURSOR,
    ),
    "salesOrder": ("query($v: ID!) { salesOrder(number: $v) { number } }", ID_LIKE),
    "payment": ("query($v: ID!) { payment(id: $v) { id } }", ID_LIKE),
    "Customer.payments.first": (
        'query($v: Int!) { customer(id: "001000000000002AAA") { payments(first: $v) { id } } }',
        INT_VALUE,
    ),
}

LINE = st.fixed_dictionaries(
    {"material": HOSTILE_TEXT, "quantity": DECIMAL_VALUE, "unitPrice": DECIMAL_VALUE}
)
ORDER = st.fixed_dictionaries(
    {"customerId": ID_LIKE, "currency": CURRENCY, "lines": st.lists(LINE, max_size=3)},
    optional={"purchaseOrder": MAYBE_TEXT, "idempotencyKey": MAYBE_TEXT},
)
PAYMENT = st.fixed_dictionaries(
    {
        "customerId": ID_LIKE,
        "amount": DECIMAL_VALUE,
        "currency": CURRENCY,
        "idempotencyKey": HOSTILE_TEXT,
    },
    optional={"description": MAYBE_TEXT},
)
VALID_LINE = {"material": "MAT-1001", "quantity": "1", "unitPrice": "2.50"}
VALID_ORDER = {"customerId": "001000000000002AAA", "currency": "EUR", "lines": [VALID_LINE]}
VALID_PAYMENT = {
    "customerId": "001000000000002AAA",
    "amount": "3",
    "currency": "EUR",
    "idempotencyKey": "fuzz-1",
}


def one_bad_field(valid: dict[str, Any], fields: dict[str, st.SearchStrategy[Any]]) -> Any:
    """A valid input with one field replaced: every argument's own check is reached (with all
    fields random, the first bad one would hide the rest)."""
    return st.one_of(
        *(st.builds(lambda v, f=f: valid | {f: v}, values) for f, values in fields.items())
    )


ORDER_ONE_BAD = st.one_of(
    one_bad_field(
        VALID_ORDER,
        {
            "customerId": ID_LIKE,
            "currency": CURRENCY,
            "purchaseOrder": MAYBE_TEXT,
            "idempotencyKey": MAYBE_TEXT,
        },
    ),
    st.builds(
        lambda line: VALID_ORDER | {"lines": [line]},
        one_bad_field(
            VALID_LINE,
            {"material": HOSTILE_TEXT, "quantity": DECIMAL_VALUE, "unitPrice": DECIMAL_VALUE},
        ),
    ),
)
PAYMENT_ONE_BAD = one_bad_field(
    VALID_PAYMENT,
    {
        "customerId": ID_LIKE,
        "amount": DECIMAL_VALUE,
        "currency": CURRENCY,
        "idempotencyKey": HOSTILE_TEXT,
        "description": MAYBE_TEXT,
    },
)
MUTATIONS = {
    "createSalesOrder": (
        "mutation($v: CreateSalesOrderInput!) { createSalesOrder(input: $v) { number } }",
        st.one_of(ORDER, ORDER_ONE_BAD),
    ),
    "createPayment": (
        "mutation($v: CreatePaymentInput!) { createPayment(input: $v) { id } }",
        st.one_of(PAYMENT, PAYMENT_ONE_BAD),
    ),
}


def cases(table: dict[str, tuple[str, st.SearchStrategy[Any]]]) -> st.SearchStrategy[Any]:
    return st.one_of(
        *(st.tuples(st.just(name), st.just(q), values) for name, (q, values) in table.items())
    )


@pytest.fixture
async def fuzzed(make_facade):
    every = {"breaker": BREAKER, "retry": {"max_attempts": 1}}
    return await make_facade(connectors={"crm": every, "erp": every, "payments": every})


async def breakers_closed(facade: Any) -> bool:
    for name in ("crm", "erp", "payments"):
        caller = facade.connector(name).pipeline.caller
        for breaker in list(caller._breakers.values()):
            if await breaker.state() is not BreakerState.CLOSED:
                return False
    return True


async def send(facade: Any, name: str, query: str, value: Any) -> None:
    body = json.dumps({"query": query, "variables": {"v": value}})  # \\uXXXX escapes
    response = await facade.client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code < 500, (name, value, response.text[:500])
    RESULTS["requests"] += 1
    RESULTS[f"http_{response.status_code}"] += 1
    if response.status_code != 200:
        return
    payload = response.json()
    codes = [e.get("extensions", {}).get("code") for e in payload.get("errors") or []]
    RESULTS["answered_without_errors" if not codes else "answered_with_errors"] += 1
    for code in codes:
        RESULTS[str(code)] += 1
    assert "INTERNAL_SERVER_ERROR" not in codes, (name, value, payload)
    assert "CIRCUIT_OPEN" not in codes, (name, value, payload)
    assert await breakers_closed(facade), (name, value, payload)


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(case=cases(QUERIES))
async def test_fuzzed_query_arguments_never_hurt_anyone(fuzzed, providers, case) -> None:
    await send(fuzzed, *case)


@FUZZ
@given(case=cases(MUTATIONS))
async def test_fuzzed_mutation_arguments_never_hurt_anyone(fuzzed, providers, case) -> None:
    await send(fuzzed, *case)


def test_fuzz_summary(capsys: pytest.CaptureFixture[str]) -> None:
    """Runs after the two above (file order): prints the figures for the closing note."""
    with capsys.disabled():
        print(f"\nfuzz figures: {dict(sorted(RESULTS.items()))}")
    if RESULTS:
        assert RESULTS.get("INTERNAL_SERVER_ERROR", 0) == 0
