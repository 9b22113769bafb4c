"""Each batch style sends its keys as declared, chunks them, answers each key (``None``
for one the provider does not have) and caches per key."""

from __future__ import annotations

import json

import pytest
from rest_connectors import Item, Label, Things

from colonnade.errors import BadUserInput, UpstreamContractViolation
from colonnade.pipeline.core import Fetched
from colonnade.sandboxes import Fault

KEYS = [f"it_{n:02d}" for n in range(11)] + ["it_99"]  # 12 keys, one unknown


def values(answers):
    out = {}
    for key, answer in answers.items():
        if isinstance(answer, BaseException):
            raise answer
        assert isinstance(answer, Fetched)
        out[key] = answer.value
    return out


@pytest.mark.parametrize(
    ("style", "operation"),
    [
        ("repeated", "rest.batch_repeated"),
        ("comma", "rest.batch_comma"),
        ("in_body", "rest.batch_body"),
    ],
)
async def test_each_style_answers_every_key_in_chunks(make, provider, style, operation) -> None:
    c = await make(Things)
    got = values(await c.call_many(getattr(c, style), KEYS))
    assert got["it_99"] is None
    assert got["it_03"] == Item(id="it_03", value=3)
    assert set(got) == set(KEYS)
    calls = provider.recorder.calls(operation)
    assert sorted(call.batch_size for call in calls) == [2, 5, 5]  # chunk = 5, concurrently


async def test_how_the_keys_are_sent(make, provider) -> None:
    c = await make(Things)
    await c.call_many(c.repeated, ["it_01", "it_02"])
    await c.call_many(c.comma, ["it_01", "it_02"])
    await c.call_many(c.in_body, ["it_01", "it_02"])
    repeated, comma, body = provider.seen
    assert repeated.query_params.getlist("id") == ["it_01", "it_02"]
    assert comma.query_params["ids"] == "it_01,it_02"
    assert json.loads(await body.body()) == {"ids": ["it_01", "it_02"]}


async def test_positional_answers_map_to_their_keys(make, provider) -> None:
    c = await make(Things)
    got = values(await c.call_many(c.positional, ["it_04", "it_99", "it_02"]))
    assert got == {
        "it_04": Label(id="it_04", label="#4"),
        "it_99": None,
        "it_02": Label(id="it_02", label="#2"),
    }


async def test_cached_keys_do_not_go_again(make, provider) -> None:
    c = await make(Things)
    await c.call_many(c.repeated, KEYS[:5])
    got = values(await c.call_many(c.repeated, KEYS[:7]))
    assert set(got) == set(KEYS[:7])
    assert [call.batch_size for call in provider.recorder.calls("rest.batch_repeated")] == [5, 2]


async def test_a_broken_batch_fails_every_key_of_it(make, provider) -> None:
    c = await make(Things)
    provider.faults.add(Fault("malformed", match="rest.batch_comma"))
    answers = await c.call_many(c.comma, ["it_01", "it_02"])
    assert all(isinstance(a, UpstreamContractViolation) for a in answers.values())


async def test_a_record_that_breaks_the_model_fails_its_key_alone(make, provider) -> None:
    c = await make(Things)
    provider.faults.add(Fault("rename_field", match="rest.batch_comma", rename=("value", "valeur")))
    answers = await c.call_many(c.comma, ["it_01"])
    assert isinstance(answers["it_01"], UpstreamContractViolation)


async def test_refused_keys_fail_alone(make, provider) -> None:
    c = await make(Things)
    got = await c.find_each(c.item, ["it_01", "../secrets"])
    assert isinstance(got["../secrets"], BadUserInput)
    assert isinstance(got["it_01"], Fetched)
    assert provider.recorder.count("rest.item") == 1
