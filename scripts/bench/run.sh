#!/usr/bin/env bash
# Benchmark harness of the station locator. See scripts/bench/README.md.
#
#   scripts/bench/run.sh criterion   in-process criterion benches (planner/benches/nearest.rs)
#   scripts/bench/run.sh data        peer points + station CSV + query points (cached)
#   scripts/bench/run.sh http        wrk against `yizhan serve` on 127.0.0.1
#   scripts/bench/run.sh postgis     PostGIS KNN peer with pgbench, same points
#   scripts/bench/run.sh compare     http + postgis, then the throughput ratio
#
# YIZHAN_PEERS: folder of the peer scripts (knn_points.py, knn_postgis_load.sql, knn_postgis.pgb);
# default ../shared/bench/peers beside the repository, then shared/bench/peers inside it.
# Everything runs on loopback only and every step has a time limit.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
WORK="${YIZHAN_BENCH_DIR:-$REPO/target/bench}"
DATA="$WORK/data"
RESULTS="$WORK/results"
STATIONS="${YIZHAN_HTTP_STATIONS:-1m}"
WRK_THREADS="${YIZHAN_WRK_THREADS:-2}"
WRK_CONNS="${YIZHAN_WRK_CONNECTIONS:-64}"
WRK_SECONDS="${YIZHAN_WRK_SECONDS:-20}"
PGBENCH_SECONDS="${YIZHAN_PGBENCH_SECONDS:-20}"

BENCH_TAG=bench
# shellcheck source=scripts/bench/lib.sh
source "$HERE/lib.sh"

# The peer scripts live in shared/bench/peers beside the repository (or wherever YIZHAN_PEERS says).
peers_dir() {
    local d
    for d in "${YIZHAN_PEERS:-}" "$REPO/../shared/bench/peers" "$REPO/shared/bench/peers"; do
        if [[ -n "$d" && -f "$d/knn_points.py" ]]; then
            (cd "$d" && pwd)
            return 0
        fi
    done
    die "peer scripts not found; set YIZHAN_PEERS to the folder holding knn_points.py"
}

# User + system CPU ticks of the running server.
server_cpu_ticks() {
    awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"
}

# Station count of a size label: 1m, 100k, 250000.
count_of() {
    case "$1" in
    *m) echo $((${1%m} * 1000000)) ;;
    *k) echo $((${1%k} * 1000)) ;;
    *) echo "$1" ;;
    esac
}

# A Python interpreter that has numpy (the peer generator needs it): python3 on PATH, else the
# system one, installing Debian's python3-numpy for it when missing.
numpy_python() {
    local py
    for py in python3 /usr/bin/python3; do
        if "$py" -c 'import numpy' 2>/dev/null; then
            echo "$py"
            return 0
        fi
    done
    apt_need /nonexistent/numpy python3-numpy
    /usr/bin/python3 -c 'import numpy' || die "numpy is missing (apt-get install python3-numpy)"
    echo /usr/bin/python3
}

cmd_data() {
    mkdir -p "$DATA"
    if [[ ! -s "$DATA/points_1m.csv" || ! -s "$DATA/queries_10k.csv" ]]; then
        local peers py
        peers="$(peers_dir)"
        py="$(numpy_python)"
        log "generating the peer's 1,000,000 points and 10,000 queries (knn_points.py, seeds 42 and 7)"
        (cd "$DATA" && OUT_DIR="$DATA" timeout 600 "$py" "$peers/knn_points.py" >&2)
    fi
    if [[ "$STATIONS" != demo ]]; then
        local n csv
        n="$(count_of "$STATIONS")"
        csv="$DATA/stations_$STATIONS.csv"
        if [[ ! -s "$csv" ]]; then
            timeout 600 python3 "$HERE/stations_csv.py" "$DATA/points_1m.csv" "$csv.tmp" "$n"
            mv "$csv.tmp" "$csv"
        fi
    fi
}

cmd_criterion() {
    log "cargo bench -p yizhan-planner --bench nearest (sizes: ${YIZHAN_BENCH_SIZES:-10k,100k,1m}${YIZHAN_BENCH_10M:+ +10m})"
    local limit=3600
    if [[ "${YIZHAN_BENCH_10M:-}" == 1 ]]; then limit=7200; fi
    cd "$REPO"
    timeout "$limit" cargo bench -p yizhan-planner --bench nearest -- "$@"
}

