"""What a field resolves to when its provider fails, declared per field.

- ``Fallback.null()`` (the default): null plus the typed error — graceful degradation.
- ``Fallback.default(value)``: a stand-in value (an empty list, zero); no error, but the
  response lists the field in ``extensions.colonnade.fallbacks`` with the failure's code.
- ``Fallback.message(text)``: null plus the error, carrying ``text`` for the UI to show.

"Last known good" is declared per *operation* (``Operation.last_known_good_s``) because it needs
storage: the pipeline keeps the last good answer that long and serves it, labelled, when the
provider fails.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from strawberry.types import Info

from colonnade.errors import UpstreamError

T = TypeVar("T")


class FallbackKind(StrEnum):
    NULL = "null"
    DEFAULT = "default"
    MESSAGE = "message"


@dataclass(frozen=True, slots=True)
class Fallback:
    kind: FallbackKind = FallbackKind.NULL
    value: Any = None
    text: str | None = None

    @classmethod
    def null(cls) -> Fallback:
        return cls()

    @classmethod
    def default(cls, value: Any) -> Fallback:
        return cls(FallbackKind.DEFAULT, value=value)

    @classmethod
    def message(cls, text: str) -> Fallback:
        return cls(FallbackKind.MESSAGE, text=text)


async def guarded(info: Info[Any, Any], fallback: Fallback, load: Awaitable[T]) -> T:
    """Await ``load``; on an upstream failure apply ``fallback`` and say so in the response."""
    try:
        return await load
    except UpstreamError as err:
        if fallback.kind is FallbackKind.DEFAULT:
            report = getattr(info.context, "report", None)
            if report is not None:
                report.fallback(info.path.as_list(), err.connector, "default", err.code.value)
            value: T = fallback.value
            return value
        if fallback.kind is FallbackKind.MESSAGE:
            err.extensions["fallback"] = {"kind": "message", "message": fallback.text}
        raise
