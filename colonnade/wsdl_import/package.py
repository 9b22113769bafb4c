"""``colonnade import wsdl``: an imported WSDL written out as a connector package a team owns.

The package is a plain installable distribution (``colonnade-<name>``) found through the
``colonnade.plugins`` entry point like any other: settings (the WSDL shipped inside it, the
import's read/write choices spelled out for review), the connector (its operations declared,
a fault table to fill in), the graph (``codegen``'s source: types, inputs, enums, mapping,
root fields), a sandbox that answers from the WSDL's types, and the ten-line kit test. What it
runs is what a zero-code connector of the same WSDL runs, so it starts out correct and every
edit is a reviewed change.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from colonnade.errors import ConfigError
from colonnade.wsdl_import.codegen import render_graph
from colonnade.wsdl_import.model import OperationModel, WsdlModel
from colonnade.wsdl_import.report import ImportReport
from colonnade.wsdl_import.sample import sample_input
from colonnade.wsdl_import.sap_return import message_log_path
from colonnade.wsdl_import.types import pascal


@dataclass(slots=True)
class WrittenPackage:
    root: Path
    package: str
    files: list[Path] = field(default_factory=list)
    tidied: bool = False
    """Laid out by ruff (when installed)."""


def _documents(report: ImportReport, wsdl: Path) -> list[Path]:
    """Every local document the import read: the WSDL, the WSDLs and XSDs it imports."""
    client = report.client
    locations = [
        *(getattr(d, "location", None) for d in getattr(client.wsdl, "_definitions", {}).values()),
        *(getattr(d, "_location", None) for d in client.wsdl.types.documents),
    ]
    found = {wsdl.resolve()}
    for location in filter(None, locations):
        local = str(location).removeprefix("file://")
        if "://" not in local:
            found.add(Path(local).resolve())
    return sorted(p for p in found if p.is_file())


def _copy_contract(
    report: ImportReport, wsdl: Path, url_map: Mapping[str, Path], into: Path
) -> tuple[Path, dict[str, str]]:
    """Copy the contract's documents under ``into`` keeping their relative layout; returns
    the WSDL's path and the url_map, both relative to ``into``."""
    mapped = {url: (wsdl.parent / local).resolve() for url, local in url_map.items()}
    documents = sorted({*_documents(report, wsdl), *(p for p in mapped.values() if p.is_file())})
    base = Path(os.path.commonpath([str(p.parent) for p in documents]))
    for document in documents:
        target = into / document.relative_to(base)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(document, target)
    wsdl_rel = wsdl.resolve().relative_to(base)
    url_rel = {url: os.path.relpath(path, (base / wsdl_rel).parent) for url, path in mapped.items()}
    return wsdl_rel, url_rel


def url_map_literal(url_map: Mapping[str, Any]) -> str:
    """``{url: Path(local)}`` as Python source (every part a ``repr``)."""
    return "{" + ", ".join(f"{u!r}: Path({str(p)!r})" for u, p in url_map.items()) + "}"


def _settings_source(
    name: str, cls: str, wsdl_rel: Path, url_map: dict[str, str], model: WsdlModel
) -> str:
    reads = sorted(op.name for op in model.operations if op.root == "query")
    writes = sorted(op.name for op in model.operations if op.root == "mutation")
    parts = ", ".join(repr(p) for p in wsdl_rel.parts)
    log = message_log_path(model)
    log_import = ", ReturnLogSetting" if log else ""
    log_setting = (
        "    # SAP's message log: an E/A message in a 200 is an error (colonnade.wsdl_import."
        "returnlog)\n"
        f"    return_log: ReturnLogSetting | None = Field(\n"
        f"        default_factory=lambda: ReturnLogSetting(path={log!r})\n    )\n"
        if log
        else ""
    )
    return f'''"""Settings of the {name} connector: the WSDL shipped in this package, and the
import's choices spelled out so a review sees them: which operations are reads (cached Query
fields) and which are writes (Mutation fields, sent once per idempotency key)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from colonnade.wsdl_import.settings import WsdlSettings{log_import}

WSDL = Path(__file__).parent.joinpath("wsdl", {parts})
WSDL_URL_MAP: dict[str, Path] = {url_map_literal(url_map)}


class {cls}Settings(WsdlSettings):
    wsdl: Path = WSDL
    wsdl_url_map: dict[str, Path] = Field(default_factory=lambda: dict(WSDL_URL_MAP))
    query: list[str] = Field(default_factory=lambda: {reads!r})
    mutation: list[str] = Field(default_factory=lambda: {writes!r})
{log_setting}'''


