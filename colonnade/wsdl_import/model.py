"""The WSDL as operations and types, read from zeep's loaded model (no XML parsing of our own
beyond the facets zeep drops).

Every service, port and binding is read, not only zeep's default: an operation offered by a
SOAP 1.1 and a SOAP 1.2 binding is one operation with two bindings. Arguments are the input
body's elements — exactly the keyword arguments zeep's ``create_message`` takes, for document
(wrapped or bare) and rpc alike — so the generated fields can be sent as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from lxml import etree
from zeep.wsdl.bindings.soap import Soap12Binding
from zeep.xsd import elements as xe
from zeep.xsd import types as xt
from zeep.xsd.types.any import AnyType

from colonnade.wsdl_import.anybound import bound_any
from colonnade.wsdl_import.facets import FacetIndex, Restriction
from colonnade.wsdl_import.types import (
    RESERVED_TYPE_NAMES,
    camel,
    enum_value_name,
    graphql_name,
    pascal,
    scalar_for,
)
from colonnade.xmlsafe import hardened_parser

_WSDL = "http://schemas.xmlsoap.org/wsdl/"
Kind = Literal["scalar", "enum", "object"]
RootKind = Literal["query", "mutation"]


@dataclass(slots=True)
class Problem:
    """Something in the WSDL that could not be used as it is: where, why, what to do."""

    element: str
    why: str
    todo: str

    def __str__(self) -> str:
        return f"{self.element}: {self.why} — {self.todo}"


@dataclass(slots=True)
class FieldModel:
    name: str  # GraphQL field name
    xml_name: str  # zeep's keyword for it (element/attribute attr_name)
    type_name: str
    kind: Kind
    is_list: bool = False
    min_occurs: int = 1
    nillable: bool = False
    source: Literal["element", "attribute", "value", "any"] = "element"
    in_choice: bool = False
    restriction: Restriction | None = None
    # zeep's keyword for a repeated choice this field is a branch of: zeep wants
    # ``group=[{branch: value}, ...]``; GraphQL gets one list per branch (order across
    # branches is not kept)
    group: str | None = None

    @property
    def required(self) -> bool:
        """Must be sent: present (minOccurs ≥ 1), not nil-able, not one branch of a choice."""
        return self.min_occurs >= 1 and not self.nillable and not self.in_choice

    @property
    def encoding(self) -> str:
        """How an absent input value goes on the wire: omitted, or ``xsi:nil="true"``."""
        if self.nillable:
            return "nil"
        return "omit" if self.min_occurs == 0 or self.in_choice else "required"


@dataclass(slots=True)
class ObjectModel:
    name: str
    qname: str
    fields: list[FieldModel] = field(default_factory=list)
    base: str | None = None  # the extended type's GraphQL name (fields are flattened in)


@dataclass(slots=True)
class EnumModel:
    name: str
    qname: str
    values: dict[str, str]  # GraphQL name → original XML value


@dataclass(slots=True)
class BindingRef:
    service: str
    port: str
    binding: str
    soap_version: str
    style: str


@dataclass(slots=True)
class OperationModel:
    name: str  # the WSDL operation name
    field_name: str
    root: RootKind
    args: list[FieldModel]
    output: FieldModel | None
    bindings: list[BindingRef]
    headers: list[str] = field(default_factory=list)
    input_key: str = ""


@dataclass(slots=True)
class WsdlModel:
    name: str
    operations: list[OperationModel] = field(default_factory=list)
    objects: dict[str, ObjectModel] = field(default_factory=dict)
    enums: dict[str, EnumModel] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


_READ = frozenset(
    {
        "get",
        "list",
        "find",
        "read",
        "check",
        "search",
        "query",
        "fetch",
        "retrieve",
        "lookup",
        "select",
        "count",
        "exists",
        "is",
        "has",
        "validate",
        "verify",
        "browse",
        "describe",
        "show",
        "view",
        "load",
        "calculate",
        "compute",
        "estimate",
        "ping",
        "echo",
        "test",
        "download",
    }
)
_WRITE = frozenset(
    {
        "create",
        "update",
        "delete",
        "set",
        "post",
        "cancel",
        "add",
        "remove",
        "insert",
        "modify",
        "change",
        "save",
        "submit",
        "send",
        "put",
        "register",
        "unregister",
        "approve",
        "reject",
        "release",
        "confirm",
        "execute",
        "do",
        "process",
        "start",
        "stop",
        "assign",
        "upload",
        "import",
        "move",
        "copy",
        "lock",
        "unlock",
        "reset",
        "book",
        "reserve",
        "close",
        "open",
        "make",
        "write",
        "commit",
        "rollback",
        "refund",
        "capture",
        "void",
        "transfer",
    }
)


# Verbs long or distinctive enough to be found at the start of a run-together word ("add"
# would take "address" for a write, "is" "issue" for a read).
_READ_PREFIXES = ("get", "list", "find", "read", "search", "display", "check", "query", "fetch")
_WRITE_PREFIXES = ("create", "change", "delete", "update", "save", "insert", "modify", "cancel")


def _words(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [w.lower() for w in re.split(r"[^A-Za-z0-9]+|\s+", spaced) if w]


def classify(operation: str, overrides: dict[str, RootKind] | None = None) -> RootKind:
    """Query or mutation: the override map first, then the operation's verb. The first verb
    found wins; with none, a mutation — an unknown operation may write, and a query field
    would be cached and retried as if it could not."""
    if overrides and operation in overrides:
        return overrides[operation]
    for word in _words(operation):
        if word in _READ:
            return "query"
        if word in _WRITE:
            return "mutation"
        # SAP runs its verbs into one word (BAPI_SALESORDER_GETLIST, …_CREATEFROMDAT2)
        if any(word.startswith(v) for v in _READ_PREFIXES):
            return "query"
        if any(word.startswith(v) for v in _WRITE_PREFIXES):
            return "mutation"
    return "mutation"


def _qname_str(qname: Any) -> str:
    return str(qname.text) if hasattr(qname, "text") else str(qname or "")


def _ns_token(qname: str) -> str:
    ns = qname[1:].split("}", 1)[0] if qname.startswith("{") else ""
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", ns) if p and p not in ("http", "https", "www")]
    return pascal(parts[-1]) if parts else "NoNs"


class _Builder:
    def __init__(self, name: str, facets: FacetIndex, prefix: str) -> None:
        self.model = WsdlModel(name)
        self.facets = facets
        self.prefix = prefix
        self._by_id: dict[object, str] = {}
        self._enum_by_qname: dict[str, str] = {}
        self._used: set[str] = set(RESERVED_TYPE_NAMES)

    # -- names ---------------------------------------------------------------------------
    def _unique_type_name(self, qname: str, local: str) -> str:
        """Deterministic: the plain name first, then the namespace's last segment, then a
        number — so two ``Address`` types from two namespaces never merge."""
        base = self.prefix + pascal(local or "Anonymous")
        candidates = [base, f"{base}_{_ns_token(qname)}"]
        candidates += [f"{base}_{i}" for i in range(2, 10_000)]
        for candidate in candidates:
            if candidate not in self._used and f"{candidate}Input" not in self._used:
                self._used.update((candidate, f"{candidate}Input"))
                return candidate
        raise AssertionError("unreachable")

    # -- types ---------------------------------------------------------------------------
    def type_ref(self, xsd_type: Any) -> tuple[Kind, str, Restriction | None, bool]:
        """(kind, GraphQL type name, restriction, is an xs:list) for a zeep type."""
        if isinstance(xsd_type, xt.ComplexType):
            array = getattr(xsd_type, "_array_type", None)  # SOAP-encoded array: a list
            item = getattr(array, "array_type", None) if array is not None else None
            if isinstance(item, xt.Type) and item is not xsd_type:
                _may_be_empty(xsd_type)
                if getattr(item, "_array_type", None) is not None:
                    # an array of arrays: GraphQL lists of lists would need a type per depth;
                    # JSON keeps every dimension
                    return "scalar", "JSON", None, False
                kind, name, restriction, _ = self.type_ref(item)
                return kind, name, restriction, True
            return "object", self.object(xsd_type), None, False
        if isinstance(xsd_type, AnyType) and not isinstance(xsd_type, xt.AnySimpleType):
            return "scalar", "JSON", None, False
        if isinstance(xsd_type, xt.ListType):
            kind, name, restriction, _ = self.type_ref(xsd_type.item_type)
            return kind, name, restriction, True
        if isinstance(xsd_type, xt.UnionType):
            # zeep reads a union as the built-in its members share (EWS's int-or-int
            # ReminderMinutesBeforeStartType is an int), else as the text sent
            shared = getattr(xsd_type, "item_class", None)
            return "scalar", scalar_for(shared()) if shared else "String", None, False
        scalar = scalar_for(xsd_type)
        qname = _qname_str(getattr(xsd_type, "qname", None))
        restriction = self.facets.get(qname) if qname else None
        if restriction and restriction.enumeration and scalar == "String":
            return "enum", self.enum(qname, restriction), restriction, False
        return "scalar", scalar, restriction, False

    def enum(self, qname: str, restriction: Restriction) -> str:
        if qname in self._enum_by_qname:
            return self._enum_by_qname[qname]
        name = self._unique_type_name(qname, qname.rsplit("}", 1)[-1])
        values: dict[str, str] = {}
        for raw in restriction.enumeration:
            if raw in values.values():
                continue
            candidate, n = enum_value_name(raw), 2
            while candidate in values:  # "A-B" and "A_B" both sanitize to A_B
                candidate, n = graphql_name(f"{enum_value_name(raw)}_{n}"), n + 1
            values[candidate] = raw
        self._enum_by_qname[qname] = name
        self.model.enums[name] = EnumModel(name, qname, values)
        return name

    def object(self, xsd_type: Any) -> str:
        # A global type is one type wherever zeep cloned it (extension copies instances);
        # an anonymous one is itself only.
        key: object = _qname_str(xsd_type.qname) if xsd_type.is_global else id(xsd_type)
        if key in self._by_id:  # recursion and reuse end here
            return self._by_id[key]
        qname = _qname_str(xsd_type.qname)
        name = self._unique_type_name(qname, qname.rsplit("}", 1)[-1] or type(xsd_type).__name__)
        self._by_id[key] = name
        obj = ObjectModel(name, qname)
        self.model.objects[name] = obj
        extension = getattr(xsd_type, "_extension", None)
        if extension is None and getattr(xsd_type, "_extension_types", None):
            # zeep's resolved (merged) copy keeps its base only as the accepted value classes
            extension = getattr(xsd_type._extension_types[0], "_xsd_type", None)
        if isinstance(extension, xt.ComplexType):
            obj.base = self.object(extension)
        obj.fields = self._fields_of(xsd_type, qname)
        return name

    def _fields_of(self, xsd_type: Any, owner: str) -> list[FieldModel]:
        fields: list[FieldModel] = []
        for attr_name, particle in xsd_type.elements_nested:
            fields.extend(self._particle(attr_name, particle, False, False, owner))
        for attr_name, attribute in xsd_type.attributes:
            if not hasattr(attribute, "type") or attribute.type is None:
                continue  # anyAttribute: no name to give a field
            kind, tname, restriction, xs_list = self.type_ref(attribute.type)
            fields.append(
                FieldModel(
                    graphql_name(attr_name),
                    attr_name,
                    tname,
                    kind,
                    is_list=xs_list,
                    min_occurs=1 if getattr(attribute, "required", False) else 0,
                    source="attribute",
                    restriction=restriction,
                )
            )
        fields = _dedupe(fields)
        return fields or [FieldModel("_empty", "", "Boolean", "scalar", min_occurs=0)]

    def _particle(
        self, attr_name: str, particle: Any, in_choice: bool, in_list: bool, owner: str
    ) -> list[FieldModel]:
        many = in_list or _many(getattr(particle, "max_occurs", 1))
        if isinstance(particle, xe.Any):
            return [
                FieldModel(
                    "any" if attr_name.startswith("_value") else graphql_name(attr_name),
                    attr_name,
                    "JSON",
                    "scalar",
                    is_list=many,
                    min_occurs=particle.min_occurs,
                    source="any",
                    in_choice=in_choice,
                )
            ]
        if isinstance(particle, xe.Element):
            kind, tname, restriction, xs_list = self.type_ref(particle.type)
            simple_content = attr_name == "_value_1" and particle.name == "_value_1"
            return [
                FieldModel(
                    "value" if simple_content else graphql_name(particle.attr_name),
                    particle.attr_name,
                    tname,
                    kind,
                    is_list=many or xs_list,
                    min_occurs=particle.min_occurs,
                    nillable=bool(particle.nillable),
                    source="value" if simple_content else "element",
                    in_choice=in_choice,
                    restriction=restriction,
                )
            ]
        if isinstance(particle, xe.Group):
            return self._particle(attr_name, particle.child, in_choice, many, owner)
        if isinstance(particle, xe.Choice | xe.Sequence | xe.All):
            if isinstance(particle, xe.Sequence):
                bound_any(particle)  # an xs:any followed by elements: zeep would swallow them
            choice = in_choice or isinstance(particle, xe.Choice)
            out: list[FieldModel] = []
            for child in particle:
                child_name = getattr(child, "attr_name", attr_name)
                out.extend(self._particle(child_name, child, choice, many, owner))
            if isinstance(particle, xe.Choice) and _many(particle.max_occurs):
                for f in out:
                    f.group = f.group or attr_name
            return out
        self.model.problems.append(
            Problem(
                f"{owner} / {attr_name}",
                f"an XSD particle of kind {type(particle).__name__} is not mapped",
                "it is left out of the GraphQL type; map it by hand in the owned connector",
            )
        )
        return []

    # -- operations ----------------------------------------------------------------------
    def operations(
        self, client: Any, only: set[str] | None, overrides: dict[str, RootKind] | None
    ) -> None:
        seen: dict[str, OperationModel] = {}
        encoded = encoded_operations(client)
        for service_name, service in client.wsdl.services.items():
            for port_name, port in service.ports.items():
                binding = port.binding
                version = "1.2" if isinstance(binding, Soap12Binding) else "1.1"
                for op_name, op in binding._operations.items():
                    if only is not None and op_name not in only:
                        continue
                    ref = BindingRef(
                        service_name,
                        port_name,
                        _qname_str(binding.name),
                        version,
                        _style(op, (binding.name.localname, op_name) in encoded),
                    )
                    in_body = getattr(op.input, "body", None)
                    out_body = getattr(op.output, "body", None) if op.output else None
                    key = f"{op_name}|{_type_key(in_body)}|{_type_key(out_body)}"
                    existing = seen.get(key)
                    if existing is not None:
                        existing.bindings.append(ref)
                        continue
                    field_name = (
                        camel(self.prefix + pascal(op_name)) if self.prefix else camel(op_name)
                    )
                    if any(o.field_name == field_name for o in seen.values()):
                        field_name = f"{field_name}_{graphql_name(port_name)}"
                    try:
                        model = OperationModel(
                            op_name,
                            field_name,
                            classify(op_name, overrides),
                            self._args(in_body, op_name),
                            self._output(out_body),
                            [ref],
                            _headers(op),
                            key,
                        )
                    except (AttributeError, TypeError, ValueError, KeyError) as exc:
                        self.model.problems.append(
                            Problem(
                                f"operation {op_name} (port {port_name})",
                                f"its messages could not be read: {type(exc).__name__}: {exc}",
                                "the operation is left out; fix the WSDL's message or map it "
                                "by hand in the owned connector",
                            )
                        )
                        continue
                    if any(a.xml_name == "self" for a in model.args if a.source != "value"):
                        self.model.problems.append(
                            Problem(
                                f"operation {op_name} (port {port_name})",
                                "its request has a top-level element named `self`, which zeep "
                                "cannot take as a keyword (its own methods' first parameter)",
                                "the operation is left out; map it by hand in the owned "
                                "connector (zeep takes the value positionally)",
                            )
                        )
                        continue
                    seen[key] = model
        self.model.operations = list(seen.values())

    def _args(self, body: Any, op_name: str) -> list[FieldModel]:
        args = self._body_args(body, op_name)
        names = {a.name for a in args}
        for a in args:  # Strawberry's resolvers take these two themselves
            while a.name in _RESOLVER_PARAMETERS:
                a.name += "_"
                while a.name in names:
                    a.name += "_"
            names.add(a.name)
        return args

    def _body_args(self, body: Any, op_name: str) -> list[FieldModel]:
        if body is None:
            return []
        if isinstance(body.type, xt.ComplexType):
            return [f for f in self._fields_of(body.type, op_name) if f.name != "_empty"]
        kind, tname, restriction, xs_list = self.type_ref(body.type)
        return [
            FieldModel(
                graphql_name(body.attr_name),
                body.attr_name,
                tname,
                kind,
                xs_list,
                1,
                source="value",  # a bare body of simple type: zeep takes it positionally
                restriction=restriction,
            )
        ]

    def _output(self, body: Any) -> FieldModel | None:
        if body is None:
            return None
        kind, tname, _, xs_list = self.type_ref(body.type)
        return FieldModel(graphql_name(body.attr_name), body.attr_name, tname, kind, xs_list, 0)


def _may_be_empty(array: Any) -> None:
    """A SOAP-ENC:Array may have no items (soap-encoding.xsd: minOccurs 0), but the xs:any
    zeep makes for its items requires one: zeep could neither write nor accept an empty
    array, nor any tree of arrays (Omniture's classifications). Its own Any is relaxed."""
    for _, particle in array.elements_nested:
        for child in particle if isinstance(particle, xe.Sequence) else []:
            if isinstance(child, xe.Any) and child.restrict is not None:
                child.min_occurs = 0


_RESOLVER_PARAMETERS = frozenset({"info", "_source"})
"""Root field arguments cannot have these GraphQL names (Strawberry passes its own)."""


def _many(max_occurs: Any) -> bool:
    return max_occurs == "unbounded" or (isinstance(max_occurs, int) and max_occurs > 1)


def _type_key(body: Any) -> str:
    if body is None:
        return "-"
    return _qname_str(getattr(body, "qname", None)) + "/" + _qname_str(body.type.qname)


def encoded_operations(client: Any) -> set[tuple[str, str]]:
    """(binding name, operation) pairs whose input is ``use="encoded"``: zeep keeps no trace
    of ``use`` once resolved, so it is read from the WSDL documents zeep loaded."""
    found: set[tuple[str, str]] = set()
    for definition in getattr(client.wsdl, "_definitions", {}).values():
        try:
            document = client.transport.load(definition.location)
            root = etree.fromstring(document, parser=hardened_parser())
        except Exception:  # noqa: BLE001, S112 - a document zeep read but we cannot: literal
            continue
        for binding in root.iter(f"{{{_WSDL}}}binding"):
            for operation in binding.iter(f"{{{_WSDL}}}operation"):
                uses = {
                    b.get("use") for b in operation.iter() if etree.QName(b).localname == "body"
                }
                if "encoded" in uses:
                    found.add((str(binding.get("name")), str(operation.get("name"))))
    return found


def _style(op: Any, encoded: bool = False) -> str:
    style = str(op.style or "document")
    use = "encoded" if encoded else "literal"
    body = getattr(op.input, "body", None)
    if style == "document":  # wrapped: one body element named after the operation
        wrapped = body is not None and getattr(body, "name", None) == op.name
        return f"document/literal {'wrapped' if wrapped else 'bare'}"
    return f"{style}/{use}"


def _headers(op: Any) -> list[str]:
    header = getattr(op.input, "header", None)
    if header is None or not isinstance(header.type, xt.ComplexType):
        return []
    return [name for name, _ in header.type.elements]


def _dedupe(fields: list[FieldModel]) -> list[FieldModel]:
    """An attribute and an element of one name (``id`` and ``@id``) both stay, renamed."""
    seen: set[str] = set()
    for item in fields:
        name, n = item.name, 2
        if name in seen and item.source == "attribute":
            name = f"{item.name}_attr"
        while name in seen:
            name, n = graphql_name(f"{item.name}_{n}"), n + 1
        item.name = name
        seen.add(name)
    return fields


def build_model(
    client: Any,
    facets: FacetIndex,
    *,
    name: str,
    operations: set[str] | None = None,
    overrides: dict[str, RootKind] | None = None,
) -> WsdlModel:
    """Read every service/port/binding's operations and the XSD types they reach."""
    builder = _Builder(name, facets, pascal(name) if name else "")
    builder.operations(client, operations, overrides)
    return builder.model
