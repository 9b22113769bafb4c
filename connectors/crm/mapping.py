"""Salesforce Account → domain Customer: the one place CRM field names are known."""

from __future__ import annotations

from colonnade.connectors.crm.models import SfAccount
from colonnade.connectors.domain import Customer

# The fields other systems are joined on: part of the contract even though they may be null.
JOIN_FIELDS = {
    "SAP_Customer_Number__c": "erp_customer_number",
    "Stripe_Customer_Id__c": "payment_customer_id",
}


def to_customer(account: SfAccount) -> Customer:
    """A join field present and null means "no link"; absent from the record means drift."""
    return Customer(
        id=account.Id,
        name=account.Name,
        account_number=account.AccountNumber,
        industry=account.Industry,
        phone=account.Phone,
        website=account.Website,
        city=account.BillingCity,
        country=account.BillingCountry,
        erp_customer_number=account.SAP_Customer_Number__c,
        payment_customer_id=account.Stripe_Customer_Id__c,
        created_at=account.CreatedDate,
        unknown_links=tuple(
            link for field, link in JOIN_FIELDS.items() if field not in account.model_fields_set
        ),
    )
