# Sourced by the CI stages that need a running facade: start_facade starts `colonnade serve`
# (embedded sandboxes) on a free loopback port and sets FACADE_URL; stop_facade ends it.
# Needs $VENV (scripts/venv.sh). Extra COLONNADE_* settings can be exported before.
start_facade() {
  local port
  port="$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  FACADE_LOG="$(mktemp)"
  COLONNADE_SANDBOX__EMBEDDED=on COLONNADE_SERVER__LOG_LEVEL="${COLONNADE_SERVER__LOG_LEVEL:-warning}" \
    "$VENV/bin/python" -m colonnade serve --port "$port" >"$FACADE_LOG" 2>&1 &
  FACADE_PID=$!
  FACADE_URL="http://127.0.0.1:$port"
  for _ in $(seq 1 200); do
    if "$VENV/bin/python" -c "import httpx,sys; sys.exit(httpx.get('$FACADE_URL/healthz', timeout=1).status_code != 200)" 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$FACADE_PID" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "colonnade serve did not start:" >&2
  tail -n 40 "$FACADE_LOG" >&2
  return 1
}

stop_facade() {
  if [ -n "${FACADE_PID:-}" ] && kill -0 "$FACADE_PID" 2>/dev/null; then
    kill "$FACADE_PID" 2>/dev/null || true
    wait "$FACADE_PID" 2>/dev/null || true
  fi
  rm -f "${FACADE_LOG:-}"
}
