#!/usr/bin/env bash
# The demo's second start: the venv is warm, so scripts/demo must start without a package index
# (PIP_NO_INDEX makes any install attempt fail) and in seconds. Prints how long it took.
set -euo pipefail
cd "$(dirname "$0")/../.."
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
log="$(mktemp)"
start=$(date +%s%N)
PIP_NO_INDEX=1 PIP_FIND_LINKS="" setsid scripts/demo --port "$port" >"$log" 2>&1 &
pid=$!
trap 'kill -- -"$pid" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 300); do
  if curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; then
    echo "demo start: healthy in $(( ($(date +%s%N) - start) / 1000000 )) ms with no package index"
    exit 0
  fi
  kill -0 "$pid" 2>/dev/null || { echo "demo start: scripts/demo exited"; cat "$log"; exit 1; }
  sleep 0.1
done
echo "demo start: not healthy after 30 s"; cat "$log"; exit 1
