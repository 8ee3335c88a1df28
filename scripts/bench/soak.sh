#!/usr/bin/env bash
# Load and soak of `/api/v1/nearest` with 1,000,000 stations. See scripts/bench/README.md.
#
#   scripts/bench/soak.sh [embedded|postgis|both]     (default both)
#
# Per storage: import the stations of `run.sh data`, create an editor token, start `yizhan serve`
# (release build) on 127.0.0.1, measure the capacity (wrk at full speed), then hold wrk at that rate
# (soak.lua paces it) for YIZHAN_SOAK_SECONDS while soak_writer.py makes one authenticated write a
# second (create, update, delete), sampling the server's resident memory every second. Fails unless
# every request and every write succeeded and the memory stayed flat. Summary lines start `soak `.
# Loopback only; every step has a time limit; servers and clusters are stopped on exit.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
WORK="${YIZHAN_BENCH_DIR:-$REPO/target/bench}"
DATA="$WORK/data"
RESULTS="$WORK/results"
STATIONS="${YIZHAN_HTTP_STATIONS:-1m}"
THREADS="${YIZHAN_WRK_THREADS:-2}"
CONNS="${YIZHAN_WRK_CONNECTIONS:-64}"
CAPACITY_SECONDS="${YIZHAN_SOAK_CAPACITY_SECONDS:-10}"
HOLD_SECONDS="${YIZHAN_SOAK_SECONDS:-60}"
FRACTION="${YIZHAN_SOAK_FRACTION:-1.0}"
WARMUP_SECONDS="${YIZHAN_SOAK_WARMUP:-10}"
RSS_TOLERANCE="${YIZHAN_SOAK_RSS_TOLERANCE:-0.10}"
PGBIN="${YIZHAN_PGBIN:-/usr/lib/postgresql/15/bin}"

log() { printf '[soak] %s\n' "$*" >&2; }
die() {
    printf '[soak] error: %s\n' "$*" >&2
    exit 1
}

