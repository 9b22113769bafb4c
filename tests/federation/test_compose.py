"""``colonnade federation compose``: Colonnade's subgraph configs and the loyalty subgraph
compose with Apollo's composition and no errors; a graph that does not compose exits 1 and
says why. Composition is what CI checks, so it runs from the committed files alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from federated import FEDERATION, SUBGRAPHS, clean_env, require_node

pytestmark = pytest.mark.processes

LOYALTY_SDL = FEDERATION / "loyalty" / "schema.graphql"


def compose(
    out: Path, *pairs: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "colonnade", "federation", "compose", "--out", str(out)]
    for pair in pairs:
        flag, value = pair.split(" ", 1)
        argv += [flag, value]
    return subprocess.run(
        argv,
        capture_output=True,
        text=True,
        env={**clean_env(), **(env or {})},
        timeout=180,
        check=False,
    )


def test_colonnades_subgraphs_and_loyalty_compose_with_no_errors(tmp_path: Path) -> None:
    require_node()
    result = compose(
        tmp_path,
        f"--subgraph commerce={SUBGRAPHS / 'commerce.toml'}",
        f"--subgraph erp={SUBGRAPHS / 'erp.toml'}",
        f"--subgraph loyalty={LOYALTY_SDL}",
        "--routing-url loyalty=http://127.0.0.1:4002/graphql",
    )
    assert result.returncode == 0, result.stderr
    assert "error [" not in result.stderr
    assert "composed 3 subgraph(s)" in result.stderr
    supergraph = (tmp_path / "supergraph.graphql").read_text()
    # Routing URLs from each config's [server] (commerce 4001, erp 4003) and the flag.
    assert (
        'COMMERCE @join__graph(name: "commerce", url: "http://127.0.0.1:4001/graphql")'
        in supergraph
    )
    assert 'ERP @join__graph(name: "erp", url: "http://127.0.0.1:4003/graphql")' in supergraph
    assert (
        'LOYALTY @join__graph(name: "loyalty", url: "http://127.0.0.1:4002/graphql")' in supergraph
    )
    # Each subgraph's SDL is exported beside it: commerce owns customers, erp the orders.
    commerce = (tmp_path / "commerce.graphql").read_text()
    erp = (tmp_path / "erp.graphql").read_text()
    assert "customers(" in commerce
    assert "salesOrders" not in commerce
    assert "salesOrder(number" in erp
    assert "loyalty: LoyaltyAccount" in supergraph


def test_a_graph_that_does_not_compose_exits_1_naming_the_error(tmp_path: Path) -> None:
    require_node()
    clash = tmp_path / "clash.graphql"
    # Another team defining Customer.name as its own (neither @shareable nor @external).
    clash.write_text(
        LOYALTY_SDL.read_text().replace("  id: ID!\n", "  id: ID!\n  name: String!\n", 1)
    )
    result = compose(
        tmp_path / "out",
        f"--subgraph commerce={SUBGRAPHS / 'commerce.toml'}",
        f"--subgraph loyalty={clash}",
        "--routing-url loyalty=http://127.0.0.1:4002/graphql",
    )
    assert result.returncode == 1, result.stderr
    assert "error [INVALID_FIELD_SHARING]" in result.stderr
    assert '"Customer.name"' in result.stderr
    assert not (tmp_path / "out" / "supergraph.graphql").exists()


def test_a_source_it_cannot_read_exits_2(tmp_path: Path) -> None:
    require_node()
    result = compose(
        tmp_path,
        f"--subgraph mine={LOYALTY_SDL}",
        "--routing-url mine=http://127.0.0.1:4002/graphql",
        "--subgraph loyalty=http://127.0.0.1:9/graphql",  # discard port: nothing listens
    )
    assert result.returncode == 2
    assert "subgraph loyalty: cannot reach http://127.0.0.1:9/graphql" in result.stderr
    assert "Traceback" not in result.stderr


def test_without_node_it_says_what_to_install(tmp_path: Path) -> None:
    result = compose(
        tmp_path,
        f"--subgraph commerce={SUBGRAPHS / 'commerce.toml'}",
        env={"PATH": str(Path(sys.executable).parent)},
    )
    assert result.returncode == 2
    assert "node not found" in result.stderr
    assert "scripts/federation-deps.sh" in result.stderr
