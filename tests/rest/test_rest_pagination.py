"""Each pagination style walks every page and ends by itself; one that never ends is
stopped by its bound; a next link off the provider's origin is refused."""

from __future__ import annotations

import pytest
from rest_connectors import Things

from colonnade.errors import UpstreamContractViolation

IDS = [f"it_{n:02d}" for n in range(25)]
STYLES = ["stripe_list", "body_cursor", "linked", "link_header", "offset", "numbered"]
OPERATION = {
    "stripe_list": "rest.items",
    "body_cursor": "rest.cursor",
    "linked": "rest.linked",
    "link_header": "rest.link_header",
    "offset": "rest.offset",
    "numbered": "rest.pages",
}


@pytest.mark.parametrize("style", STYLES)
async def test_every_page_then_the_end(make, provider, style: str) -> None:
    c = await make(Things)
    got = await c.call(getattr(c, style))
    assert [i.id for i in got.value] == IDS
    assert provider.recorder.count(OPERATION[style]) == 3  # 10 + 10 + 5, and no fourth


async def test_cursor_pages_carry_the_cursor_and_the_settings_page_size(make, provider) -> None:
    c = await make(Things, page_size=10)
    await c.call(c.stripe_list)
    queries = [dict(s.query_params) for s in provider.seen]
    assert queries == [
        {"limit": "10"},
        {"limit": "10", "starting_after": "it_09"},
        {"limit": "10", "starting_after": "it_19"},
    ]


async def test_offset_and_page_numbers_advance(make, provider) -> None:
    c = await make(Things)
    await c.call(c.offset)
    await c.call(c.numbered)
    assert [s.query_params.get("offset") for s in provider.seen[:3]] == ["0", "10", "20"]
    assert [s.query_params.get("page") for s in provider.seen[3:]] == ["1", "2", "3"]


@pytest.mark.parametrize(("style", "bound"), [("forever_cursor", 4), ("forever_link", 5)])
async def test_a_provider_that_never_ends_is_stopped_by_the_bound(
    make, provider, style: str, bound: int
) -> None:
    c = await make(Things)
    got = await c.call(getattr(c, style))
    assert len(got.value) == bound
    assert provider.recorder.count("rest.forever") == bound


async def test_a_next_link_to_another_origin_is_refused(make, provider) -> None:
    c = await make(Things)
    with pytest.raises(UpstreamContractViolation, match="unexpected shape"):
        await c.call(c.foreign)
    assert provider.recorder.count("rest.foreign") == 1  # refused, and never retried


async def test_a_failed_page_retries_the_walk(make, provider) -> None:
    from colonnade.sandboxes import Fault

    c = await make(Things)
    provider.faults.add(Fault("status", match="rest.linked", status=503, times=1))
    got = await c.call(c.linked)
    assert [i.id for i in got.value] == IDS
    assert provider.recorder.count("rest.linked") == 4  # the failed first page, then three
