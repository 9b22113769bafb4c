"""GraphQL SDL for an imported WSDL: object types for replies, input types for requests,
enums, custom scalars, Query fields for reads and Mutation fields for writes.

Typing rules (why): a repeated element is a list that is ``[]`` when empty and ``[item]`` with
one item, never ``null`` or ``[null]`` (``[T!]!`` on output). Singular reply fields are nullable:
minOccurs=0 and nillable both mean "may be absent", and a provider that omits a required
element should null one field, not the whole answer. On input, a required scalar or enum is
``T!``; object-typed inputs are nullable in the SDL (recursive inputs must be) and their
requiredness is enforced by ``validate``. Choice branches are all nullable.
"""

from __future__ import annotations

import json

from graphql import GraphQLSchema, assert_valid_schema, build_schema

from colonnade.wsdl_import.model import FieldModel, OperationModel, WsdlModel
from colonnade.wsdl_import.types import SCALARS, camel


def _desc(text: str, indent: str = "") -> str:
    return f"{indent}{json.dumps(text)}\n"


def output_type(f: FieldModel) -> str:
    if f.is_list:
        return f"[{f.type_name}]!" if f.nillable else f"[{f.type_name}!]!"
    return f.type_name


def input_type(f: FieldModel) -> str:
    named = f.type_name + ("Input" if f.kind == "object" else "")
    if f.is_list:
        return f"[{named}!]"
    if f.required and f.kind != "object":
        return f"{named}!"
    return named


def input_note(f: FieldModel) -> str:
    notes = [f"xml: {f.xml_name}", f"absent: {f.encoding}"]
    if f.in_choice:
        notes.append("one branch of an xs:choice")
    if f.restriction and f.restriction.facets:
        notes += [f"{k}={'|'.join(v)}" for k, v in sorted(f.restriction.facets.items())]
    return "; ".join(notes)


def reach(model: WsdlModel, roots: list[FieldModel]) -> list[str]:
    order: list[str] = []
    seen: set[str] = set()
    stack = [f.type_name for f in roots if f.kind == "object"]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        order.append(name)
        stack.extend(f.type_name for f in model.objects[name].fields if f.kind == "object")
    return sorted(order)


IDEMPOTENCY_ARG = "idempotencyKey"
"""Every mutation takes it: a retried write with the same key is sent once."""


def _args(op: OperationModel) -> str:
    args = [f"{a.name}: {input_type(a)}" for a in op.args]
    if op.root == "mutation" and IDEMPOTENCY_ARG not in {a.name for a in op.args}:
        args.append(f"{IDEMPOTENCY_ARG}: String")
    return "(" + ", ".join(args) + ")" if args else ""


def operation_note(op: OperationModel) -> str:
    """The root field's description: which SOAP operation, styles and ports answer it."""
    styles = sorted({f"{b.style} SOAP {b.soap_version}" for b in op.bindings})
    note = f"SOAP operation {op.name} ({', '.join(styles)}; ports: "
    return note + ", ".join(sorted({b.port for b in op.bindings})) + ")"


def _root_field(op: OperationModel) -> str:
    returns = output_type(op.output) if op.output else "Boolean"
    return _desc(operation_note(op), "  ") + f"  {op.field_name}{_args(op)}: {returns}\n"


def render(model: WsdlModel) -> str:
    """The SDL text; ``check`` proves graphql-core accepts it."""
    outputs = [op.output for op in model.operations if op.output is not None]
    inputs = [a for op in model.operations for a in op.args]
    out_types = reach(model, outputs)
    in_types = reach(model, inputs)
    used: set[str] = set()
    for name in set(out_types) | set(in_types):
        used.update(f.type_name for f in model.objects[name].fields)
    used.update(f.type_name for f in outputs + inputs)
    parts: list[str] = []
    for scalar in sorted(s for s in SCALARS if s in used):
        spec = SCALARS[scalar]
        parts.append(
            _desc(spec.description)
            + f"scalar {scalar} @specifiedBy(url: {json.dumps(spec.specified_by)})\n"
        )
    for enum in sorted((e for e in model.enums.values() if e.name in used), key=lambda e: e.name):
        body = "".join(
            (_desc(f"xml: {raw}", "  ") if raw != gql else "") + f"  {gql}\n"
            for gql, raw in enum.values.items()
        )
        parts.append(_desc(f"xml: {enum.qname}") + f"enum {enum.name} {{\n{body}}}\n")
    for name in out_types:
        obj = model.objects[name]
        body = "".join(f"  {f.name}: {output_type(f)}\n" for f in obj.fields)
        parts.append(_desc(f"xml: {obj.qname}") + f"type {name} {{\n{body}}}\n")
    for name in in_types:
        obj = model.objects[name]
        body = "".join(
            _desc(input_note(f), "  ") + f"  {f.name}: {input_type(f)}\n" for f in obj.fields
        )
        parts.append(_desc(f"xml: {obj.qname}") + f"input {name}Input {{\n{body}}}\n")
    queries = [op for op in model.operations if op.root == "query"]
    mutations = [op for op in model.operations if op.root == "mutation"]
    query_body = "".join(_root_field(op) for op in queries)
    if not queries:  # GraphQL needs a Query type; say what the WSDL offers instead
        query_body = (
            _desc("this WSDL's operations (all are writes)", "  ")
            + f"  {camel(model.name or 'wsdl')}Operations: [String!]!\n"
        )
    parts.append(f"type Query {{\n{query_body}}}\n")
    if mutations:
        parts.append("type Mutation {\n" + "".join(_root_field(op) for op in mutations) + "}\n")
    return "\n".join(parts)


def check(sdl: str) -> GraphQLSchema:
    """Build and validate the SDL with graphql-core (raises on any invalid schema)."""
    schema = build_schema(sdl)
    assert_valid_schema(schema)
    return schema
