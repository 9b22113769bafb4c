# shellcheck shell=bash
# Sourced by scripts/test and scripts/federation (or run: `bash scripts/federation-deps.sh`):
# the federation toolchain — Apollo's composition, Hive Gateway (the router) and the loyalty
# subgraph's libraries — installed from npm exactly as federation/package-lock.json pins them,
# without install scripts. Hive Gateway brings ~800 packages (~500 MB, minutes to unpack), so
# they are installed once per machine and lockfile digest, under
# ${COLONNADE_NODE_CACHE:-~/.cache/colonnade}/federation-<digest>, and federation/node_modules
# (gitignored) links there: a fresh clone (CI) on the same machine is ready in a second.
# Without node/npm it says so, and the federation tests skip, naming the reason.
_fed_digest=$(sha256sum federation/package-lock.json | cut -d' ' -f1)
_fed_home="${COLONNADE_NODE_CACHE:-${HOME:-/tmp}/.cache/colonnade}/federation-$_fed_digest"
if [ ! -f "$_fed_home/node_modules/.colonnade-lock.sha256" ]; then
  if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "scripts: installing npm (Debian package) for the federation toolchain" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  fi
  if command -v npm >/dev/null 2>&1; then
    echo "scripts: installing the federation toolchain from npm into $_fed_home" >&2
    _fed_tmp="$_fed_home.tmp.$$"
    rm -rf "$_fed_tmp" && mkdir -p "$_fed_tmp"
    cp federation/package.json federation/package-lock.json "$_fed_tmp/"
    if npm ci --prefix "$_fed_tmp" --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null; then
      echo "$_fed_digest" >"$_fed_tmp/node_modules/.colonnade-lock.sha256"
      rm -rf "$_fed_home" && mv "$_fed_tmp" "$_fed_home"
    else
      echo "scripts: npm ci for federation/ failed" >&2
      rm -rf "$_fed_tmp"
    fi
  else
    echo "scripts: npm not found; the federation tests will skip (install nodejs and npm)" >&2
  fi
fi
if [ -f "$_fed_home/node_modules/.colonnade-lock.sha256" ] \
  && [ "$(readlink federation/node_modules 2>/dev/null)" != "$_fed_home/node_modules" ]; then
  rm -rf federation/node_modules
  ln -s "$_fed_home/node_modules" federation/node_modules
fi
