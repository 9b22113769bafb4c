"""SAP's errors inside a successful reply: the RETURN table of BAPIRET2 messages.

A BAPI never faults for a business failure: it answers 200 with a RETURN (a ``BAPIRET2``, or a
table of them) whose TYPE says what happened — S/I/W are information, E an error, A an abort.
SAP's generated WSDLs all say so the same way, so the import can know it without code: an
output that carries such a table is checked, and an E or A message becomes the typed error the
hand-written ERP connector raises (a read: unavailable, counted by the breaker; a write: E is
SAP refusing the request, A is SAP failing). ``ignore`` lists messages (``ID/NUMBER``) that are
an answer rather than an error, such as V1/302 "not in database" for a lookup by number.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from colonnade.errors import UpstreamError, UpstreamRejected, UpstreamUnavailable
from colonnade.wsdl_import.model import FieldModel, ObjectModel

_FAILED = ("E", "A")


def _is_message(obj: ObjectModel) -> bool:
    """BAPIRET2 and its elders (BAPIRET1, BAPIRETURN): a TYPE, a MESSAGE and an ID or CODE."""
    names = {f.xml_name for f in obj.fields}
    return {"TYPE", "MESSAGE"} <= names and ("ID" in names or "CODE" in names)


def return_paths(output: FieldModel | None, objects: Mapping[str, ObjectModel]) -> list[str]:
    """GraphQL field names of the output's RETURN tables (or single RETURN structures)."""
    if output is None or output.kind != "object":
        return []
    found = []
    for f in objects[output.type_name].fields:
        if f.kind != "object":
            continue
        obj = objects[f.type_name]
        rows = [g for g in obj.fields if g.kind == "object" and g.is_list]
        table = len(rows) == 1 and _is_message(objects[rows[0].type_name])
        if _is_message(obj) or table:
            found.append(f.name)
    return found


def _messages(value: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(value, Mapping):
        if "TYPE" in value:
            yield value
            return
        for inner in value.values():
            if isinstance(inner, list):
                yield from (m for m in inner if isinstance(m, Mapping))
    elif isinstance(value, list):
        yield from (m for m in value if isinstance(m, Mapping))


def _code(message: Mapping[str, Any]) -> str:
    number = str(message.get("NUMBER") or message.get("CODE") or "")
    if number.isdigit():
        number = f"{int(number):03d}"
    return f"{message.get('ID') or ''}/{number}"


def return_error(
    connector: str,
    operation: str,
    value: Any,
    paths: Sequence[str],
    *,
    write: bool,
    ignore: Sequence[str] = (),
) -> UpstreamError | None:
    """The error an E or A message in the reply's RETURN tables means, or None."""
    if not isinstance(value, Mapping):
        return None
    failed = [
        m
        for path in paths
        for m in _messages(value.get(path))
        if m.get("TYPE") in _FAILED and _code(m) not in ignore
    ]
    if not failed:
        return None
    first = failed[0]
    text = str(first.get("MESSAGE") or "")[:200]
    aborted = any(m.get("TYPE") == "A" for m in failed)
    if write and not aborted:
        return UpstreamRejected(
            f"{connector} refused the request: {text}",
            connector=connector,
            operation=operation,
            provider_code=_code(first),
        )
    return UpstreamUnavailable(
        f"{connector} reported an error inside a successful response ({_code(first)})",
        connector=connector,
        operation=operation,
        provider_code=_code(first),
    )
