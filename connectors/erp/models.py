"""The SAP structures Colonnade reads, as zeep hands them over (dicts of the XSD's fields)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator


class _Sap(BaseModel):
    model_config = ConfigDict(extra="ignore")


class BapiReturn(_Sap):
    TYPE: Literal["S", "E", "W", "I", "A", ""]
    ID: str | None = None
    NUMBER: str | int | None = None
    MESSAGE: str | None = None
    MESSAGE_V1: str | None = None
    MESSAGE_V2: str | None = None


class SapItem(_Sap):
    POSNR: str | int
    MATNR: str
    ARKTX: str | None = None
    KWMENG: Decimal
    VRKME: str | None = None
    NETWR: Decimal


class _ItemTable(_Sap):
    item: list[SapItem] = []


class SapOrder(_Sap):
    VBELN: str
    KUNNR: str
    AUDAT: date
    BSTNK: str | None = None
    IHREZ: str | None = None
    NETWR: Decimal
    WAERK: str = Field(pattern=r"^[A-Z]{3}$")  # ISO 4217
    GBSTK: Literal["A", "B", "C"]
    ITEMS: _ItemTable | None = None


class UnreadableOrder(_Sap):
    """An order the ERP sent that does not fit the model: it fails alone, not its batch.
    Its keys are kept (when readable) so the failure lands on the right customer or number."""

    KUNNR: str | None = None
    VBELN: str | None = None
    problem: str


class _OrderTable(_Sap):
    item: list[SapOrder | UnreadableOrder] = []

    @field_validator("item", mode="before")
    @classmethod
    def _each_on_its_own(cls, value: object) -> object:
        if not isinstance(value, list):
            return value  # the table itself is malformed: the whole reply is
        return [_order_or_unreadable(raw) for raw in value]


def _order_or_unreadable(raw: object) -> SapOrder | UnreadableOrder:
    try:
        return SapOrder.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "order"
        keys = raw if isinstance(raw, dict) else {}
        return UnreadableOrder(
            KUNNR=_key(keys.get("KUNNR")),
            VBELN=_key(keys.get("VBELN")),
            problem=f"{where}: {first['msg']}",
        )


def _key(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


class _ReturnTable(_Sap):
    item: list[BapiReturn] = []

    @field_validator("item", mode="before")
    @classmethod
    def _none_is_empty(cls, value: object) -> object:
        return [] if value is None else value


class OrdersReply(_Sap):
    ET_ORDERS: _OrderTable | None = None
    RETURN: _ReturnTable | None = None

    def records(self) -> list[SapOrder | UnreadableOrder]:
        """Every order row, readable or not (see ``UnreadableOrder``)."""
        return self.ET_ORDERS.item if self.ET_ORDERS else []

    def orders(self) -> list[SapOrder]:
        """The readable orders only (a reconciliation lookup needs no others)."""
        return [o for o in self.records() if isinstance(o, SapOrder)]

    def messages(self) -> list[BapiReturn]:
        return self.RETURN.item if self.RETURN else []


class CreateReply(_Sap):
    SALES_NO: str | None = None
    RETURN: _ReturnTable | None = None

    def messages(self) -> list[BapiReturn]:
        return self.RETURN.item if self.RETURN else []


ORDERS_REPLY = TypeAdapter(OrdersReply)
CREATE_REPLY = TypeAdapter(CreateReply)
