"""The settings of a connector configured from a WSDL alone: one ``[connectors.<name>]`` table.

Everything a hand-written SOAP connector says in code is a key here: which operations are
exposed and as reads or writes, the cache tier of reads, SOAP headers and WS-Security, what the
provider's faults mean, and which operations take a list of keys. Secrets (header values, the
WS-Security password) are ``SecretStr`` or ``*_file`` paths, so they never show in a repr.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from colonnade.config import BreakerSettings
from colonnade.errors import (
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
from colonnade.soap_settings import SoapSettings

ErrorName = Literal[
    "rejected",
    "not_found",
    "unavailable",
    "unauthenticated",
    "rate_limited",
    "timeout",
    "contract_violation",
    "outcome_unknown",
]
ERRORS: dict[str, type[UpstreamError]] = {
    "rejected": UpstreamRejected,
    "not_found": UpstreamNotFound,
    "unavailable": UpstreamUnavailable,
    "unauthenticated": UpstreamUnauthenticated,
    "rate_limited": UpstreamRateLimited,
    "timeout": UpstreamTimeout,
    "contract_violation": UpstreamContractViolation,
    "outcome_unknown": UpstreamOutcomeUnknown,
}
"""Config names of the error classes a fault may become (``colonnade.errors``)."""


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FaultSetting(_Row):
    """One fault row: what to match (every matcher given must match) and what it means.

    The matchers are ``colonnade.soap_faults.FaultRule``'s (faultcode, faultstring,
    faultstring_regex, detail text by local name or XPath), plus ``detail_element``: a
    ``detail`` child of that local name is present (a declared wsdl:fault's element, whose
    content is structured rather than a code); the provider code is then its local name."""

    error: ErrorName
    faultcode: str | None = None
    faultstring: str | None = None
    faultstring_regex: str | None = None
    detail: str | None = None
    detail_code: str | None = None
    detail_regex: str | None = None
    detail_element: str | None = None
    namespaces: dict[str, str] = Field(default_factory=dict)
    retryable: bool | None = None
    counts_for_breaker: bool | None = None


class BatchSetting(_Row):
    """An operation that takes a list of keys: ``keys`` is the input path of the repeated
    scalar that holds them (``IT_ORDERS.item``), ``match`` the output path of the field of each
    record that says which key it answers (``ET_ORDERS.item.VBELN``). Path segments are XML or
    GraphQL names."""

    keys: str
    match: str
    max_keys: int = Field(100, ge=1, le=10_000)
    """Keys per upstream call; more are sent as several calls."""


class ReturnLogSetting(_Row):
    """A message log inside successful replies (SAP's BAPIRET2 ``RETURN`` table): see
    ``colonnade.wsdl_import.returnlog``. Names are XML or GraphQL names."""

    path: str = "RETURN.item"
    """The repeated message in a reply; operations whose reply has none are not checked."""
    severity: str = "TYPE"
    errors: list[str] = Field(default_factory=lambda: ["E", "A"])
    """Severities that make the reply an error."""
    aborts: list[str] = Field(default_factory=lambda: ["A"])
    """Severities that are the provider failing even on a write (unavailable, not rejected)."""
    code: list[str] = Field(default_factory=lambda: ["ID", "NUMBER"])
    """Fields joined by ``/`` into the provider code (``M3/305``)."""
    text: str = "MESSAGE"
    """The message a refusal quotes (at most 200 characters)."""
    ignore: list[str] = Field(default_factory=list)
    """Codes that are answers, not errors (``V1/302``: not in the database)."""


class WsdlSettings(SoapSettings):
    wsdl: Path | None = None
    """The WSDL on disk (required: building the connector without it is a ``ConfigError``;
    it has a default only because the platform builds every settings class with no table as
    its default). A relative path not found from the working directory is looked up under
    the contracts directory (``colonnade.config.contracts_dir``)."""
    operations: list[str] | None = None
    """WSDL operation names to expose; None: all."""
    query: list[str] = Field(default_factory=list)
    """Operations that are reads (Query fields, cached), whatever their verb says."""
    mutation: list[str] = Field(default_factory=list)
    """Operations that are writes (Mutation fields, never cached or blindly retried)."""
    read_tier: str = "short"
    """The cache tier of every read (``cache_tiers`` overrides it per operation)."""
    soap_headers: dict[str, SecretStr] = Field(default_factory=dict)
    """Values of the SOAP headers the WSDL declares, by header part or element name; a dotted
    name reaches inside a structured header (``AuthHeader.Token``)."""
    soap_header_files: dict[str, Path] = Field(default_factory=dict)
    """As ``soap_headers``, read (and re-read on change) from files: for secret values."""
    wsse_username: str | None = None
    """WS-Security UsernameToken on every request (with ``wsse_password`` or its file)."""
    wsse_password: SecretStr | None = None
    wsse_password_file: Path | None = None
    wsse_digest: bool = False
    """PasswordDigest (nonce + created + SHA-1) instead of PasswordText."""
    faults: list[FaultSetting] = Field(default_factory=list)
    """Checked in order before the WSDL's declared faults and the faultcode defaults."""
    declared_faults: ErrorName = "rejected"
    """What a fault carrying a wsdl:fault element the WSDL declares becomes (not retried, not
    counted by the breaker unless the class says otherwise): the provider's own answer."""
    return_log: ReturnLogSetting | None = None
    """A message log inside successful replies whose errors are refusals (SAP's RETURN)."""
    batch: dict[str, BatchSetting] = Field(default_factory=dict)
    """Operations that take a list of keys (see ``BatchSetting``)."""
    batch_auto: bool = True
    """Also detect list-of-keys reads whose key and record field have the same name."""
    write_invalidates_reads: bool = True
    """A write through this connector drops its cached reads (the WSDL does not say which
    reads a write changes, so all of them)."""

    breaker: BreakerSettings = BreakerSettings(per_operation=True)
    """One breaker per WSDL operation unless ``per_operation = false``: a WSDL serves many
    unrelated operations, and one of them failing (an RFC that dumps) must not pause the rest."""

    @field_validator("breaker", mode="before")
    @classmethod
    def _per_operation_by_default(cls, value: Any) -> Any:
        if isinstance(value, dict) and "per_operation" not in value:
            return {**value, "per_operation": True}
        return value

    @model_validator(mode="after")
    def _one_root_each(self) -> WsdlSettings:
        both = sorted(set(self.query) & set(self.mutation))
        if both:
            raise ValueError(f"operations listed as both query and mutation: {both}")
        return self
