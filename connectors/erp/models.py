"""The SAP structures Colonnade reads, as zeep hands them over (dicts of the XSD's fields)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, TypeAdapter, field_validator


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
    WAERK: str
    GBSTK: Literal["A", "B", "C"]
    ITEMS: _ItemTable | None = None


class _OrderTable(_Sap):
    item: list[SapOrder] = []


class _ReturnTable(_Sap):
    item: list[BapiReturn] = []

    @field_validator("item", mode="before")
    @classmethod
    def _none_is_empty(cls, value: object) -> object:
        return [] if value is None else value


class OrdersReply(_Sap):
    ET_ORDERS: _OrderTable | None = None
    RETURN: _ReturnTable | None = None

    def orders(self) -> list[SapOrder]:
        return self.ET_ORDERS.item if self.ET_ORDERS else []

    def messages(self) -> list[BapiReturn]:
        return self.RETURN.item if self.RETURN else []


class CreateReply(_Sap):
    SALES_NO: str | None = None
    RETURN: _ReturnTable | None = None

    def messages(self) -> list[BapiReturn]:
        return self.RETURN.item if self.RETURN else []


ORDERS_REPLY = TypeAdapter(OrdersReply)
CREATE_REPLY = TypeAdapter(CreateReply)
