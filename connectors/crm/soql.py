"""The SOQL Colonnade sends: keyset pagination over (Name, Id), accounts by ERP customer
number, with literals escaped."""

from __future__ import annotations

from collections.abc import Sequence

from colonnade.connectors.crm.models import ACCOUNT_FIELDS

ERP_NUMBER_FIELD = "SAP_Customer_Number__c"


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


def accounts_by_erp_number(numbers: Sequence[str]) -> str:
    """Every account holding one of ``numbers``, in Id order (paging stays stable, and the
    first of two accounts sharing a number is the first the caller reads)."""
    if not numbers:
        raise ValueError("an IN list needs at least one value")  # Salesforce: MALFORMED_QUERY
    fields = ", ".join(ACCOUNT_FIELDS)
    values = ", ".join(quote(n) for n in numbers)
    # Every literal goes through quote(): this is not string-built injection.
    return f"SELECT {fields} FROM Account WHERE {ERP_NUMBER_FIELD} IN ({values}) ORDER BY Id"  # noqa: S608


COUNT_ACCOUNTS = "SELECT COUNT() FROM Account"
