"""Hostile replies a broken or malicious provider sends: huge bodies, huge text, many attributes.

Huge bodies are streamed from a generator (a repeated unit between a head and a tail), never
built in memory: the sandbox can send 200 MB while costing itself a few kilobytes, so the
client's cap, not the sandbox, is what a test or a benchmark measures. Each reply is
well-formed in its provider's wire format (a SOAP envelope of sales orders, or JSON records),
so a client without limits would try to decode all of it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Literal

from starlette.responses import Response, StreamingResponse

WireFormat = Literal["json", "soap"]
_CHUNK = 64 * 1024

_SOAP_HEAD = (
    b'<?xml version="1.0" encoding="utf-8"?>'
    b'<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/">'
    b"<soap-env:Header/><soap-env:Body>"
    b'<n0:ZSD_SALESORDER_GETLISTResponse xmlns:n0="urn:sap-com:document:sap:rfc:functions">'
    b"<ET_ORDERS>"
)
_SOAP_ORDER = (
    b"<item><VBELN>0000500001</VBELN><KUNNR>0000100001</KUNNR><AUDAT>2024-01-15</AUDAT>"
    b"<BSTNK>PO-1</BSTNK><IHREZ></IHREZ><NETWR>120.00</NETWR><WAERK>EUR</WAERK>"
    b"<GBSTK>A</GBSTK><ITEMS><item><POSNR>000010</POSNR><MATNR>MAT-1001</MATNR>"
    b"<ARKTX>Widget</ARKTX><KWMENG>1.000</KWMENG><VRKME>ST</VRKME><NETWR>120.00</NETWR>"
    b"</item></ITEMS></item>"
)
_SOAP_TAIL = (
    b"</ET_ORDERS><RETURN/></n0:ZSD_SALESORDER_GETLISTResponse></soap-env:Body></soap-env:Envelope>"
)
_TEXT_HEAD = {
    "soap": _SOAP_HEAD + b"<item><VBELN>",
    "json": b'{"totalSize": 1, "done": true, "records": [{"Id": "001000000000001AAA", "Name": "',
}
_TEXT_TAIL = {
    "soap": b"</VBELN><KUNNR>0000100001</KUNNR></item>" + _SOAP_TAIL,
    "json": b'"}]}',
}
_BODY_PARTS = {
    "soap": (_SOAP_HEAD, _SOAP_ORDER, _SOAP_TAIL),
    "json": (
        b'{"totalSize": 1, "done": true, "records": [',
        b'{"Id": "001000000000001AAA", "Name": "Hostile Industries", "Type": "Customer"},',
        b'{"Id": "001000000000001AAA", "Name": "Hostile Industries"}]}',
    ),
}
_MEDIA = {"soap": "text/xml; charset=utf-8", "json": "application/json"}


def _streamed(
    head: bytes, unit: bytes, count: int, tail: bytes, fmt: WireFormat, declare_length: bool
) -> Response:
    per_chunk = max(1, _CHUNK // len(unit))

    async def body() -> AsyncIterator[bytes]:
        yield head
        left = count
        block = unit * per_chunk
        while left > 0:
            n = min(left, per_chunk)
            yield block if n == per_chunk else unit * n
            left -= n
        yield tail

    headers = {}
    if declare_length:
        headers["Content-Length"] = str(len(head) + len(unit) * count + len(tail))
    return StreamingResponse(body(), media_type=_MEDIA[fmt], headers=headers)


def huge_body(fmt: WireFormat, size: int, *, declare_length: bool = False) -> Response:
    """About ``size`` bytes of well-formed records (sales orders, or CRM accounts)."""
    head, unit, tail = _BODY_PARTS[fmt]
    return _streamed(head, unit, max(1, size // len(unit)), tail, fmt, declare_length)


def huge_text(fmt: WireFormat, size: int, *, declare_length: bool = False) -> Response:
    """One text node (an order number, an account name) of about ``size`` bytes."""
    unit = b"A" * 1024
    return _streamed(
        _TEXT_HEAD[fmt], unit, max(1, size // len(unit)), _TEXT_TAIL[fmt], fmt, declare_length
    )


def many_attributes(fmt: WireFormat, count: int) -> Response:
    """One element (or JSON object) with ``count`` attributes (keys): small, but quadratic
    for a decoder that handles each attribute by scanning the others."""
    if fmt == "soap":
        attrs = b" ".join(b'a%d="x"' % i for i in range(count))
        body = _SOAP_HEAD + _SOAP_ORDER.replace(b"<item>", b"<item " + attrs + b">", 1) + _SOAP_TAIL
    else:
        keys = b", ".join(b'"k%d": "x"' % i for i in range(count))
        body = (
            b'{"totalSize": 1, "done": true, "records": [{"Id": "001000000000001AAA", '
            b'"Name": "Hostile Industries", ' + keys + b"}]}"
        )
    return Response(body, media_type=_MEDIA[fmt])
