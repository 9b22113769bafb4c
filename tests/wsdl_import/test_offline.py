"""Real WSDLs import the W3C schemas by URL (XML Signature for signed replies, SOAP
encoding, xml.xsd): those load from the copies the ``xmlschema`` package ships, with no network;
any other network location is refused with what to save and map."""

from __future__ import annotations

from pathlib import Path

from colonnade.wsdl_import import import_wsdl

SIGNED = """<?xml version="1.0"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
  xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:signed" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" targetNamespace="urn:signed">
  <types><xs:schema targetNamespace="urn:signed" elementFormDefault="qualified">
    <xs:import namespace="http://www.w3.org/2000/09/xmldsig#" schemaLocation="http://www.w3.org/TR/xmldsig-core/xmldsig-core-schema.xsd"/>
    <xs:element name="GetDoc"><xs:complexType><xs:sequence><xs:element name="id" type="xs:string"/></xs:sequence></xs:complexType></xs:element>
    <xs:element name="GetDocResponse"><xs:complexType><xs:sequence><xs:element name="body" type="xs:string"/><xs:element ref="ds:Signature" minOccurs="0"/></xs:sequence></xs:complexType></xs:element>
  </xs:schema></types>
  <message name="In"><part name="p" element="tns:GetDoc"/></message><message name="Out"><part name="p" element="tns:GetDocResponse"/></message>
  <portType name="P"><operation name="GetDoc"><input message="tns:In"/><output message="tns:Out"/></operation></portType>
  <binding name="B" type="tns:P"><soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="GetDoc"><soap:operation soapAction="GetDoc"/><input><soap:body use="literal"/></input><output><soap:body use="literal"/></output></operation></binding>
  <service name="S"><port name="Port" binding="tns:B"><soap:address location="http://127.0.0.1:9/doc"/></port></service>
</definitions>
"""


def test_a_wsdl_importing_xml_signature_by_url_loads_offline(tmp_path: Path) -> None:
    wsdl = tmp_path / "signed.wsdl"
    wsdl.write_text(SIGNED)
    report = import_wsdl(wsdl, name="signed")
    assert report.ok, report.text()
    assert "SignedSignatureType" in report.sdl  # ds:Signature, typed from the shipped XSD


def test_an_unknown_remote_import_is_refused_with_what_to_do(tmp_path: Path) -> None:
    wsdl = tmp_path / "remote.wsdl"
    wsdl.write_text(SIGNED.replace("www.w3.org/TR/xmldsig-core", "schemas.example.com/dsig"))
    report = import_wsdl(wsdl, name="signed")
    assert not report.ok
    text = report.text()
    assert "http://schemas.example.com/dsig/xmldsig-core-schema.xsd" in text
    assert "save that document" in text
