"""Operations that take a list of keys: where the keys go in, which records come out for each.

SAP's GETDETAIL takes ``IT_ORDERS.item`` (a table of numbers) and answers ``ET_ORDERS.item``
(records carrying ``VBELN``); a .NET service takes ``ids.long`` and answers records with an
``Id``. A ``BatchSpec`` names both paths, so concurrent GraphQL fields asking for one key each
become one upstream call (``WsdlConnector.read_keys``), and each key gets the records whose
match field equals it. Paths are configured (``batch``) or, for reads, detected when exactly one
key list and one record field share a name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from colonnade.errors import ConfigError
from colonnade.wsdl_import.model import FieldModel, ObjectModel, OperationModel, WsdlModel

if TYPE_CHECKING:
    from colonnade.wsdl_import.settings import WsdlSettings

_GENERIC = frozenset({"item", "items", "string", "value", "values", "long", "int", "entry"})
_DEPTH = 3


@dataclass(frozen=True, slots=True)
class BatchSpec:
    operation: str
    keys: tuple[FieldModel, ...]
    """Input path: objects (not lists), then the repeated scalar holding the keys."""
    records: tuple[FieldModel, ...]
    """Output path inside the reply: objects, then the list of records (empty: the reply is
    the list)."""
    match: FieldModel
    """The field of each record that holds its key."""
    max_keys: int = 100

    @property
    def keys_path(self) -> str:
        return ".".join(f.name for f in self.keys)

    @property
    def match_path(self) -> str:
        return ".".join(f.name for f in (*self.records, self.match))

    @property
    def key_field(self) -> FieldModel:
        return self.keys[-1]

    def with_keys(self, args: Mapping[str, Any], keys: Sequence[str]) -> dict[str, Any]:
        """``args`` (GraphQL input) with ``keys`` at the keys path (copied where changed)."""
        out = dict(args)
        holder = out
        for f in self.keys[:-1]:
            inner = holder.get(f.name)
            holder[f.name] = dict(inner) if isinstance(inner, Mapping) else {}
            holder = holder[f.name]
        holder[self.key_field.name] = list(keys)
        return out

    def without_keys(self, args: Mapping[str, Any]) -> dict[str, Any]:
        """``args`` minus the keys path: what all keys of one batch must share."""
        return _drop(args, [f.name for f in self.keys])

    def records_of(self, value: Any) -> list[Any]:
        """The records in a GraphQL reply value (by GraphQL names)."""
        for f in self.records:
            if not isinstance(value, Mapping):
                return []
            value = value.get(f.name)
        return [r for r in value if isinstance(r, Mapping)] if isinstance(value, list) else []

    def by_key(self, value: Any) -> dict[str, list[Any]]:
        """Records grouped by their match field (as text: keys are strings)."""
        grouped: dict[str, list[Any]] = {}
        for record in self.records_of(value):
            key = record.get(self.match.name)
            if key is not None:
                grouped.setdefault(str(key), []).append(record)
        return grouped


def _drop(args: Mapping[str, Any], path: list[str]) -> dict[str, Any]:
    out = dict(args)
    head, *rest = path
    if not rest:
        out.pop(head, None)
    elif isinstance(out.get(head), Mapping):
        inner = _drop(out[head], rest)
        if inner:
            out[head] = inner
        else:
            out.pop(head)
    return out


def _field(fields: Sequence[FieldModel], segment: str) -> FieldModel | None:
    return next((f for f in fields if segment in (f.name, f.xml_name)), None)


def _walk(
    start: Sequence[FieldModel], path: str, objects: Mapping[str, ObjectModel], where: str
) -> tuple[FieldModel, ...]:
    fields, found = list(start), []
    for segment in path.split("."):
        f = _field(fields, segment)
        if f is None:
            names = ", ".join(g.name for g in fields) or "none"
            raise ConfigError(f"{where}: {segment!r} is not a field here (fields: {names})")
        found.append(f)
        fields = objects[f.type_name].fields if f.kind == "object" else []
    return tuple(found)


def configured(
    op: OperationModel,
    keys: str,
    match: str,
    objects: Mapping[str, ObjectModel],
    *,
    max_keys: int,
    where: str,
) -> BatchSpec:
    """A spec from configured paths, refusing paths that do not fit the WSDL."""
    key_path = _walk(op.args, keys, objects, f"{where}.keys")
    *through, leaf = key_path
    if leaf.kind == "object" or not leaf.is_list or any(f.is_list for f in through):
        raise ConfigError(
            f"{where}.keys: {keys!r} must lead, through single elements, to a repeated scalar "
            "(the list of keys)"
        )
    output = op.output
    if output is None or output.kind != "object":
        raise ConfigError(f"{where}: {op.name} answers no records to match keys against")
    match_path = _walk(objects[output.type_name].fields, match, objects, f"{where}.match")
    *records, field = match_path
    if output.is_list:  # the reply is the list: ``match`` names a field of each record
        ok = not records
    else:
        ok = bool(records) and records[-1].is_list and not any(f.is_list for f in records[:-1])
    if not ok or field.kind == "object" or field.is_list:
        raise ConfigError(
            f"{where}.match: {match!r} must lead, through single elements, to a list of "
            "records and end at one scalar field of each record"
        )
    return BatchSpec(op.name, key_path, tuple(records), field, max_keys)


def _key_lists(
    fields: Sequence[FieldModel], objects: Mapping[str, ObjectModel], depth: int = 0
) -> Iterator[tuple[FieldModel, ...]]:
    for f in fields:
        if f.kind != "object" and f.is_list:
            yield (f,)
        elif f.kind == "object" and not f.is_list and depth < _DEPTH:
            for rest in _key_lists(objects[f.type_name].fields, objects, depth + 1):
                yield (f, *rest)


def _record_lists(
    fields: Sequence[FieldModel], objects: Mapping[str, ObjectModel], depth: int = 0
) -> Iterator[tuple[FieldModel, ...]]:
    for f in fields:
        if f.kind != "object":
            continue
        if f.is_list:
            yield (f,)
        elif depth < _DEPTH:
            for rest in _record_lists(objects[f.type_name].fields, objects, depth + 1):
                yield (f, *rest)


def _norm(name: str) -> str:
    plain = re.sub(r"[^a-z0-9]", "", name.lower())
    return plain[:-1] if plain.endswith("s") and len(plain) > 2 else plain


def _key_name(path: tuple[FieldModel, ...]) -> str:
    leaf = path[-1].xml_name
    if leaf.lower() in _GENERIC and len(path) > 1:
        return path[-2].xml_name  # ``orderIds.long``: the list is named, its items are not
    return leaf


def detect(op: OperationModel, objects: Mapping[str, ObjectModel]) -> BatchSpec | None:
    """The one (key list, record field) pair of the same name and type, when the reply has
    one list of records and exactly one key list names a field of it."""
    output = op.output
    if output is None or output.kind != "object":
        return None
    inside = objects[output.type_name].fields
    record_paths = [()] if output.is_list else list(_record_lists(inside, objects))
    if len(record_paths) != 1:  # several lists of records: which one answers the keys is a
        return None  # question only configuration can answer (SAP's ET_ORDERS and RETURN)
    found: list[BatchSpec] = []
    for key_path in _key_lists(op.args, objects):
        wanted = _norm(_key_name(key_path))
        for records in record_paths:
            owner = output.type_name if not records else records[-1].type_name
            for f in objects[owner].fields:
                same = _norm(f.xml_name) == wanted and f.type_name == key_path[-1].type_name
                if same and f.kind != "object" and not f.is_list:
                    found.append(BatchSpec(op.name, key_path, records, f))
    return found[0] if len(found) == 1 else None


def batch_specs(name: str, settings: WsdlSettings, model: WsdlModel) -> dict[str, BatchSpec]:
    """The batched reads of a connector: its ``batch`` table, then (``batch_auto``) each read
    whose key list and record field share a name. The graph and the connector both ask."""
    by_name = {o.name: o for o in model.operations}
    found: dict[str, BatchSpec] = {}
    for operation, batch in settings.batch.items():
        where = f"connectors.{name}.batch.{operation}"
        op = by_name.get(operation)
        if op is None:
            raise ConfigError(f"{where}: the WSDL does not offer {operation!r}")
        if op.root != "query":
            raise ConfigError(
                f"{where}: a write cannot be batched "
                f"(list it in connectors.{name}.query if it only reads)"
            )
        found[operation] = configured(
            op, batch.keys, batch.match, model.objects, max_keys=batch.max_keys, where=where
        )
    if settings.batch_auto:
        for op in model.operations:
            if op.root == "query" and op.name not in found:
                spec = detect(op, model.objects)
                if spec is not None:
                    found[op.name] = spec
    return found
