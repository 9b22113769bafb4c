"""Run every connector's contract probe through a recorder; read and write contract files.

A connector's recorded contract lives beside its code (``contract.json`` from the sandbox,
``contract.live.json`` from the real provider), so a connector from another package carries
its own. The probe runs with the cache off: every read must reach the provider.
"""

from __future__ import annotations

import contextlib
import inspect
import json
from pathlib import Path
from typing import Any

from colonnade.contracts.drift import Drift, compare
from colonnade.contracts.recorder import Recorder
from colonnade.errors import ColonnadeError


def contract_file(connector: Any, *, live: bool) -> Path:
    folder = Path(inspect.getfile(type(connector))).parent
    return folder / ("contract.live.json" if live else "contract.json")


async def probe(connector: Any) -> dict[str, Any]:
    """The probe's interactions; a read the provider refuses is recorded (with its status),
    not raised: a refusal is exactly what ``verify`` must report."""
    recorder = Recorder()
    recorder.watch(connector.http)
    with contextlib.suppress(ColonnadeError):
        await connector.contract_probe()
    return recorder.as_json()


def write(connector: Any, recorded: dict[str, Any], *, live: bool) -> Path:
    path = contract_file(connector, live=live)
    document = {"connector": connector.name, "api_version": connector.api_version, **recorded}
    path.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
    return path


def verify(connector: Any, current: dict[str, Any], *, live: bool) -> tuple[Path, list[Drift]]:
    """Compare with the recorded contract (live: the live recording if there is one)."""
    path = contract_file(connector, live=True) if live else contract_file(connector, live=False)
    if live and not path.is_file():
        path = contract_file(connector, live=False)
    if not path.is_file():
        return path, [Drift("error", connector.name, f"no recorded contract at {path}")]
    recorded = json.loads(path.read_text())
    recorded.pop("connector", None)
    recorded.pop("api_version", None)
    return path, compare(recorded, current)
