# Sourced by scripts/test and scripts/demo: the browser assets Colonnade serves itself (GraphiQL,
# no CDN), installed from npm into web/node_modules (gitignored) exactly as web/package-lock.json
# pins them. Quick when already installed: the lockfile's digest is remembered.
_web_stamp="web/node_modules/.colonnade-lock.sha256"
_web_want=$(sha256sum web/package-lock.json | cut -d' ' -f1)
if [ "$(cat "$_web_stamp" 2>/dev/null)" != "$_web_want" ]; then
  if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "scripts: installing npm (Debian package) for the browser assets" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  fi
  if command -v npm >/dev/null 2>&1; then
    echo "scripts: installing browser assets from npm into web/node_modules" >&2
    npm ci --prefix web --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null
    echo "$_web_want" >"$_web_stamp"
  else
    echo "scripts: npm not found; GraphiQL's assets are missing (install nodejs and npm)" >&2
  fi
fi
