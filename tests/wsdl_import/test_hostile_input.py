"""What a hostile client sends to a zero-code WSDL connector's fields gets a typed error before
any SOAP call: scalars that are not what they claim (as literals and as variables), numbers
that would write megabytes of SOAP, characters XML cannot carry, xs:any content with a DTD,
and inputs of more values than any real request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from support import zero_code_wsdl

from colonnade.errors import BadUserInput
from colonnade.wsdl_import.model import FieldModel, ObjectModel
from colonnade.wsdl_import.validate import check_input

WSDL = """<?xml version="1.0"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:tns="urn:probe" targetNamespace="urn:probe">
  <types><xs:schema targetNamespace="urn:probe" elementFormDefault="qualified">
    <xs:complexType name="Node"><xs:sequence>
      <xs:element name="kids" type="tns:Node" minOccurs="0" maxOccurs="unbounded"/></xs:sequence></xs:complexType>
    <xs:element name="GetThing"><xs:complexType><xs:sequence>
      <xs:element name="l" type="xs:long" minOccurs="0"/>
      <xs:element name="d" type="xs:decimal" minOccurs="0"/>
      <xs:element name="s" type="xs:string" minOccurs="0"/>
      <xs:element name="b" type="xs:base64Binary" minOccurs="0"/>
      <xs:element name="n" type="tns:Node" minOccurs="0"/>
      <xs:element name="extra" minOccurs="0"><xs:complexType><xs:sequence>
        <xs:any processContents="lax"/></xs:sequence></xs:complexType></xs:element>
    </xs:sequence></xs:complexType></xs:element>
    <xs:element name="GetThingResponse"><xs:complexType><xs:sequence>
      <xs:element name="ok" type="xs:boolean"/></xs:sequence></xs:complexType></xs:element>
  </xs:schema></types>
  <message name="In"><part name="p" element="tns:GetThing"/></message>
  <message name="Out"><part name="p" element="tns:GetThingResponse"/></message>
  <portType name="P"><operation name="GetThing"><input message="tns:In"/><output message="tns:Out"/></operation></portType>
  <binding name="B" type="tns:P"><soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="GetThing"><soap:operation soapAction="GetThing"/><input><soap:body use="literal"/></input><output><soap:body use="literal"/></output></operation></binding>
  <service name="S"><port name="Port" binding="tns:B"><soap:address location="http://127.0.0.1:9/p"/></port></service>
</definitions>
"""


@pytest.fixture
async def probe(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    wsdl = tmp_path / "probe.wsdl"
    wsdl.write_text(WSDL)
    async with zero_code_wsdl("probe", {"wsdl": wsdl}) as (client, _app, sandbox):
        yield client, sandbox


async def _ask(
    client: httpx.AsyncClient, args: str, variables: dict[str, Any] | None = None
) -> str:
    declared = "($v: ProbeNodeInput)" if variables and "v" in variables else ""
    query = f"query{declared} {{ probeGetThing({args}) {{ ok }} }}"
    body = (await client.post("/graphql", json={"query": query, "variables": variables})).json()
    assert body.get("errors"), body
    [error] = body["errors"][:1]
    return str(error["extensions"]["code"]) + ": " + str(error["message"])


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ('l: "abc"', "GRAPHQL_VALIDATION_FAILED"),
        ("l: 5", "GRAPHQL_VALIDATION_FAILED"),  # a Long is its decimal string
        ('l: "0x10"', "GRAPHQL_VALIDATION_FAILED"),
        ('b: "!!!"', "GRAPHQL_VALIDATION_FAILED"),
        ('d: "1e49999999"', "BAD_USER_INPUT"),  # 50 MB of SOAP if written out
        ('d: "NaN"', "BAD_USER_INPUT"),
        ('d: "-Infinity"', "BAD_USER_INPUT"),
        (f'l: "{"9" * 1200}"', "BAD_USER_INPUT"),
        ('s: "a\\u0000b"', "BAD_USER_INPUT"),  # no XML 1.0 document can carry it
        (
            'extra: {any: "<!DOCTYPE r [<!ENTITY x SYSTEM \\"file:///etc/hostname\\">]><r>&x;</r>"}',
            "BAD_USER_INPUT",
        ),
        ('extra: {any: "not xml"}', "BAD_USER_INPUT"),
    ],
)
async def test_a_bad_value_is_a_typed_error_and_nothing_is_sent(
    probe: tuple[httpx.AsyncClient, Any], args: str, code: str
) -> None:
    client, sandbox = probe
    answer = await _ask(client, args)
    assert answer.startswith(code), answer
    assert sandbox.received == []


async def test_more_values_than_any_real_request_are_refused_before_any_work(
    probe: tuple[httpx.AsyncClient, Any],
) -> None:
    client, sandbox = probe
    query = "query($v: ProbeNodeInput) { probeGetThing(n: $v) { ok } }"
    variables = {"v": {"kids": [{}] * 200_000}}  # 800 KB: under the body limit
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 400
    assert "more than 10000 values" in response.json()["errors"][0]["message"]
    nested = "{ kids: [" + ", ".join(["{}"] * 12_000) + "] }"  # as a literal: a long document
    answer = await _ask(client, f"n: {nested}")
    assert answer.startswith("GRAPHQL_PARSE_FAILED"), answer
    assert sandbox.received == []


def test_the_connector_refuses_a_huge_input_from_any_transport() -> None:
    """A WebSocket or in-process caller meets the same bound before any work on the values."""
    node = FieldModel("kids", "kids", "ProbeNode", "object", is_list=True, min_occurs=0)
    objects = {"ProbeNode": ObjectModel("ProbeNode", "{urn:probe}Node", [node])}
    with pytest.raises(BadUserInput, match="more than 10000 values"):
        check_input([node], {"kids": [{}] * 20_000}, objects)


async def test_good_values_still_go_through(probe: tuple[httpx.AsyncClient, Any]) -> None:
    client, sandbox = probe
    query = '{ probeGetThing(l: "9007199254740993", d: "1234.50", s: "0000000010", extra: {any: "<r>1</r>"}) { ok } }'
    body = (await client.post("/graphql", json={"query": query})).json()
    assert "errors" not in body, body
    [request] = sandbox.received
    assert request.body["l"] == 9007199254740993
    assert str(request.body["d"]) == "1234.50"
    assert request.body["s"] == "0000000010"
