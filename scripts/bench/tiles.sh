#!/usr/bin/env bash
# Vector-tile throughput with wrk, on 127.0.0.1 only; every step has a time limit.
#
#   scripts/bench/tiles.sh            yizhan alone: a cold run (empty tile cache) then a warm one
#   scripts/bench/tiles.sh martin     yizhan against Martin serving the same PostGIS table, as a ratio
#
# The tile list (tiles.lua): every tile of zooms 12-14 over 兖州区 (YIZHAN_ZMIN, YIZHAN_ZMAX,
# YIZHAN_BBOX), gzip accepted, each wrk thread starting at a different offset.
#
# `yizhan` mode: the demo data, or YIZHAN_TILE_STATIONS=FILE.csv imported first.
#
# `martin` mode: for each station set in YIZHAN_TILE_SETS (default "demo 1m": the 兖州区 demo CSV
# and the 1,000,000 stations of `scripts/bench/run.sh data`, made when missing), loads the stations
# into a throw-away PostgreSQL 15 + PostGIS cluster with `yizhan import --db` (the PostGIS
# backend's `stations` table: geometry(Point, 4326) + GiST), starts Martin on that table
# (MARTIN_BIN, default `martin` on PATH, else ../tools/martin/bin/martin beside the repository,
# e.g. from `cargo install martin --version 1.14.0 --locked --root ../tools/martin`; a config file naming
# the table source) and yizhan with the same stations (embedded store, imported from the same
# CSV; YIZHAN_TILES_STORE=postgis serves from the cluster's table instead), checks that both
# serve the same stations (feature ids) on sample tiles (only points within one tile unit of the
# buffer's outer edge may differ: PostGIS rounds to the grid, yizhan floors), warms both tile
# caches (YIZHAN_WARM_SECONDS, 30; Martin's cache_size_mb MARTIN_CACHE_MB, 512), then runs wrk
# against each in turn (YIZHAN_WRK_SECONDS, 15). Machine-readable lines, one per side and set
# (key=value fields in this order), then the ratio:
#
#   tiles_yizhan set=demo stations=433 requests=… rps=… p50_ms=… p99_ms=… errors=… load_avg=…
#   tiles_martin set=demo stations=433 requests=… rps=… p50_ms=… p99_ms=… errors=… load_avg=…
#   tiles_ratio set=demo yizhan_over_martin=…
#
# Results are also written to target/bench/results/tiles_martin.txt. YIZHAN_BIN overrides the
# yizhan binary (skips the build). Martin is a peer only, never a CI dependency.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
WORK="${YIZHAN_BENCH_DIR:-$REPO/target/bench}"
SECONDS_EACH="${YIZHAN_WRK_SECONDS:-15}"
WARM_SECONDS="${YIZHAN_WARM_SECONDS:-30}"
THREADS="${YIZHAN_WRK_THREADS:-2}"
CONNS="${YIZHAN_WRK_CONNECTIONS:-32}"
PGBIN="${YIZHAN_PGBIN:-/usr/lib/postgresql/15/bin}"
MODE="${1:-yizhan}"

log() { printf '[tiles] %s\n' "$*" >&2; }
die() {
  printf '[tiles] error: %s\n' "$*" >&2
  exit 1
}
command -v wrk >/dev/null || die "wrk is missing (apt-get install wrk)"
command -v curl >/dev/null || die "curl is missing (apt-get install curl)"

BIN="${YIZHAN_BIN:-}"
if [[ -z "$BIN" ]]; then
  (cd "$REPO" && timeout 3600 cargo build --release -p yizhan-server --bin yizhan --locked --quiet)
  BIN="$REPO/target/release/yizhan"
fi
[[ -x "$BIN" ]] || die "no yizhan binary at $BIN"

