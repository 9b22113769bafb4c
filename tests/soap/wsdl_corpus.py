"""Where the real-world WSDL corpus is and its entry points (shared by the corpus tests)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "wsdl"
needs_corpus = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside this clone"),
]


def entries() -> list[tuple[Path, dict[str, Path]]]:
    """Top-level *.wsdl, then each folder's manifest entry points (as test_wsdl_corpus)."""
    if not CORPUS.is_dir():
        return []
    found: list[tuple[Path, dict[str, Path]]] = [(p, {}) for p in sorted(CORPUS.glob("*.wsdl"))]
    for folder in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        manifest = json.loads((folder / "manifest.json").read_text())
        url_map = {u: Path(p) for u, p in manifest.get("url_map", {}).items()}
        found += [(folder / entry, url_map) for entry in manifest.get("entry_points", [])]
    return found


def entry(relative: str) -> tuple[Path, dict[str, Path]]:
    for path, url_map in entries():
        if path.relative_to(CORPUS).as_posix() == relative:
            return path, url_map
    pytest.skip(f"{relative} is not in the corpus")
