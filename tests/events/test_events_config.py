"""Events settings: a webhook source without a secret is refused at start, with the key."""

from __future__ import annotations

from test_cli import run


def test_check_refuses_a_webhook_source_without_a_secret() -> None:
    result = run("check", env={"COLONNADE_EVENTS__SOURCES__PAYMENTS__SCHEME": "stripe"})
    assert result.returncode == 2
    assert "events.sources.payments has no secret" in result.stderr
    assert "COLONNADE_EVENTS__SOURCES__PAYMENTS__SECRETS" in result.stderr


def test_check_accepts_a_source_with_secrets_from_the_environment() -> None:
    env = {"COLONNADE_EVENTS__SOURCES__PAYMENTS__SECRETS": '["whsec_a", "whsec_b"]'}
    result = run("check", env=env)
    assert result.returncode == 0, result.stderr


def test_a_secret_never_appears_in_a_config_error(tmp_path) -> None:
    env = {
        "COLONNADE_EVENTS__SOURCES__PAYMENTS__SECRETS": '["whsec_supersecret"]',
        "COLONNADE_EVENTS__SOURCES__PAYMENTS__TOLERANCE_S": "-1",
    }
    result = run("check", env=env)
    assert result.returncode == 2
    assert "tolerance_s" in result.stderr
    assert "whsec_supersecret" not in result.stderr + result.stdout
