"""Colonnade: one GraphQL graph in front of REST and SOAP providers.

What a connector author imports is listed in ``__all__``; everything else is internal.
"""

from colonnade.auth import Auth, BasicAuth, BearerKeyAuth, OAuth2ClientCredentials, Secret
from colonnade.config import ConnectorSettings, Settings, load_settings
from colonnade.connector import HttpConnector
from colonnade.errors import (
    BadUserInput,
    CircuitOpen,
    ColonnadeError,
    ConfigError,
    ErrorCode,
    UpstreamContractViolation,
    UpstreamError,
    UpstreamNotFound,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from colonnade.fetched import Fetched
from colonnade.pipeline.operation import BreakerScope, KeyGroups, Kind, Operation
from colonnade.pipeline.resilient import Attempt
from colonnade.runtime import Runtime
from colonnade.soap import SoapConnector

__all__ = [
    "Attempt",
    "Auth",
    "BadUserInput",
    "BasicAuth",
    "BearerKeyAuth",
    "BreakerScope",
    "CircuitOpen",
    "ColonnadeError",
    "ConfigError",
    "ConnectorSettings",
    "ErrorCode",
    "Fetched",
    "HttpConnector",
    "KeyGroups",
    "Kind",
    "OAuth2ClientCredentials",
    "Operation",
    "Runtime",
    "Secret",
    "Settings",
    "SoapConnector",
    "UpstreamContractViolation",
    "UpstreamError",
    "UpstreamNotFound",
    "UpstreamRateLimited",
    "UpstreamRejected",
    "UpstreamTimeout",
    "UpstreamUnavailable",
    "load_settings",
]
