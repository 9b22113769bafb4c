"""The README's "Adding a connector" is the FX connector's code: every block that names a file
is in that file, verbatim (``...`` marks a cut), so the tutorial cannot drift from the code."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"```python\n# (?P<path>[\w/.]+\.py)\n(?P<body>.*?)```", re.DOTALL)


def _section() -> str:
    readme = (ROOT / "README.md").read_text()
    start = readme.index("## Adding a connector")
    return readme[start : readme.index("\n## ", start + 1)]


def _solid(lines: list[str]) -> list[str]:
    return [line.rstrip() for line in lines if line.strip()]


def _contains_in_order(haystack: list[str], chunks: list[list[str]]) -> bool:
    at = 0
    for chunk in chunks:
        width = len(chunk)
        while at + width <= len(haystack) and haystack[at : at + width] != chunk:
            at += 1
        if at + width > len(haystack):
            return False
        at += width
    return True


def test_every_tutorial_block_is_the_code_it_names() -> None:
    blocks = list(BLOCK.finditer(_section()))
    assert len(blocks) >= 7
    assert {m["path"] for m in blocks} >= {"connectors/fx/__init__.py", "sandboxes/fx.py"}
    for block in blocks:
        source = _solid((ROOT / block["path"]).read_text().splitlines())
        chunks = [
            _solid(part.splitlines()) for part in re.split(r"^\.\.\.$", block["body"], flags=re.M)
        ]
        assert _contains_in_order(source, [c for c in chunks if c]), block["path"]


def test_a_cut_is_only_where_the_tutorial_says() -> None:
    assert not _contains_in_order(["a", "b", "c"], [["a", "c"]])
    assert _contains_in_order(["a", "b", "c"], [["a"], ["c"]])
