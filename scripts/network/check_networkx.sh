#!/usr/bin/env bash
# Differential check of the all-node nearest-station field against networkx, on exactly the same
# exported graph: the Helsinki e-bike graph and the 50 fixed stations of
# planner/testdata/network/helsinki_stations.csv. Every node's travel time to its nearest station
# must agree within 1 s, reachability must agree, and where the nearest station differs it must be
# a tie (within 1 ms).
#
#   scripts/network/check_networkx.sh [EXPORT_DIR]
#
# EXPORT_DIR holds nodes.csv, edges.csv, seeds.csv and field.csv (as written by the Rust test
# `network::osm::tests::helsinki_field_matches_networkx`); without it the graph is exported now
# with the `network_export` example. The venv (python3 -m venv + pip install networkx) lives in
# NETWORK_CHECK_VENV (default target/network-check-venv).
# Exit codes: 0 agreement, 1 disagreement, 2 Python/venv/networkx not available.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VENV=${NETWORK_CHECK_VENV:-$ROOT/target/network-check-venv}
DIR=${1:-}
if [ -z "$DIR" ]; then
  DIR=$(mktemp -d)
  (cd "$ROOT" && cargo run -q -p yizhan-planner --example network_export -- helsinki \
    data/osm/helsinki-centre.osm.pbf planner/testdata/network/helsinki_stations.csv "$DIR" 1) || exit 1
fi
command -v python3 >/dev/null || { echo "python3 not found"; exit 2; }
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV" || { echo "python3 -m venv failed"; rm -rf "$VENV"; exit 2; }
fi
if ! "$VENV/bin/python" -c "import networkx" 2>/dev/null; then
  "$VENV/bin/pip" install -q --disable-pip-version-check networkx || { echo "pip install networkx failed"; exit 2; }
fi
exec "$VENV/bin/python" "$ROOT/scripts/network/check_networkx.py" "$DIR"
