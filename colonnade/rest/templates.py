"""Filling an operation's declared path, parameters, headers and body from a call's arguments.

``"{customer}"`` alone is the argument itself (an int, a list, ``None``); in a longer string it
is formatted (``"Bearer {token}"``, ``"{settings.page_size}"``). A ``None`` parameter or body
field is left out: optional arguments need no code. Path values are URL-quoted and may not be
``.`` or ``..``: a key never walks the URL to another resource.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from colonnade.errors import BadUserInput, ConfigError

_WHOLE = re.compile(r"\{(\w+)\}")
_FIELD = re.compile(r"\{([^{}]+)\}")


def render(template: Any, ns: Mapping[str, Any]) -> Any:
    if not isinstance(template, str):
        return template
    try:
        if whole := _WHOLE.fullmatch(template):
            return ns[whole.group(1)]
        return template.format_map(ns)
    except (KeyError, AttributeError) as exc:
        raise ConfigError(
            f"template {template!r} names {exc}, which the call does not pass"
        ) from None


def render_all(templates: Mapping[str, Any], ns: Mapping[str, Any]) -> dict[str, Any]:
    """Rendered values, ``None`` left out."""
    rendered = {name: render(t, ns) for name, t in templates.items()}
    return {name: v for name, v in rendered.items() if v is not None}


def wire_text(value: Any) -> str:
    """A parameter as it goes on the wire: booleans as providers spell them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def params(templates: Mapping[str, Any], ns: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Query or form pairs; a list value repeats its parameter."""
    pairs: list[tuple[str, str]] = []
    for name, value in render_all(templates, ns).items():
        values = value if isinstance(value, list | tuple) else [value]
        pairs.extend((name, wire_text(v)) for v in values if v is not None)
    return pairs


def path(template: str, ns: Mapping[str, Any]) -> str:
    def segment(match: re.Match[str]) -> str:
        value = wire_text(render("{" + match.group(1) + "}", ns))
        if value in ("", ".", ".."):
            raise BadUserInput(f"{value!r} is not a valid identifier")
        return quote(value, safe="")

    return _FIELD.sub(segment, template)
