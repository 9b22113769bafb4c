"""What `pip install .` ships: every package folder under the one `colonnade` namespace, and
the contracts as package data.

The card's folders (connectors/, resolvers/, schema/, sandboxes/) stay at the top of the
repository and are linked into the package (colonnade/connectors → ../connectors), so nothing
installs as a top-level `schema` or `connectors`. pyproject.toml lists packages explicitly (wsdl/
is mapped to ``colonnade.wsdl``); a folder missing from that list would install an incomplete
Colonnade, so this test fails then. The wheel itself is installed into a clean venv and run from /
by scripts/ci/install-check.sh.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from colonnade.config import contracts_dir

ROOT = Path(__file__).resolve().parents[1]
LINKED = ("connectors", "resolvers", "schema", "sandboxes")


def _declared() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def _installed_name(init: Path) -> str:
    parts = init.parent.relative_to(ROOT).parts
    return ".".join(parts if parts[0] == "colonnade" else ("colonnade", *parts))


def test_every_package_folder_is_installed_under_one_namespace() -> None:
    listed = set(_declared()["packages"])  # type: ignore[call-overload]
    engine = [p for p in (ROOT / "colonnade").rglob("__init__.py") if not _via_link(p)]
    linked = [p for top in LINKED for p in (ROOT / top).rglob("__init__.py")]
    found = {_installed_name(p) for p in engine + linked}
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert {name.split(".")[0] for name in listed} == {"colonnade"}  # nothing else top-level


def _via_link(path: Path) -> bool:
    return path.relative_to(ROOT / "colonnade").parts[0] in LINKED


def test_the_card_folders_are_linked_into_the_namespace() -> None:
    for top in LINKED:
        link = ROOT / "colonnade" / top
        assert link.is_symlink(), f"colonnade/{top} must link to ../{top}"
        assert link.resolve() == (ROOT / top).resolve()


def test_the_contracts_ship_as_package_data() -> None:
    assert _declared()["package-dir"] == {"colonnade.wsdl": "wsdl"}
    wsdls = sorted(p.relative_to(ROOT / "wsdl").as_posix() for p in (ROOT / "wsdl").rglob("*.wsdl"))
    assert wsdls
    assert all((contracts_dir() / w).is_file() for w in wsdls)
