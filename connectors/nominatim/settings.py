"""Nominatim's settings (``[connectors.nominatim]``), with its usage policy as the defaults:
at most one request per second for the whole application (a token bucket in the shared state,
so every replica together), a bucket that never queues (a spent second is answered at once, so
the failover can ask the next geocoder instead of holding the request), and so no retries
(a retry could only find the second spent: the failover is the retry), an identifying
User-Agent; on the public server a contact is required and the rate cannot be raised. A table
that sets one knob of these (``rate_limit.max_queue``) keeps the others' policy defaults."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationInfo, field_validator, model_validator

from colonnade import RateLimitSettings, RetrySettings
from colonnade.connectors.geocoding.settings import GeocoderSettings

PUBLIC_SERVER = "nominatim.openstreetmap.org"
POLICY_RATE = RateLimitSettings(rate_per_s=1.0, burst=1, max_wait_s=0.0)
NO_RETRY = RetrySettings(max_attempts=1)
_POLICY = {"rate_limit": POLICY_RATE, "retry": NO_RETRY}


class NominatimSettings(GeocoderSettings):
    priority: int = 10
    rate_limit: RateLimitSettings = POLICY_RATE
    retry: RetrySettings = NO_RETRY

    @field_validator("rate_limit", "retry", mode="before")
    @classmethod
    def _over_the_policy(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, dict) and info.field_name is not None:
            return {**_POLICY[info.field_name].model_dump(), **value}
        return value

    @model_validator(mode="after")
    def _public_server_policy(self) -> NominatimSettings:
        if self.base_url and urlsplit(self.base_url).hostname == PUBLIC_SERVER:
            if not self.contact:
                raise ValueError(
                    f"{PUBLIC_SERVER}'s usage policy asks to be able to reach you: "
                    "set connectors.nominatim.contact (an email or URL)"
                )
            rate = self.rate_limit.rate_per_s
            if rate is None or rate > 1.0:
                raise ValueError(
                    f"{PUBLIC_SERVER} allows at most 1 request per second: "
                    "connectors.nominatim.rate_limit.rate_per_s must be at most 1"
                )
        return self
