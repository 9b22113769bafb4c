"""How a list endpoint pages, declared: where the items are, what the next request is, and
when it ends — by itself (no more flag, no cursor, no link, a short page) or, for a provider
that never says so, after ``max_pages`` (logged; what was read is returned).

``next`` answers the parameters to set on the next request (cursor, offset, page), a URL to
follow (next link), or ``None``: the end. The connector checks that a followed URL stays on
the provider's own origin: credentials go only where the connector decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from colonnade.rest.paths import MISSING, dig

DEFAULT_MAX_PAGES = 10


@dataclass(frozen=True, slots=True)
class Page:
    """One page as read: the decoded body, its items, the response, the request's params."""

    body: Any
    items: list[Any]
    response: httpx.Response
    params: dict[str, str]


class Pagination(Protocol):
    @property
    def items(self) -> str | None:
        """Path to the list of items in a page's body (``None``: the body is the list)."""
        ...

    @property
    def max_pages(self) -> int: ...

    def first(self) -> dict[str, str]:
        """Parameters the first request carries (an offset, a page size)."""
        ...

    def next(self, page: Page) -> dict[str, str] | str | None:
        """Parameters for the next request, a URL to follow, or ``None`` at the end."""
        ...


@dataclass(frozen=True, slots=True)
class Unpaged:
    """A list that comes whole in one response."""

    items: str | None = "data"
    max_pages: int = 1

    def first(self) -> dict[str, str]:
        return {}

    def next(self, page: Page) -> dict[str, str] | str | None:
        return None


@dataclass(frozen=True, slots=True)
class Cursor:
    """The next request sets ``param`` to a cursor: read from the body (``cursor="meta.next"``)
    or from the last item (``last_item="id"``, Stripe's ``starting_after``). It ends on an
    empty page, a missing or empty cursor, or a ``has_more`` flag that is not ``true``."""

    param: str
    cursor: str | None = None
    last_item: str | None = None
    has_more: str | None = None
    items: str | None = "data"
    max_pages: int = DEFAULT_MAX_PAGES

    def __post_init__(self) -> None:
        if (self.cursor is None) == (self.last_item is None):
            raise ValueError("Cursor reads its value from cursor= (body) or last_item=, not both")

    def first(self) -> dict[str, str]:
        return {}

    def next(self, page: Page) -> dict[str, str] | str | None:
        if not page.items:
            return None
        if self.has_more is not None and dig(page.body, self.has_more) is not True:
            return None
        if self.last_item is not None:
            value = dig(page.items[-1], self.last_item)
        else:
            value = dig(page.body, self.cursor)
        if value is MISSING or value is None or value == "":
            return None
        return {self.param: str(value)}


@dataclass(frozen=True, slots=True)
class NextLink:
    """Follow a link: at ``path`` in the body (``"next"``, Salesforce's ``nextRecordsUrl``) or,
    with no path, the ``Link: <…>; rel="next"`` header. ``within``: a URL path prefix the link
    must stay under (a template: ``"/data/{settings.api_version}/"``). Ends with no link."""

    path: str | None = None
    items: str | None = "data"
    within: str | None = None
    max_pages: int = DEFAULT_MAX_PAGES

    def first(self) -> dict[str, str]:
        return {}

    def next(self, page: Page) -> dict[str, str] | str | None:
        if self.path is None:
            link = page.response.links.get("next", {}).get("url")
        else:
            link = dig(page.body, self.path)
        return link if isinstance(link, str) and link else None


@dataclass(frozen=True, slots=True)
class Offset:
    """``?offset=0&limit=100``, then ``offset=100``…; ends on a short or empty page."""

    param: str = "offset"
    size_param: str = "limit"
    size: int = 100
    items: str | None = "data"
    max_pages: int = DEFAULT_MAX_PAGES
    start: int = 0
    step_is_page: bool = False

    def first(self) -> dict[str, str]:
        return {self.param: str(self.start), self.size_param: str(self.size)}

    def next(self, page: Page) -> dict[str, str] | str | None:
        if len(page.items) < self.size:
            return None
        step = 1 if self.step_is_page else self.size
        return {self.param: str(int(page.params[self.param]) + step)}


def PageNumber(
    param: str = "page",
    size_param: str = "per_page",
    size: int = 100,
    *,
    items: str | None = "data",
    first: int = 1,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> Offset:
    """``?page=1&per_page=100``, then ``page=2``…; ends on a short or empty page."""
    return Offset(param, size_param, size, items, max_pages, start=first, step_is_page=True)
