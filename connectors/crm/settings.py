"""The CRM connector's settings (``[connectors.crm]``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from colonnade import ConnectorSettings


class CrmSettings(ConnectorSettings):
    api_version: str = "v60.0"
    client_id: str | None = None
    client_secret: SecretStr | None = None
    client_secret_file: Path | None = None
    token_refresh_ahead_s: float = Field(60.0, ge=0)
    default_token_ttl_s: float = Field(900.0, gt=0)
    """Salesforce does not say when a token expires; assume this unless the response does."""
