#!/usr/bin/env bash
# Vector-tile throughput: wrk against `yizhan serve` on 127.0.0.1, every tile of zooms 12-14 over
# 兖州区 (or YIZHAN_BBOX / YIZHAN_ZMIN / YIZHAN_ZMAX), gzip accepted. Two runs: the first meets an
# empty tile cache (encoding), the second a warm one (cached bytes + ETag headers).
#
#   scripts/bench/tiles.sh            # release build, demo data (433 stations)
#   YIZHAN_TILE_STATIONS=target/bench/data/stations_1m.csv scripts/bench/tiles.sh   # a bigger set
#
# YIZHAN_BIN overrides the binary (skips the build). Loopback only; every step has a time limit.
# A comparison with Martin on the same PostGIS table is not part of it yet.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
SECONDS_EACH="${YIZHAN_WRK_SECONDS:-15}"
THREADS="${YIZHAN_WRK_THREADS:-2}"
CONNS="${YIZHAN_WRK_CONNECTIONS:-32}"
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)" >&2; exit 1; }
BIN="${YIZHAN_BIN:-}"
if [[ -z "$BIN" ]]; then
  (cd "$REPO" && timeout 3600 cargo build --release -p yizhan-server --locked --quiet)
  BIN="$REPO/target/release/yizhan"
fi
DIR="$(mktemp -d)"
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$DIR"' EXIT
if [[ -n "${YIZHAN_TILE_STATIONS:-}" ]]; then
  timeout 1800 "$BIN" import "$YIZHAN_TILE_STATIONS" --data-dir "$DIR" >&2
  EXTRA=(--no-demo)
else
  EXTRA=()
fi
YIZHAN_LOG=info "$BIN" serve --listen 127.0.0.1:0 --data-dir "$DIR" "${EXTRA[@]}" >"$DIR/log" 2>&1 &
PID=$!
for _ in $(seq 1 600); do
  ADDR="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$DIR/log" | head -1 || true)"
  [[ -n "$ADDR" ]] && curl -fs "$ADDR/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
[[ -n "${ADDR:-}" ]] || { cat "$DIR/log" >&2; echo "server did not start" >&2; exit 1; }
echo "server: $ADDR ($("$BIN" --version))"
for run in cold warm; do
  echo "== $run: ${SECONDS_EACH}s, $THREADS threads, $CONNS connections"
  timeout $((SECONDS_EACH + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${SECONDS_EACH}s" --latency -s "$HERE/tiles.lua" "$ADDR"
done
