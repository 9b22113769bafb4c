"""A refusal inside a successful reply: SAP's BAPI message log (``RETURN``, BAPIRET2).

SAP reports business outcomes in a 200, as a table of messages with a severity: a create
refused for an unknown material answers ``SALES_NO = ""`` and an ``E`` message. Nothing in the
WSDL says so, so it is configuration (``return_log``): where the table is, which severities
are errors, where the code and text are. Configured, such a reply is a typed error: on a write
``UPSTREAM_REJECTED`` (not applied), on a read too (a key the client sent that SAP refuses
must not open the breaker for every other client); an ``A``bort is the provider failing
(unavailable, retried, counted).
Codes listed in ``ignore`` (``V1/302``: a number not in the database, on a lookup by number)
are answers, not errors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from colonnade.errors import ConfigError, UpstreamRejected, UpstreamUnavailable
from colonnade.wsdl_import.model import FieldModel, ObjectModel, OperationModel
from colonnade.wsdl_import.settings import ReturnLogSetting


class ReturnLog:
    """The configured log, resolved per operation (GraphQL names, from XML or GraphQL)."""

    def __init__(
        self,
        connector: str,
        setting: ReturnLogSetting,
        operations: Sequence[OperationModel],
        objects: Mapping[str, ObjectModel],
        *,
        scrub: Callable[[str], str] = str,
    ) -> None:
        self._scrub = scrub
        """Blanks configured secrets a provider echoed (before the text is cut)."""
        self._connector = connector
        self._setting = setting
        self._paths: dict[str, list[str]] = {}
        for op in operations:
            path = _resolve(op.output, setting.path, objects)
            if path is not None:
                self._paths[op.name] = path
        if not self._paths:
            raise ConfigError(
                f"connectors.{connector}.return_log.path {setting.path!r} is in no operation's "
                "reply: give the path of the message table (``RETURN.item``)"
            )

    def operations(self) -> set[str]:
        return set(self._paths)

    def check(self, operation: str, value: Any, *, write: bool) -> None:
        """Raise the typed error an error message in ``value`` (a GraphQL reply) stands for."""
        path = self._paths.get(operation)
        if path is None:
            return
        s = self._setting
        for message in _at(value, path):
            severity = str(message.get(s.severity) or "")
            if severity not in s.errors:
                continue
            code = "/".join(str(message.get(part) or "") for part in s.code)
            if code in s.ignore:
                continue
            code = self._scrub(code)
            text = self._scrub(str(message.get(s.text) or ""))[:200]
            # An E is SAP refusing this request (on a read too: an unknown or invalid key a
            # client sent), so it is not retried and never opens the breaker for everyone
            # else; an A(bort) is SAP failing, retried and counted.
            if severity not in s.aborts:
                raise UpstreamRejected(
                    f"{self._connector} rejected the request: {text}",
                    connector=self._connector,
                    operation=operation,
                    provider_code=code,
                )
            raise UpstreamUnavailable(
                f"{self._connector} reported an error inside a successful response ({code})",
                connector=self._connector,
                operation=operation,
                provider_code=code,
            )


def _resolve(
    output: FieldModel | None, path: str, objects: Mapping[str, ObjectModel]
) -> list[str] | None:
    """GraphQL names from the reply down to the repeated message, or None: not in this reply."""
    if output is None or output.kind != "object":
        return None
    fields, names = objects[output.type_name].fields, []
    for segment in path.split("."):
        found = next((f for f in fields if segment in (f.name, f.xml_name)), None)
        if found is None:
            return None
        names.append(found.name)
        fields = objects[found.type_name].fields if found.kind == "object" else []
    return names


def _at(value: Any, path: list[str]) -> list[Mapping[str, Any]]:
    for name in path:
        if not isinstance(value, Mapping):
            return []
        value = value.get(name)
    items = value if isinstance(value, list) else [value]
    return [m for m in items if isinstance(m, Mapping)]
