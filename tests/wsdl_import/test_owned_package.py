"""``colonnade import wsdl --out``: a connector package a team owns — written, laid out as the
repo's code is, installed like any distribution, found through its entry point, passing its
own ten-line kit test against the sandbox generated from the WSDL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from colonnade.cli import main
from colonnade.config import contracts_dir
from colonnade.errors import ConfigError
from colonnade.wsdl_import import import_wsdl
from colonnade.wsdl_import.package import write_package

WSDL = contracts_dir() / "erp" / "zsd_salesorder.wsdl"


def _written(tmp_path: Path) -> Path:
    out = tmp_path / "colonnade-legacy"
    assert main(["import", "wsdl", str(WSDL), "--name", "legacy", "--out", str(out)]) == 0
    return out


def test_the_package_has_every_part_and_reads_like_our_code(tmp_path: Path) -> None:
    out = _written(tmp_path)
    package = out / "colonnade_legacy"
    for part in ("__init__", "settings", "connector", "graph", "sandbox"):
        assert (package / f"{part}.py").is_file()
    assert (package / "wsdl" / "zsd_salesorder.wsdl").is_file()
    assert (package / "wsdl" / "zsd_salesorder.xsd").is_file()  # what the WSDL imports
    kit = (out / "tests" / "test_legacy.py").read_text()
    assert len(kit.splitlines()) <= 22  # "its ten-line test": a plugin and a sample per op
    settings = (package / "settings.py").read_text()
    assert "query: list[str] = Field(" in settings  # the choices, reviewable
    assert '"ZSD_SALESORDER_GETLIST"' in settings
    pytest.importorskip("ruff")
    from ruff.__main__ import find_ruff_bin

    for command in (["check", "."], ["format", "--check", "."]):
        run = subprocess.run([find_ruff_bin(), *command], cwd=out, capture_output=True, text=True)
        assert run.returncode == 0, run.stdout + run.stderr


def test_as_generated_before_any_layout_it_is_already_correct_python(tmp_path: Path) -> None:
    """What the generator writes, untouched by ruff: it compiles, and pyflakes (imports
    unused or missing, names undefined) and pycodestyle's errors find nothing."""
    out = tmp_path / "raw"
    written = write_package(
        import_wsdl(WSDL, name="legacy"), WSDL, {}, name="legacy", out=out, tidy=False
    )
    assert not written.tidied
    for path in written.files:
        if path.suffix == ".py":
            compile(path.read_text(), str(path), "exec")
    pytest.importorskip("ruff")
    from ruff.__main__ import find_ruff_bin

    run = subprocess.run(
        [find_ruff_bin(), "check", "--isolated", "--select", "E9,F", "."],
        cwd=out, capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout


def test_installed_it_is_in_the_graph_and_passes_its_own_kit(tmp_path: Path) -> None:
    out = _written(tmp_path)
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
            "--disable-pip-version-check", "--no-index", "--target", str(site), str(out),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    schema = subprocess.run(
        [sys.executable, "-m", "colonnade", "schema"],
        env=env, cwd=tmp_path, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "legacyZSD_SALESORDER_GETLIST(" in schema.stdout
    assert "legacyZSD_SALESORDER_CREATE(" in schema.stdout
    kit = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        env=env, cwd=out, capture_output=True, text=True,
    )  # fmt: skip
    assert kit.returncode == 0, kit.stdout[-3000:] + kit.stderr[-2000:]
    summary = kit.stdout.strip().splitlines()[-1]
    passed = int(summary.split(" passed")[0].split()[-1])
    assert passed >= 20, summary


def test_an_existing_package_is_not_overwritten_without_force(tmp_path: Path) -> None:
    out = _written(tmp_path)
    graph = out / "colonnade_legacy" / "graph.py"
    graph.write_text("# edited by the team\n")
    (out / "colonnade_legacy" / "stale.py").write_text("")
    report = import_wsdl(WSDL, name="legacy")
    with pytest.raises(ConfigError, match="--force"):
        write_package(report, WSDL, {}, name="legacy", out=out)
    assert graph.read_text() == "# edited by the team\n"  # refused: nothing touched
    write_package(report, WSDL, {}, name="legacy", out=out, force=True)
    assert "GRAPH = GraphPart(" in graph.read_text()
    assert not (out / "colonnade_legacy" / "stale.py").exists()


def test_a_name_that_cannot_prefix_fields_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "wsdl", str(WSDL), "--name", "Legacy-ERP"]) == 2
    assert "lower case letters" in capsys.readouterr().err
