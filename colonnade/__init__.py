"""Colonnade: one GraphQL graph in front of REST and SOAP providers.

What a connector author imports is listed in ``__all__`` — and a connector imports from here
only (``tests/plugins/test_public_api.py`` holds every package under ``connectors/`` to it):
declaring a plugin and its part of the graph, settings, the REST and SOAP SDKs, operations,
credentials, errors, and what a webhook handler needs. Everything else is internal and may
change without notice. The test kit is the ``testing`` subpackage.
"""

from colonnade.auth import (
    ApiKeyAuth,
    Auth,
    BasicAuth,
    BearerKeyAuth,
    NoAuth,
    OAuth2ClientCredentials,
    Secret,
)
from colonnade.config import (
    BreakerSettings,
    BulkheadSettings,
    ConnectorSettings,
    RateLimitSettings,
    RetrySettings,
    Settings,
    TimeoutSettings,
    contracts_dir,
    load_settings,
    required,
)
from colonnade.connector import HttpConnector
from colonnade.errors import (
    BadUserInput,
    CircuitOpen,
    ColonnadeError,
    ConfigError,
    ConnectorUnavailable,
    ErrorCode,
    StateUnavailable,
    UpstreamContractViolation,
    UpstreamError,
    UpstreamNotFound,
    UpstreamOutcomeUnknown,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnauthenticated,
    UpstreamUnavailable,
)
from colonnade.events.audit import AuditLog, Entry
from colonnade.events.model import Described, Event, ObjectState
from colonnade.fetched import Fetched
from colonnade.gateway import cost, requires
from colonnade.pipeline.cache import ResponseCache
from colonnade.pipeline.idempotency import fingerprint
from colonnade.pipeline.operation import BreakerScope, KeyGroups, Kind, Operation
from colonnade.pipeline.resilient import Attempt
from colonnade.platform import (
    ConnectorPlugin,
    GraphPart,
    RequestContext,
    Services,
    context_of,
    unwrap,
)
from colonnade.rest import (
    Anonymous,
    ApiKey,
    Basic,
    Bearer,
    ClientCredentials,
    CommaSeparated,
    Credentials,
    Cursor,
    ErrorBody,
    InBody,
    Keys,
    NextLink,
    Offset,
    PageNumber,
    PerKey,
    RateLimitHeaders,
    Repeated,
    RestConnector,
    RestOperation,
    Unpaged,
)
from colonnade.runtime import Runtime
from colonnade.soap import SoapConnector
from colonnade.soap_faults import CLIENT_FAULT, SERVER_FAULT, FaultRule, SoapFault
from colonnade.soap_ports import SoapPort
from colonnade.soap_settings import SoapSettings

__all__ = [
    "CLIENT_FAULT",
    "SERVER_FAULT",
    "Anonymous",
    "ApiKey",
    "ApiKeyAuth",
    "Attempt",
    "AuditLog",
    "Auth",
    "BadUserInput",
    "Basic",
    "BasicAuth",
    "Bearer",
    "BearerKeyAuth",
    "BreakerScope",
    "BreakerSettings",
    "BulkheadSettings",
    "CircuitOpen",
    "ClientCredentials",
    "ColonnadeError",
    "CommaSeparated",
    "ConfigError",
    "ConnectorPlugin",
    "ConnectorSettings",
    "ConnectorUnavailable",
    "Credentials",
    "Cursor",
    "Described",
    "Entry",
    "ErrorBody",
    "ErrorCode",
    "Event",
    "FaultRule",
    "Fetched",
    "GraphPart",
    "HttpConnector",
    "InBody",
    "KeyGroups",
    "Keys",
    "Kind",
    "NextLink",
    "NoAuth",
    "OAuth2ClientCredentials",
    "ObjectState",
    "Offset",
    "Operation",
    "PageNumber",
    "PerKey",
    "RateLimitHeaders",
    "RateLimitSettings",
    "Repeated",
    "RequestContext",
    "ResponseCache",
    "RestConnector",
    "RestOperation",
    "RetrySettings",
    "Runtime",
    "Secret",
    "Services",
    "Settings",
    "SoapConnector",
    "SoapFault",
    "SoapPort",
    "SoapSettings",
    "StateUnavailable",
    "TimeoutSettings",
    "Unpaged",
    "UpstreamContractViolation",
    "UpstreamError",
    "UpstreamNotFound",
    "UpstreamOutcomeUnknown",
    "UpstreamRateLimited",
    "UpstreamRejected",
    "UpstreamTimeout",
    "UpstreamUnauthenticated",
    "UpstreamUnavailable",
    "context_of",
    "contracts_dir",
    "cost",
    "fingerprint",
    "load_settings",
    "required",
    "requires",
    "unwrap",
]
