"""The public API is what ``colonnade.__all__`` lists, and connectors use nothing else.

A connector that imports ``colonnade.pipeline.core`` breaks the day the pipeline is split; one
that imports ``from colonnade import X`` keeps working as long as ``X`` is listed here. Adding
a name to the list is a deliberate act: this test names each one.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import colonnade

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = {
    # declaring a connector and its part of the graph
    "ConnectorPlugin", "GraphPart", "RequestContext", "Services", "context_of", "unwrap",
    "cost", "requires", "Fetched", "Runtime", "Settings", "load_settings",
    # settings and configuration helpers
    "ConnectorSettings", "SoapSettings", "contracts_dir", "required",
    "RetrySettings", "TimeoutSettings", "BreakerSettings", "RateLimitSettings", "BulkheadSettings",
    # the REST SDK
    "RestConnector", "RestOperation", "Keys", "PerKey", "ErrorBody", "RateLimitHeaders",
    "Anonymous", "ApiKey", "Basic", "Bearer", "ClientCredentials", "Credentials",
    "Cursor", "NextLink", "Offset", "PageNumber", "Unpaged",
    "Repeated", "CommaSeparated", "InBody",
    # SOAP and the bases under both
    "SoapConnector", "SoapPort", "FaultRule", "SoapFault", "CLIENT_FAULT", "SERVER_FAULT",
    "HttpConnector", "Operation", "Kind", "BreakerScope", "KeyGroups", "Attempt",
    # credentials
    "Auth", "NoAuth", "ApiKeyAuth", "BasicAuth", "BearerKeyAuth", "OAuth2ClientCredentials",
    "Secret",
    # the error tree
    "ColonnadeError", "ErrorCode", "BadUserInput", "ConfigError", "ConnectorUnavailable",
    "StateUnavailable", "UpstreamError", "UpstreamUnavailable", "UpstreamTimeout",
    "UpstreamRateLimited", "UpstreamRejected", "UpstreamNotFound", "UpstreamContractViolation",
    "UpstreamUnauthenticated", "UpstreamOutcomeUnknown", "CircuitOpen",
    # webhook handlers (colonnade.events)
    "AuditLog", "Entry", "Event", "Described", "ObjectState", "ResponseCache", "fingerprint",
}  # fmt: skip


def test_all_is_exactly_the_curated_list() -> None:
    assert set(colonnade.__all__) == PUBLIC
    assert len(colonnade.__all__) == len(PUBLIC)  # no duplicates


def test_every_public_name_exists_and_says_what_it_is() -> None:
    for name in colonnade.__all__:
        value = getattr(colonnade, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert inspect.getdoc(value), f"colonnade.{name} has no docstring"


def _connector_imports() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted((ROOT / "connectors").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    found.append((str(path.relative_to(ROOT)), node.module, alias.name))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    found.append((str(path.relative_to(ROOT)), alias.name, ""))
    return found


def test_connectors_import_colonnade_only_through_the_public_api() -> None:
    imports = _connector_imports()
    assert len({path for path, _, _ in imports}) > 10
    internal = {
        f"{path}: {module}.{name}"
        for path, module, name in imports
        if module.startswith("colonnade")
        and module != "colonnade"
        and not module.startswith("colonnade.connectors")
    }
    assert internal == set()
    unlisted = {
        f"{path}: {name}"
        for path, module, name in imports
        if module == "colonnade" and name not in PUBLIC
    }
    assert unlisted == set()
