"""The ERP connector's settings (``[connectors.erp]``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from colonnade import ConnectorSettings
from colonnade.config import contracts_dir


class ErpSettings(ConnectorSettings):
    wsdl: Path = Field(default_factory=lambda: contracts_dir() / "erp" / "zsd_salesorder.wsdl")
    service_path: str = "/sap/bc/srt/rfc/sap/zsd_salesorder/100/zsd_salesorder/zsd_salesorder"
    wsdl_url_map: dict[str, Path] = Field(default_factory=dict)
    """Remote URLs the WSDL imports → saved local copies (relative to the WSDL's folder)."""
    username: str | None = None
    password: SecretStr | None = None
    password_file: Path | None = None
    idempotency_ttl_s: float = Field(86_400.0, gt=0)
