#!/usr/bin/env bash
# The package as a user gets it: build the wheel, install it with its locked dependencies into a
# clean venv, and run `colonnade check` and `colonnade schema` from a directory that is not the
# checkout (contracts must come from the package, not from ./wsdl).
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV="${COLONNADE_VENV:-.venv}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$VENV/bin/python" -m pip wheel -q --disable-pip-version-check --no-deps --no-build-isolation \
  -w "$work/dist" . 2>/dev/null
rm -rf build
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check --require-hashes \
  -r requirements/runtime.lock 2>/dev/null
"$work/venv/bin/pip" install -q --disable-pip-version-check --no-deps "$work"/dist/*.whl 2>/dev/null
(cd / && "$work/venv/bin/colonnade" check && "$work/venv/bin/colonnade" schema >/dev/null)
echo "install check: the wheel runs from / ($(ls "$work"/dist))"
