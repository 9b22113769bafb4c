"""Declarative REST connectors: a provider's common shape as attributes, hooks for the odd one.

What a connector author imports; see ``colonnade.rest.connector`` for how it reads.
"""

from colonnade.rest.batching import CommaSeparated, InBody, Repeated
from colonnade.rest.connector import PerKey, RestConnector
from colonnade.rest.credentials import (
    Anonymous,
    ApiKey,
    Basic,
    Bearer,
    ClientCredentials,
    Credentials,
)
from colonnade.rest.errors import ErrorBody
from colonnade.rest.operation import Keys, RestOperation
from colonnade.rest.pagination import Cursor, NextLink, Offset, PageNumber, Unpaged
from colonnade.rest.ratelimits import RateLimitHeaders

__all__ = [
    "Anonymous",
    "ApiKey",
    "Basic",
    "Bearer",
    "ClientCredentials",
    "CommaSeparated",
    "Credentials",
    "Cursor",
    "ErrorBody",
    "InBody",
    "Keys",
    "NextLink",
    "Offset",
    "PageNumber",
    "PerKey",
    "RateLimitHeaders",
    "Repeated",
    "RestConnector",
    "RestOperation",
    "Unpaged",
]
