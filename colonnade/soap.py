"""SOAP connectors: zeep builds and reads the envelopes, Colonnade's pipeline sends them.

zeep is used for what it does well — the WSDL/XSD model, serializing a request, deserializing
and validating a reply — and nothing else: the envelope goes out through the same httpx
client, credentials, retries, breaker and limits as every REST call. Known traps handled here:

- zeep loads WSDLs synchronously: ``load_wsdl`` runs once at start-up, from ``wsdl/`` on disk;
  its transport refuses any network location, so an ``xsd:import`` cannot reach out either
  (a ``wsdl_url_map`` points such imports at saved local copies).
- XML bombs: DTDs, entities and external references are forbidden (zeep ``Settings``), and
  faults are parsed with a hardened lxml parser.
- Hostile sizes and shapes: the body is capped by ``max_response_bytes`` (``HttpConnector``);
  libxml2's default limits stay on (``huge_tree`` off: a text node over 10 MB, or nesting over
  256 levels, is a syntax error); and zeep, whose attribute handling is quadratic (30,000
  attributes on one element cost it seconds), only sees a reply whose elements carry at most
  ``MAX_ATTRIBUTES`` attributes. Replies are decoded on the connector's parse threads, so a
  slow one costs its own request time, never the event loop.
- Faults: classified by the connector's ``fault_table`` (``colonnade.soap_faults``): by
  faultcode, by a code in the faultstring, or by a code inside ``detail``, each row saying
  retried or not and counted by the breaker or not. Unmatched, ``soap:Client`` is the caller's
  mistake (rejected, no retry, not the breaker's business) and ``soap:Server`` the provider's
  (unavailable, retried, counts as a failure). A fault in a 200 is classified the same way.
- Ports: every SOAP port of every service is reachable (``ports``, ``port``, ``bind``,
  ``invoke_on``; ``colonnade.soap_ports``), not only zeep's default one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

import httpx
import zeep
import zeep.exceptions
import zeep.helpers
from lxml import etree

from colonnade.auth import BasicAuth, Secret
from colonnade.config import ConnectorSettings
from colonnade.connector import OFF_LOOP_BYTES, HttpConnector
from colonnade.errors import (
    ConfigError,
    UpstreamContractViolation,
    UpstreamError,
    UpstreamRejected,
)
from colonnade.pipeline.operation import Operation
from colonnade.pipeline.ratelimit_headers import parse_retry_after
from colonnade.pipeline.resilient import Attempt
from colonnade.runtime import Runtime
from colonnade.soap_faults import FaultRule, SoapFault, default_rule, find_fault, local_code
from colonnade.soap_ports import SoapPort, binding_port, find_port, wsdl_ports
from colonnade.xmlsafe import hardened_parser

MAX_ATTRIBUTES = 256
"""Per element. Real SOAP replies carry a handful (xsi:type, xsi:nil); zeep is quadratic in
them, so more is refused before zeep sees the reply."""


class _DiskOnlyTransport(zeep.Transport):  # type: ignore[misc,unused-ignore]  # zeep: untyped
    """zeep's transport, restricted to files: contracts load from disk, never the network.

    Real WSDLs import by URL (WCF's ``?xsd=xsd0``, ``https://www.w3.org/2001/xml.xsd``); a
    ``url_map`` names the saved local copy of each. An unmapped network URL is a start-up error
    that says which URL to save and map.
    """

    def __init__(
        self, url_map: Mapping[str, Path], documents: Mapping[str, bytes] | None = None
    ) -> None:
        super().__init__(cache=None)
        self._url_map = dict(url_map)
        self._documents = dict(documents or {})

    def load(self, url: str) -> bytes:
        if url in self._documents:
            return self._documents[url]
        if url in self._url_map:
            return self._url_map[url].read_bytes()
        if "://" in url and not url.startswith("file://"):
            raise ConfigError(
                f"the WSDL refers to {url!r}, a network location. Colonnade loads contracts "
                "from disk only: save that document beside the WSDL and map the URL to it in "
                "the connector's wsdl_url_map."
            )
        data: bytes = super().load(url)
        return data


def load_wsdl(
    path: Path,
    url_map: Mapping[str, Path] | None = None,
    *,
    documents: Mapping[str, bytes] | None = None,
) -> zeep.Client:
    """Load and check a WSDL once, at start-up, hardened against hostile XML.

    ``url_map`` paths are relative to the WSDL's folder unless absolute. ``documents`` are
    contents to use instead of a file's (by the location zeep asks for, e.g. ``str(path)``):
    the WSDL import's in-memory repairs, which never write the owner's files."""
    if not path.is_file():
        raise ConfigError(
            f"WSDL {str(path)!r} does not exist. Put the service's WSDL (and its XSDs) under "
            "wsdl/ and point the connector's `wsdl` setting at it."
        )
    settings = zeep.Settings(
        strict=True,
        xml_huge_tree=False,
        forbid_dtd=True,
        forbid_entities=True,
        # The transport below is what keeps loading off the network (and honours url_map);
        # zeep's own switch would refuse mapped URLs before the transport sees them.
        forbid_external=False,
    )
    mapped = {url: path.parent / local for url, local in (url_map or {}).items()}
    try:
        transport = _DiskOnlyTransport(mapped, documents)
        return zeep.Client(wsdl=str(path), transport=transport, settings=settings)
    except ConfigError as exc:
        raise ConfigError(f"cannot load WSDL {str(path)!r}: {exc.message}") from None
    except (zeep.exceptions.Error, etree.XMLSyntaxError, OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"cannot load WSDL {str(path)!r}: {type(exc).__name__}: {exc}") from None


@dataclass(slots=True)
class _Reply:
    """The shape zeep's ``process_reply`` reads (it was written for ``requests``)."""

    status_code: int
    content: bytes
    headers: httpx.Headers
    encoding: str | None = "utf-8"


class SoapConnector(HttpConnector):
    """A connector over one WSDL: settings (``SoapSettings``) say which WSDL, port and
    credentials; ``fault_table`` says what each of the provider's faults means."""

    fault_table: ClassVar[tuple[FaultRule, ...]] = ()
    """Checked in order, first match wins; no match: ``default_fault_rule``."""

    def __init__(
        self,
        settings: ConnectorSettings,
        runtime: Runtime,
        *,
        wsdl: Path | None = None,
        service_path: str | None = None,
        wsdl_url_map: Mapping[str, Path] | None = None,
        idempotency_ttl_s: float | None = None,
        client: zeep.Client | None = None,
    ) -> None:
        """Keywords override the settings' SOAP keys (any settings carrying them will do:
        ``SoapSettings`` subclasses, or an older settings class with the same fields);
        ``client``: a WSDL already loaded (by ``load_wsdl``), not loaded again."""

        def setting(name: str, default: Any = None) -> Any:
            return getattr(settings, name, default)

        ttl = idempotency_ttl_s or setting("idempotency_ttl_s", 86_400.0)
        super().__init__(settings, runtime, idempotency_ttl_s=ttl)
        wsdl = wsdl or setting("wsdl")
        if wsdl is None:
            raise ConfigError(f"connectors.{self.name}.wsdl is not set: point it at the WSDL")
        self.client = client or load_wsdl(wsdl, wsdl_url_map or setting("wsdl_url_map"))
        self.ports: dict[str, SoapPort] = wsdl_ports(self.client, setting("port_paths") or {})
        """Every SOAP port of the WSDL, by ``Service/Port``."""
        path = service_path or setting("service_path")
        binding: str | None = setting("binding")
        if binding is not None:
            self.default_port = self.bind(binding, path or "/")
        else:
            chosen = find_port(self.ports, setting("service"), setting("port"))
            self.default_port = chosen if path is None else replace(chosen, path=path)
            self.ports[chosen.name] = self.default_port
        self._binding = self.default_port.binding
        self._by_operation: dict[str, SoapPort] = {}
        username = setting("username")
        if username:
            self.auth = BasicAuth(
                username,
                Secret(
                    f"connectors.{self.name}.password",
                    setting("password"),
                    setting("password_file"),
                ),
            )

    # ------------------------------------------------------------------ ports
    def port(self, service: str | None = None, port: str | None = None) -> SoapPort:
        """A port by ``service`` and/or ``port`` name (ConfigError names the known ones)."""
        return find_port(self.ports, service, port)

    def bind(self, binding: str, path: str) -> SoapPort:
        """A binding spoken at ``path`` (under ``base_url``, or a full URL)."""
        return binding_port(self.client, binding, path)

    def port_for(self, soap_operation: str) -> SoapPort:
        """The default port when it binds the operation, else the one port that does."""
        found = self._by_operation.get(soap_operation)
        if found is not None:
            return found
        if soap_operation in self.default_port.operations:
            found = self.default_port
        else:
            bound = [p for p in self.ports.values() if soap_operation in p.operations]
            if len(bound) != 1:
                raise ConfigError(
                    f"{self.name}: SOAP operation {soap_operation!r} is "
                    + (
                        f"bound on several ports ({', '.join(p.name for p in bound)}): "
                        "use invoke_on with one of them"
                        if bound
                        else "not bound on any port of the WSDL"
                    )
                )
            found = bound[0]
        self._by_operation[soap_operation] = found
        return found

    def reachable_operations(self) -> set[tuple[str, str]]:
        """(port name, operation) for every operation this connector can call."""
        return {(p.name, o) for p in self.ports.values() for o in p.operations}

    # ------------------------------------------------------------------ calls
    async def invoke(
        self, attempt: Attempt, op: Operation, soap_operation: str, /, **kwargs: Any
    ) -> dict[str, Any]:
        """Call one SOAP operation (on ``port_for`` it); the reply as plain dicts and lists."""
        return await self.invoke_on(
            self.port_for(soap_operation), attempt, op, soap_operation, **kwargs
        )

    async def invoke_on(
        self,
        port: SoapPort,
        attempt: Attempt,
        op: Operation,
        soap_operation: str,
        /,
        *args: Any,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Call one SOAP operation on the given port (``self.port(...)``, ``self.bind(...)``);
        ``args``: a bare body of simple type, which zeep takes only positionally. The
        parameters before ``/`` are positional, so an element of any name (``self``, ``op``,
        ``service``) is a keyword of the body."""
        try:
            operation = port.binding.get(soap_operation)
        except ValueError:
            raise ConfigError(
                f"{self.name}: port {port.name} does not bind {soap_operation!r}"
            ) from None
        try:
            # what zeep's Client.create_message does, without its own keyword parameters
            # (``service``, ``operation_name``) standing in the way of the body's elements
            envelope, _ = port.binding._create(soap_operation, args, kwargs, client=self.client)
        except (zeep.exceptions.ValidationError, TypeError, ValueError) as exc:
            # ValueError: what lxml refuses to write (a key of xs:any content that is no XML
            # name, a character XML cannot carry)
            raise UpstreamRejected(
                f"{self.name}: the request does not fit the {soap_operation} contract ({exc})",
                connector=self.name,
                operation=op.name,
                request_sent=False,
            ) from None
        body = etree.tostring(envelope, xml_declaration=True, encoding="utf-8")
        action = operation.soapaction or ""
        if port.soap12:
            headers = {"Content-Type": f'application/soap+xml; charset=utf-8; action="{action}"'}
        else:
            headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{action}"'}
        request = self.http.build_request("POST", port.path, content=body, headers=headers)
        response = await self.send(attempt, op, request)
        reply = _Reply(response.status_code, response.content, response.headers)
        return await self.off_loop(self._decode, op, port, operation, reply)

    def _decode(
        self, op: Operation, port: SoapPort, operation: Any, reply: _Reply
    ) -> dict[str, Any]:
        """Check the reply's shape, then let zeep read it (on a parse thread)."""
        if operation.output is None and not reply.content.strip():
            return {}  # a one-way operation: an empty 2xx (usually 202) is its whole answer
        try:
            root = etree.fromstring(reply.content, parser=hardened_parser())
        except etree.XMLSyntaxError as exc:
            raise self.contract_violation(op, exc) from None
        # A plain walk: twice as fast as the equivalent XPath on a 19 MB reply.
        if any(len(el.attrib) > MAX_ATTRIBUTES for el in root.iter(etree.Element)):
            raise UpstreamContractViolation(
                f"{self.name} answered {op.name} with an element carrying more than "
                f"{MAX_ATTRIBUTES} attributes",
                connector=self.name,
                operation=op.name,
            )
        fault = find_fault(root)  # a fault in a 200: classified like any other
        if fault is not None:
            raise self.fault_error(op, fault, status=reply.status_code)
        del root
        try:
            result = self.read_reply(port, operation, reply)
        except zeep.exceptions.Fault as exc:
            found = SoapFault(local_code(str(exc.code or "")), str(exc.message or ""), exc.detail)
            raise self.fault_error(op, found, status=reply.status_code) from None
        except (zeep.exceptions.Error, etree.XMLSyntaxError, ValueError, AttributeError) as exc:
            raise self.contract_violation(op, exc) from None
        serialized: Any = zeep.helpers.serialize_object(result, target_cls=dict)
        if not isinstance(serialized, dict):
            return {"_value": serialized}
        return serialized

    def read_reply(self, port: SoapPort, operation: Any, reply: _Reply) -> Any:
        """Hook: zeep's reading of a checked reply (on a parse thread). The default is zeep's
        ``process_reply``, which unwraps a body of one element; zeep and XML errors raised
        here are contract violations."""
        return port.binding.process_reply(self.client, operation, reply)

    # ------------------------------------------------------------------ faults
    def error_for(self, op: Operation, response: httpx.Response) -> UpstreamError:
        # Parsed on the loop (this is synchronous), so only a fault of a sane size is read;
        # a larger error body is no SOAP fault a client needs to see.
        small = len(response.content) < OFF_LOOP_BYTES
        fault = _parse_fault(response.content) if small else None
        if fault is not None:
            error = self.fault_error(op, fault, status=response.status_code)
            if error.retry_after_s is None:
                error.retry_after_s = parse_retry_after(response.headers.get("Retry-After"))
            return error
        return super().error_for(op, response)

    def classify_fault(self, fault: SoapFault) -> tuple[FaultRule, str]:
        """Hook: the rule that applies to ``fault`` and the provider code it found.

        The default walks ``fault_table`` (first match wins), then ``default_fault_rule``.
        Override for a provider whose faults no table can describe."""
        for rule in self.fault_table:
            code = rule.match(fault)
            if code is not None:
                return rule, code
        return self.default_fault_rule(fault), f"soap:{fault.faultcode}"

    def default_fault_rule(self, fault: SoapFault) -> FaultRule:
        """Hook: a fault no row matched. Client/Sender: rejected, not retried, not the
        breaker's; anything else: unavailable, retried, counted."""
        return default_rule(fault)

    def fault_message(self, op: Operation, fault: SoapFault, error: type[UpstreamError]) -> str:
        """Hook: the client-safe message. A refusal quotes the provider (it says what to fix);
        a failure names its code only."""
        if issubclass(error, UpstreamRejected):
            return f"{self.name} rejected the request: {fault.faultstring[:200]}"
        return f"{self.name} answered with a SOAP fault ({fault.faultcode})"

    def fault_error(
        self, op: Operation, fault: SoapFault, *, status: int | None = None
    ) -> UpstreamError:
        """Hook: the typed error a fault becomes (``classify_fault`` decides which)."""
        rule, code = self.classify_fault(fault)
        error = rule.error_class
        return error(
            self.fault_message(op, fault, error),
            connector=self.name,
            operation=op.name,
            status=status,
            provider_code=code,
            retryable=rule.retryable,
            counts_as_failure=rule.counts_for_breaker,
        )

    def _fault_error(
        self, op: Operation, code: str, message: str, *, status: int | None = None
    ) -> UpstreamError:
        """``fault_error`` from a bare code and message (kept for older callers)."""
        return self.fault_error(op, SoapFault(local_code(code), message), status=status)


def _parse_fault(content: bytes) -> SoapFault | None:
    try:
        root = etree.fromstring(content, parser=hardened_parser())
    except etree.XMLSyntaxError:
        return None
    if root.getroottree().docinfo.doctype:
        return None
    return find_fault(root)
