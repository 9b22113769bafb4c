"""Round trip of each generated operation: a sample input of its generated types, encoded for
zeep, serialized by zeep into the request envelope of every binding that offers it. It proves
the generated argument types and zeep's contract agree (names, nesting, value types).

``http_round_trip`` goes on over real HTTP: each envelope is POSTed (SOAP 1.1 or 1.2 headers,
as the connector sends them) to a provider of the WSDL — the generated sandbox — and its reply
is read by zeep, mapped with ``to_graphql`` and checked against the generated SDL's output type
and against the sample reply it was built from, so a value that changes on the way is caught.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
import zeep.exceptions
from graphql import GraphQLSchema
from lxml import etree
from zeep.wsdl.bindings.soap import Soap12Binding

from colonnade.soap_faults import find_fault
from colonnade.soap_ports import address_path
from colonnade.wsdl_import.conform import violations
from colonnade.wsdl_import.model import BindingRef, OperationModel, WsdlModel
from colonnade.wsdl_import.sample import sample_input, sample_output
from colonnade.wsdl_import.values import to_graphql, to_zeep, zeep_objects
from colonnade.xmlsafe import hardened_parser


@dataclass(slots=True)
class RoundTrip:
    serialized: int = 0
    total: int = 0
    failures: list[str] = field(default_factory=list)


def _request(client: Any, model: WsdlModel, op: OperationModel, ref: BindingRef) -> Any:
    """zeep's request envelope for the operation's sample input, on one binding."""
    values = sample_input(op.args, model.objects, model.enums)
    kwargs = to_zeep(values, op.args, model.objects, model.enums)
    proxy = client.bind(ref.service, ref.port)
    if len(op.args) == 1 and op.args[0].source == "value":
        return client.create_message(proxy, op.name, kwargs.get(op.args[0].xml_name))
    body = getattr(proxy._binding.get(op.name).input, "body", None)
    if body is not None:
        kwargs = zeep_objects(body.type, kwargs)
    return client.create_message(proxy, op.name, **kwargs)


def round_trip(client: Any, model: WsdlModel) -> RoundTrip:
    result = RoundTrip()
    for op in model.operations:
        for ref in op.bindings:
            result.total += 1
            try:
                _request(client, model, op, ref)
                result.serialized += 1
            except (zeep.exceptions.Error, TypeError, ValueError, AttributeError) as exc:
                result.failures.append(f"{op.name} via {ref.port}: {type(exc).__name__}: {exc}")
    return result


@dataclass(slots=True)
class HttpRoundTrip:
    ok: int = 0
    total: int = 0
    failures: list[str] = field(default_factory=list)


def reply_body(operation: Any, content: bytes) -> Any:
    """zeep's value of a reply's output body — the value the model's ``output`` field
    describes. (``process_reply`` would unwrap a one-child body a level or two; the generated
    types keep every level, so the body is read without that.) A SOAP Fault raises
    ``zeep.exceptions.Fault``."""
    message = operation.output
    if not content.strip() and message is None:  # one-way: HTTP 202, nothing to read
        return None
    root = etree.fromstring(content, parser=hardened_parser())
    fault = find_fault(root)
    if fault is not None:
        raise zeep.exceptions.Fault(fault.faultstring, code=fault.faultcode)  # type: ignore[no-untyped-call]
    if message is None or message.body is None:
        return None
    body = root.find("soap-env:Body", namespaces=message.nsmap)
    if body is None:
        raise zeep.exceptions.XMLParseError("the reply has no SOAP Body")  # type: ignore[no-untyped-call]
    return message._deserialize_body(body)["body"]


def _root_type(schema: GraphQLSchema, op: OperationModel) -> Any:
    root = schema.query_type if op.root == "query" else schema.mutation_type
    return root.fields[op.field_name].type if root is not None else None


def _post(
    http: httpx.Client, base_url: str, client: Any, op: OperationModel, ref: BindingRef, body: bytes
) -> tuple[Any, httpx.Response]:
    port = client.wsdl.services[ref.service].ports[ref.port]
    operation = port.binding.get(op.name)
    action = operation.soapaction or ""
    if isinstance(port.binding, Soap12Binding):
        headers = {"Content-Type": f'application/soap+xml; charset=utf-8; action="{action}"'}
    else:
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{action}"'}
    path = address_path((port.binding_options or {}).get("address"))
    return operation, http.post(base_url.rstrip("/") + path, content=body, headers=headers)


def http_round_trip(
    client: Any,
    model: WsdlModel,
    schema: GraphQLSchema,
    base_url: str,
    http: httpx.Client,
    *,
    items: int = 2,
) -> HttpRoundTrip:
    """Every operation on every binding over HTTP to ``base_url`` (a ``WsdlSandbox`` serving
    sample replies with ``items`` entries per list): the reply must decode, fit the SDL and
    equal the sample it was built from."""
    result = HttpRoundTrip()
    for op in model.operations:
        expected = (
            sample_output(op.output, model.objects, model.enums, items=items)
            if op.output is not None
            else None
        )
        for ref in op.bindings:
            result.total += 1
            where = f"{op.name} via {ref.port}"
            try:
                envelope = _request(client, model, op, ref)
                body = etree.tostring(envelope, xml_declaration=True, encoding="utf-8")
                operation, response = _post(http, base_url, client, op, ref, body)
                value = reply_body(operation, response.content)
            except (zeep.exceptions.Error, etree.XMLSyntaxError, httpx.HTTPError) as exc:
                result.failures.append(f"{where}: {type(exc).__name__}: {exc}")
                continue
            except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
                result.failures.append(f"{where}: {type(exc).__name__}: {exc}")
                continue
            graph = to_graphql(value, op.output, model.objects, model.enums) if op.output else None
            found = violations(graph, _root_type(schema, op)) if op.output else []
            if found:
                result.failures.append(f"{where}: does not fit the SDL: {'; '.join(found[:3])}")
            elif _canonical(graph) != _canonical(expected):
                difference = _first_difference(_canonical(expected), _canonical(graph))
                result.failures.append(f"{where}: changed on the way: {difference}")
            else:
                result.ok += 1
    return result


def _canonical(value: Any) -> Any:
    """Absent, null and [] are one here: a field the sample left out comes back null (or []
    for a list, as the SDL promises: ``conform`` checks that), and an object with nothing in
    it comes back as no object (zeep reads an empty element of a type without content as
    None)."""
    if isinstance(value, dict):
        kept = {k: c for k, v in value.items() if (c := _canonical(v)) not in (None, [])}
        return kept or None
    if isinstance(value, list):  # to_graphql drops a null item ("never [null]"): so here
        return [c for v in value if (c := _canonical(v)) is not None]
    return value


def _first_difference(sent: Any, got: Any, path: str = "") -> str:
    if isinstance(sent, dict) and isinstance(got, dict):
        for key in sorted(set(sent) | set(got)):
            if sent.get(key) != got.get(key):
                return _first_difference(sent.get(key), got.get(key), f"{path}.{key}")
    if isinstance(sent, list) and isinstance(got, list) and len(sent) == len(got):
        for i, (a, b) in enumerate(zip(sent, got, strict=True)):
            if a != b:
                return _first_difference(a, b, f"{path}[{i}]")
    if isinstance(sent, list) and isinstance(got, list):
        return f"{path or '<root>'}: sent {len(sent)} items, got {len(got)}"
    return f"{path or '<root>'}: sent {sent!r:.80}, got {got!r:.80}"
