"""Hostile requests that must each get a 4xx JSON answer with a code (shared with the fuzz stage).

Each case is (name, method, path+query, headers, body, expected status).
"""

from __future__ import annotations

import gzip
import json

JSON_CT = {"content-type": "application/json"}
Q = json.dumps({"query": "{ __typename }"}).encode()


def _bomb(levels: int) -> bytes:
    parts = ["query Bomb { ...A0 ...B0 }"]
    for i in range(levels):
        spreads = f"...A{i + 1} ...B{i + 1}" if i + 1 < levels else ""
        parts += [
            f"fragment {n}{i} on Query {{ {n.lower()}{i}: __typename {spreads} }}" for n in "AB"
        ]
    return json.dumps({"query": "\n".join(parts)}).encode()


CASES: list[tuple[str, str, str, dict[str, str], bytes, int]] = [
    ("json null", "POST", "/graphql", JSON_CT, b"null", 400),
    ("json number", "POST", "/graphql", JSON_CT, b"1", 400),
    ("json string", "POST", "/graphql", JSON_CT, b'"x"', 400),
    ("json true", "POST", "/graphql", JSON_CT, b"true", 400),
    ("json array", "POST", "/graphql", JSON_CT, b"[]", 400),
    ("100k nested [", "POST", "/graphql", JSON_CT, b"[" * 100_000, 400),
    (
        "100k nested { in variables",
        "POST",
        "/graphql",
        JSON_CT,
        b'{"query":"{__typename}","variables":' + b'{"a":' * 50_000 + b"1" + b"}" * 50_001,
        400,
    ),
    ("invalid utf-8", "POST", "/graphql", JSON_CT, b'{"query": "{ __typename \xff\xfe }"}', 400),
    (
        "lone surrogate escape",
        "POST",
        "/graphql",
        JSON_CT,
        b'{"query": "{ __typename }", "operationName": "\\ud800"}',
        400,
    ),
    (
        "NaN",
        "POST",
        "/graphql",
        JSON_CT,
        b'{"query": "{ __typename }", "variables": {"a": NaN}}',
        400,
    ),
    (
        "5000-digit number",
        "POST",
        "/graphql",
        JSON_CT,
        b'{"query": "{ __typename }", "variables": {"a": ' + b"9" * 5000 + b"}}",
        400,
    ),
    ("truncated json", "POST", "/graphql", JSON_CT, b'{"query": ', 400),
    ("empty body", "POST", "/graphql", JSON_CT, b"", 400),
    (
        "gzip body",
        "POST",
        "/graphql",
        {**JSON_CT, "content-encoding": "gzip"},
        gzip.compress(Q),
        415,
    ),
    ("br body", "POST", "/graphql", {**JSON_CT, "content-encoding": "br"}, Q, 415),
    ("no content type", "POST", "/graphql", {}, Q, 415),
    ("text/plain", "POST", "/graphql", {"content-type": "text/plain"}, Q, 415),
    (
        "form",
        "POST",
        "/graphql",
        {"content-type": "application/x-www-form-urlencoded"},
        b"query=%7B__typename%7D",
        415,
    ),
    (
        "multipart",
        "POST",
        "/graphql",
        {"content-type": "multipart/form-data; boundary=x"},
        b"--x--",
        415,
    ),
    ("json lookalike", "POST", "/graphql", {"content-type": "application/jsonx"}, Q, 415),
    (
        "latin-1 charset",
        "POST",
        "/graphql",
        {"content-type": "application/json; charset=latin-1"},
        Q,
        415,
    ),
    ("missing query", "POST", "/graphql", JSON_CT, b'{"variables": {}}', 400),
    ("null query", "POST", "/graphql", JSON_CT, b'{"query": null}', 400),
    ("numeric query", "POST", "/graphql", JSON_CT, b'{"query": 1}', 400),
    ("object query", "POST", "/graphql", JSON_CT, b'{"query": {"a": 1}}', 400),
    (
        "variables array",
        "POST",
        "/graphql",
        JSON_CT,
        b'{"query": "{ __typename }", "variables": []}',
        400,
    ),
    (
        "variables string",
        "POST",
        "/graphql",
        JSON_CT,
        b'{"query": "{ __typename }", "variables": "x"}',
        400,
    ),
    (
        "operationName number",
        "POST",
        "/graphql",
        JSON_CT,
        b'{"query": "{ __typename }", "operationName": 3}',
        400,
    ),
    (
        "extensions array",
        "POST",
        "/graphql",
        JSON_CT,
        b'{"query": "{ __typename }", "extensions": [1]}',
        400,
    ),
    (
        "unknown operationName",
        "POST",
        "/graphql",
        JSON_CT,
        b'{"query": "query A { __typename }", "operationName": "B"}',
        400,
    ),
    (
        "oversize body",
        "POST",
        "/graphql",
        JSON_CT,
        b'{"query": "{ __typename }", "variables": {"pad": "' + b"x" * 1_100_000 + b'"}}',
        413,
    ),
    (
        "GET variables not json",
        "GET",
        "/graphql?query=%7B__typename%7D&variables=%7Bx",
        {},
        b"",
        400,
    ),
    (
        "GET variables array",
        "GET",
        "/graphql?query=%7B__typename%7D&variables=%5B%5D",
        {},
        b"",
        400,
    ),
    ("GET no query", "GET", "/graphql", {"accept": "application/json"}, b"", 400),
    ("GET mutation", "GET", "/graphql?query=mutation%7B__typename%7D", {}, b"", 405),
    ("PUT", "PUT", "/graphql", JSON_CT, Q, 405),
    ("DELETE", "DELETE", "/graphql", {}, b"", 405),
    ("PATCH", "PATCH", "/graphql", JSON_CT, Q, 405),
    ("unknown path", "GET", "/nope", {}, b"", 404),
    (
        "fragment bomb",
        "POST",
        "/graphql",
        {**JSON_CT, "accept": "application/graphql-response+json"},
        _bomb(40),
        400,
    ),
    (
        "syntax error",
        "POST",
        "/graphql",
        {**JSON_CT, "accept": "application/graphql-response+json"},
        b'{"query": "{ customers(first: ) }"}',
        400,
    ),
    (
        "too many tokens",
        "POST",
        "/graphql",
        {**JSON_CT, "accept": "application/graphql-response+json"},
        json.dumps({"query": "{" + " __typename" * 6000 + " }"}).encode(),
        400,
    ),
    (
        "deeply nested list literal",
        "POST",
        "/graphql",
        {**JSON_CT, "accept": "application/graphql-response+json"},
        json.dumps(
            {"query": "{ customer(id: " + "[" * 2000 + '"x"' + "]" * 2000 + ") { id } }"}
        ).encode(),
        400,
    ),
]
