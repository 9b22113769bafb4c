"""What a connector package declares about itself, once: the only thing the engine reads.

A ``ConnectorPlugin`` names the connector, its settings model, how it is built, the ports it
implements, its sandbox and its part of the graph. A ``GraphPart`` is a slice of the schema
written against ports, not connectors (the commerce graph asks for a ``CustomerDirectory``,
whichever connector provides it), so swapping a provider means replacing one implementation.
Packages hand these to the engine through the ``colonnade.plugins`` entry point group
(``colonnade.platform.discovery``); the engine never imports a connector by name.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from colonnade.config import ConnectorSettings

if TYPE_CHECKING:
    from colonnade.events.feature import EventsFeature, HandlerFactory
    from colonnade.runtime import Runtime

S = TypeVar("S", bound=ConnectorSettings)


@dataclass(frozen=True, kw_only=True)
class GraphPart:
    """A slice of the schema: root fields, and fields added to types other parts own.

    ``extends`` maps a type — by its GraphQL name (``"Money"``), as another part ``exports``
    it, or by its class — to a Strawberry type whose fields are added to it
    (``MoneyConversion.converted_to``): a connector adds ``Money.convertedTo`` without editing,
    or importing, the module that defines ``Money``. The part is in the graph when every port in
    ``requires`` is provided; otherwise it is left out, or served with fields that answer
    ``CONNECTOR_UNAVAILABLE`` (``graph.unavailable_fields``)."""

    name: str
    query: type | None = None
    mutation: type | None = None
    subscription: type | None = None
    extends: Mapping[type | str, type] = field(default_factory=dict)
    exports: tuple[type, ...] = ()
    """Types other parts may extend by name (``GraphPart(extends={"Customer": ...})``)."""
    entities: tuple[type, ...] = ()
    """Federation entities (``@key`` types) this part owns and resolves (``_entities``). A
    subgraph serving a part that extends one of them without its owner serves a stub."""
    needs: Mapping[type | str, tuple[str, ...]] = field(default_factory=dict)
    """Per extended type, the fields of it (Python names) the extension's resolvers read:
    in a subgraph without the type's owner they come from the router (``@requires``)."""
    requires: tuple[type, ...] = ()
    scalars: Mapping[object, Any] = field(default_factory=dict)
    """Custom scalars its types use: ``{NewType: strawberry.scalar(name=...)}`` (Strawberry's
    ``scalar_map``); one type may be declared by several parts, never two ways."""
    start: Callable[[EventsFeature, Runtime], None] | None = None
    """Called once the events feature exists: start a feed (MQTT ingest) this part serves."""


@dataclass(frozen=True, kw_only=True)
class ConnectorPlugin(Generic[S]):
    """One connector, declared once (see README "Adding a connector")."""

    name: str
    settings: type[S]
    build: Callable[[S, Runtime], Any]
    """Usually the connector class: called once at start-up with its validated settings."""
    provides: tuple[type, ...] = ()
    """The ports (Protocols from the graph's side) the built connector implements."""
    graph: GraphPart | None = None
    """Root fields of this connector alone (its ports' parts are declared by the graph)."""
    sandbox: str | None = None
    """``"module:Class"`` of its sandbox provider, imported only when the sandbox is wanted."""
    ready: Callable[[Any], Awaitable[dict[str, Any]]] | None = None
    """Its own ``/readyz`` check, beside the engine's (breakers, last call): keys to add."""
    webhooks: Callable[[Any, Runtime], HandlerFactory] | None = None
    """The handler for signed webhooks from this provider (``POST /webhooks/<name>``)."""
    description: str = ""

    def configured(self, settings: S) -> bool:
        """A connector without a base URL (and no sandbox filling it in) is left unbuilt."""
        return bool(settings.base_url)


class SandboxGroup(Protocol):
    """Sandbox providers served together (the embedded default, ``colonnade sandbox``)."""

    app: Any

    def set_base_latency(self, seconds: float) -> None: ...

    def connector_settings(self, name: str) -> dict[str, Any]:
        """Credentials the connector ``name`` needs to reach its sandbox (no base URL)."""
        ...

    def send_webhooks(self, name: str, url: str, secret: str) -> bool:
        """Have provider ``name`` sign and send its webhooks to ``url``; False if it sends none."""
        ...

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> Any: ...


@dataclass(frozen=True, kw_only=True)
class SandboxHost:
    """Builds a ``SandboxGroup`` from ``{connector name: "module:ProviderClass"}``, the seed's
    size and ``fresh`` (credentials generated for this process, or the public demo ones): the
    sandboxes are a plugin too, so an installed Colonnade without them still serves."""

    build: Callable[[Mapping[str, str], int, bool], SandboxGroup]


@dataclass(frozen=True, kw_only=True)
class ConnectorKind:
    """Connectors made from configuration alone: a ``[connectors.<name>]`` table that carries
    ``key`` (``wsdl = "services/epm.wsdl"``) under a name no package installs is validated by
    ``settings`` and becomes the plugin ``plugin(name, settings)`` returns — at start-up, so
    a zero-code connector is in the graph exactly like an installed one."""

    key: str
    settings: type[ConnectorSettings]
    plugin: Callable[[str, Any], ConnectorPlugin[Any]]
    description: str = ""
    made_from: tuple[str, ...] | None = None
    """The table keys the plugin depends on (None: all). The embedded demo fills in
    ``base_url`` and credentials; a plugin not made from them is made once, not again."""


Plugin = ConnectorPlugin[Any] | GraphPart | SandboxHost | ConnectorKind
PLUGIN_TYPES = (ConnectorPlugin, GraphPart, SandboxHost, ConnectorKind)
