"""The ERP connector's settings: the SOAP base's keys, with this ERP's WSDL and address."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from colonnade import SoapSettings, contracts_dir


class ErpSettings(SoapSettings):
    wsdl: Path = Field(default_factory=lambda: contracts_dir() / "erp" / "zsd_salesorder.wsdl")
    service_path: str = "/sap/bc/srt/rfc/sap/zsd_salesorder/100/zsd_salesorder/zsd_salesorder"