PIDS=()
PG_DATA=""
DIR="$(mktemp -d "${TMPDIR:-/tmp}/yizhan-tiles.XXXXXX")"
cleanup() {
  local p
  for p in "${PIDS[@]}"; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  if [[ -n "$PG_DATA" && -f "$PG_DATA/postmaster.pid" ]]; then
    pg_run "$PGBIN/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Runs a PostgreSQL program as the postgres user when we are root (the server refuses root).
pg_run() {
  if [[ "$(id -u)" == 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_http URL PID: until URL answers 2xx (PID must stay alive), at most 10 minutes.
wait_http() {
  local url="$1" pid="$2" n=0
  until curl -fs -o /dev/null "$url" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || return 1
    ((n++ < 3000)) || return 1
    sleep 0.2
  done
}

# start_yizhan LOG ARGS...: starts `yizhan serve` on a free port; sets YADDR (base URL) and YPID.
start_yizhan() {
  local logf="$1" port
  shift
  port="$(free_port)"
  YIZHAN_LOG="${YIZHAN_LOG:-warn}" "$BIN" serve --listen "127.0.0.1:$port" "$@" >"$logf" 2>&1 &
  YPID=$!
  PIDS+=("$YPID")
  YADDR="http://127.0.0.1:$port"
  wait_http "$YADDR/healthz" "$YPID" || {
    cat "$logf" >&2
    die "yizhan did not start"
  }
}

# run_wrk LABEL BASE PATH_FORMAT SECONDS: wrk over the tile list; tiles.lua prints the LABEL line.
run_wrk() {
  YIZHAN_TILE_LABEL="$1" YIZHAN_TILE_PATH="$3" timeout $(($4 + 60)) \
    wrk -t"$THREADS" -c"$CONNS" -d"${4}s" --timeout 5s --latency -s "$HERE/tiles.lua" "$2"
}

# compare_tiles A B: compares two (possibly gzipped) vector tiles of points. The same stations
# (feature ids) must be in both, except points within one tile unit of the buffer's outer edge
# (PostGIS's ST_AsMVTGeom rounds to the grid, yizhan floors). Prints "N features, M at the edge".
compare_tiles() {
  python3 - "$1" "$2" <<'PY'
import gzip, sys
def varint(buf, i):
    v = s = 0
    while True:
        c = buf[i]; i += 1
        v |= (c & 0x7F) << s; s += 7
        if c < 0x80:
            return v, i
def fields(buf):
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        wire = key & 7
        if wire == 0:
            v, i = varint(buf, i)
            yield key >> 3, v
        elif wire == 2:
            n, i = varint(buf, i)
            yield key >> 3, buf[i:i + n]
            i += n
        elif wire == 5:
            i += 4
        elif wire == 1:
            i += 8
        else:
            sys.exit(f"bad wire type {wire}")
def points(path):
    b = open(path, "rb").read()
    if b[:2] == b"\x1f\x8b":
        b = gzip.decompress(b)
    out = {}
    for f, layer in fields(b):
        if f != 3:
            continue
        for g, feat in fields(layer):
            if g != 2:
                continue
            fid, geom = None, None
            for h, v in fields(feat):
                if h == 1:
                    fid = v
                elif h == 4:
                    geom = v
            vals, i = [], 0
            while i < len(geom) and len(vals) < 3:
                v, i = varint(geom, i)
                vals.append(v)
            zz = lambda n: (n >> 1) ^ -(n & 1)
            out[fid] = (zz(vals[1]), zz(vals[2]))
    return out
a, b = points(sys.argv[1]), points(sys.argv[2])
edge = lambda p: any(abs(c - e) <= 1 for c in p for e in (-64, 4160))
only = [(i, a.get(i) or b.get(i)) for i in set(a) ^ set(b)]
bad = [x for x in only if not edge(x[1])]
if bad:
    sys.exit(f"different stations: {bad[:5]} (yizhan {len(a)}, Martin {len(b)})")
print(f"{len(set(a) & set(b))} features in both, {len(only)} only in one at the buffer's edge")
PY
}

# tile_at Z LON LAT: "z/x/y" of the tile holding the point.
tile_at() {
  python3 -c 'import math, sys; z, lon, lat = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]); n = 2 ** z; r = math.radians(lat); print(f"{z}/{int((lon + 180) / 360 * n)}/{int((1 - math.asinh(math.tan(r)) / math.pi) / 2 * n)}")' "$@"
}

if [[ "$MODE" == yizhan ]]; then
  DATA_DIR="$DIR/store"
  if [[ -n "${YIZHAN_TILE_STATIONS:-}" ]]; then
    timeout 1800 "$BIN" import "$YIZHAN_TILE_STATIONS" --data-dir "$DATA_DIR" >&2
    start_yizhan "$DIR/log" --data-dir "$DATA_DIR" --no-demo
  else
    start_yizhan "$DIR/log" --data-dir "$DATA_DIR"
  fi
  echo "server: $YADDR ($("$BIN" --version))"
  for run in cold warm; do
    echo "== $run: ${SECONDS_EACH}s, $THREADS threads, $CONNS connections"
    run_wrk "tiles_yizhan run=$run" "$YADDR" "/tiles/stations/%d/%d/%d.mvt" "$SECONDS_EACH"
  done
  exit 0
fi
[[ "$MODE" == martin ]] || die "usage: scripts/bench/tiles.sh [yizhan|martin]"

# ---- yizhan against Martin ----
MARTIN="${MARTIN_BIN:-}"
if [[ -z "$MARTIN" ]]; then
  MARTIN="$(command -v martin || echo "$REPO/../tools/martin/bin/martin")"
fi
[[ -x "$MARTIN" ]] || die "no Martin binary (MARTIN_BIN, martin on PATH or ../tools/martin/bin/martin beside the repository): cargo install martin --version 1.14.0 --locked"
[[ -x "$PGBIN/initdb" ]] || die "PostgreSQL 15 is missing: apt-get install -y postgresql-15 postgresql-15-postgis-3"
[[ -f /usr/share/postgresql/15/extension/postgis.control ]] || die "PostGIS is missing: apt-get install -y postgresql-15-postgis-3"
STORE="${YIZHAN_TILES_STORE:-embedded}"
SETS="${YIZHAN_TILE_SETS:-demo 1m}"
mkdir -p "$WORK/results"
OUT="$WORK/results/tiles_martin.txt"
: >"$OUT"

if [[ "$(id -u)" == 0 ]]; then chown postgres: "$DIR"; fi
PG_DATA="$DIR/pg"
PGPORT="$(free_port)"
log "throw-away PostgreSQL cluster on 127.0.0.1:$PGPORT"
pg_run "$PGBIN/initdb" -D "$PG_DATA" -A trust -U postgres --no-sync >/dev/null
pg_run "$PGBIN/pg_ctl" -D "$PG_DATA" -l "$DIR/pg.log" -w -t 60 \
  -o "-p $PGPORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c shared_buffers=512MB -c max_wal_size=4GB" \
  start >/dev/null
echo "yizhan: $("$BIN" --version); martin: $("$MARTIN" --version 2>&1 | head -1)" | tee -a "$OUT"

for set in $SETS; do
  case "$set" in
  demo) csv="$REPO/data/demo/yanzhou-stations.csv" ;;
  1m)
    csv="$WORK/data/stations_1m.csv"
    [[ -s "$csv" ]] || (cd "$REPO" && YIZHAN_BENCH_DIR="$WORK" scripts/bench/run.sh data)
    ;;
  *) csv="$set" ;;
  esac
  [[ -s "$csv" ]] || die "no stations file for set $set ($csv)"
  name="$(basename "$set" .csv)"
  db="tiles_${name//[^a-zA-Z0-9]/_}"
  url="postgres://postgres@127.0.0.1:$PGPORT/$db"
  pg_run "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres "$db"
  log "[$name] importing $csv into PostGIS ($db)"
  t0=$SECONDS
  YIZHAN_LOG="${YIZHAN_LOG:-warn}" timeout 1800 "$BIN" import --db "$url" "$csv" >&2
  log "[$name] PostGIS import took $((SECONDS - t0)) s"
  pg_run "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d "$db" -qc "VACUUM ANALYZE stations" >/dev/null
  stations="$(pg_run "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d "$db" -tAc "SELECT count(*) FROM stations")"

  if [[ "$STORE" == postgis ]]; then
    start_yizhan "$DIR/yizhan-$name.log" --db "$url" --no-demo
  else
    log "[$name] importing $csv into the embedded store"
    t0=$SECONDS
    YIZHAN_LOG="${YIZHAN_LOG:-warn}" timeout 1800 "$BIN" import --data-dir "$DIR/store-$name" "$csv" >&2
    log "[$name] embedded import took $((SECONDS - t0)) s"
    start_yizhan "$DIR/yizhan-$name.log" --data-dir "$DIR/store-$name" --no-demo
  fi

  mport="$(free_port)"
  cat >"$DIR/martin-$name.yaml" <<EOF
