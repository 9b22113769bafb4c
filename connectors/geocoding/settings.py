"""What every geocoder's settings share: who we say we are, and where it stands in failover."""

from __future__ import annotations

from pydantic import Field, field_validator

from colonnade import ConnectorSettings

DEFAULT_USER_AGENT = "Colonnade/0.1 (GraphQL facade; customer address geocoding)"
_STOCK_AGENTS = ("python-httpx", "python-requests", "python-urllib", "curl/", "wget/", "aiohttp")


class GeocoderSettings(ConnectorSettings):
    user_agent: str = Field(DEFAULT_USER_AGENT, min_length=3, max_length=200)
    """Names this application: OSM's geocoders block stock library User-Agents."""
    contact: str | None = Field(None, min_length=3, max_length=200)
    """An email or URL the provider's operators can reach us at; added to the User-Agent."""
    priority: int = 100
    """Lower is asked first; the failover asks the next when one cannot answer."""
    language: str = Field("en", pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
    """The language place names are answered in."""

    @field_validator("user_agent")
    @classmethod
    def _identifying(cls, value: str) -> str:
        if value.strip().lower().startswith(_STOCK_AGENTS) or not value.isprintable():
            raise ValueError("must identify this application, not the HTTP library")
        return value

    def identity(self) -> str:
        """The User-Agent sent: the application, and how to reach whoever runs it."""
        return f"{self.user_agent} contact: {self.contact}" if self.contact else self.user_agent
