"""A sandbox for any WSDL, generated from the contract itself: every SOAP port of every service
answers at its ``soap:address`` path (any other path reaches every port), zeep reads each
request the way the binding declares it, and the reply is zeep's own serialization of the
operation's output message — so what a client reads is what a real provider of that WSDL could
send, typed by the WSDL and not by hand.

A request that does not fit the contract (unknown body element, an element zeep cannot read, a
required element missing) is refused with a Client (SOAP 1.2: Sender) fault naming what is
wrong. The reply is, in order: a canned reply for the operation (zeep keyword arguments, or a
callable taking the parsed ``SoapRequest``), else ``sample_output`` of the output type, whose
values a lossy mapping would change ("0000000010", 2^53+1, "1234.50", a +02:00 zone). A
declared ``wsdl:fault`` can be answered instead, its detail element built from the fault's
type. Fault injection and recording are ``SoapProvider``'s, as for every other sandbox.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Self

import zeep.exceptions
from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from zeep.wsdl.bindings.soap import Soap12Binding, SoapBinding

from colonnade.sandboxes.soap import SOAP12_ENV, SOAP_ENV, XML_TYPE, SoapProvider, child, sub
from colonnade.sandboxes.xmlsafe import UnsafeXML, parse_xml
from colonnade.soap_ports import address_path
from colonnade.wsdl_import.faultdetail import DeclaredFault, FaultTypes, declared_faults
from colonnade.wsdl_import.model import FieldModel, OperationModel, WsdlModel
from colonnade.wsdl_import.report import ImportReport, _facets, import_wsdl
from colonnade.wsdl_import.sample import sample_output
from colonnade.wsdl_import.values import to_zeep, zeep_objects

SOAP12_TYPE = "application/soap+xml; charset=utf-8"
_ACTION = re.compile(r'action\s*=\s*"?([^";]*)"?', re.IGNORECASE)
_XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
_SOAP12_CODES = {"Client": "Sender", "Server": "Receiver"}
_READ_ERRORS = (zeep.exceptions.Error, ValueError, TypeError, AttributeError, IndexError, KeyError)


@dataclass(frozen=True, slots=True)
class SoapRequest:
    """One request as zeep read it: what a callable reply gets."""

    operation: str  # the WSDL operation name
    port: str  # ``Service/Port``
    body: Any  # zeep's value of the input body (keyword arguments by XML name)
    envelope: etree._Element


Reply = Mapping[str, Any] | Callable[[SoapRequest], Any]
"""zeep keyword arguments of the output body (a plain value for a simple-typed body), or a
callable taking the parsed request and returning them."""


@dataclass(slots=True)
class _Port:
    name: str
    binding: Any
    path: str
    soap12: bool
    by_element: dict[str | None, list[Any]] = field(default_factory=dict)


@dataclass(slots=True)
class _PendingFault:
    fault: str | None
    detail: Any
    code: str
    faultstring: str | None
    times: int | None


def _qname(value: Any) -> str:
    return str(value.text) if hasattr(value, "text") else str(value)


def _input_key(operation: Any) -> str | None:
    """The QName of the body element a request for ``operation`` starts with."""
    message = operation.input
    body = getattr(message, "body", None) if message is not None else None
    if body is None:
        return None
    if getattr(message, "_is_body_wrapped", False):  # document, several parts: the first
        elements = body.type.elements
        return _qname(elements[0][1].qname) if elements else None
    return _qname(body.qname)


def _ports(client: Any) -> list[_Port]:
    ports: list[_Port] = []
    for service_name, service in client.wsdl.services.items():
        for port_name, port in service.ports.items():
            binding = port.binding
            if not isinstance(binding, SoapBinding):
                continue  # HTTP GET/POST bindings are not SOAP
            address = (port.binding_options or {}).get("address")
            found = _Port(
                f"{service_name}/{port_name}",
                binding,
                address_path(address).split("?", 1)[0],
                isinstance(binding, Soap12Binding),
            )
            for operation in binding._operations.values():
                found.by_element.setdefault(_input_key(operation), []).append(operation)
            ports.append(found)
    return ports


def _action(request: Request, soap12: bool) -> str | None:
    if soap12:
        match = _ACTION.search(request.headers.get("content-type", ""))
        return match.group(1) if match else None
    action = request.headers.get("soapaction")
    return action.strip().strip('"') if action is not None else None


def _fault_envelope(soap12: bool, code: str, string: str, detail: list[etree._Element]) -> bytes:
    """A SOAP 1.1 or 1.2 Fault whose detail holds already-rendered elements."""
    if soap12:
        env = etree.Element(f"{{{SOAP12_ENV}}}Envelope", nsmap={"env": SOAP12_ENV})
        el = sub(sub(env, f"{{{SOAP12_ENV}}}Body"), f"{{{SOAP12_ENV}}}Fault")
        value = _SOAP12_CODES.get(code, code)
        sub(sub(el, f"{{{SOAP12_ENV}}}Code"), f"{{{SOAP12_ENV}}}Value", f"env:{value}")
        reason = sub(sub(el, f"{{{SOAP12_ENV}}}Reason"), f"{{{SOAP12_ENV}}}Text", string)
        reason.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
        holder_tag = f"{{{SOAP12_ENV}}}Detail"
    else:
        env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap-env": SOAP_ENV})
        el = sub(sub(env, f"{{{SOAP_ENV}}}Body"), f"{{{SOAP_ENV}}}Fault")
        sub(el, "faultcode", f"soap-env:{code}")
        sub(el, "faultstring", string)
        holder_tag = "detail"
    if detail:
        holder = sub(el, holder_tag)
        for item in detail:
            holder.append(item)
    return bytes(etree.tostring(env, xml_declaration=True, encoding="utf-8"))


class WsdlSandbox(SoapProvider):
    """A provider for one loaded WSDL (``from_wsdl``, ``from_report``, or a zeep client and
    its ``WsdlModel``). ``items`` is how many entries each repeated element of a sample reply
    holds (2; set 0 or 1 for the edge cases)."""

    name: ClassVar[str] = "wsdl"
    envelopes: ClassVar[tuple[str, ...]] = (SOAP_ENV, SOAP12_ENV)
    server_faultstring: ClassVar[str] = "Internal server error"

    def __init__(
        self,
        client: Any,
        model: WsdlModel,
        *,
        replies: Mapping[str, Reply] | None = None,
        items: int = 2,
        faults: FaultTypes | None = None,
    ) -> None:
        super().__init__()
        self.client = client
        self.model = model
        self.items = items
        self.replies: dict[str, Reply] = dict(replies or {})
        self.declared = faults if faults is not None else declared_faults(client)
        self.ports = _ports(client)
        self.received: list[SoapRequest] = []
        """Every request zeep read, in order (cleared by ``reset``)."""
        self._lock = threading.Lock()
        self._pending: dict[str, list[_PendingFault]] = {}
        self._models: dict[tuple[str, str], OperationModel] = {
            (f"{ref.service}/{ref.port}", op.name): op
            for op in model.operations
            for ref in op.bindings
        }
        self.app = Starlette(
            routes=[self.route("/{path:path}", self.resolve_operation, self.handle, ["POST"])]
        )

    @classmethod
    def from_report(cls, report: ImportReport, **options: Any) -> Self:
        """The sandbox of an import (``report.ok``); its problems are the caller's to read."""
        if report.client is None or report.model is None:
            raise ValueError(f"{report.entry} did not load: {report.problems[:1]}")
        faults = declared_faults(report.client, _facets(report.client))
        return cls(report.client, report.model, faults=faults, **options)

    @classmethod
    def from_wsdl(
        cls, path: Path, url_map: Mapping[str, Path] | None = None, **options: Any
    ) -> Self:
        """Import the WSDL (offline, hardened, as the connector does) and serve it."""
        return cls.from_report(import_wsdl(path, url_map), **options)

    # Test controls ----------------------------------------------------------------------
    def reply(self, operation: str, reply: Reply | None) -> None:
        """Answer ``operation`` with this canned reply from now on (None: the sample again)."""
        with self._lock:
            if reply is None:
                self.replies.pop(operation, None)
            else:
                self.replies[operation] = reply

    def answer_fault(
        self,
        operation: str,
        fault: str | None = None,
        *,
        detail: Any = None,
        code: str = "Server",
        faultstring: str | None = None,
        times: int | None = 1,
    ) -> None:
        """Answer the next ``times`` calls (None: all) of ``operation`` with one of its declared
        faults (``fault`` names it; None: the first), its detail element built by zeep from
        the fault's type: ``detail`` (zeep keyword arguments) or a sample of that type."""
        declared = self.faults_of(operation)
        if not declared:
            raise ValueError(f"{operation} declares no wsdl:fault")
        if fault is not None and fault not in {d.name for d in declared}:
            names = ", ".join(sorted({d.name for d in declared}))
            raise ValueError(f"{operation} declares no fault {fault!r} (it declares {names})")
        with self._lock:
            pending = _PendingFault(fault, detail, code, faultstring, times)
            self._pending.setdefault(operation, []).append(pending)

    def faults_of(self, operation: str) -> list[DeclaredFault]:
        """The faults an operation declares (on any of its bindings)."""
        found: dict[str, DeclaredFault] = {}
        for port in self.ports:
            for item in self.declared.of(_qname(port.binding.name), operation):
                found.setdefault(item.name, item)
        return list(found.values())

    def expected(self, operation: str, port: str | None = None) -> Any:
        """The GraphQL value the sample reply of ``operation`` should map to (``to_graphql``)."""
        op = self._model(operation, port)
        if op is None or op.output is None:
            return None
        return sample_output(op.output, self.model.objects, self.model.enums, items=self.items)

    def reset(self) -> None:
        with self._lock:
            self._pending.clear()
            self.received.clear()
        self.faults.clear()
        self.recorder.reset()

    # Fault shapes -----------------------------------------------------------------------
    def error_in_200_response(self, operation: str) -> Response:
        """A provider that reports a failure as a Server fault inside an HTTP 200."""
        body = _fault_envelope(False, "Server", self.server_faultstring, [])
        return Response(body, media_type=XML_TYPE)

    # Request plumbing -------------------------------------------------------------------
    async def resolve_operation(self, request: Request) -> str:
        """Parse the envelope once; the operation is the WSDL's (``wsdl.<operation>``)."""
        state = request.state
        invalid = f"{self.name}.invalid"
        try:
            root = parse_xml(await request.body())
        except UnsafeXML:
            state.soap_error = "DTD is not allowed in SOAP messages"
            return invalid
        except etree.XMLSyntaxError as exc:
            state.soap_error = f"XML parse error: {exc}"
            return invalid
        state.envelope = etree.QName(root).namespace
        if state.envelope not in self.envelopes or etree.QName(root).localname != "Envelope":
            state.soap_error = f"not a SOAP 1.1 or 1.2 Envelope: {root.tag}"
            return invalid
        soap12 = state.envelope == SOAP12_ENV
        wanted_type = "application/soap+xml" if soap12 else "text/xml"
        content_type = request.headers.get("content-type", "")
        if not content_type.lower().startswith(wanted_type):
            state.soap_error = (
                f"a SOAP {'1.2' if soap12 else '1.1'} envelope must be sent as {wanted_type}, "
                f"not {content_type or 'no content type'}"
            )
            return invalid
        body = child(root, "Body")
        if body is None:
            state.soap_error = "SOAP envelope without Body"
            return invalid
        payload = next((c for c in body if isinstance(c.tag, str)), None)
        key = _qname(etree.QName(payload)) if payload is not None else None
        found = self._match(request.url.path, soap12, key, _action(request, soap12))
        if isinstance(found, str):
            state.soap_error = found
            return invalid
        state.wsdl_port, state.wsdl_operation = found
        state.root = root
        return f"{self.name}.{found[1].name}"

    def _match(
        self, path: str, soap12: bool, key: str | None, action: str | None
    ) -> tuple[_Port, Any] | str:
        speaking = [p for p in self.ports if p.soap12 == soap12]
        if not speaking:
            return f"this service has no SOAP {'1.2' if soap12 else '1.1'} port"
        at_path = [p for p in speaking if p.path == path] or speaking  # any path: every port
        candidates = [(p, op) for p in at_path for op in p.by_element.get(key, [])]
        if action:
            by_action = [(p, op) for p, op in candidates if (op.soapaction or "") == action]
            candidates = by_action or candidates
        if not candidates:
            what = f"body element {key}" if key else "an empty Body"
            return f"no operation of this service takes {what} (SOAPAction {action!r})"
        return candidates[0]

    def _model(self, operation: str, port: str | None) -> OperationModel | None:
        if port is not None and (port, operation) in self._models:
            return self._models[(port, operation)]
        return next((op for op in self.model.operations if op.name == operation), None)

    async def handle(self, request: Request) -> Response:
        state = request.state
        soap12 = getattr(state, "envelope", None) == SOAP12_ENV
        error = getattr(state, "soap_error", None)
        if error is not None:
            status = 415 if "must be sent as" in error else 500
            return self._fault(soap12, "Client", error, status=status)
        port: _Port = state.wsdl_port
        operation = state.wsdl_operation
        try:
            parsed = self._read(operation, state.root)
        except _READ_ERRORS as exc:
            why = f"the request does not fit the {operation.name} contract: {exc}"
            return self._fault(soap12, "Client", why)
        soap_request = SoapRequest(operation.name, port.name, parsed, state.root)
        with self._lock:
            self.received.append(soap_request)
            pending = self._take_fault(operation.name)
            canned = self.replies.get(operation.name)
        if pending is not None:
            return self._declared_fault(port, operation, pending, soap12)
        return self._answer(port, operation, soap_request, canned, soap12)

    def _read(self, operation: Any, root: etree._Element) -> Any:
        """zeep's reading of the input body, then zeep's own check of it (required elements):
        a value zeep would refuse to send is one a provider would refuse to take."""
        message = operation.input
        if message is None or message.body is None:
            return None
        body = child(root, "Body")
        with _unreadable_values() as unreadable:
            value = message._deserialize_body(body)["body"]
        if unreadable:  # zeep reads a value it cannot parse as None, and only logs it
            raise ValueError(f"a value of the wrong type: {unreadable[0]}")
        try:
            message.body.render(etree.Element("check"), value)
        except zeep.exceptions.ValidationError as exc:
            if not _sent_after_all(body, [str(p) for p in exc.path]):
                raise
        return value

    def _take_fault(self, operation: str) -> _PendingFault | None:
        queue = self._pending.get(operation)
        if not queue:
            return None
        pending = queue[0]
        if pending.times is not None:
            pending.times -= 1
            if pending.times <= 0:
                queue.pop(0)
        return pending

    def _reply_value(self, port: _Port, operation: Any, request: SoapRequest, canned: Any) -> Any:
        if callable(canned):
            return canned(request)
        if canned is not None:
            return canned
        op = self._model(operation.name, port.name)
        if op is None or op.output is None:
            return None
        value = sample_output(op.output, self.model.objects, self.model.enums, items=self.items)
        return _zeep_value(op.output, value, self.model)

    def _answer(
        self, port: _Port, operation: Any, request: SoapRequest, canned: Any, soap12: bool
    ) -> Response:
        message = operation.output
        if message is None:  # one-way: accepted, nothing to say
            return Response(status_code=202)
        value = self._reply_value(port, operation, request, canned)
        try:
            if isinstance(value, Mapping) and message.body is not None:
                value = zeep_objects(message.body.type, value)
            if isinstance(value, Mapping):
                envelope = message.serialize(**value).content
            elif value is None:
                envelope = message.serialize().content
            else:
                envelope = message.serialize(value).content
        except _READ_ERRORS as exc:
            why = f"sandbox: the reply to {operation.name} does not fit the contract: {exc}"
            return self._fault(soap12, "Server", why)
        content = etree.tostring(envelope, xml_declaration=True, encoding="utf-8")
        return Response(content, media_type=SOAP12_TYPE if soap12 else XML_TYPE)

    def _declared_fault(
        self, port: _Port, operation: Any, pending: _PendingFault, soap12: bool
    ) -> Response:
        declared = self.declared.of(_qname(port.binding.name), operation.name)
        chosen = next(
            (d for d in declared if pending.fault is None or d.name == pending.fault), None
        )
        if chosen is None:
            why = f"sandbox: port {port.name} declares no fault {pending.fault!r}"
            return self._fault(soap12, "Server", why)
        value = pending.detail
        if value is None:
            graph = sample_output(
                chosen.detail, self.declared.objects, self.declared.enums, items=self.items
            )
            faults_model = WsdlModel("faults", [], self.declared.objects, self.declared.enums)
            value = _zeep_value(chosen.detail, graph, faults_model)
        holder = etree.Element("detail")
        try:
            element = chosen.element
            element.render(holder, element(**value) if isinstance(value, Mapping) else value)
        except _READ_ERRORS as exc:
            why = f"sandbox: the {chosen.name} detail does not fit its type: {exc}"
            return self._fault(soap12, "Server", why)
        string = pending.faultstring or f"{operation.name} failed: {chosen.name}"
        content = _fault_envelope(soap12, pending.code, string, list(holder))
        return Response(content, status_code=500, media_type=SOAP12_TYPE if soap12 else XML_TYPE)

    def _fault(self, soap12: bool, code: str, string: str, *, status: int = 500) -> Response:
        content = _fault_envelope(soap12, code, string, [])
        return Response(content, status_code=status, media_type=SOAP12_TYPE if soap12 else XML_TYPE)


