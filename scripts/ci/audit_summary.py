"""Summarize a pip-audit JSON report honestly: how many locked packages were really checked.

pip-audit prints "No known vulnerabilities found" even when no advisory source answered and it
skipped every package. Here a skipped package is counted as unchecked, and a scan that checked
none says so loudly; it fails the build when COLONNADE_REQUIRE_AUDIT=1 (set that on a machine
that reaches an advisory source, e.g. the scheduled job).
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path


def main(report_path: str, lock_path: str) -> int:
    lock = Path(lock_path).read_text()
    locked = len(re.findall(r"^[A-Za-z0-9_.-]+==", lock, re.MULTILINE))
    try:
        deps = json.loads(Path(report_path).read_text())["dependencies"]
    except (OSError, ValueError, KeyError):
        deps = []
    skipped = [d for d in deps if d.get("skip_reason")]
    checked = [d for d in deps if not d.get("skip_reason")]
    vulnerable = [d for d in checked if d.get("vulns")]
    print(f"pip-audit: {len(checked)} of {locked} locked packages checked, {len(skipped)} skipped")
    for dep in vulnerable:
        ids = ", ".join(v["id"] for v in dep["vulns"])
        print(f"  VULNERABLE {dep['name']} {dep.get('version')}: {ids}")
    if vulnerable:
        return 1
    if not checked:
        reason = skipped[0]["skip_reason"] if skipped else "no report (see artifacts/pip-audit.log)"
        print("pip-audit: WARNING: NO ADVISORY SOURCE WAS REACHABLE; NOTHING WAS CHECKED.")
        print(f"  first reason: {reason}")
        return 1 if os.environ.get("COLONNADE_REQUIRE_AUDIT") == "1" else 0
    print(f"pip-audit: no known vulnerabilities in the {len(checked)} packages checked")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
