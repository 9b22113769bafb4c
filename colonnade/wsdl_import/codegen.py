"""The graph of an imported WSDL as Python source: Strawberry types, inputs and enums, the
mapping of replies into them, and one root field per operation.

One generator serves both ways of importing. ``colonnade import wsdl`` writes this source into
a connector package a team reviews, edits and keeps; a connector configured with only a WSDL
runs the very same source at start-up (``plugin``). So the zero-code graph is exactly the one
the owned package starts from, and a test of one is a test of the other.

The types follow ``sdl``'s rules (a test compares the two schemas): repeated elements are
``[T!]!`` on output (``[]`` when empty), singular reply fields are nullable, required input
scalars are ``T!``. GraphQL names are kept exactly (``strawberry.field(name=...)``); a Python
name differs only where the GraphQL one is reserved (``python_name``). Nothing from the WSDL
reaches the source but sanitized GraphQL names and ``repr``s of its texts.
"""

from __future__ import annotations

import builtins
import keyword
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from colonnade.wsdl_import.model import (
    EnumModel,
    FieldModel,
    ObjectModel,
    OperationModel,
    WsdlModel,
)
from colonnade.wsdl_import.sdl import (
    IDEMPOTENCY_ARG,
    input_note,
    input_type,
    operation_note,
    reach,
)
from colonnade.wsdl_import.types import camel

if TYPE_CHECKING:
    from colonnade.wsdl_import.batching import BatchSpec

_PY_SCALARS = {
    "String": "str",
    "Int": "int",
    "Float": "float",
    "Boolean": "bool",
    "Decimal": "Decimal",
    "Date": "date",
    "DateTime": "datetime",
    **{s: s for s in ("Long", "Time", "Duration", "Base64", "HexBinary", "JSON")},
}
_CUSTOM_SCALARS = ("JSON", "Base64", "Duration", "HexBinary", "Long", "Time")
_RUNTIME = ("date_of", "datetime_of", "enum_of", "many", "one", "read", "read_key", "write")
_GLOBALS = frozenset(
    {
        *_PY_SCALARS.values(),
        *_RUNTIME,
        "Annotated",
        "Any",
        "CONNECTOR",
        "SOURCE",
        "GRAPH",
        "GraphPart",
        "Info",
        "Mapping",
        "Mutation",
        "Query",
        "SCALAR_MAP",
        "cost",
        "enum",
        "requires",
        "strawberry",
    }
)
_UNSAFE_MEMBERS = frozenset({"name", "value", "mro"})
_RESERVED = frozenset(
    {
        *keyword.kwlist,
        *dir(builtins),  # str, list, ... are called in generated bodies
        *_GLOBALS,
        *_RUNTIME,
        "self",
        "info",
        "cls",
        "key",
        "value",
        "v",
        "x",
    }
)
"""Names a generated identifier never takes: Python's, the module's globals and the locals the
generated bodies use — a request element named ``read`` or ``strawberry`` would otherwise
shadow what the code calls."""


def python_name(graphql: str, *, taken: set[str] | None = None) -> str:
    """The Python name for a GraphQL name: the same, unless it is reserved or (``taken``)
    already used in the same scope; then ``_`` is appended. ``taken`` is updated."""
    name = graphql
    while name in _RESERVED or (taken is not None and name in taken):
        name += "_"
    if taken is not None:
        taken.add(name)
    return name


def text(value: str, width: int = 56) -> str:
    """A string literal that keeps generated lines short: long text becomes adjacent
    literals in parentheses (split between words), which a formatter lays out one per line."""
    if len(value) <= width:
        return repr(value)
    chunks, current = [], ""
    for word in re.split(r"(?<= )", value):
        if current and len(current) + len(word) > width:
            chunks.append(current)
            current = ""
        current += word
    chunks.append(current)
    return "(" + " ".join(repr(c) for c in chunks) + ")"


def class_name(type_name: str) -> str:
    """A generated class's Python name (GraphQL names are ``[_A-Za-z][_0-9A-Za-z]*``)."""
    name = type_name
    while name in _RESERVED:
        name += "_"
    return name


