"""One package per provider. Each implements a port from ``connectors.ports``, maps the
provider's model into ``connectors.domain`` in one place, and declares itself once as a
``PLUGIN`` in its ``__init__``: a new package here is found with no other edit."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any


def plugins() -> list[Any]:
    """Every ``colonnade.connectors.<package>.PLUGIN`` (the ``colonnade.plugins`` entry point)."""
    found = []
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.ispkg:
            package = importlib.import_module(f"{__name__}.{module.name}")
            plugin = getattr(package, "PLUGIN", None)
            if plugin is not None:
                found.append(plugin)
    return found
