"""Running generated graph source as a module, for a connector configured with only a WSDL.

The source is ``codegen.render_graph``'s, from names it sanitized itself (every identifier is
``[_0-9A-Za-z]`` and every text a ``repr``), so executing it runs no WSDL content as code. The
module is registered in ``sys.modules`` because Strawberry resolves the (postponed) annotations
of a type through its module.
"""

from __future__ import annotations

import sys
import types

from colonnade.errors import ConfigError
from colonnade.platform.plugin import GraphPart


def load_graph(source: str, module_name: str) -> GraphPart:
    """Execute generated source as ``module_name`` and return its ``GRAPH``."""
    module = run_generated(source, module_name)
    graph = module.__dict__.get("GRAPH")
    if not isinstance(graph, GraphPart):
        raise ConfigError(f"{module_name}: generated source without a GRAPH")
    return graph


def run_generated(source: str, module_name: str) -> types.ModuleType:
    """Execute generated source as the module ``module_name`` (importable by that name)."""
    module = types.ModuleType(module_name)
    module.__file__ = f"<generated {module_name}>"
    sys.modules[module_name] = module
    try:
        # our generator's source, not the WSDL's text (see the module docstring)
        code = compile(source, module.__file__, "exec")
        exec(code, module.__dict__)  # noqa: S102  # nosec B102
    except Exception as exc:
        del sys.modules[module_name]
        raise ConfigError(
            f"the GraphQL types generated for {module_name} do not load ({type(exc).__name__}: "
            f"{exc}); this is a bug of the WSDL import: report it with the WSDL"
        ) from exc
    return module
