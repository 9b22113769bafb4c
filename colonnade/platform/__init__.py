"""The connector platform: plugins declare themselves, the composition root assembles them.

``ConnectorPlugin`` / ``GraphPart`` / ``SandboxHost`` are what a package declares
(``colonnade.platform.plugin``); ``discover`` finds them through the ``colonnade.plugins``
entry point group; ``assemble`` builds what the configuration asks for; ``build_schema`` makes
the graph from the parts served.
"""

from colonnade.platform.assembly import Assembly, assemble, every_part
from colonnade.platform.context import RequestContext, context_of, unwrap
from colonnade.platform.discovery import ENTRY_POINT_GROUP, Registry, discover
from colonnade.platform.plugin import ConnectorPlugin, GraphPart, SandboxGroup, SandboxHost
from colonnade.platform.services import Services

__all__ = [
    "ENTRY_POINT_GROUP",
    "Assembly",
    "ConnectorPlugin",
    "GraphPart",
    "Registry",
    "RequestContext",
    "SandboxGroup",
    "SandboxHost",
    "Services",
    "assemble",
    "context_of",
    "discover",
    "every_part",
    "unwrap",
]
