"""The standard suite a connector passes, generated per declared operation.

A connector's test file names its plugin and, per operation, one sample call (about ten
lines); the suite then checks each against the connector's own sandbox over real HTTP:
settings valid by default and bad values refused by name, credentials applied (or declared
absent), 5xx and 429 retried (Retry-After honoured) and 4xx not, the error taxonomy (a reset,
a persistent 5xx, a broken body, a renamed field, an error inside a 200), each SOAP fault
code of the connector's fault table (as a real fault from the sandbox), pages that end,
writes replayed by their idempotency key, a refused token refreshed once, and every read
carrying a cache tier. Like singer-sdk's tap tests: what a provider must survive is written
once, here, not again in every connector.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, ClassVar

import pytest
from pydantic import ValidationError

from colonnade.auth import OAuth2ClientCredentials
from colonnade.config import ConnectorSettings
from colonnade.errors import (
    ColonnadeError,
    UpstreamContractViolation,
    UpstreamError,
    UpstreamRejected,
    UpstreamUnauthenticated,
    UpstreamUnavailable,
)
from colonnade.fetched import Fetched
from colonnade.pipeline.operation import Operation
from colonnade.platform import ConnectorPlugin
from colonnade.sandboxes.faults import Fault
from colonnade.soap_faults import FaultRule
from colonnade.testing.harness import FAST_RETRIES, Harness, is_token

Sample = Callable[..., Awaitable[Any]]
"""``sample(connector)`` for a read; ``sample(connector, idempotency_key)`` for a write."""


def one(answer: Any) -> Any:
    """A port's answer for one key, unwrapped: the value, or raise the error it carries."""
    if isinstance(answer, Mapping) and len(answer) == 1:
        [answer] = answer.values()
    if isinstance(answer, BaseException):
        raise answer
    return answer.value if isinstance(answer, Fetched) else answer


