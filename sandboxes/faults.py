"""Fault book: scripted misbehaviour shared by the three sandbox providers.

Tests (in one thread) add faults while the server (in another) takes them, so every
mutation happens under a lock.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import random
import threading
from dataclasses import dataclass, field
from typing import Any, Literal

FaultKind = Literal[
    "latency",
    "status",
    "reset",
    "truncate",
    "malformed",
    "error_in_200",
    "soap_fault",
    "rename_field",
    "drop_after_commit",
    "delay_after_commit",
    "token_expiry",
    "xml_bomb",
    "huge_body",
    "huge_text",
    "many_attributes",
]
FAULT_KINDS: frozenset[str] = frozenset(FaultKind.__args__)  # type: ignore[attr-defined]


@dataclass
class Fault:
    """One scripted misbehaviour, matched against operation names with fnmatch."""

    kind: FaultKind
    match: str = "*"
    times: int | None = None
    probability: float = 1.0
    latency_s: float = 0.0
    status: int = 503
    retry_after: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    rename: tuple[str, str] | None = None
    size: int = 0
    """huge_body / huge_text: bytes to stream; many_attributes: how many attributes."""
    declare_length: bool = False
    """huge_*: announce the size in Content-Length (else the body is sent chunked)."""
    faultcode: str = "Server"
    """soap_fault: the faultcode (``Client``, ``Server``, ``Server.Busy``), soap-env: prefixed."""
    faultstring: str | None = None
    """soap_fault: the faultstring — VIES sends a bare code (``MS_UNAVAILABLE``); None: the
    provider's own text."""
    detail: dict[str, str] | None = None
    """soap_fault: elements inside ``detail`` (``{"errorCode": "E42"}``, ``{ns}name`` for a
    namespaced one); None: the provider's own detail."""

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}")
        if self.rename is not None:
            self.rename = (str(self.rename[0]), str(self.rename[1]))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fault:
        """Build from a control-API JSON body, ignoring keys that are not fields."""
        names = {f.name for f in dataclasses.fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in names}
        if kwargs.get("rename") is not None:
            kwargs["rename"] = tuple(kwargs["rename"])
        return cls(**kwargs)


class FaultBook:
    """Thread-safe list of active faults plus a fixed base latency for benchmarks."""

    def __init__(self, seed: int = 42) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._random = random.Random(seed)
        self.base_latency_s: float = 0.0

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def active(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def take(self, operation: str) -> list[Fault]:
        """Faults that apply to this request; counted-down faults vanish when spent."""
        taken: list[Fault] = []
        with self._lock:
            for fault in list(self._faults):
                if not fnmatch.fnmatchcase(operation, fault.match):
                    continue
                if fault.probability < 1.0 and self._random.random() >= fault.probability:
                    continue
                taken.append(fault)
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
        return taken
