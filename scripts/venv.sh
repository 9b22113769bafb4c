# Sourced by scripts/test and scripts/demo: a virtual environment with the project installed
# from the hashed lock (requirements/*.lock, made by scripts/lock).
#
# A warm venv starts with no network and no reinstall: the install is skipped while the stamp
# (a digest of pyproject.toml and the lock) matches, and the editable install is built without
# build isolation, so it never asks a package index for setuptools.
VENV="${COLONNADE_VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  if ! python3 -m venv "$VENV" 2>/dev/null; then
    # Debian splits venv out of python3; install it when we may.
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
      rm -rf "$VENV" && python3 -m venv "$VENV"
    else
      echo "python3 -m venv failed: install python3-venv" >&2
      exit 1
    fi
  fi
fi
_digest() { cat pyproject.toml "requirements/$1.lock" | sha256sum | cut -c1-16; }
_lock="${COLONNADE_LOCK:-runtime}"
_installed="$(cat "$VENV/.colonnade-installed" 2>/dev/null || true)"
# The dev lock is a superset of the runtime one: a venv made by scripts/test serves the demo.
if [ "$_installed" != "$(_digest "$_lock")" ] && { [ "$_lock" != runtime ] || [ "$_installed" != "$(_digest dev)" ]; }; then
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --require-hashes -r "requirements/$_lock.lock"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
  _digest "$_lock" > "$VENV/.colonnade-installed"
fi
