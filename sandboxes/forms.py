"""Stripe-style form decoding: `metadata[k]=v` nests, `expand[]=x` appends."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


class FormError(ValueError):
    """A key that is not valid bracket notation."""


def decode(body: bytes) -> dict[str, Any]:
    """Decode an x-www-form-urlencoded body into nested dicts/lists."""
    out: dict[str, Any] = {}
    for key, value in parse_qsl(body.decode("utf-8"), keep_blank_values=True):
        m = _KEY.match(key)
        if m is None:
            raise FormError(f"Invalid parameter name: {key}")
        path = [m.group(1), *re.findall(r"\[([^\[\]]*)\]", m.group(2))]
        _assign(out, path, value)
    return out


def _assign(target: dict[str, Any], path: list[str], value: str) -> None:
    node: Any = target
    for n, part in enumerate(path):
        last = n == len(path) - 1
        nxt = None if last else path[n + 1]
        if isinstance(node, list):
            if last:
                node.append(value)
                return
            child: Any = [] if nxt == "" else {}
            node.append(child)
            node = child
            continue
        if last:
            node[part] = value
            return
        default: Any = [] if nxt == "" else {}
        existing = node.setdefault(part, default)
        if not isinstance(existing, (dict, list)):
            raise FormError(f"Invalid parameter name: {'.'.join(path)}")
        node = existing
