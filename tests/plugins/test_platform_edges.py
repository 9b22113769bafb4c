"""Edges of the platform a review found: a build that fails, two parts adding one field,
duplicate declarations, the standalone sandbox's credentials, library loggers, a disabled
connector that still has a base URL."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import pytest
import strawberry

from colonnade.config import Settings
from colonnade.connectors.crm import PLUGIN as CRM
from colonnade.connectors.fx import PLUGIN as FX
from colonnade.embedded import sandbox_group, wants_sandbox
from colonnade.errors import ConfigError
from colonnade.platform import GraphPart, Registry, assemble
from colonnade.platform.graph import build_schema
from colonnade.runtime import Runtime
from colonnade.schema import plugins as commerce_parts
from colonnade.telemetry import configure_logging


def _boom(settings: Any, runtime: Any) -> Any:
    raise RuntimeError("the provider's SDK would not start")


def test_a_connector_that_fails_to_build_is_named_in_a_config_error() -> None:
    settings = Settings(
        connectors={
            "crm": {"base_url": "http://127.0.0.1:9/crm", "client_id": "x", "client_secret": "y"},
            "fx": {"base_url": "http://127.0.0.1:9/fx"},
        }
    )
    registry = Registry.of([CRM, dataclasses.replace(FX, build=_boom)])
    with pytest.raises(ConfigError, match=r"connector 'fx' .*failed to build: RuntimeError"):
        assemble(settings, Runtime.create(settings), registry)


@strawberry.type
class _One:
    @strawberry.field
    def twice(self) -> int:
        return 1


@strawberry.type
class _Other:
    @strawberry.field
    def twice(self) -> str:
        return "1"


def test_two_parts_adding_the_same_field_are_refused() -> None:
    parts = [
        *commerce_parts(),
        GraphPart(name="a", extends={"Money": _One}),
        GraphPart(name="b", extends={"Money": _Other}),
    ]
    with pytest.raises(ConfigError, match=r"'a' and 'b' both add Money.twice"):
        build_schema(parts)


def test_duplicate_graph_parts_are_refused() -> None:
    with pytest.raises(ConfigError, match="two graph parts are named 'x'"):
        Registry.of([GraphPart(name="x"), GraphPart(name="x")])


def test_colonnade_sandbox_keeps_the_public_demo_credentials() -> None:
    demo = sandbox_group(5, fresh=False)
    assert demo.connector_settings("crm")["client_id"] == "colonnade-demo"
    embedded = sandbox_group(5)
    assert embedded.connector_settings("crm")["client_id"] != "colonnade-demo"


def test_library_request_lines_never_reach_the_log() -> None:
    logging.getLogger("httpx").setLevel(logging.INFO)
    configure_logging("info", "json")
    assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING
    assert logging.getLogger("httpcore").getEffectiveLevel() == logging.WARNING


def test_a_disabled_connector_with_a_base_url_does_not_stop_the_demo() -> None:
    settings = Settings(connectors={"crm": {"base_url": "http://crm.example", "enabled": False}})
    assert wants_sandbox(settings)
    assert not wants_sandbox(Settings(connectors={"crm": {"base_url": "http://crm.example"}}))


def test_settings_never_print_a_connector_s_table() -> None:
    settings = Settings(connectors={"payments": {"api_key": "sk_live_do_not_print"}})
    assert "sk_live_do_not_print" not in repr(settings)
