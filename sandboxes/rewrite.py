"""Schema drift: rename JSON keys or XML element names inside an already built response."""

from __future__ import annotations

import json
from typing import Any

from lxml import etree
from starlette.responses import Response

from colonnade.sandboxes.xmlsafe import parse_xml


def replace_body(response: Response, body: bytes) -> Response:
    """Same status and headers, new body (Content-Length recomputed)."""
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    return Response(body, status_code=response.status_code, headers=headers)


def rename_json(value: Any, old: str, new: str) -> Any:
    if isinstance(value, dict):
        return {(new if k == old else k): rename_json(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [rename_json(v, old, new) for v in value]
    return value


def rename_xml(body: bytes, old: str, new: str) -> bytes:
    root = parse_xml(body)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        qname = etree.QName(el)
        if qname.localname == old:
            el.tag = etree.QName(qname.namespace, new).text if qname.namespace else new
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def rename_in_response(response: Response, old: str, new: str) -> Response:
    content_type = response.headers.get("content-type", "")
    body = bytes(response.body)
    if "json" in content_type:
        renamed = json.dumps(rename_json(json.loads(body), old, new)).encode()
    elif "xml" in content_type:
        renamed = rename_xml(body, old, new)
    else:
        return response
    return replace_body(response, renamed)