SERVER_PID=""
TMP_DIRS=()
cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ -n "${HTTP_PG_DATA:-}" && -f "$HTTP_PG_DATA/postmaster.pid" ]]; then
        pg_run "$PGBIN/pg_ctl" -D "$HTTP_PG_DATA" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    if [[ -n "${PG_DATA:-}" && -f "$PG_DATA/postmaster.pid" ]]; then
        pg_run "$PGBIN/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    local d
    for d in "${TMP_DIRS[@]}"; do
        rm -rf "$d"
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cmd_http() {
    apt_need wrk wrk
    apt_need curl curl
    cmd_data
    local bin="${YIZHAN_BIN:-}"
    if [[ -z "$bin" ]]; then
        log "building the release binary"
        (cd "$REPO" && timeout 1800 cargo build --release -p yizhan-server --bin yizhan >&2)
        bin="$REPO/target/release/yizhan"
    fi
    [[ -x "$bin" ]] || die "no yizhan binary at $bin"

    local dir port base
    dir="$(mktemp -d "${TMPDIR:-/tmp}/yizhan-bench.XXXXXX")"
    TMP_DIRS+=("$dir")
    local store_args=(--data-dir "$dir")
    if [[ "${YIZHAN_HTTP_DB:-}" == postgis ]]; then
        # The server's storage in a throw-away PostgreSQL + PostGIS cluster (durable settings:
        # fsync on), so the import below measures the PostGIS backend's COPY path.
        apt_need "$PGBIN/initdb" postgresql-15
        local pgdir pgport
        pgdir="$(mktemp -d "${TMPDIR:-/tmp}/yizhan-http-pg.XXXXXX")"
        TMP_DIRS+=("$pgdir")
        if [[ "$(id -u)" == 0 ]]; then chown -R postgres: "$pgdir"; fi
        HTTP_PG_DATA="$pgdir/data"
        pgport="$(free_port)"
        pg_run "$PGBIN/initdb" -D "$HTTP_PG_DATA" -A trust -U postgres --no-sync >/dev/null
        pg_run "$PGBIN/pg_ctl" -D "$HTTP_PG_DATA" -l "$pgdir/pg.log" -w -t 60 \
            -o "-p $pgport -k $pgdir -c listen_addresses=127.0.0.1 -c shared_buffers=512MB -c max_wal_size=4GB" \
            start >/dev/null
        pg_run "$PGBIN/createdb" -h 127.0.0.1 -p "$pgport" -U postgres yizhan
        store_args=(--db "postgres://postgres@127.0.0.1:$pgport/yizhan")
        log "server storage: PostGIS on 127.0.0.1:$pgport"
    fi
    if [[ "$STATIONS" != demo ]]; then
        log "importing $STATIONS stations (${store_args[*]})"
        local t0=$SECONDS
        YIZHAN_LOG="${YIZHAN_LOG:-info,sqlx=warn}" timeout 1200 "$bin" import "${store_args[@]}" \
            "$DATA/stations_$STATIONS.csv" >&2
        log "import took $((SECONDS - t0)) s"
    fi
    port="$(free_port)"
    base="http://127.0.0.1:$port"
    log "starting yizhan serve on 127.0.0.1:$port"
    RUST_LOG="${RUST_LOG:-warn}" "$bin" serve --listen "127.0.0.1:$port" "${store_args[@]}" >"$dir/server.log" 2>&1 &
    SERVER_PID=$!
    local probe="$base/api/v1/nearest?lon=116.8&lat=35.55&k=5" waited=0
    until curl -fsS -o "$dir/probe.json" "$probe" 2>/dev/null; do
        kill -0 "$SERVER_PID" 2>/dev/null || {
            cat "$dir/server.log" >&2
            die "the server exited"
        }
        ((waited++ < 600)) || die "the server did not answer within 300 s"
        sleep 0.5
    done
    log "server ready after ~$((waited / 2)) s; sample answer: $(head -c 300 "$dir/probe.json")"
    python3 - "$dir/probe.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
results = doc.get("results") if isinstance(doc, dict) else None
if not isinstance(results, list) or len(results) != 5:
    sys.exit(f"expected 5 results from /api/v1/nearest, got: {str(doc)[:300]}")
d = [r["distance_m"] for r in results]
if d != sorted(d):
    sys.exit(f"results are not nearest first: {d}")
PY

    mkdir -p "$RESULTS"
    local out="$RESULTS/http_$STATIONS.txt"
    log "wrk -t$WRK_THREADS -c$WRK_CONNS -d${WRK_SECONDS}s --latency (queries: the peer's 10,000 points)"
    local cpu0 cpu1
    cpu0="$(server_cpu_ticks)"
    YIZHAN_QUERIES="$DATA/queries_10k.csv" timeout $((WRK_SECONDS + 60)) \
        wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"${WRK_SECONDS}s" --timeout 5s --latency \
        -s "$HERE/nearest.lua" "$base" | tee "$out"
    cpu1="$(server_cpu_ticks)"
    grep -q '^yizhan_http ' "$out" || die "wrk printed no summary"
    local rss requests
    rss="$(awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null || echo '?')"
    requests="$(sed -n 's/^yizhan_http requests=\([0-9]*\).*/\1/p' "$out")"
    # Server CPU time (user + system) per answered request: the cost of one request, less
    # sensitive than requests/s to whatever else shares the machine.
    python3 -c 'import os, sys; t, n = int(sys.argv[1]) - int(sys.argv[2]), int(sys.argv[3]); hz = os.sysconf("SC_CLK_TCK"); print(f"yizhan_server_cpu_us_per_request={t / hz * 1e6 / max(n, 1):.1f} server_rss_kib={sys.argv[4]} stations={sys.argv[5]} load_avg={os.getloadavg()[0]:.1f}")' \
        "$cpu1" "$cpu0" "$requests" "$rss" "$STATIONS" | tee -a "$out"
    if grep -q 'Non-2xx' "$out"; then
        die "some responses were not 2xx (see $out)"
    fi
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
    if [[ -n "${HTTP_PG_DATA:-}" ]]; then
        pg_run "$PGBIN/pg_ctl" -D "$HTTP_PG_DATA" -m fast -w stop >/dev/null
        HTTP_PG_DATA=""
    fi
}

