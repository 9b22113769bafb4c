"""A legacy quotes service on ``SoapProvider``, served over loopback: it checks what the
runtime connector must send (a WS-Security UsernameToken, text or digest, and the declared
``AuthHeader``) and answers with the faults its WSDL declares (``quotes.wsdl``)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from colonnade.sandboxes import soap
from colonnade.sandboxes.soap import SoapProvider, child, sub

WSDL = Path(__file__).with_name("quotes.wsdl")
NS = "urn:test:quotes"
PATH = "/legacy/quotes.asmx"
PATH12 = "/legacy/quotes12.asmx"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
PRICES = {"ACME": "12.50", "INIT": "0.10", "ZERO": "0.00"}


@dataclass(frozen=True)
class Seen:
    """What one request carried, as the service read it."""

    operation: str
    envelope: str
    content_type: str
    username: str | None
    password_type: str | None
    password_ok: bool
    token: str | None
    tenant: str | None
    body: bytes


def _reply(request: Request, payload: etree._Element) -> Response:
    if request.state.envelope != soap.SOAP12_ENV:
        return soap.xml_response(payload)
    env = etree.Element(f"{{{soap.SOAP12_ENV}}}Envelope", nsmap={"env": soap.SOAP12_ENV})
    sub(env, f"{{{soap.SOAP12_ENV}}}Body").append(payload)
    body = etree.tostring(env, xml_declaration=True, encoding="utf-8")
    return Response(body, media_type="application/soap+xml; charset=utf-8")


def _fault(request: Request, code: str, text: str, declared_reason: str | None = None) -> Response:
    if request.state.envelope == soap.SOAP12_ENV:
        code12 = {"Client": "Sender", "Server": "Receiver"}
        head, _, sub_code = code.partition(".")
        elements = {f"{{{NS}}}QuoteFault": declared_reason} if declared_reason else None
        return soap.fault12(code12[head], text, subcode=sub_code or None, elements=elements)
    el = etree.Element(f"{{{soap.SOAP_ENV}}}Fault", nsmap={"soap-env": soap.SOAP_ENV})
    sub(el, "faultcode", f"soap-env:{code}")
    sub(el, "faultstring", text)
    if declared_reason is not None:
        detail = sub(sub(el, "detail"), f"{{{NS}}}QuoteFault")
        sub(detail, f"{{{NS}}}reason", declared_reason)
    return soap.xml_response(el, status=500)


class QuotesSandbox(SoapProvider):
    name: ClassVar[str] = "quotes"
    envelopes: ClassVar[tuple[str, ...]] = (soap.SOAP_ENV, soap.SOAP12_ENV)

    def __init__(self) -> None:
        super().__init__()
        self.app = Starlette(
            routes=[
                self.route(PATH, self.resolve_operation, self.handle, ["POST"]),
                self.route(PATH12, self.resolve_operation, self.handle, ["POST"]),
            ]
        )
        self.reset()

    def reset(self) -> None:
        self.faults.clear()
        self.recorder.reset()
        self.user = "QUOTES_USER"
        self.password = secrets.token_urlsafe(12)
        self.token = secrets.token_urlsafe(12)
        self.seen: list[Seen] = []
        self.trades: list[bytes] = []

    def accepts(self, operation: etree.QName) -> bool:
        return operation.namespace == NS and operation.localname in (
            "GetQuote",
            "GetQuotes",
            "PingText",
            "Trade",
        )

    def _password_ok(self, token: etree._Element | None) -> tuple[str | None, str | None, bool]:
        if token is None:
            return None, None, False
        username = (
            (child(token, "Username").text or "") if child(token, "Username") is not None else None
        )
        password = child(token, "Password")
        if password is None:
            return username, None, False
        kind = (password.get("Type") or "").rsplit("#", 1)[-1]
        given = password.text or ""
        if kind == "PasswordText":
            ok = secrets.compare_digest(given, self.password)
        else:
            nonce = base64.b64decode(child(token, "Nonce").text or "")  # type: ignore[union-attr]
            created = (child(token, "Created").text or "").encode()  # type: ignore[union-attr]
            digest = hashlib.sha1(nonce + created + self.password.encode()).digest()  # noqa: S324 - the profile's
            ok = secrets.compare_digest(given, base64.b64encode(digest).decode())
        return username, kind, ok and username == self.user

    async def handle(self, request: Request) -> Response:
        error = getattr(request.state, "soap_error", None)
        if error is not None:
            return soap.fault("Client", error)
        payload: etree._Element = request.state.payload
        root = payload.getroottree().getroot()
        header = child(root, "Header")
        security = child(header, "Security")
        username, kind, ok = self._password_ok(child(security, "UsernameToken"))
        auth = child(header, "AuthHeader")
        token = child(auth, "Token")
        tenant = child(auth, "Tenant")
        op = etree.QName(payload).localname
        self.seen.append(
            Seen(
                op,
                request.state.envelope,
                request.headers.get("content-type", ""),
                username,
                kind,
                ok,
                token.text if token is not None else None,
                tenant.text if tenant is not None else None,
                await request.body(),
            )
        )
        if not ok:
            return _fault(request, "Client.Authentication", "Authentication failed")
        if op == "Trade":  # one-way: accepted, nothing to answer
            self.trades.append(etree.tostring(payload))
            return Response(status_code=202)
        if op == "PingText":  # a bare body of simple type; no AuthHeader declared
            reply = etree.Element(f"{{{NS}}}PingReply", nsmap={None: NS})
            reply.text = f"pong: {payload.text}"
            return _reply(request, reply)
        if token is None or token.text != self.token:
            given = token.text if token is not None else ""
            return _fault(request, "Client", f"Invalid token {given}")  # a provider echoing input
        symbols = [(s.text or "") for s in payload if etree.QName(s).localname.startswith("symbol")]
        if "DOWN" in symbols:
            return _fault(request, "Server", "Quote feed unavailable")
        if "BAD" in symbols:
            return _fault(request, "Server", "No such symbol", declared_reason="unknown symbol BAD")
        reply = etree.Element(f"{{{NS}}}{op}Response", nsmap={None: NS})
        for symbol in symbols:
            if symbol in PRICES or op == "GetQuote":
                quote = sub(reply, f"{{{NS}}}quote")
                sub(quote, f"{{{NS}}}symbol", symbol)
                sub(quote, f"{{{NS}}}price", PRICES.get(symbol, "1.00"))
        return _reply(request, reply)