def _zeep_value(f: FieldModel, value: Any, model: WsdlModel) -> Any:
    """A GraphQL value of one field as zeep takes it (keyword arguments for an object)."""
    if value is None:
        return None
    converted = to_zeep({f.name: value}, [f], model.objects, model.enums)
    return converted.get(f.xml_name)


class _ThreadErrors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.thread = threading.get_ident()
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread and record.exc_info and record.exc_info[1]:
            self.found.append(str(record.exc_info[1]))


@contextmanager
def _unreadable_values() -> Iterator[list[str]]:
    """The values zeep could not parse on this thread while the block ran."""
    handler = _ThreadErrors()
    logger = logging.getLogger("zeep.xsd.types.simple")
    logger.addHandler(handler)
    try:
        yield handler.found
    finally:
        logger.removeHandler(handler)


def _sent_after_all(body: etree._Element, path: list[str]) -> bool:
    """zeep reads an empty element as None and a nil complex element as an empty value, so
    its check calls them missing: the element was sent (empty), or an element on its path
    was sent as ``xsi:nil``."""
    names = set(path)
    for el in body.iter():
        if not isinstance(el.tag, str):
            continue
        local = etree.QName(el).localname
        if path and local == path[-1]:
            return True
        if local in names and el.get(_XSI_NIL) in ("true", "1"):
            return True
    return False
