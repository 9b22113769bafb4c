"""The standard suite every connector passes: subclass ``ConnectorContract`` in ~10 lines.

Like singer-sdk's tap tests: a connector declares which sandbox operation its representative
read hits, one field the provider's wire model requires, and how to read one record through
its port; the suite checks the rest against the connector's sandbox over real HTTP —
credentials applied, 5xx and 429 retried (Retry-After honoured), 4xx not retried, broken
bodies and renamed fields typed as contract violations, resets never leaking an httpx error,
and the result being the domain model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel

from colonnade.errors import (
    UpstreamContractViolation,
    UpstreamRejected,
    UpstreamUnavailable,
)
from colonnade.fetched import Fetched
from colonnade.sandboxes import Fault


def one(answers: Mapping[str, Any], key: str) -> Any:
    """A port's per-key answer: the value, or raise the error it carries."""
    answer = answers[key]
    if isinstance(answer, BaseException):
        raise answer
    return answer.value if isinstance(answer, Fetched) else answer


class ConnectorContract:
    connector: ClassVar[str]
    """The connector's name (``crm``): also its sandbox's attribute on SandboxSet."""
    read_operation: ClassVar[str]
    """The sandbox operation (fnmatch pattern) the representative read calls."""
    required_field: ClassVar[str]
    """A field (JSON key or XML element) the wire model requires: renaming it is drift."""

    async def read(self, connector: Any) -> Any:
        """Read one record through the port (use ``one`` to unwrap a batch answer)."""
        raise NotImplementedError

    # ---------------------------------------------------------------- fixtures
    @pytest.fixture
    async def subject(self, make_facade: Any) -> Any:
        facade = await make_facade(
            cache={"enabled": False},
            connectors={
                self.connector: {"breaker": {"enabled": False}, "retry": {"max_attempts": 3}}
            },
        )
        return facade.connector(self.connector)

    @pytest.fixture
    def sandbox(self, providers: Any) -> Any:
        return getattr(providers, self.connector)

    # ---------------------------------------------------------------- the suite
    async def test_reads_the_domain_model_with_credentials(
        self, subject: Any, sandbox: Any
    ) -> None:
        value = await self.read(subject)
        records = value if isinstance(value, list) else [value]
        assert records
        assert all(isinstance(r, BaseModel) for r in records)
        calls = sandbox.recorder.calls(self.read_operation)
        assert calls
        assert all(c.headers.get("Authorization") == "present" for c in calls)
        assert all(c.status == 200 for c in calls)  # and the provider accepted them

    async def test_5xx_is_retried(self, subject: Any, sandbox: Any) -> None:
        sandbox.faults.add(Fault("status", match=self.read_operation, status=503, times=1))
        assert await self.read(subject) is not None
        assert sandbox.recorder.count(self.read_operation) == 2

    async def test_429_waits_as_told_and_retries(self, subject: Any, sandbox: Any) -> None:
        sandbox.faults.add(
            Fault("status", match=self.read_operation, status=429, retry_after="1", times=1)
        )
        assert await self.read(subject) is not None
        assert sandbox.recorder.count(self.read_operation) == 2
        telemetry = subject.runtime.telemetry.recent
        delays = [r.retry_in_s for r in telemetry if r.retry_in_s is not None]
        assert delays == [1.0]  # the wait it chose is the one it was told

    async def test_4xx_fails_fast(self, subject: Any, sandbox: Any) -> None:
        sandbox.faults.add(Fault("status", match=self.read_operation, status=400))
        with pytest.raises(UpstreamRejected) as rejected:
            await self.read(subject)
        assert rejected.value.connector == self.connector
        assert sandbox.recorder.count(self.read_operation) == 1

    async def test_a_broken_body_is_a_contract_violation(self, subject: Any, sandbox: Any) -> None:
        sandbox.faults.add(Fault("malformed", match=self.read_operation))
        with pytest.raises(UpstreamContractViolation):
            await self.read(subject)

    async def test_a_renamed_field_is_a_contract_violation(
        self, subject: Any, sandbox: Any
    ) -> None:
        renamed = (self.required_field, self.required_field + "_renamed")
        sandbox.faults.add(Fault("rename_field", match=self.read_operation, rename=renamed))
        with pytest.raises(UpstreamContractViolation):
            await self.read(subject)

    async def test_resets_become_typed_errors(self, subject: Any, sandbox: Any) -> None:
        sandbox.faults.add(Fault("reset", match=self.read_operation))
        with pytest.raises(UpstreamUnavailable) as failed:
            await self.read(subject)
        assert failed.value.connector == self.connector
        statuses = [c.status for c in sandbox.recorder.calls(self.read_operation)]
        assert statuses == [0, 0, 0]  # a read is retried; the sandbox records a reset as 0

    def test_every_read_declares_a_cache_tier(self, subject: Any) -> None:
        untiered = [op.name for op in subject.operations if op.is_read and op.tier is None]
        assert untiered == []  # "live" says "never cached" explicitly
