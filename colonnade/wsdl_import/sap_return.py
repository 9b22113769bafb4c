"""Finding SAP's message log in an imported WSDL, so an owned package starts with it on.

A BAPI answers a business failure in a 200, as a RETURN table of BAPIRET2 messages (TYPE,
ID, NUMBER, MESSAGE); nothing in the WSDL says the table is a log, but its shape does. The
package writer turns what it finds into the connector's ``return_log`` setting
(``colonnade.wsdl_import.returnlog``), spelled out in ``settings.py`` for review; a zero-code
table sets ``return_log`` itself.
"""

from __future__ import annotations

from collections.abc import Mapping

from colonnade.wsdl_import.model import ObjectModel, WsdlModel


def _is_message(obj: ObjectModel) -> bool:
    """BAPIRET2 and its elders (BAPIRET1, BAPIRETURN): a TYPE, a MESSAGE and an ID or CODE."""
    names = {f.xml_name for f in obj.fields}
    return {"TYPE", "MESSAGE"} <= names and bool({"ID", "CODE"} & names)


def _paths(obj: ObjectModel, objects: Mapping[str, ObjectModel]) -> list[str]:
    found = []
    for f in obj.fields:
        if f.kind != "object":
            continue
        table = objects[f.type_name]
        for row in table.fields:
            if row.kind == "object" and row.is_list and _is_message(objects[row.type_name]):
                found.append(f"{f.xml_name}.{row.xml_name}")
    return found


def message_log_path(model: WsdlModel) -> str | None:
    """The one path (``RETURN.item``) of a message table in the replies, if there is one."""
    paths = {
        path
        for op in model.operations
        if op.output is not None and op.output.kind == "object"
        for path in _paths(model.objects[op.output.type_name], model.objects)
    }
    return paths.pop() if len(paths) == 1 else None
