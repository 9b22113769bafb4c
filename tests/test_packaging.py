"""What `pip install .` ships: every package folder, and the contracts as package data.

pyproject.toml lists packages explicitly (wsdl/ is mapped to ``colonnade.wsdl``); a package
folder missing from that list would install an incomplete Colonnade, so this test fails then.
The wheel itself is installed into a clean venv and run from / by scripts/ci/install-check.sh.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from colonnade.config import contracts_dir

ROOT = Path(__file__).resolve().parents[1]
TOP_LEVEL = ("colonnade", "connectors", "resolvers", "schema", "sandboxes")


def _declared() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_package_folder_is_installed() -> None:
    listed = set(_declared()["packages"])  # type: ignore[call-overload]
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in TOP_LEVEL
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"


def test_the_contracts_ship_as_package_data() -> None:
    assert _declared()["package-dir"] == {"colonnade.wsdl": "wsdl"}
    wsdls = sorted(p.relative_to(ROOT / "wsdl").as_posix() for p in (ROOT / "wsdl").rglob("*.wsdl"))
    assert wsdls
    assert all((contracts_dir() / w).is_file() for w in wsdls)
