"""One package per provider. Each implements a port from ``connectors.ports`` and maps the
provider's model into ``connectors.domain`` in one place (its ``mapping`` module)."""
