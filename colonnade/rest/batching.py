"""How a batch endpoint takes many keys, declared: repeated parameters (``?id=a&id=b``), one
comma-separated parameter (``?ids=a,b``) or a list in a JSON body; at most ``chunk`` keys per
request (a larger batch is several requests), and how answers find their key again — by the
item field ``key`` (``"id"``), or by position (``key=None``: answers in request order, a
``null`` for a key the provider does not have). A key with no answer is ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class BatchRequest:
    """What a batch adds to the operation's request."""

    params: list[tuple[str, str]] = field(default_factory=list)
    body: dict[str, Any] | None = None


class Batching(Protocol):
    @property
    def chunk(self) -> int:
        """Most keys per request."""
        ...

    @property
    def items(self) -> str | None:
        """Path to the answers' list in the body (``None``: the body is the list)."""
        ...

    @property
    def key(self) -> str | None:
        """The item field holding its key; ``None``: answers come in request order."""
        ...

    def request(self, keys: list[str]) -> BatchRequest: ...


@dataclass(frozen=True, slots=True)
class Repeated:
    """``?id=a&id=b``."""

    param: str
    chunk: int = 100
    items: str | None = None
    key: str | None = "id"

    def request(self, keys: list[str]) -> BatchRequest:
        return BatchRequest(params=[(self.param, k) for k in keys])


@dataclass(frozen=True, slots=True)
class CommaSeparated:
    """``?ids=a,b`` (``sep`` for another separator)."""

    param: str
    chunk: int = 100
    items: str | None = None
    key: str | None = "id"
    sep: str = ","

    def request(self, keys: list[str]) -> BatchRequest:
        return BatchRequest(params=[(self.param, self.sep.join(keys))])


@dataclass(frozen=True, slots=True)
class InBody:
    """``{"ids": ["a", "b"]}`` as the JSON body (beside the operation's own body fields)."""

    field: str
    chunk: int = 100
    items: str | None = None
    key: str | None = "id"

    def request(self, keys: list[str]) -> BatchRequest:
        return BatchRequest(body={self.field: list(keys)})


def chunks(keys: list[str], size: int) -> list[list[str]]:
    return [keys[i : i + size] for i in range(0, len(keys), max(1, size))]
