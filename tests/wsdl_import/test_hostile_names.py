"""WSDL names and texts chosen to break a code generator: Python keywords and builtins, the
generated module's own globals and locals, names equal once made Python-safe, enum values
with quotes, backslashes and triple quotes, a file name that is a Python expression. The
generated graph must load, serve every field, and run no WSDL text as code."""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path
from typing import Any

from support import zero_code_wsdl

from colonnade.platform.graph import build_schema
from colonnade.wsdl_import import import_wsdl
from colonnade.wsdl_import.codegen import render_graph
from colonnade.wsdl_import.loading import load_graph
from colonnade.wsdl_import.package import write_package
from colonnade.wsdl_import.types import graphql_name

NAMES = [
    "strawberry", "read", "write", "read_key", "class", "class_", "str", "info",
    "value", "key", "v", "x", "None", "GRAPH", "CONNECTOR", "Query", "__init__", "list",
    "date", "Decimal", "enum", "Mapping", "many", "one",
]  # fmt: skip
VALUES = [
    "strawberry", "dark-red", "V1_", "V1", "a'b", 'tri"""ple', "back\\slash", "ünï", "name",
    "value", "mro", "_sunder_", "None",
]  # fmt: skip


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def wsdl_text() -> str:
    elements = "".join(f'<xs:element name="{n}" type="xs:string"/>' for n in NAMES)
    values = "".join(f'<xs:enumeration value="{_escape(v)}"/>' for v in VALUES)
    return f"""<?xml version="1.0"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:tns="urn:hostile" targetNamespace="urn:hostile">
  <types><xs:schema targetNamespace="urn:hostile" elementFormDefault="qualified">
    <xs:simpleType name="strawberry"><xs:restriction base="xs:string">{values}</xs:restriction></xs:simpleType>
    <xs:complexType name="GRAPH"><xs:sequence>{elements}
      <xs:element name="colour" type="tns:strawberry" maxOccurs="unbounded"/>
      <xs:element name="child" type="tns:GRAPH" minOccurs="0"/></xs:sequence></xs:complexType>
    <xs:element name="read"><xs:complexType><xs:sequence>{elements}
      <xs:element name="colour" type="tns:strawberry"/></xs:sequence></xs:complexType></xs:element>
    <xs:element name="readResponse"><xs:complexType><xs:sequence>
      <xs:element name="GRAPH" type="tns:GRAPH"/></xs:sequence></xs:complexType></xs:element>
  </xs:schema></types>
  <message name="In"><part name="p" element="tns:read"/></message>
  <message name="Out"><part name="p" element="tns:readResponse"/></message>
  <portType name="P">
    <operation name="read"><input message="tns:In"/><output message="tns:Out"/></operation>
    <operation name="write"><input message="tns:In"/><output message="tns:Out"/></operation>
  </portType>
  <binding name="B" type="tns:P"><soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="read"><soap:operation soapAction="read"/><input><soap:body use="literal"/></input><output><soap:body use="literal"/></output></operation>
    <operation name="write"><soap:operation soapAction="write"/><input><soap:body use="literal"/></input><output><soap:body use="literal"/></output></operation>
  </binding>
  <service name="S"><port name="Port" binding="tns:B"><soap:address location="http://127.0.0.1:9/h"/></port></service>
</definitions>
"""


def _arg(name: str) -> str:
    return "info_" if name == "info" else graphql_name(name)


def _wsdl(tmp_path: Path, file_name: str = "hostile.wsdl") -> Path:
    path = tmp_path / file_name
    path.write_text(wsdl_text())
    return path


def test_the_generated_graph_loads_with_every_name_kept(tmp_path: Path) -> None:
    report = import_wsdl(_wsdl(tmp_path), name="hostile")
    assert report.ok, report.text()
    assert report.model is not None
    part = load_graph(render_graph(report.model, "hostile"), "test_hostile_names_graph")
    sdl = build_schema([part]).as_str()
    for name in NAMES:  # GraphQL keeps the WSDL's names (``__`` is introspection's: ``_init__``)
        assert f"  {graphql_name(name)}: String" in sdl
    assert "info_: String" in sdl  # a root argument: Strawberry's resolvers take `info`
    for value in ("dark_red", "a_b", "tri___ple", "back_slash", "V1_", "V1", "_n_", "None"):
        assert f"  {value}\n" in sdl


async def test_every_field_answers_through_the_app(tmp_path: Path) -> None:
    fields = " ".join(graphql_name(n) for n in NAMES)
    args = ", ".join(f'{_arg(n)}: "0000000010"' for n in NAMES) + ", colour: dark_red"
    async with zero_code_wsdl("hostile", {"wsdl": _wsdl(tmp_path)}) as (c, _app, sandbox):
        query = f"{{ hostileRead({args}) {{ GRAPH {{ {fields} colour child {{ read }} }} }} }}"
        body = (await c.post("/graphql", json={"query": query})).json()
        mutation = (
            f'mutation {{ hostileWrite({args}, idempotencyKey: "k1") {{ GRAPH {{ str }} }} }}'
        )
        written = (await c.post("/graphql", json={"query": mutation})).json()
    assert "errors" not in body, body
    graph: dict[str, Any] = body["data"]["hostileRead"]["GRAPH"]
    assert graph["strawberry"] == "0000000010"
    assert isinstance(graph["colour"], list)
    assert "errors" not in written, written
    [received] = [r for r in sandbox.received if r.operation == "read"]
    assert received.body["read"] == "0000000010"  # the argument named `read` reached the wire


def test_a_request_element_zeep_cannot_take_is_reported_not_served(tmp_path: Path) -> None:
    """zeep's methods take their own ``self``: an element of that name cannot be a keyword."""
    text = wsdl_text()
    request = text.index('<xs:element name="read">')
    text = text[:request] + text[request:].replace(
        "<xs:sequence>", '<xs:sequence><xs:element name="self" type="xs:string"/>', 1
    )
    path = tmp_path / "self.wsdl"
    path.write_text(text)
    report = import_wsdl(path, name="hostile")
    assert not report.ok  # both operations take that request: nothing left to serve
    assert any("named `self`" in p.why for p in report.problems), report.text()


def test_a_file_name_that_is_python_runs_nothing(tmp_path: Path, monkeypatch: Any) -> None:
    evil = 'a"""+__import__("os").system("touch pwned")+""".wsdl'
    wsdl = _wsdl(tmp_path, evil)
    out = tmp_path / "pkg"
    written = write_package(import_wsdl(wsdl, name="evil"), wsdl, {}, name="evil", out=out)
    for path in written.files:
        if path.suffix == ".py":
            _only_declarations(ast.parse(path.read_text()), path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(out))
    importlib.import_module("colonnade_evil")
    sys.modules.pop("colonnade_evil", None)
    assert not (tmp_path / "pwned").exists()


def _only_declarations(tree: ast.Module, path: Path) -> None:
    """A module of imports, assignments, classes and functions, and a docstring."""
    for i, node in enumerate(tree.body):
        if isinstance(node, ast.Expr):
            assert i == 0, f"{path}: a bare expression at line {node.lineno}"
            assert isinstance(node.value, ast.Constant), f"{path}: a docstring that computes"
            continue
        assert isinstance(
            node,
            ast.Import | ast.ImportFrom | ast.Assign | ast.AnnAssign | ast.ClassDef
            | ast.FunctionDef | ast.AsyncFunctionDef,
        ), f"{path}: {type(node).__name__} at line {node.lineno}"  # fmt: skip
