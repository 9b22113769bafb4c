"""ERP sandbox: an SAP-style RFC web service (SOAP 1.1 document/literal) for sales orders."""

from __future__ import annotations

import base64
import binascii
import secrets
import threading
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Self

from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from colonnade.config import contracts_dir
from colonnade.sandboxes import soap
from colonnade.sandboxes.data import MATERIALS, OrderItem, SalesOrder, SeedData, posnr, vbeln
from colonnade.sandboxes.soap import Message, SoapProvider, sub
from colonnade.sandboxes.wire import CaptureCycle

WSDL_DIR = contracts_dir() / "erp"
WSDL_PATH = WSDL_DIR / "zsd_salesorder.wsdl"
XSD_PATH = WSDL_DIR / "zsd_salesorder.xsd"
SERVICE_DIR = "/sap/bc/srt/rfc/sap/zsd_salesorder/100/zsd_salesorder"
SERVICE_PATH = f"{SERVICE_DIR}/zsd_salesorder"
DEFAULT_LOCATION = f"http://127.0.0.1:8100/erp{SERVICE_PATH}"
OPERATIONS = ("ZSD_SALESORDER_GETLIST", "ZSD_SALESORDER_GETDETAIL", "ZSD_SALESORDER_CREATE")
_NOT_CHANGED = Message("E", "V4", "219", "Sales document was not changed")
_LOGON_FAILED = (
    "<html><head><title>Logon Error Message</title></head><body><h1>Logon failed</h1>"
    "<p>Logon performed in system ERP failed: user or password incorrect.</p></body></html>"
)


def alpha(value: str) -> str:
    """SAP ALPHA conversion: numeric keys are left-padded with zeros to 10 characters."""
    value = value.strip()
    return value.zfill(10) if value.isdigit() else value


def _children(el: etree._Element | None, name: str) -> list[etree._Element]:
    if el is None:
        return []
    return [c for c in el if isinstance(c.tag, str) and etree.QName(c).localname == name]


def _child(el: etree._Element | None, name: str) -> etree._Element | None:
    found = _children(el, name)
    return found[0] if found else None


def _text(el: etree._Element | None, name: str) -> str:
    child = _child(el, name)
    return (child.text or "").strip() if child is not None else ""


def _table(el: etree._Element | None, name: str) -> list[etree._Element]:
    return _children(_child(el, name), "item")


