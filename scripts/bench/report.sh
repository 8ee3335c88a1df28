#!/usr/bin/env bash
# Runs every benchmark beside its peer in one run and writes BENCHMARKS.md (one table).
#
#   scripts/bench/report.sh [--only STEP,STEP...] [--quick] [--out FILE]
#
# Steps (in this order): nearest (criterion 1M + HTTP vs PostGIS KNN + Redis GEOSEARCH), network
# (all-node field vs networkx and pandana), mclp (shared 5000x500 instance vs spopt/CBC), coverage
# (no peer: row says so), tiles (tiles.sh: yizhan vs Martin when Martin is there), soak (soak.sh,
# embedded and PostGIS storage), hostile (hostile.sh: riders while every expensive class is fired).
# `--quick`: smaller network grid, shorter spopt limit, 20-s soak.
# Rows of steps left out by --only are kept from their last run, marked with its date.
# Logs and JSON results: target/bench/results/. Loopback only; every step has a time limit.
# Env: MARTIN_BIN (Martin for the tiles step; default `martin` on PATH, then
# ../tools/martin/bin/martin beside the repository), MCLP_INSTANCE and YIZHAN_MCLP_BEST (mclp step:
# the instance folder and the stored 600-s spopt solution, see scripts/bench/README.md),
# YIZHAN_PEERS, YIZHAN_BENCH_DIR.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
WORK="${YIZHAN_BENCH_DIR:-$REPO/target/bench}"
RESULTS="$WORK/results"
DATA="$WORK/data"
ALL="nearest,network,mclp,coverage,tiles,soak,hostile"
ONLY="$ALL"
QUICK=0
OUT="$REPO/BENCHMARKS.md"
ARGS="$*"
INTERNAL_STEP=""
if [[ "${1:-}" == __step ]]; then
    INTERNAL_STEP="$2"
    set --
fi
while [[ $# -gt 0 ]]; do
    case "$1" in
    --only)
        ONLY="$2"
        shift 2
        ;;
    --only=*)
        ONLY="${1#--only=}"
        shift
        ;;
    --quick)
        QUICK=1
        shift
        ;;
    --out)
        OUT="$2"
        shift 2
        ;;
    *)
        sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
        exit 2
        ;;
    esac
