#!/usr/bin/env bash
# Fuzz the running app: schema-generated operations over POST and GET plus hostile bodies and
# headers, against a real `colonnade serve` (embedded sandboxes). Bounded: FUZZ_EXAMPLES
# operations (default 400) and FUZZ_SECONDS of generation (default 40). Fails on any 5xx,
# INTERNAL_SERVER_ERROR, stack trace in a body, or breaker left open.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV="${VENV:-${COLONNADE_VENV:-.venv}}"
# shellcheck source=scripts/ci/serve-lib.sh
source scripts/ci/serve-lib.sh
trap stop_facade EXIT
start_facade
"$VENV/bin/python" tests/http/fuzz_app.py "$FACADE_URL" \
  --examples "${FUZZ_EXAMPLES:-400}" --seconds "${FUZZ_SECONDS:-40}"