pg_run() {
    if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

SERVER_PID=""
SAMPLER_PID=""
WRITER_PID=""
PG_DATA=""
TMP_DIRS=()
stop_pid() {
    if [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null; then
        kill "$1" 2>/dev/null || true
        wait "$1" 2>/dev/null || true
    fi
}
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
    stop_pid "$WRITER_PID"
    stop_pid "$SAMPLER_PID"
    stop_pid "$SERVER_PID"
    if [[ -n "$PG_DATA" && -f "$PG_DATA/postmaster.pid" ]]; then
        pg_run "$PGBIN/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    local d
    for d in "${TMP_DIRS[@]}"; do rm -rf "$d"; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

command -v wrk >/dev/null || die "wrk is missing (apt-get install wrk)"
command -v curl >/dev/null || die "curl is missing (apt-get install curl)"

# The stations (and the query points) are the ones of run.sh's benchmarks.
"$HERE/run.sh" data
CSV="$DATA/stations_$STATIONS.csv"
[[ -s "$CSV" && -s "$DATA/queries_10k.csv" ]] || die "no $CSV"

BIN="${YIZHAN_BIN:-}"
if [[ -z "$BIN" ]]; then
    log "building the release binary"
    (cd "$REPO" && timeout 3600 cargo build --release -p yizhan-server --bin yizhan >&2)
    BIN="$REPO/target/release/yizhan"
fi
[[ -x "$BIN" ]] || die "no yizhan binary at $BIN"
mkdir -p "$RESULTS"

# wrk_run OUT SECONDS [RATE]: wrk against the nearest endpoint, paced when RATE is given.
wrk_run() {
    local out="$1" secs="$2" rate="${3:-}" script="$HERE/nearest.lua"
    [[ -n "$rate" ]] && script="$HERE/soak.lua"
    YIZHAN_QUERIES="$DATA/queries_10k.csv" YIZHAN_NEAREST_LUA="$HERE/nearest.lua" YIZHAN_RATE="$rate" \
        YIZHAN_THREADS="$THREADS" timeout $((secs + 60)) \
        wrk -t"$THREADS" -c"$CONNS" -d"${secs}s" --timeout 5s --latency -s "$script" "$BASE" >"$out"
    grep -q '^yizhan_http ' "$out" || {
        cat "$out" >&2
        die "wrk printed no summary"
    }
}

field() { sed -n "s/^yizhan_http .*[ ]$1=\([0-9.]*\).*/\1/p" "$2"; }

soak_one() {
    local storage="$1" dir store_args
    dir="$(mktemp -d "${TMPDIR:-/tmp}/yizhan-soak.XXXXXX")"
    TMP_DIRS+=("$dir")
    store_args=(--data-dir "$dir/store")
    if [[ "$storage" == postgis ]]; then
        [[ -x "$PGBIN/initdb" && -f /usr/share/postgresql/15/extension/postgis.control ]] ||
            die "PostgreSQL 15 + PostGIS 3 are missing (apt-get install postgresql-15 postgresql-15-postgis-3)"
        local pgport
        if [[ "$(id -u)" == 0 ]]; then chown -R postgres: "$dir"; fi
        PG_DATA="$dir/pg"
        pgport="$(free_port)"
        # Durable settings (fsync on), as run.sh's YIZHAN_HTTP_DB=postgis.
        pg_run "$PGBIN/initdb" -D "$PG_DATA" -A trust -U postgres --no-sync >/dev/null
        pg_run "$PGBIN/pg_ctl" -D "$PG_DATA" -l "$dir/pg.log" -w -t 60 \
            -o "-p $pgport -k $dir -c listen_addresses=127.0.0.1 -c shared_buffers=512MB -c max_wal_size=4GB" \
            start >/dev/null
        pg_run "$PGBIN/createdb" -h 127.0.0.1 -p "$pgport" -U postgres yizhan
        store_args=(--db "postgres://postgres@127.0.0.1:$pgport/yizhan")
    fi
    log "[$storage] importing $STATIONS stations"
    local t0=$SECONDS
    YIZHAN_LOG="${YIZHAN_LOG:-warn}" timeout 1800 "$BIN" import "${store_args[@]}" "$CSV" >/dev/null
    log "[$storage] import took $((SECONDS - t0)) s"
    local token
    token="$(YIZHAN_LOG=warn timeout 120 "$BIN" token create "${store_args[@]}" --name soak-writer --role editor)"
    [[ "$token" =~ ^yz_ ]] || die "token create printed no token"

    local port
    port="$(free_port)"
    BASE="http://127.0.0.1:$port"
    YIZHAN_LOG="${YIZHAN_LOG:-warn}" "$BIN" serve --listen "127.0.0.1:$port" "${store_args[@]}" --no-demo \
        >"$dir/server.log" 2>&1 &
    SERVER_PID=$!
    local waited=0
    until curl -fsS -o /dev/null "$BASE/api/v1/nearest?lon=116.8&lat=35.55&k=5" 2>/dev/null; do
        kill -0 "$SERVER_PID" 2>/dev/null || {
            cat "$dir/server.log" >&2
            die "the server exited"
        }
        ((waited++ < 1200)) || die "the server did not answer within 600 s"
        sleep 0.5
    done
    log "[$storage] server ready on $BASE after ~$((waited / 2)) s"

    local cap="$RESULTS/soak_${storage}_capacity.txt" hold="$RESULTS/soak_${storage}_hold.txt"
    log "[$storage] capacity: wrk -t$THREADS -c$CONNS -d${CAPACITY_SECONDS}s at full speed"
    wrk_run "$cap" "$CAPACITY_SECONDS"
    local capacity rate
    capacity="$(field rps "$cap")"
    rate="$(python3 -c "import sys; print(round(float(sys.argv[1]) * float(sys.argv[2])))" "$capacity" "$FRACTION")"
    log "[$storage] capacity $capacity req/s; holding $rate req/s for ${HOLD_SECONDS} s with one write a second"

    local rss="$dir/rss.txt"
    : >"$rss"
    (
        while kill -0 "$SERVER_PID" 2>/dev/null; do
            awk '/^VmRSS/ {print $2}' "/proc/$SERVER_PID/status" >>"$rss" 2>/dev/null || true
            sleep 1
        done
    ) &
    SAMPLER_PID=$!
    timeout $((HOLD_SECONDS + 60)) python3 "$HERE/soak_writer.py" "$BASE" "$token" "$HOLD_SECONDS" \
        "$RESULTS/soak_${storage}_writes.json" >"$dir/writer.log" 2>&1 &
    WRITER_PID=$!
    wrk_run "$hold" "$HOLD_SECONDS" "$rate"
    local writer_rc=0
    wait "$WRITER_PID" || writer_rc=$?
    WRITER_PID=""
    stop_pid "$SAMPLER_PID"
    SAMPLER_PID=""
    cat "$dir/writer.log" >&2

    local rc=0
    python3 - "$storage" "$hold" "$rss" "$RESULTS/soak_${storage}_writes.json" "$capacity" "$rate" \
        "$WARMUP_SECONDS" "$RSS_TOLERANCE" "$RESULTS/soak_${storage}.json" <<'PY' || rc=$?
import json, os, re, statistics, sys
storage, hold, rss_path, writes_path, capacity, target, warm, tol, out = sys.argv[1:]
line = next(l for l in open(hold) if l.startswith("yizhan_http "))
w = {k: float(v) for k, v in re.findall(r"(\w+)=([0-9.]+)", line)}
rss = [int(x) for x in open(rss_path).read().split() if x.isdigit()]
writes = json.load(open(writes_path, encoding="utf-8")) if os.path.exists(writes_path) else {"writes": 0, "writes_ok": 0}
warm = int(warm)
# Flat: after the warm-up, the level is the median of the next 10 samples; the last sample must be
# within the tolerance above that level (shrinking is fine).
base = statistics.median(rss[warm:warm + 10]) if len(rss) > warm else float("nan")
flat = len(rss) > warm + 10 and rss[-1] <= base * (1 + float(tol))
# Least-squares trend of the samples after the warm-up, KiB per second (for the reader; not a rule).
post = rss[warm:]
if len(post) > 2:
    mx, my = (len(post) - 1) / 2, statistics.fmean(post)
    slope = sum((i - mx) * (y - my) for i, y in enumerate(post)) / sum((i - mx) ** 2 for i in range(len(post)))
else:
    slope = float("nan")
errors = int(w["errors_status"] + w["errors_other"])
r = {
    "storage": storage, "capacity_rps": float(capacity), "target_rps": int(target), "rps": round(w["rps"]),
    "requests": int(w["requests"]), "errors": errors, "p50_ms": w["p50_ms"], "p99_ms": w["p99_ms"],
    "max_ms": w["max_ms"], "writes": writes["writes"], "writes_ok": writes["writes_ok"],
    "write_p50_ms": writes.get("p50_ms"), "write_max_ms": writes.get("max_ms"),
    "rss_first_kib": rss[0] if rss else None, "rss_warm_kib": round(base) if rss else None,
    "rss_last_kib": rss[-1] if rss else None, "rss_max_kib": max(rss) if rss else None,
    "rss_samples": len(rss), "rss_rule": f"last <= (1 + {tol}) x median of samples {warm}..{warm + 9}",
    "rss_flat": flat, "rss_slope_kib_per_s": round(slope, 1), "rss_series_kib": rss, "load_avg": round(os.getloadavg()[0], 1),
}
r["ok"] = errors == 0 and r["writes_ok"] == r["writes"] > 0 and flat
json.dump(r, open(out, "w"), indent=1)
print(f"soak storage={storage} capacity_rps={r['capacity_rps']:.0f} target_rps={r['target_rps']} rps={r['rps']} "
      f"requests={r['requests']} errors={errors} p50_ms={r['p50_ms']:.3f} p99_ms={r['p99_ms']:.3f} "
      f"writes_ok={r['writes_ok']}/{r['writes']} write_p50_ms={r['write_p50_ms']} write_max_ms={r['write_max_ms']} rss_first_kib={r['rss_first_kib']} rss_warm_kib={r['rss_warm_kib']} "
      f"rss_last_kib={r['rss_last_kib']} rss_max_kib={r['rss_max_kib']} rss_flat={'yes' if flat else 'no'} rss_slope_kib_per_s={r['rss_slope_kib_per_s']} "
      f"load_avg={r['load_avg']} ok={'yes' if r['ok'] else 'no'}")
sys.exit(0 if r["ok"] else 1)
PY
    ((writer_rc == 0)) || log "[$storage] some writes failed"
    stop_pid "$SERVER_PID"
    SERVER_PID=""
    if [[ -n "$PG_DATA" ]]; then
        pg_run "$PGBIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
        PG_DATA=""
    fi
    rm -rf "$dir"
    return "$rc"
}

which="${1:-both}"
status=0
case "$which" in
embedded | postgis) soak_one "$which" || status=1 ;;
both)
    soak_one embedded || status=1
    soak_one postgis || status=1
    ;;
*)
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
exit "$status"
