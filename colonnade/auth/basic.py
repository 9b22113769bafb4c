"""HTTP Basic credentials (SAP's SOAP runtime, many on-premise systems)."""

from __future__ import annotations

import base64

import httpx

from colonnade.auth.secrets import Secret


class BasicAuth:
    """HTTP Basic credentials (SAP, legacy SOAP): the password re-read from its ``Secret``."""

    def __init__(self, username: str, password: Secret) -> None:
        self._username = username
        self._password = password

    def _header(self) -> str:
        raw = f"{self._username}:{self._password.get()}".encode()
        return "Basic " + base64.b64encode(raw).decode()

    async def apply(self, request: httpx.Request) -> None:
        request.headers["Authorization"] = self._header()

    async def refresh(self, rejected: httpx.Request) -> bool:
        return str(rejected.headers.get("Authorization", "")) != self._header()

    def identity(self) -> str:
        return f"basic-{self._username}"

    def scope(self) -> str:
        return f"basic-{self._username}-{self._password.fingerprint()}"
