"""Round trip of each generated operation: a sample input of its generated types, encoded for
zeep, serialized by zeep into the request envelope of every binding that offers it. It proves
the generated argument types and zeep's contract agree (names, nesting, value types)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import zeep.exceptions

from colonnade.wsdl_import.model import WsdlModel
from colonnade.wsdl_import.sample import sample_input
from colonnade.wsdl_import.values import to_zeep


@dataclass(slots=True)
class RoundTrip:
    serialized: int = 0
    total: int = 0
    failures: list[str] = field(default_factory=list)


def round_trip(client: Any, model: WsdlModel) -> RoundTrip:
    result = RoundTrip()
    for op in model.operations:
        values = sample_input(op.args, model.objects, model.enums)
        kwargs = to_zeep(values, op.args, model.objects, model.enums)
        for ref in op.bindings:
            result.total += 1
            try:
                proxy = client.bind(ref.service, ref.port)
                if len(op.args) == 1 and op.args[0].source == "value":
                    client.create_message(proxy, op.name, kwargs.get(op.args[0].xml_name))
                else:
                    client.create_message(proxy, op.name, **kwargs)
                result.serialized += 1
            except (zeep.exceptions.Error, TypeError, ValueError, AttributeError) as exc:
                result.failures.append(f"{op.name} via {ref.port}: {type(exc).__name__}: {exc}")
    return result
