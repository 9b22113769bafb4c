"""Salesforce's wire model, as much of it as Colonnade reads. Required fields are the
contract: a renamed ``Name`` fails validation (UPSTREAM_CONTRACT_VIOLATION), never a silent null."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator


class SfAccount(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    Id: str = Field(min_length=15, max_length=18)
    Name: str
    AccountNumber: str | None = None
    Industry: str | None = None
    Phone: str | None = None
    Website: str | None = None
    BillingCity: str | None = None
    BillingCountry: str | None = None
    SAP_Customer_Number__c: str | None = None
    Stripe_Customer_Id__c: str | None = None
    CreatedDate: datetime | None = None

    @field_validator("CreatedDate", mode="before")
    @classmethod
    def _salesforce_offset(cls, value: object) -> object:
        """Salesforce writes offsets as +0000; ISO 8601 parsers want +00:00."""
        if isinstance(value, str) and len(value) > 5 and value[-5] in "+-" and value[-3] != ":":
            return value[:-2] + ":" + value[-2:]
        return value


class SfQueryResult(BaseModel):
    model_config = ConfigDict(extra="ignore")

    totalSize: int
    done: bool
    nextRecordsUrl: str | None = None
    records: list[SfAccount]


class SfCountResult(BaseModel):
    model_config = ConfigDict(extra="ignore")

    totalSize: int
    done: bool


ACCOUNT_FIELDS = tuple(SfAccount.model_fields)
COLLECTION = TypeAdapter(list[dict[str, Any] | None])
"""The collection's shape only: each record is validated on its own (``ACCOUNT``), so one
record that breaks the contract fails its own id, not the other 199 of the call."""
ACCOUNT = TypeAdapter(SfAccount)
QUERY = TypeAdapter(SfQueryResult)
COUNT = TypeAdapter(SfCountResult)
