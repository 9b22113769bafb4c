"""The provider's error body becomes a typed error with its code; 5xx and 429 are retried, a
4xx is not — unless the declared codes or the retry header say otherwise; an error inside a
200 is the provider failing."""

from __future__ import annotations

import pytest
from rest_connectors import Things

from colonnade.errors import (
    UpstreamContractViolation,
    UpstreamNotFound,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamUnavailable,
)
from colonnade.sandboxes import Fault

OP = "rest.item"


async def read(c: Things):
    return await c.call(c.any_item, key="it_01")


async def test_a_4xx_is_rejected_with_the_provider_s_code_and_not_retried(make, provider) -> None:
    c = await make(Things)
    provider.faults.add(Fault("status", match=OP, status=400))
    with pytest.raises(UpstreamRejected, match="it went wrong") as err:
        await read(c)
    assert err.value.provider_code == "http_400"
    assert err.value.status == 400
    assert provider.recorder.count(OP) == 1


@pytest.mark.parametrize("status", [500 + 3, 502, 429])
async def test_5xx_and_429_are_retried(make, provider, status: int) -> None:
    c = await make(Things)
    provider.faults.add(Fault("status", match=OP, status=status, retry_after="0", times=1))
    assert (await read(c)).value.id == "it_01"
    assert provider.recorder.count(OP) == 2


async def test_a_429_that_persists_is_rate_limited(make, provider) -> None:
    c = await make(Things)
    provider.faults.add(Fault("status", match=OP, status=429, retry_after="0"))
    with pytest.raises(UpstreamRateLimited) as err:
        await read(c)
    assert err.value.provider_code == "rate_limited"
    assert provider.recorder.count(OP) == 3


async def test_a_code_declared_retryable_is_retried_on_a_4xx(make, provider) -> None:
    c = await make(Things)
    provider.faults.add(Fault("status", match=OP, status=409, times=1))  # lock_timeout
    assert (await read(c)).value.id == "it_01"
    assert provider.recorder.count(OP) == 2


async def test_a_code_declared_final_is_not_retried_on_a_5xx(make, provider) -> None:
    c = await make(Things)
    provider.faults.add(Fault("status", match=OP, status=500))  # http_500
    with pytest.raises(UpstreamUnavailable):
        await read(c)
    assert provider.recorder.count(OP) == 1


@pytest.mark.parametrize(("status", "hint", "calls"), [(400, "true", 2), (503, "false", 1)])
async def test_the_retry_header_settles_it(make, provider, status, hint, calls) -> None:
    c = await make(Things)
    provider.faults.add(
        Fault("status", match=OP, status=status, headers={"X-Should-Retry": hint}, times=1)
    )
    if calls == 2:
        assert (await read(c)).value.id == "it_01"
    else:
        with pytest.raises(UpstreamUnavailable):
            await read(c)
    assert provider.recorder.count(OP) == calls


async def test_an_error_inside_a_200_is_the_provider_failing(make, provider) -> None:
    c = await make(Things)
    provider.faults.add(Fault("error_in_200", match=OP))
    with pytest.raises(UpstreamUnavailable) as err:
        await read(c)
    assert err.value.provider_code == "internal_error"
    assert provider.recorder.count(OP) == 3  # retried: it is not the client's fault


async def test_a_good_200_is_not_mistaken_for_an_error(make, provider) -> None:
    c = await make(Things)
    provider.faults.add(Fault("error_in_200", match=OP, times=1))
    assert (await read(c)).value.id == "it_01"
    assert provider.recorder.count(OP) == 2


async def test_a_404_is_not_found(make, provider) -> None:
    c = await make(Things)
    with pytest.raises(UpstreamNotFound) as err:
        await c.call(c.any_item, key="it_77")
    assert err.value.provider_code == "resource_missing"


@pytest.mark.parametrize("fault", ["malformed", "rename"])
async def test_a_body_off_the_model_is_a_contract_violation(make, provider, fault) -> None:
    c = await make(Things)
    if fault == "malformed":
        provider.faults.add(Fault("malformed", match=OP))
    else:
        provider.faults.add(Fault("rename_field", match=OP, rename=("value", "valeur")))
    with pytest.raises(UpstreamContractViolation):
        await read(c)
    assert provider.recorder.count(OP) == 1
