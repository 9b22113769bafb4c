"""A connector from another repository: built as its own distribution, installed to a path
of its own, found through its entry point, served in the graph — with no edit to this repo."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

PACKAGE = '''
"""acme-greetings: a connector nobody in Colonnade wrote."""
from typing import Any

import strawberry
from pydantic import TypeAdapter
from strawberry.types import Info

from colonnade import Attempt, ConnectorSettings, HttpConnector, Operation
from colonnade.platform import ConnectorPlugin, GraphPart, context_of

GREETING = Operation("greetings", "greeting", tier="short")
_TEXT = TypeAdapter(str)


class GreetingSettings(ConnectorSettings):
    salutation: str = "Hello"


class GreetingConnector(HttpConnector):
    name = "greetings"
    operations = (GREETING,)

    def __init__(self, settings: GreetingSettings, runtime: Any) -> None:
        super().__init__(settings, runtime)
        self.salutation = settings.salutation

    async def greet(self, who: str) -> str:
        async def fetch(attempt: Attempt) -> str:
            request = self.http.build_request("GET", "/name", params={"who": who})
            response = await self.send(attempt, GREETING, request)
            return f"{self.salutation}, {response.json()['name']}"

        fetched = await self.pipeline.read(GREETING, who, fetch, _TEXT, scope=self.cache_scope())
        return fetched.value


@strawberry.type
class GreetingQuery:
    @strawberry.field(description="A greeting from the Acme greeting service.")
    async def greeting(self, info: Info[Any, Any], who: str) -> str:
        return await context_of(info).services.connector("greetings").greet(who)


PLUGIN = ConnectorPlugin(
    name="greetings",
    settings=GreetingSettings,
    build=GreetingConnector,
    graph=GraphPart(name="greetings", query=GreetingQuery),
)
'''

PYPROJECT = """
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "acme-colonnade-greetings"
version = "1.0.0"

[project.entry-points."colonnade.plugins"]
greetings = "acme_greetings:PLUGIN"

[tool.setuptools]
packages = ["acme_greetings"]
"""

SERVE = """
import asyncio, json, sys
import httpx
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
from colonnade.app import create_app
from colonnade.config import Settings
from colonnade.sandboxes import ServedSandbox

calls = []

async def name(request):
    calls.append(request.query_params["who"])
    return JSONResponse({"name": request.query_params["who"].title()})

async def main():
    provider = ServedSandbox(Starlette(routes=[Route("/name", name)])).start()
    settings = Settings(
        sandbox={"embedded": "off"},
        gateway={"anonymous": "on", "anonymous_scopes": ["*"]},
        connectors={"greetings": {"base_url": provider.base_url, "salutation": "Ahoy"}},
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://facade") as client:
        query = '{ a: greeting(who: "ada") b: greeting(who: "ada") }'
        first = (await client.post("/graphql", json={"query": query})).json()
        second = (await client.post("/graphql", json={"query": query})).json()
    await app.state.services.aclose()
    provider.stop()
    print(json.dumps({"first": first, "second": second, "calls": calls}))

asyncio.run(main())
"""


def _install(tmp_path: Path) -> Path:
    source = tmp_path / "acme-greetings"
    (source / "acme_greetings").mkdir(parents=True)
    (source / "acme_greetings" / "__init__.py").write_text(PACKAGE)
    (source / "pyproject.toml").write_text(PYPROJECT)
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--disable-pip-version-check",
            "--no-index",
            "--target",
            str(target),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    return target


def _run(target: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin", "HOME": str(target)},
        cwd=target,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_an_installed_connector_package_is_served_with_no_edit_here(tmp_path: Path) -> None:
    target = _install(tmp_path)
    assert (target / "acme_greetings").is_dir()

    served = _run(target, "-c", textwrap.dedent(SERVE))
    assert served.returncode == 0, served.stderr
    result = json.loads(served.stdout.strip().splitlines()[-1])  # logs go first
    assert result["first"] == {"data": {"a": "Ahoy, Ada", "b": "Ahoy, Ada"}}
    assert result["second"] == result["first"]
    assert result["calls"] == ["ada"]  # one provider call: coalesced, then cached

    schema = _run(target, "-m", "colonnade", "schema")
    assert schema.returncode == 0, schema.stderr
    assert (
        '"""A greeting from the Acme greeting service."""\n  greeting(who: String!): String!'
        in (schema.stdout)
    )


def test_without_the_package_the_field_does_not_exist(tmp_path: Path) -> None:
    schema = _run(tmp_path, "-m", "colonnade", "schema")
    assert schema.returncode == 0, schema.stderr
    assert "greeting(" not in schema.stdout
