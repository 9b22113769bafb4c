"""Read a GraphQL-over-HTTP request into ``GraphQLRequestData``, or refuse it with a 4xx.

Strawberry's own parser lets odd bodies through to places that crash (a JSON ``null`` or
``1`` body, 100,000 nested ``[``, invalid UTF-8, a 5,000-digit number) and answers the rest
in ``text/plain``. Every check here raises ``HttpError`` with a status, a code and a message
that says what to send instead; nothing else escapes.

Decisions: the body must be ``application/json`` (charset absent or utf-8); any
``Content-Encoding`` other than ``identity`` is refused with 415 rather than decompressed —
GraphQL documents are small, and not inflating means no decompression bomb to bound. Batching
is off, so the body must be one JSON object.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from strawberry.http import GraphQLRequestData

from colonnade.http_errors import HttpError

_JSON_TYPES = frozenset({"application/json"})
MAX_VARIABLE_VALUES = 10_000
"""Values in one request's variables. Coercing them into input objects happens before any
resolver and blocks the event loop for every client (200,000 empty objects fit in a 1 MB
body and cost seconds); no real operation sends this many."""


def count_values(value: Any, limit: int) -> int:
    """JSON values in ``value`` (objects, arrays and scalars), counting no further than past
    ``limit``."""
    stack, seen = [value], 0
    while stack and seen <= limit:
        item = stack.pop()
        seen += 1
        if isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return seen


def _parse_content_type(value: str) -> tuple[str, dict[str, str]]:
    media, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for part in rest.split(";"):
        key, sep, val = part.partition("=")
        if sep:
            params[key.strip().lower()] = val.strip().strip('"').lower()
    return media.strip().lower(), params


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_json(text: str | bytes, what: str) -> Any:
    """JSON as RFC 8259 has it: UTF-8, no NaN/Infinity; depth bombs and huge numbers refused."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise HttpError(400, f"{what} is not valid UTF-8") from None
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise HttpError(400, f"{what} is nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, NaN, numbers past int_max_str_digits
        raise HttpError(400, f"{what} is not valid JSON: {str(exc)[:200]}") from None


def check_body_headers(method: str, headers: Mapping[str, str]) -> None:
    """Refuse what we will not read, before reading it."""
    encoding = headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise HttpError(
            415,
            f"Content-Encoding {encoding[:40]!r} is not supported; send the body uncompressed",
        )
    if method != "POST":
        return
    media, params = _parse_content_type(headers.get("content-type", ""))
    if media not in _JSON_TYPES:
        shown = repr(media[:60]) if media else "missing"
        raise HttpError(415, f"Content-Type {shown} is not supported; send application/json")
    charset = params.get("charset", "utf-8")
    if charset not in ("utf-8", "utf8"):
        raise HttpError(415, f"charset {charset[:40]!r} is not supported; send utf-8")


def _from_params(query_params: Mapping[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = dict(query_params)
    for key in ("variables", "extensions"):
        value = data.get(key)
        if value == "":
            data[key] = None
        elif isinstance(value, str):
            data[key] = parse_json(value, f"the {key} parameter")
    return data


def graphql_request(
    method: str, query_params: Mapping[str, str], body: bytes | None
) -> GraphQLRequestData:
    """The request's operation, from the query string (GET) or the JSON body (POST)."""
    if method == "GET":
        data: Any = _from_params(query_params)
    else:
        if not body or not body.strip():
            raise HttpError(400, "the request body is empty; send a JSON object with a query")
        data = parse_json(body, "the request body")
    if not isinstance(data, dict):
        raise HttpError(
            400,
            f"the request body must be a JSON object, not {_kind(data)} "
            '(e.g. {"query": "{ __typename }"})',
        )
    query = data.get("query")
    if query is None:
        raise HttpError(400, "the request has no query; send the GraphQL document as `query`")
    if not isinstance(query, str):
        raise HttpError(400, f"`query` must be a string, not {_kind(query)}")
    variables = data.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise HttpError(400, f"`variables` must be an object, not {_kind(variables)}")
    if variables and count_values(variables, MAX_VARIABLE_VALUES) > MAX_VARIABLE_VALUES:
        raise HttpError(
            400,
            f"`variables` hold more than {MAX_VARIABLE_VALUES} values: send them in several "
            "requests",
        )
    operation_name = data.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise HttpError(400, f"`operationName` must be a string, not {_kind(operation_name)}")
    extensions = data.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        raise HttpError(400, f"`extensions` must be an object, not {_kind(extensions)}")
    return GraphQLRequestData(
        query=query,
        variables=variables,
        operation_name=operation_name,
        extensions=extensions,
        protocol="http",
    )


def _kind(value: object) -> str:
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "an object",
    }.get(type(value), type(value).__name__)
