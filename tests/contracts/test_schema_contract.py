"""The graph as a contract: schema.graphql is this build's SDL, and a breaking change since the
baseline fails CI unless the CHANGELOG acknowledges it (proved on a scratch git repository)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from colonnade.schema_contract import diff, unacknowledged

ROOT = Path(__file__).resolve().parents[2]
OLD = """type Query {
  customer(id: ID!): Customer
  customers(first: Int! = 20): CustomerConnection!
}
type Customer { id: ID! name: String! }
type CustomerConnection { nodes: [Customer!]! }
"""


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "colonnade", "schema", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *args],  # noqa: S607
        check=True,
        capture_output=True,
    )


def test_the_committed_sdl_is_this_builds_schema() -> None:
    done = _cli(cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert (ROOT / "schema.graphql").read_text() == done.stdout, (
        "schema.graphql is stale: run `colonnade schema > schema.graphql` and commit it"
    )


def test_changes_are_named_by_their_coordinate() -> None:
    new = OLD.replace("CustomerConnection!\n", "CustomerConnection\n").replace(" name: String!", "")
    changes = {(c.breaking, c.coordinate) for c in diff(OLD, new)}
    assert changes == {(True, "Query.customers"), (True, "Customer.name")}
    adding = OLD.replace("name: String!", "name: String! city: String")
    assert diff(OLD, adding) == []  # a new nullable field breaks nobody


def test_only_the_unreleased_section_acknowledges() -> None:
    [change] = diff(OLD, OLD.replace(" name: String!", ""))
    released = "## Unreleased\n\n- nothing\n\n## 0.1.0\n\n- BREAKING: Customer.name removed\n"
    assert unacknowledged([change], released) == [change]
    unreleased = "## Unreleased\n\n- BREAKING: `Customer.name` is gone; use `displayName`.\n"
    assert unacknowledged([change], unreleased) == []


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A scratch repository whose first schema.graphql is the baseline."""
    (tmp_path / "schema.graphql").write_text(OLD)
    (tmp_path / "CHANGELOG.md").write_text("# Changelog\n\n## Unreleased\n\n- started\n")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "baseline")
    return tmp_path


def test_a_breaking_change_without_acknowledgement_fails_ci(scratch: Path) -> None:
    broken = OLD.replace(" name: String!", "")
    (scratch / "schema.graphql").write_text(broken)
    (scratch / "new.graphql").write_text(broken)
    _git(scratch, "commit", "-qam", "drop Customer.name")

    refused = _cli("check", "--repo", str(scratch), "--current", "new.graphql", cwd=scratch)
    assert refused.returncode == 1
    assert "Customer.name" in refused.stderr
    assert "CHANGELOG" in refused.stderr

    changelog = scratch / "CHANGELOG.md"
    changelog.write_text(
        changelog.read_text() + "- BREAKING: Customer.name removed; clients read `label`.\n"
    )
    accepted = _cli("check", "--repo", str(scratch), "--current", "new.graphql", cwd=scratch)
    assert accepted.returncode == 0, accepted.stderr


def test_a_stale_schema_file_fails_ci(scratch: Path) -> None:
    (scratch / "new.graphql").write_text(OLD + "type Extra { id: ID }\n")
    stale = _cli("check", "--repo", str(scratch), "--current", "new.graphql", cwd=scratch)
    assert stale.returncode == 1
    assert "colonnade schema > schema.graphql" in stale.stderr
