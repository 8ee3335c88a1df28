#!/usr/bin/env bash
# Side-by-side timings of the all-node nearest-station field: yizhan (Rust) vs networkx vs pandana,
# on exactly the same exported graphs: the Helsinki e-bike graph (50 stations) and synthetic grids
# (100 m spacing, lengths x U(1,1.5), e-bike speed; 10,000 stations on the 1000 x 1000 grid).
#
#   scripts/network/peers.sh [GRID_SIDES="300 1000"] [PANDANA_TIMEOUT_S=1200]
#
# pandana's contraction-hierarchy build is very slow on grids (about 477 s for 300 x 300 per
# shared/bench/README.md), so each pandana run is capped by PANDANA_TIMEOUT_S and reported as
# unfinished when it hits the cap. Output: OUT_DIR (default target/network-peers).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SIDES=${1:-"300 1000"}
PTIMEOUT=${2:-1200}
OUT=${OUT_DIR:-$ROOT/target/network-peers}
VENV=${VENV:-$ROOT/target/network-peers-venv}
mkdir -p "$OUT"
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; fi
"$VENV/bin/pip" install -q --disable-pip-version-check pandana networkx pandas numpy
PY="env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $VENV/bin/python"
(cd "$ROOT" && cargo build -q --release -p yizhan-planner --example network_export)
EX="$ROOT/target/release/examples/network_export"
"$EX" helsinki "$ROOT/data/osm/helsinki-centre.osm.pbf" "$ROOT/planner/testdata/network/helsinki_stations.csv" "$OUT/helsinki" 5
DIRS=("$OUT/helsinki")
for side in $SIDES; do
  # stations: 10,000 on the 1000 x 1000 grid, the same density (1 per 100 nodes) on smaller ones
  k=$(( side * side / 100 )); [ "$k" -lt 1 ] && k=1
  "$EX" grid "$side" "$k" "$OUT/grid$side" 5
  DIRS+=("$OUT/grid$side")
done
for d in "${DIRS[@]}"; do
  rm -f "$d/networkx.json" "$d/pandana.json"
  $PY "$ROOT/scripts/network/peers.py" networkx "$d" 3
  # cap: 720 s of e-bike time = 3000 m at 15 km/h, the peer README's 3000 m cap
  timeout "$PTIMEOUT" $PY "$ROOT/scripts/network/peers.py" pandana "$d" 720 3 || echo "pandana on $d: stopped after ${PTIMEOUT}s or failed"
done
$PY "$ROOT/scripts/network/peers.py" report "${DIRS[@]}" | tee "$OUT/report.txt"
