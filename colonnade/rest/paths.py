"""Dotted paths into a decoded JSON body: ``"error.code"``, ``"0.errorCode"``, ``"meta.next"``.

Declarations name where a provider keeps its cursor, its items or its error code with these;
a path that does not resolve is ``MISSING`` (distinct from a JSON ``null``).
"""

from __future__ import annotations

from typing import Any, Final


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()


def dig(body: Any, path: str | None) -> Any:
    """The value at ``path`` (``None`` or ``""``: the body itself), or ``MISSING``."""
    if not path:
        return body
    value = body
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return MISSING
    return value


def first_key(path: str) -> str:
    """The first object key on ``path`` (skipping list indexes): a cheap pre-check that a
    body may hold the value before decoding it."""
    for part in path.split("."):
        if not part.isdigit():
            return part
    return path
