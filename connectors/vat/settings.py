"""The VAT connector's settings (``[connectors.vat]``): the SOAP base's keys, with the VIES
WSDL shipped beside this module. Production: ``base_url = "https://ec.europa.eu"`` (the
port's path, ``/taxation_customs/vies/services/checkVatService``, comes from the WSDL)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from colonnade import SoapSettings

VIES_WSDL = Path(__file__).resolve().parent / "vies.wsdl"


class VatSettings(SoapSettings):
    wsdl: Path = Field(default_factory=lambda: VIES_WSDL)