PGBIN="${YIZHAN_PGBIN:-/usr/lib/postgresql/15/bin}"
PG_DATA=""
HTTP_PG_DATA=""

cmd_postgis() {
    apt_need "$PGBIN/initdb" postgresql-15
    [[ -f /usr/share/postgresql/15/extension/postgis.control ]] || {
        [[ "$(id -u)" == 0 ]] || die "PostGIS is missing: apt-get install -y postgresql-15-postgis-3"
        log "installing postgresql-15-postgis-3"
        DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq postgresql-15-postgis-3 >/dev/null
    }
    cmd_data
    local peers dir port
    peers="$(peers_dir)"
    dir="$(mktemp -d "${TMPDIR:-/tmp}/yizhan-pg.XXXXXX")"
    TMP_DIRS+=("$dir")
    cp "$DATA/points_1m.csv" "$dir/"
    if [[ "$(id -u)" == 0 ]]; then chown -R postgres: "$dir"; fi
    PG_DATA="$dir/data"
    port="$(free_port)"
    log "throw-away cluster in $dir on 127.0.0.1:$port"
    pg_run "$PGBIN/initdb" -D "$PG_DATA" -A trust -U postgres --no-sync >/dev/null
    pg_run "$PGBIN/pg_ctl" -D "$PG_DATA" -l "$dir/pg.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c shared_buffers=1GB" start >/dev/null
    local conn=(-h 127.0.0.1 -p "$port" -U postgres)
    pg_run "$PGBIN/createdb" "${conn[@]}" knn
    log "loading 1,000,000 points with GiST indexes (knn_postgis_load.sql)"
    local t0=$SECONDS
    pg_run timeout 1200 "$PGBIN/psql" "${conn[@]}" -q -v ON_ERROR_STOP=1 -v csv="$dir/points_1m.csv" -d knn \
        -f "$peers/knn_postgis_load.sql" >/dev/null
    log "load took $((SECONDS - t0)) s"
    cp "$peers/knn_postgis.pgb" "$dir/"
    if [[ "$(id -u)" == 0 ]]; then chown postgres: "$dir/knn_postgis.pgb"; fi
    mkdir -p "$RESULTS"
    local out="$RESULTS/postgis_1m.txt"
    log "pgbench -n -c 2 -j 2 -M prepared -T $PGBENCH_SECONDS -f knn_postgis.pgb"
    (cd "$dir" && pg_run timeout $((PGBENCH_SECONDS + 60)) "$PGBIN/pgbench" "${conn[@]}" -n -c 2 -j 2 -M prepared \
        -T "$PGBENCH_SECONDS" -l --log-prefix="$dir/pgb" -f "$dir/knn_postgis.pgb" knn) | tee "$out"
    python3 - "$dir" <<'PY' | tee -a "$out"
import glob, os, sys
lat = []
for f in glob.glob(sys.argv[1] + "/pgb.*"):
    for line in open(f):
        parts = line.split()
        if len(parts) >= 3:
            lat.append(int(parts[2]))
lat.sort()
pct = lambda p: lat[min(len(lat) - 1, int(p / 100 * len(lat)))] / 1000
print(f"postgis_knn transactions={len(lat)} p50_ms={pct(50):.3f} p90_ms={pct(90):.3f} p99_ms={pct(99):.3f} max_ms={lat[-1] / 1000:.3f} load_avg={os.getloadavg()[0]:.1f}")
PY
    grep -E '^tps' "$out" >/dev/null || die "pgbench printed no tps"
    pg_run "$PGBIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
    PG_DATA=""
}

cmd_compare() {
    STATIONS=1m cmd_http
    cmd_postgis
    local rps tps
    rps="$(sed -n 's/^yizhan_http .* rps=\([0-9.]*\).*/\1/p' "$RESULTS/http_1m.txt")"
    tps="$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$RESULTS/postgis_1m.txt")"
    python3 -c "import sys; r, t = float(sys.argv[1]), float(sys.argv[2]); print(f'yizhan HTTP {r:.0f} req/s / PostGIS KNN {t:.0f} TPS = {r / t:.2f}x (1M points, same machine, same run)')" \
        "$rps" "$tps" | tee "$RESULTS/compare_1m.txt"
}

usage() {
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
}

[[ $# -ge 1 ]] || usage
sub="$1"
shift
case "$sub" in
criterion) cmd_criterion "$@" ;;
data) cmd_data ;;
http) cmd_http ;;
postgis) cmd_postgis ;;
compare) cmd_compare ;;
-h | --help | help) usage ;;
*) usage ;;
esac
