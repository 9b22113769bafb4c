"""The connectors the SDK's tests declare against ``rest_provider``: each is what an author
would write, so they double as examples."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from colonnade.pipeline.operation import Kind
from colonnade.rest import (
    Anonymous,
    Bearer,
    CommaSeparated,
    Cursor,
    ErrorBody,
    InBody,
    Keys,
    NextLink,
    Offset,
    PageNumber,
    Repeated,
    RestConnector,
    RestOperation,
)


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    value: int


class Label(BaseModel):
    """The domain model the wire ``Item`` maps to."""

    id: str
    label: str


def to_label(item: Item) -> Label:
    if item.value < 0:
        raise ValueError("a negative value")
    return Label(id=item.id, label=f"#{item.value}")


class Things(RestConnector):
    name = "rest"
    credentials = Bearer()
    errors = ErrorBody(
        code="error.code",
        message="error.message",
        retryable={"lock_timeout"},
        final={"http_500"},
        in_success=True,
        retry_header="X-Should-Retry",
    )
    version_header = "Api-Version"
    api_version = "2026-01-01"

    item = RestOperation(
        "GET",
        "/items/{key}",
        model=Item,
        map=to_label,
        tier="standard",
        tags=("rest:item:{key}",),
        keys=Keys(r"it_\d{2}", "an item id (it_ and two digits)"),
    )
    any_item = RestOperation("GET", "/items/{key}", model=Item, tier="live")
    stripe_list = RestOperation(
        "GET",
        "/items",
        model=Item,
        params={"limit": "{settings.page_size}"},
        pages=Cursor("starting_after", last_item="id", has_more="has_more"),
        tier="live",
    )
    cached_list = RestOperation(
        "GET",
        "/items",
        model=Item,
        map=to_label,
        params={"limit": "{limit}"},
        pages=Cursor("starting_after", last_item="id", has_more="has_more"),
        tier="short",
    )
    body_cursor = RestOperation(
        "GET", "/cursor", model=Item, pages=Cursor("cursor", cursor="meta.next", items="items")
    )
    linked = RestOperation("GET", "/linked", model=Item, pages=NextLink("next"))
    link_header = RestOperation("GET", "/link-header", model=Item, pages=NextLink(items=None))
    offset = RestOperation("GET", "/offset", model=Item, pages=Offset(size=10))
    numbered = RestOperation("GET", "/pages", model=Item, pages=PageNumber(size=10))
    forever_cursor = RestOperation(
        "GET", "/forever", model=Item, pages=Cursor("cursor", cursor="meta.next", max_pages=4)
    )
    forever_link = RestOperation("GET", "/forever", model=Item, pages=NextLink("next", max_pages=5))
    foreign = RestOperation("GET", "/foreign", model=Item, pages=NextLink("next"))
    repeated = RestOperation(
        "GET",
        "/batch/repeated",
        model=Item,
        batch=Repeated("id", chunk=5, items="data"),
        tier="standard",
    )
    comma = RestOperation(
        "GET", "/batch/comma", model=Item, batch=CommaSeparated("ids", chunk=5, items="data")
    )
    positional = RestOperation(
        "GET",
        "/batch/comma",
        model=Item,
        map=to_label,
        params={"order": "1"},
        batch=CommaSeparated("ids", chunk=5, key=None),
    )
    in_body = RestOperation(
        "POST",
        "/batch/body",
        model=Item,
        kind=Kind.READ,
        batch=InBody("ids", chunk=5, items="data"),
    )
    create = RestOperation(
        "POST",
        "/things",
        model=Item,
        body={"value": "{value}", "note": "{note}"},
        form=True,
        idempotency_header="Idempotency-Key",
        invalidates=("rest:item:{touches}",),
    )


class Public(RestConnector):
    """A public API: no credentials at all."""

    name = "public"
    credentials = Anonymous()
    items = RestOperation(
        "GET",
        "/items",
        model=Item,
        params={"public": "yes"},
        pages=Cursor("starting_after", last_item="id", has_more="has_more"),
    )