done
for s in ${ONLY//,/ }; do
    [[ ",$ALL," == *",$s,"* ]] || {
        echo "unknown step $s (steps: $ALL)" >&2
        exit 2
    }
done

log() { printf '[report] %s\n' "$*" >&2; }
wants() { [[ ",$ONLY," == *",$1,"* ]]; }
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

REDIS_PID=""
REDIS_DIR=""
cleanup() {
    if [[ -n "$REDIS_PID" ]] && kill -0 "$REDIS_PID" 2>/dev/null; then
        kill "$REDIS_PID" 2>/dev/null || true
        wait "$REDIS_PID" 2>/dev/null || true
    fi
    [[ -z "$REDIS_DIR" ]] || rm -rf "$REDIS_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

load1() { cut -d' ' -f1 /proc/loadavg; }

STEPS_RUN=()
# run_step NAME TIMEOUT_S COMMAND...: runs one step into RESULTS/NAME.log, then parses it. A failing
# step does not stop the report: its rows say "not run" and the script exits non-zero at the end.
FAILED=()
run_step() {
    local name="$1" limit="$2"
    shift 2
    log "step $name (limit ${limit} s): $*"
    local t0=$SECONDS rc=0
    timeout --kill-after=30 "$limit" "$@" >"$RESULTS/$name.log" 2>&1 || rc=$?
    log "step $name: exit $rc after $((SECONDS - t0)) s"
    ((rc == 0)) || {
        FAILED+=("$name")
        tail -5 "$RESULTS/$name.log" >&2
    }
    python3 "$HERE/report.py" parse "$name" "$RESULTS" >&2 || FAILED+=("$name(parse)")
    STEPS_RUN+=("$name")
}

step_nearest() {
    rm -f "$RESULTS/http_1m.txt" "$RESULTS/postgis_1m.txt" "$RESULTS/redis.txt"
    rm -rf "$REPO/target/criterion/nearest_k5/1m"
    local rc=0
    echo "== criterion nearest_k5/1m"
    "$HERE/report.sh" __step criterion || rc=1
    echo "== HTTP vs PostGIS KNN (run.sh compare)"
    YIZHAN_HTTP_DB="" "$HERE/run.sh" compare || rc=1
    echo "== Redis GEOSEARCH"
    "$HERE/report.sh" __step redis || rc=1
    return "$rc"
}

step_criterion() {
    cd "$REPO"
    YIZHAN_BENCH_SIZES=1m timeout 1200 cargo bench -p yizhan-planner --bench nearest -- 'nearest_k5/1m$'
}

step_redis() {
    command -v redis-server >/dev/null || {
        if [[ "$(id -u)" == 0 ]]; then
            DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq redis-server >/dev/null
        else
            echo "redis-server is missing (apt-get install redis-server)"
            return 1
        fi
    }
    local port n_each=50000
    REDIS_DIR="$(mktemp -d "${TMPDIR:-/tmp}/yizhan-redis.XXXXXX")"
    port="$(free_port)"
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$REDIS_DIR" \
        --protected-mode yes >"$REDIS_DIR/redis.log" 2>&1 &
    REDIS_PID=$!
    for _ in $(seq 1 100); do redis-cli -p "$port" PING >/dev/null 2>&1 && break; sleep 0.1; done
    local t0=$SECONDS
    python3 "$HERE/redis_geo.py" load "$DATA/points_1m.csv" | timeout 600 redis-cli -p "$port" --pipe
    echo "GEOADD of $(redis-cli -p "$port" ZCARD pts) points took $((SECONDS - t0)) s"
    # Eight of the shared query points, one redis-benchmark run each (it cannot cycle through a list).
    local i=0 files=()
    while IFS=, read -r lon lat; do
        i=$((i + 1))
        timeout 300 redis-benchmark -h 127.0.0.1 -p "$port" -c 64 --threads 2 -n "$n_each" --csv \
            GEOSEARCH pts FROMLONLAT "$lon" "$lat" BYRADIUS 0.5 km ASC COUNT 5 WITHDIST >"$REDIS_DIR/b$i.csv"
        tail -1 "$REDIS_DIR/b$i.csv"
        files+=("$REDIS_DIR/b$i.csv")
    done < <(sed -n '2,9p' "$DATA/queries_10k.csv")
    python3 "$HERE/redis_geo.py" summary "$n_each" "${files[@]}" | tee "$RESULTS/redis.txt"
    kill "$REDIS_PID"
    wait "$REDIS_PID" 2>/dev/null || true
    REDIS_PID=""
    rm -rf "$REDIS_DIR"
    REDIS_DIR=""
}

# report.sh __step NAME: one step in its own process, so that `timeout` can bound it.
if [[ -n "$INTERNAL_STEP" ]]; then
    "step_$INTERNAL_STEP"
    exit
fi

mkdir -p "$RESULTS"
STARTED="$(date -u '+%Y-%m-%d %H:%M UTC')"
LOAD_BEFORE="$(load1)"

# One release build shared by every step.
log "cargo build --release -p yizhan-server"
(cd "$REPO" && nice timeout 3600 cargo build --release -p yizhan-server --bin yizhan >&2)
export YIZHAN_BIN="$REPO/target/release/yizhan"
"$HERE/run.sh" data

if wants nearest; then run_step nearest 2400 "$HERE/report.sh" __step nearest; fi
if wants network; then
    sides="100 300"
    ptimeout=900
    if ((QUICK)); then
        sides="100"
        ptimeout=300
    fi
    rm -rf "$WORK/network"
    run_step network 3600 env OUT_DIR="$WORK/network" VENV="$REPO/target/network-peers-venv" \
        "$REPO/scripts/network/peers.sh" "$sides" "$ptimeout"
fi
if wants mclp; then
    limit=120
    ((QUICK)) && limit=30
    run_step mclp 1800 "$REPO/scripts/optimize/compare_spopt.sh" "$limit" cbc
fi
if wants coverage; then run_step coverage 60 echo "coverage: no peer computes the same analysis"; fi
if wants tiles; then
    # Against Martin when its binary is there (MARTIN_BIN, PATH, or ../tools/martin/bin/martin beside
    # the repository); otherwise yizhan alone, and the row says Martin is missing.
    martin="${MARTIN_BIN:-$(command -v martin || true)}"
    [[ -z "$martin" && -x "$REPO/../tools/martin/bin/martin" ]] && martin="$REPO/../tools/martin/bin/martin"
    if [[ -n "$martin" && -x "$martin" ]]; then
        run_step tiles 2400 env MARTIN_BIN="$martin" "$HERE/tiles.sh" martin
    else
        run_step tiles 1200 "$HERE/tiles.sh"
    fi
fi
if wants soak; then
    rm -f "$RESULTS"/soak_embedded.json "$RESULTS"/soak_postgis.json
    secs=60
    ((QUICK)) && secs=20
    run_step soak 3600 env YIZHAN_SOAK_SECONDS="$secs" "$HERE/soak.sh" both
fi
if wants hostile; then
    rm -f "$RESULTS"/hostile.json
    run_step hostile 3600 "$HERE/hostile.sh"
fi

python3 - "$RESULTS/run.json" "$STARTED" "$LOAD_BEFORE" "$(load1)" "$(git -C "$REPO" rev-parse --short HEAD)$(git -C "$REPO" diff --quiet HEAD -- . ':!BENCHMARKS.md' || echo '+local changes')" \
    "scripts/bench/report.sh${ARGS:+ $ARGS}" "${STEPS_RUN[@]}" <<'PY'
import json, os, sys, time
out, started, before, after, commit, command, *steps = sys.argv[1:]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown CPU")
ram = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
json.dump({"started": started, "finished": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "cores": os.cpu_count(),
           "cpu": cpu, "ram_gib": ram, "load_before": before, "load_after": after, "commit": commit,
           "command": command, "steps": steps}, open(out, "w"), indent=1)
PY
python3 "$HERE/report.py" render "$RESULTS" "$OUT"
log "wrote $OUT"
if ((${#FAILED[@]})); then
    log "steps that failed: ${FAILED[*]} (their rows say so; logs in $RESULTS)"
    exit 1
fi
