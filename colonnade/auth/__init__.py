"""Outbound credentials: where they come from, how they are applied, when they are renewed."""

from colonnade.auth.apikey import ApiKeyAuth
from colonnade.auth.base import Auth, NoAuth
from colonnade.auth.basic import BasicAuth
from colonnade.auth.bearer import BearerKeyAuth
from colonnade.auth.oauth2 import OAuth2ClientCredentials
from colonnade.auth.secrets import Secret

__all__ = [
    "ApiKeyAuth",
    "Auth",
    "BasicAuth",
    "BearerKeyAuth",
    "NoAuth",
    "OAuth2ClientCredentials",
    "Secret",
]