def _connector_source(name: str, cls: str, package: str, model: WsdlModel) -> str:
    lines = []
    for op in model.operations:
        if op.root == "query":
            lines.append(f'    Operation({name!r}, {op.name!r}, tier="short"),')
        else:
            lines.append(f"    Operation({name!r}, {op.name!r}, kind=Kind.WRITE),")
    operations = "\n".join(lines)
    return f'''"""The {name} connector: every operation of its WSDL through Colonnade's pipeline.

``OPERATIONS`` are its operations as the engine sees them (breaker, cache tier, metrics per
operation); ``fault_table`` is where the provider's own faults get their meaning (checked
before the faults the WSDL declares, see ``colonnade.soap_faults.FaultRule``).
"""

from __future__ import annotations

from typing import ClassVar

from colonnade import FaultRule, Kind, Operation, Runtime
from colonnade.wsdl_import.connector import WsdlConnector
from {package}.settings import {cls}Settings

OPERATIONS = (
{operations}
)


class {cls}Connector(WsdlConnector):
    operations = OPERATIONS
    fault_table: ClassVar[tuple[FaultRule, ...]] = ()

    def __init__(self, settings: {cls}Settings, runtime: Runtime) -> None:
        super().__init__(settings, runtime, name={name!r})
'''


def sandbox_source(name: str, cls: str, contract: str) -> str:
    """A sandbox class for the connector: ``WsdlSandbox`` over the connector's own WSDL.
    ``contract`` is the source that defines ``WSDL`` and ``WSDL_URL_MAP`` (an import of the
    package's settings, or the paths themselves)."""
    return f'''"""The {name} service's sandbox: answers every operation of the WSDL from its own
types (see ``colonnade.sandboxes.wsdl``), for the kit test and the embedded demo."""

from __future__ import annotations

from colonnade.sandboxes.wsdl import WsdlSandbox
from colonnade.wsdl_import import import_wsdl
from colonnade.wsdl_import.faultdetail import declared_faults
{contract}


class {cls}Sandbox(WsdlSandbox):
    name = {name!r}

    def __init__(self, customers: int = 0) -> None:
        """``customers`` is every sandbox's first argument (the shared seed): unused here."""
        report = import_wsdl(WSDL, WSDL_URL_MAP, name={name!r})
        super().__init__(report.client, report.model, faults=declared_faults(report.client))
'''


def _init_source(name: str, cls: str, package: str, description: str) -> str:
    return f'''"""{description}"""

from colonnade import ConnectorPlugin
from {package}.connector import {cls}Connector
from {package}.graph import GRAPH
from {package}.settings import {cls}Settings

PLUGIN = ConnectorPlugin(
    name={name!r},
    settings={cls}Settings,
    build={cls}Connector,
    graph=GRAPH,
    sandbox="{package}.sandbox:{cls}Sandbox",
    description={description!r},
)

__all__ = ["PLUGIN", "{cls}Connector", "{cls}Settings"]
'''


def _sample_call(op: OperationModel, model: WsdlModel) -> str:
    args = sample_input(op.args, model.objects, model.enums)
    if op.root == "query":
        return f"        {op.name!r}: lambda c: c.read({op.name!r}, {args!r}),"
    return f"        {op.name!r}: lambda c, key: c.write({op.name!r}, {args!r}, key),"