listen_addresses: '127.0.0.1:$mport'
cache_size_mb: ${MARTIN_CACHE_MB:-512}
postgres:
  connection_string: '$url'
  auto_publish: false
  tables:
    stations:
      schema: public
      table: stations
      srid: 4326
      geometry_column: geom
      geometry_type: POINT
      id_column: id
      extent: 4096
      buffer: 64
      clip_geom: true
      properties:
        name: text
        kind: text
        status: text
        amenities: int8
EOF
  RUST_LOG="${MARTIN_LOG:-warn}" "$MARTIN" --config "$DIR/martin-$name.yaml" >"$DIR/martin-$name.log" 2>&1 &
  PIDS+=($!)
  MPID=$!
  MADDR="http://127.0.0.1:$mport"
  wait_http "$MADDR/health" "$MPID" || {
    cat "$DIR/martin-$name.log" >&2
    die "Martin did not start"
  }
  log "[$name] $stations stations; yizhan $YADDR ($STORE store), Martin $MADDR"

  # Same features on sample tiles before timing (centre of 兖州区 and a corner of the list).
  for t in $(tile_at 12 116.786 35.553) $(tile_at 13 116.786 35.553) $(tile_at 14 116.786 35.553) $(tile_at 14 116.70 35.60); do
    curl -fsS -H 'Accept-Encoding: gzip' -o "$DIR/y.mvt" "$YADDR/tiles/stations/$t.mvt"
    curl -fsS -H 'Accept-Encoding: gzip' -o "$DIR/m.mvt" "$MADDR/stations/$t"
    same="$(compare_tiles "$DIR/y.mvt" "$DIR/m.mvt")" || die "tile $t: yizhan and Martin serve different stations"
    log "[$name] tile $t: $same"
  done

  for side in yizhan martin; do
    if [[ "$side" == yizhan ]]; then
      base="$YADDR" path="/tiles/stations/%d/%d/%d.mvt"
    else
      base="$MADDR" path="/stations/%d/%d/%d"
    fi
    log "[$name] $side: warm-up ${WARM_SECONDS}s, then ${SECONDS_EACH}s, $THREADS threads, $CONNS connections"
    run_wrk "warmup" "$base" "$path" "$WARM_SECONDS" >/dev/null
    run_wrk "tiles_$side set=$name stations=$stations" "$base" "$path" "$SECONDS_EACH" >"$DIR/wrk-$side.txt"
    grep -E '^tiles_' "$DIR/wrk-$side.txt" | sed "s/\$/ load_avg=$(cut -d' ' -f1 /proc/loadavg)/" | tee -a "$OUT"
  done
  python3 - "$OUT" "$name" <<'PY' | tee -a "$OUT"
import re, sys
rps = {}
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.match(r"tiles_(yizhan|martin) set=(\S+) .*\brps=([0-9.]+)", line)
    if m and m.group(2) == sys.argv[2]:
        rps[m.group(1)] = float(m.group(3))
if rps.get("martin"):
    print(f"tiles_ratio set={sys.argv[2]} yizhan_over_martin={rps['yizhan'] / rps['martin']:.2f}")
else:
    sys.exit("no Martin throughput to compare with")
PY
  kill "$MPID" "$YPID" 2>/dev/null || true
  wait "$MPID" "$YPID" 2>/dev/null || true
  rm -rf "$DIR/store-$name"
  pg_run "$PGBIN/dropdb" -h 127.0.0.1 -p "$PGPORT" -U postgres "$db"
done