class ErpSandbox(SoapProvider):
    """Sales orders per SAP customer number; state is the seeded orders plus created ones."""

    name: ClassVar[str] = "erp"
    server_faultstring: ClassVar[str] = "Internal error in RFC handler"
    server_detail: ClassVar[str | None] = "RFC_ERROR_SYSTEM_FAILURE: sandbox fault"

    def __init__(
        self,
        customers: int = 200,
        *,
        user: str = "COLONNADE",
        password: str = "demo-password",  # noqa: S107 - public sandbox default
    ) -> None:
        super().__init__()
        self.customers = customers
        self.user = user
        self.password = password
        self._lock = threading.Lock()
        self.reset()
        self.app = CaptureCycle(
            Starlette(
                routes=[
                    self.route(SERVICE_PATH, self.resolve_operation, self.handle, ["POST"]),
                    self.route(SERVICE_PATH, "erp.wsdl", self.wsdl, ["GET"]),
                    self.route(f"{SERVICE_DIR}/zsd_salesorder.xsd", "erp.wsdl", self.xsd, ["GET"]),
                ]
            )
        )

    @classmethod
    def fresh(cls, customers: int) -> Self:
        return cls(customers, user="COLONNADE", password=secrets.token_urlsafe(18))

    def connector_settings(self) -> dict[str, Any]:
        return {"username": self.user, "password": self.password}

    def reset(self) -> None:
        seed = SeedData.build(customers=self.customers)
        with self._lock:
            self.currencies = {c.kunnr: c.currency for c in seed.customers}
            self.orders: dict[str, SalesOrder] = {o.vbeln: o for o in seed.orders}
            self._next_order = len(self.orders) + 1

    # Test helpers ---------------------------------------------------------------------
    def order_count(self) -> int:
        with self._lock:
            return len(self.orders)

    def orders_for(self, kunnr: str) -> list[SalesOrder]:
        with self._lock:
            return sorted(
                (o for o in self.orders.values() if o.kunnr == kunnr), key=lambda o: o.vbeln
            )

    # Fault shapes ---------------------------------------------------------------------
    def error_in_200_response(self, operation: str) -> Response:
        op = operation.removeprefix("erp.")
        op = op if op in OPERATIONS else "ZSD_SALESORDER_GETLIST"
        el = soap.response_element(op)
        if op == "ZSD_SALESORDER_CREATE":
            sub(el, "SALES_NO", "")
        else:
            sub(el, "ET_ORDERS")
        msg = Message("E", "ZSD", "900", "Internal error while reading sales documents; try again")
        soap.return_table(el, [msg])
        return soap.xml_response(el)

    # Request plumbing -----------------------------------------------------------------
    def accepts(self, operation: etree.QName) -> bool:
        return operation.namespace == soap.RFC_NS and operation.localname in OPERATIONS

    def _authorized(self, request: Request) -> bool:
        auth = request.headers.get("authorization", "")
        if not auth.lower().startswith("basic "):
            return False
        try:
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return secrets.compare_digest(user.upper(), self.user.upper()) and secrets.compare_digest(
            password, self.password
        )

    async def handle(self, request: Request) -> Response:
        if not self._authorized(request):
            realm = 'Basic realm="SAP NetWeaver Application Server [ERP/100]"'
            return Response(
                _LOGON_FAILED,
                status_code=401,
                media_type="text/html",
                headers={"WWW-Authenticate": realm},
            )
        error = getattr(request.state, "soap_error", None)
        if error is not None:
            return soap.fault("Client", error)
        payload: etree._Element = request.state.payload
        op = etree.QName(payload).localname
        if op == "ZSD_SALESORDER_GETLIST":
            return self._getlist(request, payload)
        if op == "ZSD_SALESORDER_GETDETAIL":
            return self._getdetail(request, payload)
        return self._create(payload)

    async def wsdl(self, request: Request) -> Response:
        if "wsdl" not in {k.lower() for k in request.query_params}:
            return soap.fault(
                "Client", "Use POST for SOAP requests or ?wsdl for the service description"
            )
        location = f"{request.url.scheme}://{request.url.netloc}{request.url.path}"
        text = WSDL_PATH.read_text(encoding="utf-8").replace(DEFAULT_LOCATION, location)
        return Response(text, media_type=soap.XML_TYPE)

    async def xsd(self, request: Request) -> Response:
        return Response(XSD_PATH.read_bytes(), media_type=soap.XML_TYPE)

    # Operations -----------------------------------------------------------------------
    def _write_orders(self, parent: etree._Element, orders: list[SalesOrder]) -> None:
        table = sub(parent, "ET_ORDERS")
        for o in orders:
            item = sub(table, "item")
            for tag, value in (
                ("VBELN", o.vbeln), ("KUNNR", o.kunnr), ("AUDAT", o.audat.isoformat()),
                ("BSTNK", o.bstnk), ("IHREZ", o.ihrez), ("NETWR", f"{o.netwr:.2f}"),
                ("WAERK", o.waerk),
                ("GBSTK", o.gbstk),
            ):  # fmt: skip
                sub(item, tag, value)
            items = sub(item, "ITEMS")
            for line in o.items:
                row = sub(items, "item")
                for tag, value in (
                    ("POSNR", line.posnr), ("MATNR", line.matnr), ("ARKTX", line.arktx),
                    ("KWMENG", f"{line.kwmeng:.3f}"), ("VRKME", line.vrkme),
                    ("NETWR", f"{line.netwr:.2f}"),
                ):  # fmt: skip
                    sub(row, tag, value)

    def _getlist(self, request: Request, payload: etree._Element) -> Response:
        wanted = [alpha(i.text or "") for i in _table(payload, "IT_CUSTOMERS")]
        request.state.batch_size = len(wanted)
        max_rows = _text(payload, "MAX_ROWS")
        messages: list[Message] = []
        with self._lock:
            if wanted:
                known = sorted({k for k in wanted if k in self.currencies})
                for k in dict.fromkeys(w for w in wanted if w not in self.currencies):
                    messages.append(Message("W", "V1", "010", f"Customer {k} does not exist", v1=k))
            else:
                known = sorted(self.currencies)
            keep = set(known)
            orders = sorted(
                (o for o in self.orders.values() if o.kunnr in keep),
                key=lambda o: (o.kunnr, o.vbeln),
            )
        if max_rows.lstrip("-").isdigit() and int(max_rows) > 0:
            orders = orders[: int(max_rows)]
        el = soap.response_element("ZSD_SALESORDER_GETLIST")
        self._write_orders(el, orders)
        soap.return_table(el, messages)
        return soap.xml_response(el)

    def _getdetail(self, request: Request, payload: etree._Element) -> Response:
        wanted = list(dict.fromkeys(alpha(i.text or "") for i in _table(payload, "IT_ORDERS")))
        request.state.batch_size = len(wanted)
        messages: list[Message] = []
        found: list[SalesOrder] = []
        with self._lock:
            for number in wanted:
                order = self.orders.get(number)
                if order is None:
                    text = f"Sales document {number} is not in the database or has been archived"
                    messages.append(Message("E", "V1", "302", text, v1=number))
                else:
                    found.append(order)
        el = soap.response_element("ZSD_SALESORDER_GETDETAIL")
        self._write_orders(el, found)
        soap.return_table(el, messages)
        return soap.xml_response(el)

    def _parse_items(self, payload: etree._Element, messages: list[Message]) -> list[OrderItem]:
        lines: list[OrderItem] = []
        for n, item in enumerate(_table(payload, "IT_ITEMS"), start=1):
            pos = _text(item, "POSNR").zfill(6) if _text(item, "POSNR") else posnr(n)
            matnr = _text(item, "MATNR")
            try:
                qty = Decimal(_text(item, "KWMENG") or "0")
                price = Decimal(_text(item, "NETWR") or "0")
            except InvalidOperation:
                messages.append(Message("E", "V1", "081", f"Item {pos}: invalid number", v1=pos))
                continue
            if not matnr:
                messages.append(Message("E", "V1", "320", f"Item {pos}: enter a material", v1=pos))
            elif matnr not in MATERIALS:  # a business refusal that only the ERP can make
                text = f"Item {pos}: material {matnr} does not exist"
                messages.append(Message("E", "M3", "305", text, v1=matnr))
            if qty <= 0:
                text = f"Item {pos}: enter a quantity greater than zero"
                messages.append(Message("E", "V1", "086", text, v1=pos, field="KWMENG"))
            if price < 0:
                messages.append(Message("E", "V1", "087", f"Item {pos}: negative price", v1=pos))
            lines.append(
                OrderItem(
                    posnr=pos,
                    matnr=matnr,
                    arktx=_text(item, "ARKTX") or MATERIALS.get(matnr, matnr)[:40],
                    kwmeng=qty.quantize(Decimal("0.001")),
                    vrkme=_text(item, "VRKME") or "PC",
                    netwr=(qty * price).quantize(Decimal("0.01")),
                )
            )
        if not _table(payload, "IT_ITEMS"):
            messages.append(Message("E", "V1", "761", "No items were entered"))
        return lines

    def _create(self, payload: etree._Element) -> Response:
        header = _child(payload, "ORDER_HEADER")
        sold_to = alpha(_text(header, "SOLD_TO_PARTY"))
        messages: list[Message] = []
        if sold_to not in self.currencies:
            text = f"Customer {sold_to} does not exist"
            messages.append(Message("E", "VP", "112", text, v1=sold_to, parameter="ORDER_HEADER"))
        lines = self._parse_items(payload, messages)
        doc_date = _text(header, "DOC_DATE")
        try:
            audat = date.fromisoformat(doc_date) if doc_date else date.today()
        except ValueError:
            messages.append(Message("E", "V1", "005", f"Invalid document date {doc_date}"))
            audat = date.today()
        el = soap.response_element("ZSD_SALESORDER_CREATE")
        if any(m.type in ("E", "A") for m in messages):
            sub(el, "SALES_NO", "")
            soap.return_table(el, [*messages, _NOT_CHANGED])
            return soap.xml_response(el)
        if _text(payload, "TESTRUN").upper() == "X":
            sub(el, "SALES_NO", "")
            ok = Message("S", "V4", "233", "SALES_HEADER_IN has been processed successfully")
            soap.return_table(el, [ok])
            return soap.xml_response(el)
        with self._lock:
            number = vbeln(self._next_order)
            self._next_order += 1
            self.orders[number] = SalesOrder(
                vbeln=number,
                kunnr=sold_to,
                audat=audat,
                bstnk=_text(header, "CUST_PO")[:35],
                ihrez=_text(header, "IHREZ")[:12],
                waerk=(_text(header, "CURRENCY") or self.currencies[sold_to]).upper(),
                gbstk="A",
                items=lines,
            )
        sub(el, "SALES_NO", number)
        saved = Message(
            "S",
            "V1",
            "311",
            f"Standard Order {number} has been saved",
            v1="Standard Order",
            v2=number,
        )
        soap.return_table(el, [saved])
        return soap.xml_response(el)
