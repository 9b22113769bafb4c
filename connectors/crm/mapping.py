"""Salesforce Account → domain Customer: the one place CRM field names are known."""

from __future__ import annotations

from connectors.crm.models import SfAccount
from connectors.domain import Customer


def to_customer(account: SfAccount) -> Customer:
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
    )
