"""The graph as a contract between teams: breaking and dangerous changes between two SDLs.

graphql-core does the comparison (``find_breaking_changes`` / ``find_dangerous_changes``, the
same rules graphql-js uses); this module only names each change by its schema coordinate
(``Query.customers``) and checks that every breaking change since the baseline is acknowledged
in the CHANGELOG's Unreleased section — a line mentioning ``BREAKING`` and the coordinate — so a
change that breaks clients never lands by accident.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from graphql import build_schema, find_breaking_changes, find_dangerous_changes

SCHEMA_FILE = "schema.graphql"
_DOTTED = re.compile(r"\b([_A-Za-z][_0-9A-Za-z]*\.[_A-Za-z][_0-9A-Za-z]*)")
_NAME = re.compile(r"\b([_A-Za-z][_0-9A-Za-z]*)\b")
# Words graphql-core's descriptions start with before the name they are about.
_KIND_WORDS = {"Argument", "Field", "Type", "Input", "Enum", "Union", "Interface", "Directive"}


@dataclass(frozen=True, slots=True)
class SchemaChange:
    breaking: bool
    kind: str
    description: str

    @property
    def coordinate(self) -> str:
        """The schema coordinate the change is about: ``Type`` or ``Type.field``."""
        dotted = _DOTTED.search(self.description)
        if dotted:
            return dotted.group(1)
        names = [n for n in _NAME.findall(self.description) if n not in _KIND_WORDS]
        return names[0] if names else self.description

    def __str__(self) -> str:
        return f"{'BREAKING' if self.breaking else 'DANGEROUS'} {self.kind}: {self.description}"


def diff(old_sdl: str, new_sdl: str) -> list[SchemaChange]:
    # Federation SDL uses directives it imports with @link rather than defines: skip the
    # SDL validation that would call them unknown; the comparison is about types and fields.
    old = build_schema(old_sdl, assume_valid_sdl=True)
    new = build_schema(new_sdl, assume_valid_sdl=True)
    changes = [
        SchemaChange(True, c.type.name, c.description) for c in find_breaking_changes(old, new)
    ]
    changes += [
        SchemaChange(False, c.type.name, c.description) for c in find_dangerous_changes(old, new)
    ]
    return changes


def unreleased_section(changelog: str) -> str:
    """The text under ``## Unreleased`` up to the next ``## `` heading."""
    match = re.search(r"^## Unreleased\s*$(.*?)(?=^## |\Z)", changelog, re.MULTILINE | re.DOTALL)
    return match.group(1) if match else ""


def unacknowledged(changes: list[SchemaChange], changelog: str) -> list[SchemaChange]:
    """Breaking changes the CHANGELOG's Unreleased section does not acknowledge."""
    lines = [ln for ln in unreleased_section(changelog).splitlines() if "BREAKING" in ln]
    return [
        c
        for c in changes
        if c.breaking and not any(re.search(rf"\b{re.escape(c.coordinate)}\b", ln) for ln in lines)
    ]


def baseline_ref(repo: Path) -> str | None:
    """What clients were promised: the newest ``v*`` tag, else the commit that first added
    ``schema.graphql`` (COLONNADE_SCHEMA_BASELINE overrides). None outside a git checkout."""
    override = os.environ.get("COLONNADE_SCHEMA_BASELINE")
    if override:
        return override
    tag = _git(repo, "describe", "--tags", "--abbrev=0", "--match", "v*")
    if tag:
        return tag
    added = _git(repo, "log", "--diff-filter=A", "--format=%H", "--", SCHEMA_FILE)
    return added.splitlines()[-1] if added else None


def check(repo: Path, current_sdl: str) -> tuple[list[str], list[SchemaChange]]:
    """Problems that must fail CI, and every change since the baseline (for the log)."""
    committed = repo / SCHEMA_FILE
    problems: list[str] = []
    if not committed.is_file() or committed.read_text() != current_sdl:
        problems.append(
            f"{SCHEMA_FILE} is not this build's schema: run `colonnade schema > {SCHEMA_FILE}`, "
            "review the diff and commit it"
        )
    ref = baseline_ref(repo)
    if ref is None:
        return problems, []
    baseline = _git(repo, "show", f"{ref}:{SCHEMA_FILE}")
    if baseline is None:
        return problems, []
    changes = diff(baseline, current_sdl)
    changelog = (repo / "CHANGELOG.md").read_text() if (repo / "CHANGELOG.md").is_file() else ""
    for change in unacknowledged(changes, changelog):
        problems.append(
            f"breaking change since {ref[:12]} not acknowledged in CHANGELOG.md: {change} — add "
            f"'BREAKING: {change.coordinate} ...' under ## Unreleased"
        )
    return problems, changes


def _git(repo: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(  # noqa: S603 - git with fixed arguments
            ["git", "-C", str(repo), *args],  # noqa: S607 - git from PATH, as developers run it
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None
