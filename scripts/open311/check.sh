#!/usr/bin/env bash
# Checks the Open311 GeoReport v2 endpoints of a running server with independent clients: the
# `georeport` client from PyPI (services, a service's definition, requests) and `requests` for
# filing one (georeport only reads), installed into a virtual environment this script creates
# (once) under target/.
#
#   scripts/open311/check.sh http://127.0.0.1:8080 STATION_ID
#
# Prints the filed request's id on its last line. Exit codes: 0 checked, 1 a check failed, 3 no
# Python virtual environment can be created here (the Rust test then skips with that reason).
set -euo pipefail
base=${1:?usage: scripts/open311/check.sh BASE_URL STATION_ID}
station=${2:?usage: scripts/open311/check.sh BASE_URL STATION_ID}
here=$(cd "$(dirname "$0")" && pwd)
venv=${OPEN311_VENV:-$here/../../target/open311-venv}
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import georeport, requests' 2>/dev/null; then
  if ! command -v python3 >/dev/null; then
    echo "python3 is not installed" >&2
    exit 3
  fi
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    rm -rf "$venv"
    echo "python3 -m venv does not work here (Debian: apt-get install python3-venv)" >&2
    exit 3
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'georeport==0.3.1' 'requests>=2.32.4' >&2
fi
exec "$venv/bin/python" "$here/check.py" "$base" "$station"