class ConnectorSuite:
    plugin: ClassVar[ConnectorPlugin[Any]]
    samples: ClassVar[Mapping[str, Sample]]
    """Operation name → one call of it through the connector (the suite runs each)."""
    drift_field: ClassVar[str | Mapping[str, str] | None] = None
    """A field the provider's wire model requires (or one per operation name): renamed, it
    must be a contract violation."""
    auth_header: ClassVar[str | None] = "Authorization"
    """The credential header the sandbox sees on every call; None: the API takes none."""
    settings: ClassVar[Mapping[str, Any]] = {}
    """Extra settings for the connector's table during the suite."""

    # ------------------------------------------------------------------ generation
    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "read" in metafunc.fixturenames:
            names = [n for n in self.samples if self._op(n).is_read]
            metafunc.parametrize(
                "read", names or [pytest.param(None, marks=_none("declares no reads in samples"))]
            )
        if "soap_rule" in metafunc.fixturenames:
            table = getattr(self.plugin.build, "fault_table", ())
            rules = [r for r in table if _injectable(r)]
            why = (
                "has no SOAP fault table" if not table else "has no fault rule naming an exact code"
            )
            metafunc.parametrize(
                "soap_rule",
                rules or [pytest.param(None, marks=_none(why))],
                ids=[_rule_id(r) for r in rules] or None,
            )
        if "write" in metafunc.fixturenames:
            names = [n for n in self.samples if not self._op(n).is_read]
            metafunc.parametrize(
                "write", names or [pytest.param(None, marks=_none("declares no writes in samples"))]
            )

    def _op(self, name: str) -> Operation:
        cls: Any = self.plugin.build
        ops: dict[str, Operation] = {op.name: op for op in getattr(cls, "operations", ())}
        if name not in ops:
            raise AssertionError(f"samples names {name!r}, not an operation of {cls}")
        return ops[name]

    @pytest.fixture
    async def harness(self) -> AsyncIterator[Harness]:
        async with Harness(self.plugin, settings=self.settings) as harness:
            yield harness

    async def _run(self, harness: Harness, name: str, key: str = "kit-key-1") -> Any:
        sample = self.samples[name]
        if self._op(name).is_read:
            return one(await sample(harness.connector))
        return one(await sample(harness.connector, key))

    async def _baseline(self, harness: Harness, name: str) -> int:
        """How many provider calls the sample makes when nothing goes wrong (and a token, if
        the connector uses one, is fetched: faults added next hit the operation itself)."""
        harness.forget()
        await self._run(harness, name)
        calls = harness.calls()
        harness.forget()
        return calls

    # ------------------------------------------------------------------ settings
    def test_settings_are_valid_by_default(self) -> None:
        settings = self.plugin.settings()
        assert isinstance(settings, ConnectorSettings)
        assert settings.enabled
        assert self.plugin.configured(settings) is False  # no base URL: off, not a failure

    def test_a_bad_setting_is_refused_by_name(self) -> None:
        with pytest.raises(ValidationError) as refused:
            self.plugin.settings.model_validate({"deadline_s": -1, "no_such_key": 1})
        assert {e["loc"][0] for e in refused.value.errors()} == {"deadline_s", "no_such_key"}

    def test_every_read_declares_a_cache_tier(self) -> None:
        cls: Any = self.plugin.build
        untiered = [op.name for op in cls.operations if op.is_read and op.tier is None]
        assert untiered == []  # "live" says "never cached" explicitly

    # ------------------------------------------------------------------ reads
    async def test_reads_with_credentials(self, harness: Harness, read: str) -> None:
        harness.forget()
        assert await self._run(harness, read) is not None
        calls = [c for c in harness.sandbox.recorder.calls() if not is_token(c.operation)]
        assert calls
        assert all(c.status == 200 for c in calls)
        if self.auth_header is None:
            assert all("Authorization" not in c.headers for c in calls)
        else:
            assert all(c.headers.get(self.auth_header) == "present" for c in calls)

    async def test_a_5xx_is_retried(self, harness: Harness, read: str) -> None:
        baseline = await self._baseline(harness, read)
        harness.sandbox.faults.add(Fault("status", status=503, times=1))
        assert await self._run(harness, read) is not None
        assert harness.calls() == baseline + 1

    async def test_a_429_waits_as_told(self, harness: Harness, read: str) -> None:
        baseline = await self._baseline(harness, read)
        harness.sandbox.faults.add(Fault("status", status=429, retry_after="1", times=1))
        assert await self._run(harness, read) is not None
        assert harness.calls() == baseline + 1
        assert harness.runtime is not None
        waits = [r.retry_in_s for r in harness.runtime.telemetry.recent if r.retry_in_s]
        assert waits[-1] == 1.0  # the wait chosen is the one the provider asked for

    async def test_a_4xx_is_not_retried(self, harness: Harness, read: str) -> None:
        await self._baseline(harness, read)
        harness.sandbox.faults.add(Fault("status", status=400))
        with pytest.raises(UpstreamRejected) as rejected:
            await self._run(harness, read)
        assert rejected.value.connector == self.plugin.name
        assert harness.calls() == 1

    async def test_a_persistent_5xx_is_unavailable(self, harness: Harness, read: str) -> None:
        await self._baseline(harness, read)
        harness.sandbox.faults.add(Fault("status", status=502))
        with pytest.raises(UpstreamUnavailable):
            await self._run(harness, read)
        assert harness.calls() == 3  # every attempt the retry policy allows, then a typed error

    async def test_a_reset_is_a_typed_error(self, harness: Harness, read: str) -> None:
        await self._baseline(harness, read)
        harness.sandbox.faults.add(Fault("reset"))
        with pytest.raises(UpstreamUnavailable) as failed:
            await self._run(harness, read)
        assert failed.value.connector == self.plugin.name

    async def test_a_broken_body_is_a_contract_violation(self, harness: Harness, read: str) -> None:
        await self._baseline(harness, read)
        harness.sandbox.faults.add(Fault("malformed"))
        with pytest.raises(UpstreamContractViolation):
            await self._run(harness, read)

    async def test_a_renamed_field_is_a_contract_violation(
        self, harness: Harness, read: str
    ) -> None:
        field = self.drift_field
        field = field.get(read) if isinstance(field, Mapping) else field
        if field is None:
            pytest.skip("no required wire field named for this operation (drift_field)")
        await self._baseline(harness, read)
        renamed = (field, field + "_renamed")
        harness.sandbox.faults.add(Fault("rename_field", rename=renamed))
        with pytest.raises(UpstreamContractViolation):
            await self._run(harness, read)

    async def test_an_error_inside_a_200_is_an_error(self, harness: Harness, read: str) -> None:
        await self._baseline(harness, read)
        harness.sandbox.faults.add(Fault("error_in_200"))
        with pytest.raises(UpstreamError) as failed:
            await self._run(harness, read)
        statuses = {c.status for c in harness.sandbox.recorder.calls() if not is_token(c.operation)}
        if statuses != {200}:  # its error_in_200_response raised: the sandbox answered 500
            pytest.skip("the sandbox has no error-inside-a-200 shape for this provider")
        assert not isinstance(failed.value, UpstreamUnavailable) or failed.value.retryable

    async def test_pages_end_by_themselves(self, harness: Harness, read: str) -> None:
        harness.forget()
        await self._run(harness, read)
        first = harness.calls()
        harness.forget()
        await self._run(harness, read)
        assert harness.calls() == first  # same data, same pages: it stopped where the data ends
        assert first <= 50

    # ------------------------------------------------------------------ SOAP faults
    async def test_each_soap_fault_code_maps_as_declared(
        self, harness: Harness, soap_rule: FaultRule
    ) -> None:
        """Every row of the fault table that names a code, sent by the sandbox as a real SOAP
        fault: the declared error class, retried only when the row says so."""
        reads = [n for n in self.samples if self._op(n).is_read]
        if not reads:
            pytest.skip("no read to provoke the fault with")
        await self._baseline(harness, reads[0])
        detail = None
        if soap_rule.detail is not None and soap_rule.detail_code is not None:
            detail = {soap_rule.detail: soap_rule.detail_code}
        harness.sandbox.faults.add(
            Fault(
                "soap_fault",
                faultcode=soap_rule.faultcode or "Server",
                faultstring=soap_rule.faultstring or "fault",
                detail=detail,
            )
        )
        with pytest.raises(UpstreamError) as failed:
            await self._run(harness, reads[0])
        assert isinstance(failed.value, soap_rule.error_class), failed.value
        if soap_rule.retryable is not None:
            attempts = FAST_RETRIES["max_attempts"] if soap_rule.retryable else 1
            assert harness.calls() == attempts

    # ------------------------------------------------------------------ writes
    async def test_a_write_is_replayed_by_its_key(self, harness: Harness, write: str) -> None:
        harness.forget()
        first = await self._run(harness, write, key="kit-replay-1")
        again = await self._run(harness, write, key="kit-replay-1")
        assert again == first

    async def test_a_write_lost_after_commit_is_not_doubled(
        self, harness: Harness, write: str
    ) -> None:
        harness.forget()
        harness.sandbox.faults.add(Fault("drop_after_commit", times=1))
        try:
            first = await self._run(harness, write, key="kit-lost-1")
        except ColonnadeError as exc:  # refused to guess: fine, as long as it is typed
            assert exc.code.value == "UPSTREAM_OUTCOME_UNKNOWN"  # noqa: PT017
            return
        again = await self._run(harness, write, key="kit-lost-1")
        assert again == first

    # ------------------------------------------------------------------ credentials
    async def test_a_401_refreshes_a_token_once_or_fails_typed(self, harness: Harness) -> None:
        """A token (OAuth2) is fetched anew and the call resent once; a static key that the
        provider refuses is an operator's problem: typed, and not hammered with retries."""
        reads = [n for n in self.samples if self._op(n).is_read]
        if not reads or self.auth_header is None:
            pytest.skip("no authenticated read to try")
        await self._baseline(harness, reads[0])  # a token, if it uses one, is fetched
        harness.sandbox.faults.add(Fault("status", status=401, times=1))
        if isinstance(harness.connector.auth, OAuth2ClientCredentials):
            assert await self._run(harness, reads[0]) is not None
            tokens = [c for c in harness.sandbox.recorder.calls() if c.operation.endswith("token")]
            assert len(tokens) == 1  # refreshed once, not per retry
        else:
            with pytest.raises(UpstreamUnauthenticated):
                await self._run(harness, reads[0])
            assert harness.calls() == 1


def _none(what: str) -> pytest.MarkDecorator:
    return pytest.mark.skip(reason=f"the connector {what}")


def _injectable(rule: FaultRule) -> bool:
    """A row the sandbox can provoke: an exact faultstring, or an exact code in a named
    detail element (regex and XPath rows are the connector's own tests' business)."""
    named_detail = rule.detail is not None and rule.detail.isidentifier()
    return rule.faultstring is not None or (named_detail and rule.detail_code is not None)


def _rule_id(rule: FaultRule) -> str:
    return rule.faultstring or f"{rule.detail}={rule.detail_code}"
