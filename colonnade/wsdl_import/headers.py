"""SOAP headers from configuration: the header parts a WSDL declares, and WS-Security.

Values are ``colonnade.auth.Secret`` objects, read when a request is built, so a rotated
secret file is used by the next request and no value is ever kept in a repr or a message.
Every configured name is checked against the WSDL at start-up: a header no operation declares,
or a plain value given for a structured header, is a ``ConfigError`` naming the declared ones
(never a value) instead of a failed request later.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from zeep.wsse.username import UsernameToken
from zeep.xsd import types as xt

from colonnade.auth import Secret
from colonnade.errors import ConfigError


def _declared(operation: Any) -> list[tuple[str, Any]]:
    """(part name, xsd element) of each header part of an operation's input."""
    header = getattr(getattr(operation, "input", None), "header", None)
    if header is None or not isinstance(header.type, xt.ComplexType):
        return []
    return list(header.type.elements)


def _names(part: str, element: Any) -> set[str]:
    return {part, str(getattr(element, "name", "") or part)}


def _reaches(element: Any, path: list[str]) -> bool:
    """The dotted rest of a name leads through complex children to a simple-typed element."""
    for segment in path:
        if not isinstance(element.type, xt.ComplexType):
            return False
        children = dict(element.type.elements)
        if segment not in children:
            return False
        element = children[segment]
    return not isinstance(element.type, xt.ComplexType)


class SoapHeaders:
    """The configured header values, by dotted name (``Session`` or ``AuthHeader.Token``)."""

    def __init__(
        self,
        connector: str,
        values: Mapping[str, SecretStr],
        files: Mapping[str, Path],
        operations: Iterable[Any],
    ) -> None:
        self._secrets: dict[str, Secret] = {}
        for name, value in values.items():
            self._secrets[name] = Secret(f"connectors.{connector}.soap_headers.{name}", value)
        for name, file in files.items():
            if name in self._secrets:
                raise ConfigError(
                    f"connectors.{connector}: header {name!r} is in both soap_headers and "
                    "soap_header_files; keep one"
                )
            self._secrets[name] = Secret(
                f"connectors.{connector}.soap_header_files.{name}", file=file
            )
        declared = [(p, e) for op in operations for p, e in _declared(op)]
        for name in self._secrets:
            head, *rest = name.split(".")
            if not any(head in _names(p, e) and _reaches(e, rest) for p, e in declared):
                known = sorted({n for p, e in declared for n in _names(p, e)})
                raise ConfigError(
                    f"connectors.{connector}: SOAP header {name!r} is not a header value the "
                    "WSDL declares (a structured header needs a dotted name down to a plain "
                    f"element). Declared headers: {', '.join(known) or 'none'}."
                )

    def __bool__(self) -> bool:
        return bool(self._secrets)

    def for_operation(self, operation: Any) -> dict[str, Any] | None:
        """zeep's ``_soapheaders`` for one operation: the configured values of the headers it
        declares (None: it declares none that are configured)."""
        out: dict[str, Any] = {}
        for part, element in _declared(operation):
            names = _names(part, element)
            for name, secret in self._secrets.items():
                head, *rest = name.split(".")
                if head not in names or not _reaches(element, rest):
                    continue
                if not rest:
                    out[part] = secret.get()
                    continue
                holder = out.setdefault(part, {})
                for segment in rest[:-1]:
                    holder = holder.setdefault(segment, {})
                holder[rest[-1]] = secret.get()
        return out or None

    def fingerprint(self) -> str:
        """A short non-secret id of the current values: a header (a tenant, a session) may
        change the answer, so cache entries carry it."""
        joined = "\0".join(f"{n}={s.fingerprint()}" for n, s in sorted(self._secrets.items()))
        return hashlib.sha256(joined.encode()).hexdigest()[:16]

    def values(self) -> list[str]:
        """The current values (to keep them out of any message quoted from the provider)."""
        return [s.get() for s in self._secrets.values()]

    def __repr__(self) -> str:
        return f"SoapHeaders({sorted(self._secrets)})"


class WsseUsernameToken:
    """zeep's WS-Security UsernameToken (text or digest), built afresh for each request from
    the password's ``Secret``: zeep's own object would keep the password it was made with."""

    def __init__(self, username: str, password: Secret, *, digest: bool) -> None:
        self.username = username
        self._password = password
        self.digest = digest

    def apply(self, envelope: Any, headers: Any) -> tuple[Any, Any]:
        token = UsernameToken(self.username, self._password.get(), use_digest=self.digest)  # type: ignore[no-untyped-call]  # zeep
        applied: tuple[Any, Any] = token.apply(envelope, headers)  # type: ignore[no-untyped-call]  # zeep
        return applied

    def verify(self, envelope: Any) -> None:
        """Replies are not signed by a UsernameToken: nothing to check."""

    def secret(self) -> str:
        return self._password.get()

    def fingerprint(self) -> str:
        return self._password.fingerprint()

    def __repr__(self) -> str:
        kind = "digest" if self.digest else "text"
        return f"WsseUsernameToken({self.username!r}, '**********', {kind})"
