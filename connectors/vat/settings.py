"""The VAT connector's settings (``[connectors.vat]``): the SOAP base's keys. Production:
``base_url = "https://ec.europa.eu"`` (the port's path,
``/taxation_customs/vies/services/checkVatService``, comes from the WSDL) and ``wsdl`` = your
saved copy of https://ec.europa.eu/taxation_customs/vies/checkVatService.wsdl — the EU's
document, not shipped here (its terms forbid copying); contracts load from disk, never the
network. The embedded sandbox hands the connector its own stand-in WSDL."""

from __future__ import annotations

from colonnade import SoapSettings

VIES_WSDL_URL = "https://ec.europa.eu/taxation_customs/vies/checkVatService.wsdl"


class VatSettings(SoapSettings):
    """``wsdl`` is required once ``base_url`` is set (the connector says so at start)."""
