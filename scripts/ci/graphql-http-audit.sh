#!/usr/bin/env bash
# GraphQL-over-HTTP conformance: graphql-http's own server audit against a real `colonnade serve`.
# Installs graphql-http from npm into .ci-cache/graphql-http (once; npm's cache is ~/.npm),
# prints the score, and fails unless every MUST and SHOULD audit passes.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV="${VENV:-${COLONNADE_VENV:-.venv}}"
GRAPHQL_HTTP_VERSION=1.23.1
PREFIX="$PWD/.ci-cache/graphql-http"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "graphql-http audit needs node and npm" >&2
    exit 1
  fi
fi
installed="$(node -p "require('$PREFIX/node_modules/graphql-http/package.json').version" 2>/dev/null || true)"
if [ "$installed" != "$GRAPHQL_HTTP_VERSION" ]; then
  mkdir -p "$PREFIX"
  npm install --silent --no-audit --no-fund --prefix "$PREFIX" "graphql-http@$GRAPHQL_HTTP_VERSION" "graphql@16" >/dev/null
fi

# shellcheck source=scripts/ci/serve-lib.sh
source scripts/ci/serve-lib.sh
trap stop_facade EXIT
start_facade
GRAPHQL_HTTP_PREFIX="$PREFIX" node tests/http/audit.mjs "$FACADE_URL/graphql"
