"""The payments connector's settings (``[connectors.payments]``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from colonnade import ConnectorSettings


class PaymentsSettings(ConnectorSettings):
    api_key: SecretStr | None = None
    api_key_file: Path | None = None
    page_size: int = Field(100, ge=1, le=100)
