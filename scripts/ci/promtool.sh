#!/usr/bin/env bash
# CI stage: the shipped alert rules parse (promtool check rules) and fire when they should
# (promtool test rules). promtool comes with Debian's `prometheus` package, installed if missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v promtool >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "scripts/ci/promtool.sh: installing promtool (Debian package prometheus)" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  else
    echo "scripts/ci/promtool.sh: promtool missing; install Debian's prometheus package" >&2
    exit 1
  fi
fi
echo "== promtool" && promtool check rules ops/alerts.yml && promtool test rules ops/tests/alerts_test.yml
