"""Typed configuration, read once at start: ``colonnade.toml`` plus ``COLONNADE_*`` overrides.

pydantic-settings does the layering (init > environment > TOML file > defaults) and the
validation; this module only declares the shape and turns a validation failure into one
``ConfigError`` whose message names each bad key, its value and what is expected. Nested keys
are reachable from the environment with ``__``: ``COLONNADE_CONNECTORS__ACME__BASE_URL``.
Secrets never live here as literals: each credential is a ``SecretStr`` from the environment or
a ``*_file`` path (re-read on change by ``colonnade.auth.secrets``).
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from colonnade.errors import ConfigError


def contracts_dir() -> Path:
    """Where the WSDL/XSD contracts (the repo's ``wsdl/``) live: shipped inside the package as
    ``colonnade.wsdl``, so an installed Colonnade finds them from any working directory;
    COLONNADE_WSDL_DIR points elsewhere (an operator's own copies)."""
    override = os.environ.get("COLONNADE_WSDL_DIR")
    if override:
        return Path(override)
    return Path(str(resources.files("colonnade.wsdl")))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TimeoutSettings(_Strict):
    """Per attempt. httpx applies connect/read/write per network operation; ``total_s`` bounds
    the whole attempt (httpx has no total timeout of its own)."""

    connect_s: float = Field(2.0, gt=0)
    read_s: float = Field(5.0, gt=0)
    write_s: float = Field(5.0, gt=0)
    total_s: float = Field(8.0, gt=0)


class RetrySettings(_Strict):
    """How a failed call is retried: attempts, full-jitter backoff, a retry budget."""

    max_attempts: int = Field(3, ge=1, le=10)
    base_delay_s: float = Field(0.05, ge=0)
    max_delay_s: float = Field(2.0, ge=0)
    max_total_s: float = Field(10.0, gt=0)
    max_retry_after_s: float = Field(30.0, ge=0)
    """A provider asking us to wait longer than this (or than the deadline) fails fast."""
    budget_ratio: float = Field(0.2, ge=0, le=1)
    """Retries may add at most this fraction of calls (per replica), plus ``budget_min_per_s``."""
    budget_min_per_s: float = Field(2.0, ge=0)


class BreakerSettings(_Strict):
    """The circuit breaker: failure ratio over a window, min calls, growing break."""

    enabled: bool = True
    per_operation: bool = False
    window_s: float = Field(30.0, gt=0)
    min_calls: int = Field(10, ge=1)
    failure_ratio: float = Field(0.5, gt=0, le=1)
    break_s: float = Field(5.0, gt=0)
    break_multiplier: float = Field(2.0, ge=1)
    break_max_s: float = Field(60.0, gt=0)
    probe_lease_s: float = Field(10.0, gt=0)


class RateLimitSettings(_Strict):
    """Our own token bucket for the provider (fed by its rate-limit headers), and its queue."""

    rate_per_s: float | None = Field(None, gt=0)
    """Configured limit (token bucket); None = only what the provider's headers teach us."""
    burst: float | None = Field(None, ge=1)
    max_wait_s: float = Field(2.0, ge=0)
    max_queue: int = Field(100, ge=0)


class BulkheadSettings(_Strict):
    """At most this many calls to the provider in flight at once."""

    max_concurrent: int = Field(10, ge=1)


class ConnectorSettings(_Strict):
    """What every connector's settings have; a connector's package subclasses it."""

    enabled: bool = True
    """False: the connector is not built and its fields follow ``graph.unavailable_fields``."""
    base_url: str | None = None
    """Unset: the connector is left unbuilt (the embedded sandbox fills it in when it runs)."""
    deadline_s: float = Field(10.0, gt=0)
    """Budget of one call (all attempts) when the request itself set none."""
    timeouts: TimeoutSettings = TimeoutSettings()
    retry: RetrySettings = RetrySettings()
    breaker: BreakerSettings = BreakerSettings()
    rate_limit: RateLimitSettings = RateLimitSettings()
    bulkhead: BulkheadSettings = BulkheadSettings()
    cache_tiers: dict[str, str] = Field(default_factory=dict)
    """Override an operation's declared tier: ``{"orders_by_customer" = "standard"}``."""
    contract_samples: dict[str, str] = Field(default_factory=dict)
    """Keys the contract probe reads with ``colonnade contracts --live`` (e.g. a customer id
    that exists at the real provider); the sandbox's seed keys are the defaults."""
    max_response_bytes: int = Field(20_000_000, ge=1024)
    """Largest response body read from the provider (decoded bytes). A larger one is refused
    at this many bytes (or at once, when its Content-Length says so): a hostile or broken
    provider costs bounded memory, never the process."""


class TierSettings(_Strict):
    ttl_s: float = Field(ge=0)
    stale_while_revalidate_s: float = Field(0.0, ge=0)
    stale_if_error_s: float = Field(0.0, ge=0)


def _default_tiers() -> dict[str, TierSettings]:
    return {
        "live": TierSettings(ttl_s=0),
        "short": TierSettings(ttl_s=5, stale_while_revalidate_s=5, stale_if_error_s=60),
        "standard": TierSettings(ttl_s=300, stale_while_revalidate_s=60, stale_if_error_s=3600),
        "static": TierSettings(
            ttl_s=86_400, stale_while_revalidate_s=3600, stale_if_error_s=604_800
        ),
    }


class CacheSettings(_Strict):
    enabled: bool = True
    max_entries: int = Field(50_000, ge=100)
    tiers: dict[str, TierSettings] = Field(default_factory=_default_tiers)
    lock_ttl_s: float = Field(2.0, gt=0)
    """Cross-replica stampede lock: how long one replica may hold a key's refresh."""

    @field_validator("tiers")
    @classmethod
    def _keep_defaults(cls, tiers: dict[str, TierSettings]) -> dict[str, TierSettings]:
        return {**_default_tiers(), **tiers}


class ServerSettings(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    max_body_bytes: int = Field(1_000_000, ge=1024)
    max_query_depth: int = Field(12, ge=2)
    max_aliases: int = Field(50, ge=1)
    max_tokens: int = Field(5_000, ge=100)
    """Lexer tokens per document: refuses giant queries before parsing them."""
    request_deadline_s: float = Field(15.0, gt=0)
    # Slow and idle clients (see colonnade.serving): each bound cuts a connection off.
    header_timeout_s: float = Field(10.0, gt=0)
    """A connection must send a complete request head this soon after opening (or after its
    first byte, between keep-alive requests); else 408 and close."""
    body_timeout_s: float = Field(30.0, gt=0)
    """The whole body (any route) must arrive this soon after the head; else 408 and close."""
    keep_alive_s: float = Field(5.0, gt=0)
    """An idle keep-alive connection is closed after this."""
    max_connections: int = Field(1000, ge=1)
    """Open connections; one more is answered 503 (JSON) and closed at once."""
    backlog: int = Field(2048, ge=1)
    max_header_bytes: int = Field(16_384, ge=1024)
    """A request head larger than this is refused (400) before it is parsed."""
    graphiql: bool = True
    profile: Literal["development", "production"] = "development"
    """production: introspection and GraphiQL off, masked errors, CSRF prevention, anonymous
    off, /metrics behind the admin token."""
    cors_allow_origins: list[str] = Field(default_factory=list)
    """Origins allowed cross-origin (CORS); empty = no CORS headers at all."""
    csrf_prevention: bool | None = None
    """None: on in production. Refuses 'simple' requests a browser sends without preflight."""
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["json", "console"] = "json"
    # Shutdown on SIGTERM/SIGINT (see colonnade.serving): drain, then a bounded grace.
    shutdown_drain_s: float | None = Field(None, ge=0, le=300)
    """After the signal, /readyz answers 503 and the listener stays open this long so load
    balancers notice; new /graphql requests are refused (503). None: 5 s in the production
    profile, 0 in development (Ctrl+C stops at once)."""
    shutdown_grace_s: float | None = Field(None, gt=0, le=600)
    """Then in-flight requests get this long to finish; what is left is cut with a 503.
    None: ``request_deadline_s`` + 5 (a request within its deadline always finishes)."""

    @property
    def drain_s(self) -> float:
        if self.shutdown_drain_s is not None:
            return self.shutdown_drain_s
        return 5.0 if self.profile == "production" else 0.0

    @property
    def grace_s(self) -> float:
        if self.shutdown_grace_s is not None:
            return self.shutdown_grace_s
        return self.request_deadline_s + 5.0


class ApiClientSettings(_Strict):
    """One client of the graph: the SHA-256 digests of its API keys (never the keys) and the
    scopes it is granted. Several digests = several live keys, for rotation without restart."""

    key_sha256: list[str] = Field(default_factory=list)
    scopes: list[str] = Field(default_factory=list)

    @field_validator("key_sha256")
    @classmethod
    def _hex_digests(cls, digests: list[str]) -> list[str]:
        for digest in digests:
            if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest.lower()):
                raise ValueError("each key_sha256 must be 64 hex digits (colonnade keys generate)")
        return [d.lower() for d in digests]


JwtAlgorithm = Literal["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"]


def _default_algorithms() -> list[JwtAlgorithm]:
    return ["RS256", "ES256"]


class JwtSettings(_Strict):
    """Bearer JWTs verified against a JWKS; unset ``jwks_url`` = JWTs are not accepted."""

    jwks_url: str | None = None
    issuer: str | None = None
    audience: str | None = None
    algorithms: list[JwtAlgorithm] = Field(default_factory=_default_algorithms)
    """Asymmetric only: a shared-secret HS256 key cannot be published in a JWKS."""
    leeway_s: float = Field(30.0, ge=0)
    """Clock skew tolerated on ``exp``, ``nbf`` and ``iat``."""
    refresh_s: float = Field(300.0, gt=0)
    """The JWKS is refetched this often (keys are rotated by publishing a new ``kid``)."""
    min_refetch_s: float = Field(30.0, ge=0)
    """An unknown ``kid`` refetches the JWKS at most this often (forged kids cannot flood it)."""
    timeout_s: float = Field(5.0, gt=0)
    scope_claim: str = "scope"
    """Space-separated string (OAuth2) or a list (``scp``); both are read."""
    client_claim: str = "sub"


class ClientRateLimitSettings(_Strict):
    """Per client, shared by all replicas through the state backend; unset rate = no limit."""

    rate_per_s: float | None = Field(None, gt=0)
    burst: float | None = Field(None, ge=1)
    per_client: dict[str, float] = Field(default_factory=dict)
    """Client id → its own rate per second (burst scales with it)."""


class CostBudgetSettings(_Strict):
    """Per client: the static cost it may spend per window (a token bucket of ``per_window``
    refilled over ``window_s``), shared by all replicas; unset = no budget."""

    per_window: int | None = Field(None, ge=1)
    window_s: float = Field(60.0, gt=0)


class GatewaySettings(_Strict):
    """Who may ask what, and how much: identity, scopes, cost, rate, persisted operations."""

    anonymous: Literal["auto", "on", "off"] = "auto"
    """auto: on only for the embedded demo (``colonnade serve`` with its sandboxes)."""
    anonymous_scopes: list[str] = Field(default_factory=lambda: ["*:read"])
    api_keys: dict[str, ApiClientSettings] = Field(default_factory=dict)
    """Client id → digests and scopes."""
    api_keys_file: Path | None = None
    """JSON ``{client: {key_sha256: [...], scopes: [...]}}``, re-read when it changes."""
    api_keys_in_state: bool = False
    """Also look keys up in the state backend (``gateway:apikey:<sha256>``)."""
    jwt: JwtSettings = JwtSettings()
    max_cost: int | None = Field(1000, ge=1)
    """Static cost (upstream calls, list sizes) above which an operation is refused."""
    rate_limit: ClientRateLimitSettings = ClientRateLimitSettings()
    cost_budget: CostBudgetSettings = CostBudgetSettings()
    persisted_queries: Literal["off", "apq", "trusted"] = "apq"
    """apq: Automatic Persisted Queries; trusted: only documents in ``trusted_documents``."""
    trusted_documents: Path | None = None
    """A manifest: Apollo's persisted-query manifest JSON or a ``{sha256: document}`` map."""
    apq_ttl_s: float = Field(7 * 86_400.0, gt=0)


class GraphSettings(_Strict):
    unavailable_fields: Literal["absent", "error"] = "absent"
    """A disabled or unconfigured connector's fields: left out of the schema, or kept and
    answering ``CONNECTOR_UNAVAILABLE`` (a schema that does not change with the config)."""
    serve: list[str] | None = None
    """Serve one domain as a federation subgraph: the graph parts of these connectors (or
    parts, by name); default: the whole graph (``colonnade.platform.subgraph``)."""


class SandboxSettings(_Strict):
    embedded: Literal["auto", "on", "off"] = "auto"
    """auto: start the local sandbox providers when no connector has a base_url."""
    customers: int = Field(200, ge=1)
    latency_ms: float = Field(0.0, ge=0)


class WebhookSourceSettings(_Strict):
    """One provider that calls ``POST /webhooks/{name}``. ``scheme`` picks the verifier:
    ``stripe`` (``t=…,v1=…`` over ``"{t}.{body}"``, timestamp tolerance) or ``hmac`` (a hex or
    base64 HMAC of the body in ``header``). Several secrets may be valid at once (rotation)."""

    scheme: Literal["stripe", "hmac"] = "stripe"
    handler: str | None = None
    """Which event handler receives this source's events (default: the source's name)."""
    secrets: list[SecretStr] = Field(default_factory=list)
    secrets_file: Path | None = None
    """One secret per line, re-read when the file changes (rotation without restart)."""
    tolerance_s: float = Field(300.0, gt=0)
    header: str = "Stripe-Signature"
    algorithm: Literal["sha256", "sha512", "sha1"] = "sha256"
    encoding: Literal["hex", "base64"] = "hex"
    prefix: str = ""
    """Text before the digest in ``header``, e.g. ``sha256=`` (GitHub-style)."""


class EventsSettings(_Strict):
    """Webhook ingestion, the durable event store and its dispatcher, the audit log."""

    data_dir: Path = Path(".colonnade")
    """Embedded mode (no ``redis_url``): the SQLite files ``events.sqlite3`` and
    ``audit.sqlite3`` live here."""
    max_body_bytes: int = Field(256_000, ge=1024)
    body_timeout_s: float = Field(5.0, gt=0)
    max_attempts: int = Field(8, ge=1)
    retry_base_s: float = Field(0.5, ge=0)
    retry_max_s: float = Field(60.0, gt=0)
    poll_interval_s: float = Field(0.2, gt=0)
    claim_idle_s: float = Field(30.0, gt=0)
    """Redis: an event delivered to a replica that died is taken over after this long."""
    reconcile_interval_s: float = Field(60.0, gt=0)
    reconcile_after_s: float = Field(300.0, ge=0)
    """An object in a non-final state with no event for this long is pulled from the provider."""
    reconcile_max: int = Field(50, ge=1)
    ws_init_timeout_s: float = Field(10.0, gt=0)
    """graphql-transport-ws: a connection that sends no ``connection_init`` in time gets 4408."""
    subscriber_queue: int = Field(100, ge=1)
    """Messages buffered per subscription; a consumer that falls further behind is dropped."""
    sources: dict[str, WebhookSourceSettings] = Field(default_factory=dict)


class SensorsSettings(_Strict):
    """Desk sensors over MQTT (QoS 1, persistent session): off unless ``enabled``."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(1883, ge=1, le=65535)
    client_id: str = "colonnade-sensors"
    """Fixed, so the broker keeps the session (and queues QoS 1 readings) while we are down;
    replicas need one id each."""
    topic_prefix: str = "colonnade"
    """Readings arrive on ``<prefix>/floor/<floor>/desk/<desk>/<presence|power>``."""
    debounce_s: float = Field(30.0, ge=0)
    """A desk changes state only after its sensors agreed on the new state for this long."""
    power_threshold_w: float = Field(15.0, ge=0)
    """Power draw above this counts as someone working at the desk."""
    username: str | None = None
    password: SecretStr | None = None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="COLONNADE_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    redis_url: SecretStr | None = None
    """Set → shared state in Redis (cache, breakers, buckets, idempotency); unset → memory."""
    admin_token: SecretStr | None = None
    admin_token_file: Path | None = None
    """Bearer token for /admin/* (cache invalidation); unset → the admin routes do not exist."""
    state_prefix: str = Field("colonnade:", min_length=1)
    """Redis key prefix: deployments sharing one Redis keep apart by using different ones."""
    redis_timeout_s: float = Field(0.25, gt=0, le=30)
    """Connect and reply timeout of a shared-state call: past it Redis counts as failed (the
    cache is bypassed, breakers and buckets are per process, for a short cool-down). Short, so
    a slow Redis costs requests little; longer for a Redis far away or a loaded test machine."""
    server: ServerSettings = ServerSettings()
    cache: CacheSettings = CacheSettings()
    connectors: dict[str, dict[str, Any]] = Field(default_factory=dict, repr=False)
    """One table per connector, validated by its own settings model when the app is built
    (``colonnade.platform.settings``): ``[connectors.acme] base_url = ...``."""
    graph: GraphSettings = GraphSettings()

    @field_validator("connectors")
    @classmethod
    def _connector_tables(cls, raw: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        from colonnade.platform.settings import check_tables  # the plugins import this module

        check_tables(raw)
        return raw

    sandbox: SandboxSettings = SandboxSettings()
    gateway: GatewaySettings = GatewaySettings()
    events: EventsSettings = EventsSettings()
    sensors: SensorsSettings = SensorsSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = _CONFIG_FILE.get("path")
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)


_CONFIG_FILE: dict[str, Path | None] = {"path": None}


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Read the TOML file (if any) and the environment; ``ConfigError`` names each bad key."""
    if config_file is not None and not config_file.is_file():
        raise ConfigError(
            f"config file {str(config_file)!r} does not exist. Pass an existing colonnade.toml "
            "with --config, or omit it to run with defaults."
        )
    _CONFIG_FILE["path"] = config_file
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, config_file)) from None
    except ValueError as exc:  # TOML syntax errors surface as ValueError subclasses
        raise ConfigError(f"cannot read {config_file}: {exc}") from None
    finally:
        _CONFIG_FILE["path"] = None


_SECRETISH = ("secret", "password", "passwd", "key", "token", "redis", "credential", "auth")


def _shown(key: str, err: Any) -> str:
    """The bad value, when it is safe to print. Never for a key we do not know (a misspelt
    ``client_secert`` is still a secret), never for a whole section (it may hold one), never
    for anything whose name sounds like a credential."""
    value = err.get("input")
    if err.get("type") == "extra_forbidden" or isinstance(value, dict | list):
        return "<not shown>"
    if any(word in key.lower() for word in _SECRETISH):
        return "<secret>"
    return repr(value)


def _describe(exc: ValidationError, config_file: Path | None) -> str:
    where = f" (from {config_file} and COLONNADE_* environment variables)" if config_file else ""
    return "\n".join([f"invalid configuration{where}:", *describe_errors(exc)])


def describe_errors(exc: ValidationError, prefix: tuple[str, ...] = ()) -> list[str]:
    """One line per bad key: its dotted name, its value (when safe), why, its env variable."""
    lines = []
    for err in exc.errors():
        loc = (*prefix, *(str(part) for part in err["loc"]))
        key = ".".join(loc)
        env = "COLONNADE_" + "__".join(part.upper() for part in loc)
        lines.append(f"  - {key} = {_shown(key, err)}: {err['msg']} (environment: {env})")
    return lines


def required(value: str | None, key: str) -> str:
    """A setting a connector cannot start without; the error says where to set it."""
    if not value:
        raise ConfigError(
            f"{key} is not set. Set it in colonnade.toml or as "
            f"COLONNADE_{key.upper().replace('.', '__')}."
        )
    return value