def _test_source(name: str, cls: str, package: str, model: WsdlModel) -> str:
    samples = "\n".join(_sample_call(op, model) for op in model.operations)
    return f'''"""The {name} connector passes the standard connector suite (colonnade.testing)."""

from typing import Any, ClassVar

from colonnade.testing import ConnectorSuite
from {package} import PLUGIN


class Test{cls}Connector(ConnectorSuite):
    plugin = PLUGIN
    auth_header = None
    samples: ClassVar[dict[str, Any]] = {{
{samples}
    }}
'''


def _pyproject(name: str, package: str, description: str) -> str:
    return f'''[project]
name = "colonnade-{name.replace("_", "-")}"
version = "0.1.0"
description = {json.dumps(description)}
requires-python = ">=3.11"
dependencies = ["colonnade"]

[project.optional-dependencies]
test = ["pytest", "pytest-asyncio"]  # the kit test: pip install -e ".[test]"

[project.entry-points."colonnade.plugins"]
{name} = "{package}:PLUGIN"

[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[tool.setuptools.packages.find]
include = ["{package}*"]

[tool.setuptools.package-data]
{package} = ["wsdl/**/*"]

[tool.pytest.ini_options]
testpaths = ["tests"]
asyncio_mode = "auto"  # the kit's fixtures are async (pytest-asyncio)
asyncio_default_fixture_loop_scope = "function"

[tool.ruff]
line-length = 100
target-version = "py311"

[tool.ruff.lint]
select = ["E", "F", "W", "I", "B", "UP", "SIM", "RUF", "PT", "RET", "C4"]
'''


def write_package(
    report: ImportReport,
    wsdl: Path,
    url_map: Mapping[str, Path],
    *,
    name: str,
    out: Path,
    force: bool = False,
    tidy: bool = True,
) -> WrittenPackage:
    """Write ``colonnade-<name>`` into ``out`` (refused if it exists, unless ``force``)."""
    if not report.ok or report.model is None:
        raise ConfigError(f"{wsdl}: the import is not usable, so no package is written")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise ConfigError(f"{name!r}: a connector name is lower case letters, digits and _")
    if out.exists() and any(out.iterdir()) and not force:
        raise ConfigError(f"{out} exists and is not empty: choose another --out or --force")
    model = report.model
    package = f"colonnade_{name}"
    cls = pascal(name)
    # only the validated name reaches the text: a WSDL's file name is not ours to trust
    description = f"The {name} SOAP service as GraphQL (colonnade import wsdl)"
    pkg_dir = out / package
    if force and out.exists():  # a fresh package: nothing of the old one is left over
        shutil.rmtree(out)
    pkg_dir.mkdir(parents=True, exist_ok=True)
    wsdl_rel, url_rel = _copy_contract(report, wsdl, url_map, pkg_dir / "wsdl")
    files = {
        out / "pyproject.toml": _pyproject(name, package, description),
        pkg_dir / "__init__.py": _init_source(name, cls, package, description),
        pkg_dir / "settings.py": _settings_source(name, cls, wsdl_rel, url_rel, model),
        pkg_dir / "connector.py": _connector_source(name, cls, package, model),
        pkg_dir / "graph.py": render_graph(model, name, source=wsdl.name),
        pkg_dir / "sandbox.py": sandbox_source(
            name, cls, f"from {package}.settings import WSDL, WSDL_URL_MAP"
        ),
        out / "tests" / f"test_{name}.py": _test_source(name, cls, package, model),
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return WrittenPackage(out, package, sorted(files), tidied=tidy and _tidy(out))


def _tidy(out: Path) -> bool:
    """Lay the written code out as ruff would (imports sorted, long calls wrapped) when ruff is
    installed: it is a development tool, not something the import needs to work."""
    try:
        from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]
    except ImportError:
        return False
    ruff = find_ruff_bin()
    for command in (["format", "--quiet", "."], ["check", "--fix", "--quiet", "--exit-zero", "."]):
        subprocess.run([ruff, *command], cwd=out, check=False, capture_output=True)  # noqa: S603
    return True
