#!/usr/bin/env bash
# Supply chain, run by scripts/test: a CycloneDX SBOM of the locked dependencies, a vulnerability
# scan over every locked package that says how many it really checked, bandit over our code, and
# the built wheel installed into a clean venv and run from another directory.
# Artefacts land in artifacts/ (sbom.cdx.json, pip-audit.json, bandit.json).
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV="${COLONNADE_VENV:-.venv}"
mkdir -p artifacts

echo "== sbom"
"$VENV/bin/cyclonedx-py" requirements requirements/runtime.lock \
  --output-format JSON --output-file artifacts/sbom.cdx.json
"$VENV/bin/python" - <<'PY'
import json
sbom = json.load(open("artifacts/sbom.cdx.json"))
print(f"sbom: artifacts/sbom.cdx.json, CycloneDX {sbom['specVersion']}, {len(sbom.get('components', []))} components")
PY

echo "== vulnerability scan"
# pip-audit reports "No known vulnerabilities found" even when it could check nothing (every
# package skipped because no advisory source answered): the summary counts what was checked.
"$VENV/bin/pip-audit" -r requirements/dev.lock --require-hashes --disable-pip \
  --progress-spinner off -f json -o artifacts/pip-audit.json >/dev/null 2>artifacts/pip-audit.log || true
"$VENV/bin/python" scripts/ci/audit_summary.py artifacts/pip-audit.json requirements/dev.lock

echo "== bandit"
# Medium and high severity at medium or better confidence; the low-severity findings are ruff's
# S rules, judged line by line there (with the reason beside each noqa).
_bandit=("$VENV/bin/bandit" -q -c pyproject.toml --severity-level medium --confidence-level medium
         -r colonnade connectors resolvers schema sandboxes)
if ! "${_bandit[@]}" -f json -o artifacts/bandit.json; then "${_bandit[@]}"; exit 1; fi
echo "bandit: no medium/high findings (artifacts/bandit.json)"

echo "== install check"
scripts/ci/install-check.sh
