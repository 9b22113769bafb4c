# Sourced by scripts/test: Debian's chromium for the browser tests (GraphiQL, the ops page).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "scripts/test: installing chromium (Debian package)" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "scripts/test: chromium missing; browser tests will be skipped" >&2
  fi
fi
