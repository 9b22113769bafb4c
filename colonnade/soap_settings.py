"""Settings every SOAP connector shares: its WSDL, which port it speaks to, where, as whom.

A SOAP connector's settings subclass this (``ErpSettings(SoapSettings)``) and add their own
keys; ``SoapConnector`` reads these, so a new SOAP connector needs no plumbing of its own.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from colonnade.config import ConnectorSettings


class SoapSettings(ConnectorSettings):
    wsdl: Path | None = None
    """The WSDL on disk (contracts load from disk only; see ``colonnade.soap.load_wsdl``)."""
    wsdl_url_map: dict[str, Path] = Field(default_factory=dict)
    """Remote URLs the WSDL imports → saved local copies (relative to the WSDL's folder)."""
    service: str | None = None
    """The WSDL service whose port calls go to by default; None: the first (zeep's default)."""
    port: str | None = None
    """The port of that service (or the one port of that name in any service)."""
    binding: str | None = None
    """Instead of service/port: a binding (``{namespace}Name`` or its local name) spoken at
    ``service_path`` — for WSDLs whose binding no service declares."""
    service_path: str | None = None
    """Where the default port's POSTs go, under ``base_url``; None: the path of the port's
    ``soap:address`` in the WSDL."""
    port_paths: dict[str, str] = Field(default_factory=dict)
    """Other ports (``Port`` or ``Service/Port``) → their path under ``base_url``, or a full
    URL when that port lives on another host (taken from here, never from the WSDL)."""
    username: str | None = None
    """HTTP Basic user; with it set, ``SoapConnector`` sends Basic credentials."""
    password: SecretStr | None = None
    password_file: Path | None = None
    """Read (and re-read on change) instead of ``password``; see ``colonnade.auth.Secret``."""
    idempotency_ttl_s: float = Field(86_400.0, gt=0)
