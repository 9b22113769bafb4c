"""The generated Strawberry graph of every corpus entry is the schema ``sdl`` promises: the
same types, fields, arguments and nullability (descriptions aside), and it loads into the
platform's schema builder. One generator serves zero-code and owned connectors alike, so this
holds for both."""

from __future__ import annotations

import warnings
from functools import cache
from typing import Any

import pytest
from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLObjectType, GraphQLSchema
from wsdl_corpus import CORPUS, entries, needs_corpus

from colonnade.platform.graph import build_schema
from colonnade.wsdl_import import ImportReport, import_wsdl
from colonnade.wsdl_import.codegen import render_graph
from colonnade.wsdl_import.loading import load_graph
from colonnade.wsdl_import.sdl import check
from colonnade.wsdl_import.types import graphql_name

pytestmark = needs_corpus
_FEDERATION = {"_service", "_entities"}


def shape(schema: GraphQLSchema, names: list[str]) -> dict[str, Any]:
    """Each named type's kind, fields (type and arguments) or enum values."""
    out: dict[str, Any] = {}
    for name in names:
        t = schema.type_map.get(name)
        if isinstance(t, GraphQLObjectType | GraphQLInputObjectType):
            fields = {
                field_name: (
                    str(f.type),
                    {a: str(v.type) for a, v in getattr(f, "args", {}).items()},
                )
                for field_name, f in t.fields.items()
                if field_name not in _FEDERATION
            }
            out[name] = (type(t).__name__, fields)
        elif isinstance(t, GraphQLEnumType):
            out[name] = ("enum", sorted(t.values))
        else:
            out[name] = type(t).__name__ if t is not None else None
    return out


@cache
def imported(relative: str) -> ImportReport:
    path, url_map = next(
        (p, m) for p, m in entries() if p.relative_to(CORPUS).as_posix() == relative
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return import_wsdl(path, url_map, name=graphql_name(path.stem))


NAMES = [p.relative_to(CORPUS).as_posix() for p, _ in entries()]


@pytest.mark.parametrize("relative", NAMES)
def test_generated_graph_is_the_promised_schema(relative: str) -> None:
    report = imported(relative)
    if not report.ok or report.model is None:
        pytest.skip("the import fails (its report is pinned by test_wsdl_import_corpus)")
    connector = report.model.name.lower()
    part = load_graph(render_graph(report.model, connector), f"test_codegen_{connector}")
    generated = build_schema([part])._schema
    promised = check(report.sdl)
    names = sorted(
        n
        for n in promised.type_map
        if not n.startswith("__") and n not in ("String", "Int", "Float", "Boolean", "ID")
    )
    expected, got = shape(promised, names), shape(generated, names)
    assert {n: got[n] for n in names if got[n] != expected[n]} == {}
