"""Configuration: one TOML file plus environment overrides, errors that name key and value."""

from __future__ import annotations

from pathlib import Path

import pytest

from colonnade.config import Settings, load_settings
from colonnade.errors import ConfigError
from colonnade.platform import Services, assemble, discover
from colonnade.platform.settings import connector_settings
from colonnade.runtime import Runtime

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "colonnade.toml"
    path.write_text(text)
    return path


def test_the_example_config_is_valid() -> None:
    settings = load_settings(ROOT / "colonnade.example.toml")
    assert settings.connectors["crm"]["base_url"] == "https://example.my.salesforce.com"
    assert settings.cache.tiers["short"].stale_if_error_s == 60
    assert settings.cache.tiers["static"].ttl_s == 86_400  # defaults kept beside overrides


def test_environment_overrides_the_file(tmp_path, monkeypatch) -> None:
    path = write(tmp_path, "[server]\nport = 8100\n")
    monkeypatch.setenv("COLONNADE_SERVER__PORT", "9100")
    monkeypatch.setenv("COLONNADE_CONNECTORS__ERP__RETRY__MAX_ATTEMPTS", "5")
    settings = load_settings(path)
    assert settings.server.port == 9100
    assert connector_settings(settings, discover())["erp"].retry.max_attempts == 5


def test_a_bad_value_names_the_key_the_value_and_the_variable(tmp_path) -> None:
    path = write(
        tmp_path, '[server]\nport = "eighty"\n[connectors.crm.breaker]\nfailure_ratio = 3\n'
    )
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    message = str(error.value)
    assert "server.port = 'eighty'" in message
    assert "COLONNADE_SERVER__PORT" in message
    assert "connectors.crm.breaker.failure_ratio = 3" in message
    assert str(path) in message


def test_an_unknown_key_is_an_error_not_ignored(tmp_path) -> None:
    path = write(tmp_path, "[server]\nmax_body = 10\n")
    with pytest.raises(ConfigError, match=r"server\.max_body"):
        load_settings(path)


@pytest.mark.parametrize(
    "toml",
    [
        "[connectors.payments]\napi_key = ['sk_live_do_not_print']\n",  # a bad secret value
        "[connectors.crm]\nclient_secert = 'sk_live_do_not_print'\n",  # a misspelt secret key
        "[connectors.payment]\napi_key = 'sk_live_do_not_print'\n",  # a misspelt section
        "redis_uri = 'redis://:sk_live_do_not_print@127.0.0.1'\n",  # an unknown top-level key
    ],
)
def test_secret_values_are_never_echoed(tmp_path, toml) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(write(tmp_path, toml))
    assert "sk_live_do_not_print" not in str(error.value)
    assert "<secret>" in str(error.value) or "<not shown>" in str(error.value)


def test_a_missing_file_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml")


def test_a_toml_syntax_error_is_a_config_error(tmp_path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(write(tmp_path, "[server\nport = 1\n"))


def _with(**connectors: object):
    base = {
        "crm": {"base_url": "http://127.0.0.1:1/crm", "client_id": "x", "client_secret": "y"},
        "payments": {"base_url": "http://127.0.0.1:1/payments", "api_key": "k"},
        "erp": {"base_url": "http://127.0.0.1:1/erp", "username": "u", "password": "p"},
    }
    for name, extra in connectors.items():
        base[name] = {**base[name], **extra}  # type: ignore[dict-item]
    return load_settings(connectors=base)


def test_missing_credentials_fail_at_start_naming_the_variables() -> None:
    settings = _with(payments={"api_key": None})
    with pytest.raises(ConfigError) as error:
        _services(settings)
    assert "COLONNADE_CONNECTORS__PAYMENTS__API_KEY" in str(error.value)
    assert "_FILE" in str(error.value)


def test_a_missing_wsdl_fails_at_start() -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        _services(_with(erp={"wsdl": "/nowhere/service.wsdl"}))


def test_an_unknown_cache_tier_fails_at_start() -> None:
    settings = _with(erp={"cache_tiers": {"orders_by_customer": "forever"}})
    with pytest.raises(ConfigError, match=r"'forever'.*Defined tiers"):
        _services(settings)


def test_an_unknown_operation_in_cache_tiers_fails_at_start() -> None:
    settings = _with(erp={"cache_tiers": {"orders": "short"}})
    with pytest.raises(ConfigError, match="orders_by_customer"):
        _services(settings)


def test_a_missing_base_url_leaves_the_connector_off_and_says_why() -> None:
    services = _services(_with(crm={"base_url": None}))
    assert "crm" not in services.names
    assert services.unavailable["crm"] == "not configured (connectors.crm.base_url is not set)"


def test_a_table_for_a_connector_that_is_not_installed_is_refused() -> None:
    with pytest.raises(
        ConfigError, match=r"no connector named 'crn' is installed \(installed: crm"
    ):
        _services(load_settings(connectors={"crn": {"base_url": "http://x"}}))


def _services(settings: Settings) -> Services:
    return assemble(settings, Runtime.create(settings)).services
