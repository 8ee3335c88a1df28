#!/usr/bin/env bash
# Checks the OGC API – Features endpoints of a running server with an independent client, OWSLib,
# installed from PyPI into a virtual environment this script creates (once) under target/.
#
#   scripts/ogc/check.sh http://127.0.0.1:8080
#
# Exit codes: 0 checked, 1 a check failed, 3 no Python virtual environment can be created here
# (the Rust test that calls this script then skips with that reason).
set -euo pipefail
base=${1:?usage: scripts/ogc/check.sh BASE_URL}
here=$(cd "$(dirname "$0")" && pwd)
venv=${OGC_VENV:-$here/../../target/ogc-venv}
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import owslib' 2>/dev/null; then
  if ! command -v python3 >/dev/null; then
    echo "python3 is not installed" >&2
    exit 3
  fi
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    rm -rf "$venv"
    echo "python3 -m venv does not work here (Debian: apt-get install python3-venv)" >&2
    exit 3
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'OWSLib>=0.29' >&2
fi
exec "$venv/bin/python" "$here/check.py" "$base"