class _Writer:
    def __init__(self, model: WsdlModel, connector: str, batches: Mapping[str, BatchSpec]) -> None:
        self.model = model
        self.connector = connector
        self.batches = batches
        self.used: set[str] = set()  # names this module must import
        self.classes = {
            class_name(n)
            for n in (*model.objects, *(f"{o}Input" for o in model.objects), *model.enums)
        }
        """Every class this module may define: no field or parameter takes one's name."""

    # -- annotations ---------------------------------------------------------------------
    def _named(self, f: FieldModel, *, input_: bool) -> str:
        if f.kind == "object":
            return class_name(f.type_name + ("Input" if input_ else ""))
        if f.kind == "enum":
            return class_name(f.type_name)
        py = _PY_SCALARS.get(f.type_name, "str")
        self.used.add(py)
        return py

    def output_annotation(self, f: FieldModel) -> str:
        named = self._named(f, input_=False)
        if f.is_list:
            return f"list[{named} | None]" if f.nillable else f"list[{named}]"
        return f"{named} | None"

    def input_annotation(self, f: FieldModel) -> tuple[str, bool]:
        """(annotation, optional): an optional one defaults to UNSET (absent on the wire)."""
        named = self._named(f, input_=True)
        sdl = input_type(f)
        if f.is_list:
            return f"list[{named}] | None", True
        if sdl.endswith("!"):
            return named, False
        return f"{named} | None", True

    # -- reply mapping -------------------------------------------------------------------
    def convert(self, f: FieldModel, value: str) -> str:
        """The expression mapping ``value`` (the connector's plain value) into the type."""
        if f.kind == "object":
            self.used.add("many" if f.is_list else "one")
            fn = f"_of_{class_name(f.type_name)}"
            return f"many({fn}, {value})" if f.is_list else f"one({fn}, {value})"
        if f.kind == "enum":
            self.used.add("enum_of")
            cls = class_name(f.type_name)
            if f.is_list:
                return f"[enum_of(CONNECTOR, {cls}, x) for x in {value} or ()]"
            return f"enum_of(CONNECTOR, {cls}, {value})"
        if f.type_name in ("Date", "DateTime"):
            fn = "date_of" if f.type_name == "Date" else "datetime_of"
            self.used.add(fn)
            if f.is_list:
                return f"[{fn}(CONNECTOR, x) for x in {value} or ()]"
            return f"{fn}(CONNECTOR, {value})"
        return f"list({value} or ())" if f.is_list else value

    # -- declarations --------------------------------------------------------------------
    def enum(self, enum: EnumModel) -> str:
        lines = [
            f"@strawberry.enum(name={enum.name!r}, description={text('xml: ' + enum.qname)})",
            f"class {class_name(enum.name)}(enum.Enum):",
        ]
        members: set[str] = set()
        for i, (gql, raw) in enumerate(enum.values.items()):
            safe = (
                gql.isidentifier()
                and not gql.startswith("_")
                and gql not in _UNSAFE_MEMBERS
                and gql not in _RESERVED
                and gql not in members
            )
            if safe and raw == gql:
                members.add(gql)
                lines.append(f"    {gql} = {raw!r}")
                continue
            member = gql if safe else python_name(f"V{i}", taken=members | set(enum.values))
            members.add(member)
            lines.append(
                f"    {member} = strawberry.enum_value({raw!r}, name={gql!r}, "
                f"description={text('xml: ' + raw)})"
            )
        return "\n".join(lines) + "\n"

    def output_type(self, obj: ObjectModel) -> str:
        cls = class_name(obj.name)
        lines = [
            f"@strawberry.type(name={obj.name!r}, description={text('xml: ' + obj.qname)})",
            f"class {cls}:",
        ]
        convert = []
        self.used.add("Mapping")
        taken = set(self.classes)
        for f in obj.fields:
            py = python_name(f.name, taken=taken)
            note = f"xml: {f.xml_name}" if f.xml_name else "the XML type has no content"
            lines.append(
                f"    {py}: {self.output_annotation(f)} = strawberry.field("
                f"name={f.name!r}, description={text(note)})"
            )
            convert.append(f"        {py}={self.convert(f, f'v.get({f.name!r})')},")
        mapping = [
            "",
            "",
            f"def _of_{cls}(v: Mapping[str, Any]) -> {cls}:",
            f"    return {cls}(",
            *convert,
            "    )",
        ]
        return "\n".join(lines + mapping) + "\n"

    def input_type(self, obj: ObjectModel) -> str:
        name = obj.name + "Input"
        lines = [
            f"@strawberry.input(name={name!r}, description={text('xml: ' + obj.qname)})",
            f"class {class_name(name)}:",
        ]
        taken = set(self.classes)
        for f in obj.fields:
            annotation, optional = self.input_annotation(f)
            default = ", default=strawberry.UNSET" if optional else ""
            lines.append(
                f"    {python_name(f.name, taken=taken)}: {annotation} = strawberry.field("
                f"name={f.name!r}, description={text(input_note(f))}{default})"
            )
        return "\n".join(lines) + "\n"

    # -- root fields ---------------------------------------------------------------------
    def root_value(self, output: FieldModel) -> str:
        """A reply that came back is an object even when its element was empty (a void
        answer such as ``<addUserResponse/>``): ``{}``, never ``null``, which means failure."""
        if output.kind == "object" and not output.is_list:
            return f"_of_{class_name(output.type_name)}(value or {{}})"
        return self.convert(output, "value")

    def root_field(self, op: OperationModel) -> str:
        mutation = op.root == "mutation"
        taken = set(self.classes)
        params: list[tuple[str, str, bool]] = []
        call_args: list[str] = []
        for a in op.args:
            annotation, optional = self.input_annotation(a)
            py = python_name(a.name, taken=taken)
            argument = f"strawberry.argument(name={a.name!r}, description={text(input_note(a))})"
            params.append((py, f"Annotated[{annotation}, {argument}]", optional))
            call_args.append(f"{a.name!r}: {py}")
        key = None
        if mutation and IDEMPOTENCY_ARG not in {a.name for a in op.args}:
            key = python_name("idempotency_key", taken=taken)
            note = text(
                "Sent again with the same key, the write is not repeated: the first answer "
                "is returned."
            )
            argument = f'strawberry.argument(name="{IDEMPOTENCY_ARG}", description={note})'
            params.append((key, f"Annotated[str | None, {argument}]", True))
        ordered = [p for p in params if not p[2]] + [p for p in params if p[2]]
        if ordered:
            self.used.add("Annotated")
        signature = ", ".join(
            ["self", "info: Info[Any, Any]"]
            + [f"{py}: {ann}" + (" = None" if opt else "") for py, ann, opt in ordered]
        )
        returns = self.output_annotation(op.output) if op.output else "bool | None"
        scope = f"{self.connector}:{'write' if mutation else 'read'}"
        payload = "{" + ", ".join(call_args) + "}"
        self.used.add("write" if mutation else "read")
        if mutation:
            call = f"await write(info, CONNECTOR, {op.name!r}, {payload}, {key or 'None'})"
        else:
            call = f"await read(info, CONNECTOR, {op.name!r}, {payload})"
        body = (
            [f"        value = {call}", f"        return {self.root_value(op.output)}"]
            if op.output
            else [f"        {call}", "        return True"]
        )
        return "\n".join(
            [
                "    @strawberry.field(",
                f"        name={op.field_name!r},",
                f"        description={text(operation_note(op))},",
                f"        extensions=[requires({scope!r})],",
                "        directives=cost(1),",
                "    )",
                f"    async def {python_name(op.field_name)}({signature}) -> {returns}:",
                *body,
            ]
        )

    def by_key_field(self, op: OperationModel, spec: BatchSpec) -> str:
        """``<field>ByKey(key:)``: one key's records; the fields of one request asking for
        keys of the same operation become one upstream call (a DataLoader)."""
        record = spec.records[-1] if spec.records else op.output
        assert record is not None
        records = replace(record, is_list=True, nillable=False)
        key_type = self._named(spec.key_field, input_=True)
        params = [f'key: Annotated[{key_type}, strawberry.argument(name="key")]']
        rest = []
        taken = set(self.classes)
        for a in op.args:
            if a.name == spec.keys[0].name:
                continue
            annotation, _ = self.input_annotation(a)
            py = python_name(a.name, taken=taken)
            argument = f"strawberry.argument(name={a.name!r}, description={text(input_note(a))})"
            params.append(
                f"{py}: Annotated[{annotation.removesuffix(' | None')} | None, {argument}] = None"
            )
            rest.append(f"{a.name!r}: {py}")
        self.used.update({"read_key", "Annotated"})
        field = op.field_name + "ByKey"
        description = (
            f"The records of one key ({spec.match_path}) from SOAP operation {op.name}; "
            "the keys one request asks for are sent in one call"
        )
        call = f"await read_key(info, CONNECTOR, {op.name!r}, str(key), {{{', '.join(rest)}}})"
        signature = ", ".join(["self", "info: Info[Any, Any]", *params])
        return "\n".join(
            [
                "    @strawberry.field(",
                f"        name={field!r},",
                f"        description={text(description)},",
                f"        extensions=[requires({self.connector + ':read'!r})],",
                "        directives=cost(1),",
                "    )",
                f"    async def {python_name(field)}({signature}) -> "
                f"{self.output_annotation(records)}:",
                f"        value = {call}",
                f"        return {self.convert(records, 'value')}",
            ]
        )

    def roots(self) -> str:
        queries = [op for op in self.model.operations if op.root == "query"]
        mutations = [op for op in self.model.operations if op.root == "mutation"]
        prefix = self.model.name or self.connector
        out = [f"@strawberry.type(name={prefix + 'Query'!r})", "class Query:"]
        if queries:
            fields = [self.root_field(op) for op in queries]
            fields += [
                self.by_key_field(op, self.batches[op.name])
                for op in queries
                if op.name in self.batches
            ]
            out += ["\n\n".join(fields)]
        else:  # GraphQL needs a query field: say what the WSDL offers instead
            field = camel(prefix) + "Operations"
            names = [op.name for op in self.model.operations]
            out += [
                f"    @strawberry.field(name={field!r}, "
                'description="this WSDL\'s operations (all are writes)")',
                f"    def {python_name(field)}(self) -> list[str]:",
                f"        return {names!r}",
            ]
        text = "\n".join(out) + "\n"
        if mutations:
            text += (
                "\n\n"
                + "\n".join(
                    [
                        f"@strawberry.type(name={prefix + 'Mutation'!r})",
                        "class Mutation:",
                        "\n\n".join(self.root_field(op) for op in mutations),
                    ]
                )
                + "\n"
            )
        return text


