"""The README's zero-code WSDL table is a configuration that works: it validates, its WSDL
loads, its batch paths and fault rows fit the WSDL, and it serves the README's query against
the SAP-shaped ERP sandbox."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from support import Credentials

from colonnade.sandboxes import SandboxSet, ServedSandbox

README = Path(__file__).resolve().parents[2] / "README.md"


def _section() -> str:
    text = README.read_text()
    return text[text.index("## Importing a WSDL") : text.index("## Configuration")]


def _block(kind: str) -> str:
    found = re.search(rf"```{kind}\n(.*?)```", _section(), re.S)
    assert found, f"no {kind} block in the README's WSDL section"
    return found.group(1)


async def test_the_readme_table_serves_the_readme_query(
    make_facade: Any, providers: SandboxSet, providers_server: ServedSandbox, creds: Credentials
) -> None:
    table = tomllib.loads(_block("toml"))["connectors"]["sap"]
    table.update(base_url=providers_server.base_url, password=creds.erp_password)
    facade = await make_facade(connectors={"sap": table})
    body = await facade.query(_block("graphql"))
    assert "errors" not in body, body
    orders = body["data"]["sapZSD_SALESORDER_GETLIST"]["ET_ORDERS"]["item"]
    assert orders
    assert {o["KUNNR"] for o in orders} == {"0000100002"}
