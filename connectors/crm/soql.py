"""The SOQL Colonnade sends: keyset pagination over (Name, Id), with literals escaped."""

from __future__ import annotations

from colonnade.connectors.crm.models import ACCOUNT_FIELDS


def quote(value: str) -> str:
    """A SOQL string literal: backslash and quote escaped as Salesforce documents."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def account_page(limit: int, after: tuple[str, str] | None) -> str:
    where = ""
    if after is not None:
        name, id_ = quote(after[0]), quote(after[1])
        where = f" WHERE (Name > {name} OR (Name = {name} AND Id > {id_}))"
    fields = ", ".join(ACCOUNT_FIELDS)
    # Literals go through quote(); limit is an int: this is not string-built injection.
    return f"SELECT {fields} FROM Account{where} ORDER BY Name, Id LIMIT {int(limit)}"  # noqa: S608


COUNT_ACCOUNTS = "SELECT COUNT() FROM Account"
