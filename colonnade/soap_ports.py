"""Every port of a WSDL, not only zeep's default one.

zeep's ``client.service`` is the first port of the first service; a WSDL with two bindings
(PayPal's: ``PayPalAPI`` with 25 operations, ``PayPalAPIAA`` with 32) leaves the rest out of
reach. Here each SOAP port of each service is a ``SoapPort`` named ``Service/Port``, and a
binding no service declares can be spoken at an address of our choosing. Where a port's POSTs
go is configuration (``port_paths``), defaulting to the path of its ``soap:address``: the host
is always ``base_url``'s unless an operator names a full URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import zeep
from zeep.wsdl.bindings.soap import Soap12Binding, SoapBinding

from colonnade.errors import ConfigError


@dataclass(frozen=True, slots=True)
class SoapPort:
    """One place operations can be sent: a binding, spoken at ``path``."""

    name: str
    """``Service/Port``, or ``binding:{namespace}Name`` for a binding at an address."""
    binding: Any  # zeep's Binding (untyped)
    proxy: Any  # zeep's ServiceProxy: what ``Client.create_message`` builds against
    path: str
    """Under the connector's ``base_url``, or a full URL from configuration."""

    @property
    def soap12(self) -> bool:
        return isinstance(self.binding, Soap12Binding)

    @property
    def operations(self) -> frozenset[str]:
        return frozenset(self.binding.all())


def address_path(address: str | None) -> str:
    """``https://api-aa.sandbox.paypal.com/2.0/`` → ``/2.0/``: the host is ``base_url``'s."""
    parts = urlsplit(address or "")
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


def wsdl_ports(client: zeep.Client, port_paths: Mapping[str, str]) -> dict[str, SoapPort]:
    """Every SOAP port the WSDL's services declare (HTTP GET/POST bindings are not SOAP)."""
    found: dict[str, SoapPort] = {}
    for service_name, service in client.wsdl.services.items():
        for port_name, port in service.ports.items():
            if not isinstance(port.binding, SoapBinding):
                continue
            name = f"{service_name}/{port_name}"
            address = (port.binding_options or {}).get("address")  # None: no soap:address
            path = port_paths.get(name) or port_paths.get(port_name) or address_path(address)
            proxy = client.create_service(port.binding.name.text, address or path)  # type: ignore[no-untyped-call]  # zeep
            found[name] = SoapPort(name, port.binding, proxy, path)
    known = set(found) | {n.split("/", 1)[1] for n in found}
    unknown = sorted(set(port_paths) - known)
    if unknown:
        raise ConfigError(
            f"port_paths names {', '.join(map(repr, unknown))}, which the WSDL does not declare. "
            f"Its SOAP ports: {', '.join(sorted(found)) or 'none'}."
        )
    return found


def find_port(ports: Mapping[str, SoapPort], service: str | None, port: str | None) -> SoapPort:
    """The port named by service and/or port; neither: the first (zeep's default)."""
    candidates = [
        p
        for name, p in ports.items()
        if (service is None or name.split("/", 1)[0] == service)
        and (port is None or name.split("/", 1)[1] == port)
    ]
    if not candidates or (port is not None and len(candidates) > 1):
        wanted = "/".join(x for x in (service or "*", port or "*"))
        why = "is ambiguous" if candidates else "is not in the WSDL"
        raise ConfigError(
            f"SOAP port {wanted} {why}. Set the connector's service and port to one of: "
            f"{', '.join(sorted(ports)) or 'none (set binding and service_path instead)'}."
        )
    return candidates[0]


def binding_port(client: zeep.Client, binding: str, path: str) -> SoapPort:
    """A binding (``{namespace}Name`` or a unique local name) spoken at ``path``."""
    bindings: dict[str, Any] = dict(client.wsdl.bindings)
    if binding not in bindings:
        local = [q for q in bindings if q.rsplit("}", 1)[-1] == binding]
        if len(local) != 1:
            raise ConfigError(
                f"binding {binding!r} is {'ambiguous' if local else 'not in the WSDL'}. "
                f"Its bindings: {', '.join(sorted(bindings)) or 'none'}."
            )
        binding = local[0]
    if not isinstance(bindings[binding], SoapBinding):
        raise ConfigError(f"binding {binding!r} is not a SOAP binding")
    proxy = client.create_service(binding, path)  # type: ignore[no-untyped-call]  # zeep
    return SoapPort(f"binding:{binding}", bindings[binding], proxy, path)
