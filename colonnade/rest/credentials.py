"""How a REST connector authenticates, declared by naming its settings, built at start.

A declaration is a class attribute (``credentials = Bearer("api_key")``); ``build`` turns it
into a ``colonnade.auth`` scheme for one connector instance, reading the named settings
(``<name>`` and ``<name>_file`` for secrets), so two instances never share a token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from colonnade.auth import (
    ApiKeyAuth,
    Auth,
    BasicAuth,
    BearerKeyAuth,
    NoAuth,
    OAuth2ClientCredentials,
    Secret,
)
from colonnade.config import required
from colonnade.connector import HttpConnector


class Credentials(Protocol):
    def build(self, connector: HttpConnector) -> Auth:
        """The auth scheme for this connector instance, from its settings."""
        ...


def secret(connector: HttpConnector, setting: str) -> Secret:
    """``connectors.<name>.<setting>`` from the environment, or the file ``<setting>_file``."""
    s = connector.settings
    return Secret(
        f"connectors.{connector.name}.{setting}",
        getattr(s, setting, None),
        getattr(s, f"{setting}_file", None),
    )


def setting(connector: HttpConnector, name: str, default: Any = None) -> Any:
    return getattr(connector.settings, name, default)


@dataclass(frozen=True, slots=True)
class Anonymous:
    """A public API: no credentials."""

    def build(self, connector: HttpConnector) -> Auth:
        return NoAuth()


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A key in a header (``ApiKey(header="X-Api-Key")``) or the query (``query="key"``)."""

    header: str | None = None
    query: str | None = None
    setting: str = "api_key"

    def build(self, connector: HttpConnector) -> Auth:
        return ApiKeyAuth(secret(connector, self.setting), header=self.header, query=self.query)


@dataclass(frozen=True, slots=True)
class Bearer:
    """A static key sent as ``Authorization: Bearer …``."""

    setting: str = "api_key"

    def build(self, connector: HttpConnector) -> Auth:
        return BearerKeyAuth(secret(connector, self.setting))


@dataclass(frozen=True, slots=True)
class Basic:
    """HTTP Basic from the ``username`` setting and the ``password`` secret."""

    username: str = "username"
    password: str = "password"  # noqa: S105 - a setting's name

    def build(self, connector: HttpConnector) -> Auth:
        user = required(setting(connector, self.username), f"connectors.{connector.name}.username")
        return BasicAuth(user, secret(connector, self.password))


@dataclass(frozen=True, slots=True)
class ClientCredentials:
    """OAuth2 client credentials against ``token_url`` (relative to the base URL, or absolute).

    ``token_refresh_ahead_s`` and ``default_token_ttl_s`` are read from the settings when the
    connector declares them; otherwise these defaults apply."""

    token_url: str
    client_id: str = "client_id"
    client_secret: str = "client_secret"  # noqa: S105 - a setting's name
    refresh_ahead_s: float = 60.0
    default_ttl_s: float = 900.0

    def build(self, connector: HttpConnector) -> Auth:
        name = connector.name
        return OAuth2ClientCredentials(
            connector.http,
            connector=name,
            token_url=self.token_url,
            client_id=required(
                setting(connector, self.client_id), f"connectors.{name}.{self.client_id}"
            ),
            client_secret=secret(connector, self.client_secret),
            refresh_ahead_s=setting(connector, "token_refresh_ahead_s", self.refresh_ahead_s),
            default_ttl_s=setting(connector, "default_token_ttl_s", self.default_ttl_s),
            telemetry=connector.runtime.telemetry,
        )
