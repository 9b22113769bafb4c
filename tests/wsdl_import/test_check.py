"""``colonnade check`` never lets a connector that would serve nothing through: a WSDL whose
binding has no operation, or a zero-code WSDL connector whose import fails, is reported with
what to do, and the check fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from colonnade.cli import main

NO_OPERATIONS = """<?xml version="1.0"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:tns="urn:sap-com:document:sap:rfc:functions"
    targetNamespace="urn:sap-com:document:sap:rfc:functions">
  <portType name="ZSD_SALESORDER"/>
  <binding name="ZSD_SALESORDER_BINDING" type="tns:ZSD_SALESORDER">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
  </binding>
  <service name="ZSD_SALESORDER_SERVICE">
    <port name="ZSD_SALESORDER_PORT" binding="tns:ZSD_SALESORDER_BINDING">
      <soap:address location="http://127.0.0.1:9/sap/bc/srt/rfc/sap/zsd_salesorder"/>
    </port>
  </service>
</definitions>
"""

BROKEN = NO_OPERATIONS  # a zero-code connector of it: the import itself fails


def _config(tmp_path: Path, table: str) -> Path:
    config = tmp_path / "colonnade.toml"
    config.write_text('[sandbox]\nembedded = "off"\n\n' + table)
    return config


def test_a_soap_connector_whose_wsdl_binds_nothing_fails_the_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wsdl = tmp_path / "empty.wsdl"
    wsdl.write_text(NO_OPERATIONS)
    config = _config(
        tmp_path,
        f'[connectors.erp]\nbase_url = "http://127.0.0.1:9"\nwsdl = "{wsdl}"\n'
        'username = "COLONNADE"\npassword = "not-a-real-one"\n',
    )
    assert main(["check", "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert "connector erp: its WSDL binds no operation" in err
    assert "not-a-real-one" not in err


def test_a_zero_code_connector_whose_import_fails_fails_the_check_with_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wsdl = tmp_path / "broken.wsdl"
    wsdl.write_text(BROKEN)
    config = _config(tmp_path, f'[connectors.legacy]\nwsdl = "{wsdl}"\n')
    assert main(["check", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "connectors.legacy" in err
    assert "wsdl:portType" in err  # the element, named
    assert "declares no operation" in err
    assert "Traceback" not in err


def test_schema_with_a_config_prints_its_zero_code_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A frontend team gets the deployment's SDL, WSDL connectors included."""
    config = _config(tmp_path, '[connectors.sap]\nwsdl = "erp/zsd_salesorder.wsdl"\n')
    assert main(["schema", "--config", str(config)]) == 0
    deployed = capsys.readouterr().out
    assert "sapZSD_SALESORDER_GETLIST(" in deployed
    assert "idempotencyKey: String" in deployed
    assert main(["schema"]) == 0
    assert "sapZSD_SALESORDER_GETLIST(" not in capsys.readouterr().out  # the installation's
