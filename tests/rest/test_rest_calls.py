"""Calls go through the pipeline: cached by tier and tags, 404 as None, keys checked, paths
quoted, domain mapping checked, writes keyed, retried only when keyed, and invalidating."""

from __future__ import annotations

import pytest
from rest_connectors import Label, Things

from colonnade.errors import BadUserInput, UpstreamContractViolation, UpstreamOutcomeUnknown
from colonnade.pipeline.core import Fetched
from colonnade.sandboxes import Fault


async def test_a_cached_read_is_served_from_the_tier(make, provider) -> None:
    c = await make(Things)
    first = await c.call(c.cached_list, limit=10)
    second = await c.call(c.cached_list, limit=10)
    assert second.value == first.value
    assert isinstance(first.value[0], Label)
    assert provider.recorder.count("rest.items") == 3  # one walk of three pages
    await c.call(c.cached_list, limit=25)  # other arguments, another entry
    assert provider.recorder.count("rest.items") == 4


async def test_a_live_read_always_goes(make, provider) -> None:
    c = await make(Things)
    await c.call(c.stripe_list)
    await c.call(c.stripe_list)
    assert provider.recorder.count("rest.items") == 6


async def test_find_each_answers_none_for_a_404(make, provider) -> None:
    c = await make(Things)
    got = await c.find_each(c.item, ["it_01", "it_77"])
    assert isinstance(got["it_01"], Fetched)
    assert got["it_01"].value == Label(id="it_01", label="#1")
    assert isinstance(got["it_77"], Fetched)
    assert got["it_77"].value is None


async def test_call_each_keeps_a_404_an_error(make, provider) -> None:
    c = await make(Things)
    got = await c.call_each(c.any_item, ["it_01", "it_77"])
    assert isinstance(got["it_77"], BaseException)


async def test_path_values_are_quoted_and_dot_segments_refused(make, provider) -> None:
    c = await make(Things)
    got = await c.find_each(c.any_item, ["a/b", ".."])
    assert isinstance(got[".."], BadUserInput)
    assert isinstance(got["a/b"], Fetched)
    assert got["a/b"].value is None
    request = c.request(c.any_item, {"key": "a/b"})
    assert request.url.raw_path == b"/items/a%2Fb"  # one segment, never another resource


async def test_a_map_that_cannot_read_the_value_is_a_contract_violation(make, provider) -> None:
    c = await make(Things)
    with pytest.raises(UpstreamContractViolation):
        c.to_domain(c.item, {"id": "it_01", "value": -1})


async def test_a_keyed_write_sends_the_key_and_is_retried(make, provider) -> None:
    c = await make(Things)
    provider.faults.add(Fault("drop_after_commit", match="rest.create", times=1))
    made = await c.write(c.create, idempotency_key="k-1", value=7, note=None, touches="x")
    assert made.value == 7
    keys = [s.headers.get("idempotency-key") for s in provider.seen]
    assert keys == ["k-1", "k-1"]  # the lost answer, then the provider's replay
    assert len(provider.created) == 1
    form = [dict(await s.form()) for s in provider.seen]
    assert form[0] == {"value": "7"}  # a None field is left out


async def test_an_unkeyed_write_is_never_retried(make, provider) -> None:
    c = await make(Things)
    provider.faults.add(Fault("drop_after_commit", match="rest.create", times=1))
    with pytest.raises(UpstreamOutcomeUnknown):
        await c.write(c.create, value=7, note="n", touches="x")
    assert provider.recorder.count("rest.create") == 1


async def test_a_write_invalidates_its_tags(make, provider) -> None:
    c = await make(Things)
    await c.find_each(c.item, ["it_01"])
    await c.find_each(c.item, ["it_01"])
    assert provider.recorder.count("rest.item") == 1
    await c.write(c.create, idempotency_key="k-2", value=1, note=None, touches="it_01")
    await c.find_each(c.item, ["it_01"])
    assert provider.recorder.count("rest.item") == 2


def test_operations_are_declared_for_the_pipeline() -> None:
    names = {op.name for op in Things.operations}
    assert {"item", "stripe_list", "create", "in_body"} <= names
    by_name = {op.name: op for op in Things.operations}
    assert by_name["create"].native_idempotency
    assert by_name["in_body"].is_read
    assert not by_name["create"].is_read
    assert by_name["item"].tier == "standard"