def render_graph(
    model: WsdlModel,
    connector: str,
    *,
    source: str = "",
    batches: Mapping[str, BatchSpec] | None = None,
) -> str:
    """The module's source: ``GRAPH`` (a ``GraphPart``) and the types it serves; each
    operation in ``batches`` also gets its ``…ByKey`` field."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", connector):
        raise ValueError(f"{connector!r} is not a connector name")
    writer = _Writer(model, connector, batches or {})
    outputs = [op.output for op in model.operations if op.output is not None]
    inputs = [a for op in model.operations for a in op.args]
    out_types = reach(model, outputs)
    in_types = reach(model, inputs)
    used_enums = {
        f.type_name
        for name in {*out_types, *in_types}
        for f in model.objects[name].fields
        if f.kind == "enum"
    } | {f.type_name for f in outputs + inputs if f.kind == "enum"}
    blocks = [writer.enum(model.enums[name]) for name in sorted(used_enums)]
    blocks += [writer.output_type(model.objects[name]) for name in out_types]
    blocks += [writer.input_type(model.objects[name]) for name in in_types]
    blocks.append(writer.roots())
    mutations = any(op.root == "mutation" for op in model.operations)
    scalars = ", scalars=SCALAR_MAP" if writer.used & set(_CUSTOM_SCALARS) - {"JSON"} else ""
    blocks.append(
        f"GRAPH = GraphPart(name={('wsdl:' + connector)!r}, query=Query"
        + (", mutation=Mutation" if mutations else "")
        + f"{scalars})\n"
    )
    return _header(writer.used, connector, source, bool(used_enums)) + "\n\n".join(blocks)


def _header(used: set[str], connector: str, source: str, enums: bool) -> str:
    lines = [
        f'"""The {connector} SOAP service as GraphQL, generated by ``colonnade import wsdl``.',
        "",
        "Its types (replies), inputs (requests), enums and one root field per operation. It is",
        "yours to edit (rename, describe, drop what no client needs): the mapping functions",
        "beside each type say how a reply fills it.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
    ]
    if enums:
        lines.append("import enum")
    if "Mapping" in used:
        lines.append("from collections.abc import Mapping")
    if "date" in used or "datetime" in used:
        names = ", ".join(n for n in ("date", "datetime") if n in used)
        lines.append(f"from datetime import {names}")
    if "Decimal" in used:
        lines.append("from decimal import Decimal")
    lines.append(f"from typing import {'Annotated, ' if 'Annotated' in used else ''}Any")
    lines += ["", "import strawberry", "from strawberry.types import Info", ""]
    lines.append("from colonnade import GraphPart, cost, requires")
    runtime = sorted(n for n in _RUNTIME if n in used)
    if runtime:
        lines.append(f"from colonnade.wsdl_import.resolve import {', '.join(runtime)}")
    custom = sorted(s for s in _CUSTOM_SCALARS if s in used and s != "JSON")
    constants = (["JSON"] if "JSON" in used else []) + (["SCALAR_MAP"] if custom else [])
    if constants or custom:  # ruff's order: constants, then classes
        names = ", ".join(constants + custom)
        lines.append(f"from colonnade.wsdl_import.scalars import {names}")
    lines += ["", f"CONNECTOR = {connector!r}"]
    if source:
        lines.append(f"SOURCE = {source!r}  # the WSDL this was generated from")
    lines += ["", ""]
    return "\n".join(lines)
