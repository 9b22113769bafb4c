"""Record what a connector's HTTP client sends and receives, as interaction shapes.

Installed as httpx event hooks (httpx's public extension point) on one connector's client, so
it sees exactly the requests the pipeline sends, credentials applied — and keeps none of them:
only parameter names and message shapes, never values, headers or bodies.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx
from lxml import etree

from colonnade.contracts.shape import Shape, merge, shape_of_json, shape_of_xml
from colonnade.xmlsafe import hardened_parser

# Path segments that are keys, not names: provider ids (pi_…, cus_…), Salesforce ids, numbers.
_KEY_SEGMENT = re.compile(r"^(?:[a-z]{2,4}_[A-Za-z0-9]+|[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?|\d+)$")
_NAME_SEGMENT = re.compile(r"^(?:v\d+(?:\.\d+)?|[a-z_]+)$")


@dataclass
class Interaction:
    """Everything seen for one kind of request (method + templated path + SOAP operation)."""

    key: str
    statuses: set[int] = field(default_factory=set)
    query: set[str] = field(default_factory=set)
    form: set[str] = field(default_factory=set)
    request: list[Shape] = field(default_factory=list)
    response: list[Shape] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "statuses": sorted(self.statuses),
            "query_params": sorted(self.query),
            "form_params": sorted(self.form),
            "request": merge(self.request),
            "response": merge(self.response),
        }


def template(path: str) -> str:
    """``/v1/payment_intents/pi_123`` → ``/v1/payment_intents/{key}``."""
    parts = [
        seg if _NAME_SEGMENT.match(seg) or not _KEY_SEGMENT.match(seg) else "{key}"
        for seg in path.split("/")
    ]
    return "/".join(parts)


def _soap_operation(content: bytes) -> str | None:
    try:
        root = etree.fromstring(content, parser=hardened_parser())
    except etree.XMLSyntaxError:
        return None
    body = [c for c in root if isinstance(c.tag, str) and etree.QName(c).localname == "Body"]
    first = [c for c in body[0] if isinstance(c.tag, str)] if body else []
    return etree.QName(first[0]).localname if first else None


def shape_of_body(content: bytes, content_type: str) -> Shape:
    if not content.strip():
        return {}
    try:
        if "json" in content_type:
            return shape_of_json(json.loads(content))
        if "xml" in content_type:
            return shape_of_xml(content)
    except (ValueError, etree.XMLSyntaxError):
        return {"<unparseable>": [content_type or "unknown"]}
    return {}


class Recorder:
    """Attach to clients with ``watch``; read ``interactions`` afterwards."""

    def __init__(self) -> None:
        self.interactions: dict[str, Interaction] = {}
        self._base_path = ""

    def watch(self, client: httpx.AsyncClient) -> None:
        # Paths are kept relative to the client's base URL: the sandbox serves a provider under
        # /payments, the real one at its root, and both must name an interaction the same way.
        self._base_path = client.base_url.path.rstrip("/")
        client.event_hooks["request"].append(self._on_request)
        client.event_hooks["response"].append(self._on_response)

    def _interaction(self, request: httpx.Request) -> Interaction:
        path = request.url.path
        if self._base_path and path.startswith(self._base_path + "/"):
            path = path[len(self._base_path) :]
        key = f"{request.method} {template(path)}"
        if "xml" in request.headers.get("content-type", ""):
            key += f" {_soap_operation(request.content) or '?'}"
        return self.interactions.setdefault(key, Interaction(key))

    async def _on_request(self, request: httpx.Request) -> None:
        seen = self._interaction(request)
        seen.query.update(k for k, _ in request.url.params.multi_items())
        content_type = request.headers.get("content-type", "")
        if "x-www-form-urlencoded" in content_type:
            seen.form.update(
                k for k, _ in parse_qsl(request.content.decode(), keep_blank_values=True)
            )
        else:
            seen.request.append(shape_of_body(request.content, content_type))

    async def _on_response(self, response: httpx.Response) -> None:
        await response.aread()
        seen = self._interaction(response.request)
        seen.statuses.add(response.status_code)
        if response.is_success:
            seen.response.append(
                shape_of_body(response.content, response.headers.get("content-type", ""))
            )

    def as_json(self) -> dict[str, Any]:
        return {k: self.interactions[k].as_json() for k in sorted(self.interactions)}
