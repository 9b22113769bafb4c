"""``colonnade federation compose``: each subgraph's SDL and the composed supergraph.

Composition is Apollo's own library (``@apollo/composition``, JavaScript), run by
``federation/compose.mjs`` under node: re-implementing federation's composition rules in Python
would be a second, diverging opinion of what composes. This module is the Colonnade side: a
subgraph given as a Colonnade config file gets its SDL from ``colonnade schema --config FILE``,
in a process of its own (a schema build adjusts the shared graph types, so two deployments'
schemas are never built in one process), and its routing URL from the config's
``[server] host``/``port``. URLs (another team's subgraph) and SDL files pass through to
compose.mjs unchanged.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from colonnade.config import load_settings
from colonnade.errors import ConfigError

FEDERATION_DIR = Path(__file__).resolve().parents[2] / "federation"
"""The repository's ``federation/`` (package.json, compose.mjs); absent from a wheel."""

SETUP_HINT = "run scripts/federation-deps.sh (npm ci in federation/)"


@dataclass(frozen=True, slots=True)
class Subgraph:
    name: str
    source: str
    """A Colonnade config (``*.toml``), an SDL file, or a GraphQL endpoint URL."""
    routing_url: str | None = None

    @property
    def is_config(self) -> bool:
        return self.source.endswith(".toml") and not self.source.startswith(("http:", "https:"))


def parse_pairs(values: Sequence[str], flag: str) -> dict[str, str]:
    """``NAME=VALUE`` arguments, each name once."""
    out: dict[str, str] = {}
    for value in values:
        name, sep, rest = value.partition("=")
        if not sep or not name or not rest:
            raise ConfigError(f"{flag} wants NAME=VALUE, got {value!r}")
        if name in out:
            raise ConfigError(f"{flag} {name} given twice")
        out[name] = rest
    return out


def subgraphs(sources: Sequence[str], routing_urls: Sequence[str]) -> list[Subgraph]:
    named = parse_pairs(sources, "--subgraph")
    routing = parse_pairs(routing_urls, "--routing-url")
    unknown = sorted(set(routing) - set(named))
    if unknown:
        raise ConfigError(f"--routing-url for no --subgraph: {', '.join(unknown)}")
    if not named:
        raise ConfigError("give at least one --subgraph NAME=SOURCE")
    return [Subgraph(n, s, routing.get(n)) for n, s in named.items()]


def config_sdl(config: Path, env: Mapping[str, str] | None = None) -> str:
    """The SDL the deployment ``config`` serves: ``colonnade schema --config`` in its own
    process."""
    result = subprocess.run(  # noqa: S603 - our own interpreter and module, no shell
        [sys.executable, "-m", "colonnade", "schema", "--config", str(config)],
        capture_output=True,
        text=True,
        env=dict(os.environ if env is None else env),
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise ConfigError(f"{config}: colonnade schema failed: {result.stderr.strip()[-500:]}")
    return result.stdout


def config_routing_url(config: Path) -> str:
    server = load_settings(config).server
    return f"http://{server.host}:{server.port}/graphql"


def node_command(federation_dir: Path) -> list[str]:
    """``node federation/compose.mjs``, or a ConfigError that says what to install."""
    node = shutil.which("node")
    if node is None:
        raise ConfigError(f"node not found: composition runs on node >= 20 ({SETUP_HINT})")
    script = federation_dir / "compose.mjs"
    if not script.is_file():
        raise ConfigError(f"{script} not found: pass --federation-dir (the repo's federation/)")
    if not (federation_dir / "node_modules" / "@apollo" / "composition").is_dir():
        raise ConfigError(f"@apollo/composition is not installed in {federation_dir}: {SETUP_HINT}")
    return [node, str(script)]


def compose(wanted: Sequence[Subgraph], out: Path, federation_dir: Path = FEDERATION_DIR) -> int:
    """Write ``out/NAME.graphql`` per subgraph and ``out/supergraph.graphql``; compose.mjs's
    exit status: 0 composed, 1 composition errors (printed), 2 a source it could not read."""
    command = node_command(federation_dir)
    out.mkdir(parents=True, exist_ok=True)
    for subgraph in wanted:
        source, routing = subgraph.source, subgraph.routing_url
        if subgraph.is_config:
            config = Path(source)
            if not config.is_file():
                raise ConfigError(f"subgraph {subgraph.name}: no such config file {config}")
            sdl_file = out / f"{subgraph.name}.graphql"
            sdl_file.write_text(config_sdl(config))
            source, routing = str(sdl_file), routing or config_routing_url(config)
        command += ["--subgraph", f"{subgraph.name}={source}"]
        if routing:
            command += ["--routing-url", f"{subgraph.name}={routing}"]
    command += ["--out", str(out)]
    return subprocess.run(command, check=False, timeout=300).returncode  # noqa: S603
