# shellcheck shell=bash
# Sourced by scripts/test: make COLONNADE_TEST_REDIS_URL point at a Redis that answers.
# Order: the URL already given → a local redis-server started on a spare port → install
# Debian's redis-server (as root) and start it. The Redis tests are real-server tests: no mock.
_redis_ping() {
  python3 - "$1" <<'PY'
import socket, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
try:
    with socket.create_connection((u.hostname or "127.0.0.1", u.port or 6379), timeout=1) as s:
        s.sendall(b"PING\r\n")
        sys.exit(0 if s.recv(16).startswith(b"+PONG") else 1)
except OSError:
    sys.exit(1)
PY
}

export COLONNADE_TEST_REDIS_URL="${COLONNADE_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
if ! _redis_ping "$COLONNADE_TEST_REDIS_URL"; then
  if ! command -v redis-server >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      echo "${0##*/}: installing redis-server (Debian package)" >&2
      apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
    else
      echo "${0##*/}: no Redis reachable and redis-server is not installed; install it or set COLONNADE_TEST_REDIS_URL" >&2
      exit 1
    fi
  fi
  _port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  _dir=$(mktemp -d)
  redis-server --port "$_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$_dir" \
    --daemonize yes --pidfile "$_dir/redis.pid" --logfile "$_dir/redis.log"
  for _ in $(seq 50); do _redis_ping "redis://127.0.0.1:$_port/0" && break; sleep 0.1; done
  export COLONNADE_TEST_REDIS_URL="redis://127.0.0.1:$_port/15"
  export COLONNADE_TEST_REDIS_PIDFILE="$_dir/redis.pid"
  trap 'kill "$(cat "$COLONNADE_TEST_REDIS_PIDFILE")" 2>/dev/null || true' EXIT
  echo "${0##*/}: started redis-server on 127.0.0.1:$_port for the tests" >&2
fi
