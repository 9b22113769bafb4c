"""Salesforce's wire model, as much of it as Colonnade reads. Required fields are the
contract: a renamed ``Name`` fails validation (UPSTREAM_CONTRACT_VIOLATION), never a silent null."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator


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


class SfCountResult(BaseModel):
    model_config = ConfigDict(extra="ignore")

    totalSize: int
    done: bool


ACCOUNT_FIELDS = tuple(SfAccount.model_fields)
