"""What `pip install .` ships: every package folder under the one `colonnade` namespace, and
the contracts as package data.

The card's folders (connectors/, resolvers/, schema/, sandboxes/) stay at the top of the
repository and are linked into the package (colonnade/connectors → ../connectors), so nothing
installs as a top-level `schema` or `connectors`. pyproject.toml has setuptools find the packages
(wsdl/ is linked as ``colonnade.wsdl``), so a new connector package ships with no edit there;
this test fails if one would not. The wheel itself is installed into a clean venv and run from /
by scripts/ci/install-check.sh.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from setuptools import find_packages

from colonnade.config import contracts_dir

ROOT = Path(__file__).resolve().parents[1]
LINKED = ("connectors", "resolvers", "schema", "sandboxes", "wsdl")


def _declared() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def _installed_name(init: Path) -> str:
    parts = init.parent.relative_to(ROOT).parts
    return ".".join(parts if parts[0] == "colonnade" else ("colonnade", *parts))


def test_every_package_folder_is_installed_under_one_namespace() -> None:
    find: dict[str, list[str]] = _declared()["packages"]["find"]  # type: ignore[index]
    listed = set(find_packages(str(ROOT), include=find["include"]))
    engine = [p for p in (ROOT / "colonnade").rglob("__init__.py") if not _via_link(p)]
    linked = [p for top in LINKED for p in (ROOT / top).rglob("__init__.py")]
    found = {_installed_name(p) for p in engine + linked}
    assert found - listed == set(), "these package folders would not be installed"
    assert {name.split(".")[0] for name in listed} == {"colonnade"}  # nothing else top-level


def _via_link(path: Path) -> bool:
    return path.relative_to(ROOT / "colonnade").parts[0] in LINKED


def test_the_card_folders_are_linked_into_the_namespace() -> None:
    for top in LINKED:
        link = ROOT / "colonnade" / top
        assert link.is_symlink(), f"colonnade/{top} must link to ../{top}"
        assert link.resolve() == (ROOT / top).resolve()


def test_the_contracts_ship_as_package_data() -> None:
    wsdls = sorted(p.relative_to(ROOT / "wsdl").as_posix() for p in (ROOT / "wsdl").rglob("*.wsdl"))
    assert wsdls
    assert all((contracts_dir() / w).is_file() for w in wsdls)
