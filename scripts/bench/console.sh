#!/usr/bin/env bash
# Console paging benchmark: the web console's station table (`GET /api/v1/stations?…&limit=50&offset=N`)
# on 100,000 stations, against PostgreSQL 15 + PostGIS answering the same pages with the
# equivalent SQL (pgbench, prepared statements), side by side in the same run. See
# scripts/bench/README.md, "Console paging (console.sh)".
#
#   scripts/bench/console.sh
#
# Writes target/bench/results/console.md (the table) and target/bench/results/console/ (raw
# outputs). Loopback only; every step has a time limit. Environment: YIZHAN_CONSOLE_* below,
# YIZHAN_BIN, YIZHAN_PGBIN, YIZHAN_BENCH_DIR.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
WORK="${YIZHAN_BENCH_DIR:-$REPO/target/bench}"
DATA="$WORK/data"
RESULTS="$WORK/results"
RAW="$RESULTS/console"
N="${YIZHAN_CONSOLE_STATIONS:-100000}"
SEED="${YIZHAN_CONSOLE_SEED:-42}"
RUN_SECONDS="${YIZHAN_CONSOLE_SECONDS:-10}"
WARMUP_SECONDS="${YIZHAN_CONSOLE_WARMUP:-2}"
WRK_THREADS="${YIZHAN_WRK_THREADS:-2}"
WRK_CONNS="${YIZHAN_WRK_CONNECTIONS:-32}"
QUIET_LOAD="${YIZHAN_CONSOLE_QUIET_LOAD:-0.7}"
QUIET_WAIT="${YIZHAN_CONSOLE_QUIET_WAIT:-1800}"
QUIET_POLL="${YIZHAN_CONSOLE_QUIET_POLL:-30}"
STEP_BUSY="${YIZHAN_CONSOLE_STEP_BUSY:-0.25}"
STEP_WAIT="${YIZHAN_CONSOLE_STEP_WAIT:-300}"
VERIFY_DAYS=90
TZ_NAME=Asia/Shanghai
PGBIN="${YIZHAN_PGBIN:-/usr/lib/postgresql/15/bin}"

BENCH_TAG=console-bench
# shellcheck source=scripts/bench/lib.sh
source "$HERE/lib.sh"

SERVER_PID=""
PG_DATA=""
TMP_DIRS=()
cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ -n "$PG_DATA" && -f "$PG_DATA/postmaster.pid" ]]; then
        pg_run "$PGBIN/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    local d
    for d in "${TMP_DIRS[@]}"; do
        rm -rf "$d"
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- measurement helpers ------------------------------------------------------------------------

load1() { cut -d' ' -f1 /proc/loadavg; }

# Share of the machine's CPU time spent busy over the next second (0..1).
busy_share() {
    python3 - <<'PY'
import time
def snap():
    f = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return sum(f), f[3] + f[4]
t0, i0 = snap(); time.sleep(1); t1, i1 = snap()
print(f"{1 - (i1 - i0) / max(t1 - t0, 1):.3f}")
PY
}

# CPU ticks (user + system) of a process and of its reaped children.
cpu_ticks() {
    awk '{print $14 + $15 + $16 + $17}' "/proc/$1/stat"
}

# Waits until the 1-minute load average is below QUIET_LOAD (at most QUIET_WAIT s, polling every
# QUIET_POLL s); sets QUIET to what happened.
QUIET=""
wait_quiet() {
    local start=$SECONDS l
    l="$(load1)"
    log "waiting for a quiet machine: 1-min load average $l, goal < $QUIET_LOAD (at most ${QUIET_WAIT} s)"
    while ! python3 -c "import sys; sys.exit(0 if float('$l') < float('$QUIET_LOAD') else 1)"; do
        if ((SECONDS - start >= QUIET_WAIT)); then
            QUIET="never below $QUIET_LOAD within ${QUIET_WAIT} s (last $l): ran anyway"
            log "$QUIET"
            return 0
        fi
        sleep "$QUIET_POLL"
        l="$(load1)"
        log "  load average $l after $((SECONDS - start)) s"
    done
    QUIET="1-min load average $l (< $QUIET_LOAD) after $((SECONDS - start)) s of waiting"
    log "$QUIET"
}

# Before each timed step: waits until the machine's CPU busy share over one second (our server
# and PostgreSQL idle) is below STEP_BUSY, at most STEP_WAIT s; sets LOAD (1-min load average at
# the start) and BUSY (the last busy share). UNSETTLED counts the steps that started busier.
LOAD=""
BUSY=""
UNSETTLED=0
settle() {
    local start=$SECONDS
    BUSY="$(busy_share)"
    while python3 -c "import sys; sys.exit(0 if float('$BUSY') >= float('$STEP_BUSY') else 1)"; do
        if ((SECONDS - start >= STEP_WAIT)); then
            UNSETTLED=$((UNSETTLED + 1))
            log "  machine still busy ($BUSY) after ${STEP_WAIT} s: timing anyway"
            break
        fi
        sleep 4
        BUSY="$(busy_share)"
    done
    LOAD="$(load1)"
    if ((SECONDS - start > 1)); then log "  waited $((SECONDS - start)) s for the machine to settle (busy $BUSY)"; fi
}

# --- the query shapes ---------------------------------------------------------------------------
# id | label | API query (unencoded) | SQL WHERE | SQL ORDER BY | OFFSET
Q_FRAGMENT="新驿镇"
# Due: never verified or verified more than VERIFY_DAYS days before today (server's time zone);
# closed stations are in no verification state (the API leaves them out of verification lists).
# The cutoff is a scalar subquery, so PostgreSQL computes it once per statement (an InitPlan), as the
# server computes "today" once per request; written inline it is evaluated for every row.
DUE="status <> 'closed' AND (verified_on IS NULL OR verified_on < (SELECT CAST(now() AT TIME ZONE '$TZ_NAME' AS date) - $VERIFY_DAYS))"
SHAPES=(
    "a|first page by id|sort=id&offset=0|TRUE|id|0"
    "b|offset 50,000 by name|sort=name&offset=50000|TRUE|name COLLATE \"C\", id|50000"
    "c|q=$Q_FRAGMENT by -updated_at|q=$Q_FRAGMENT&sort=-updated_at&offset=0|(name ILIKE '%$Q_FRAGMENT%' OR address ILIKE '%$Q_FRAGMENT%')|updated_at DESC, id|0"
    "d|verification=due by verified_on, offset 1,000|verification=due&sort=verified_on&offset=1000|$DUE|verified_on NULLS FIRST, id|1000"
    "e|兖州区/鼓楼街道/rest_station by name|district=兖州区&street=鼓楼街道&kind=rest_station&sort=name&offset=0|district = '兖州区' AND street = '鼓楼街道' AND kind = 'rest_station'|name COLLATE \"C\", id|0"
)

# The page as JSON: numberMatched + the page's rows as GeoJSON features (json_agg), like the API.
# No `::` casts: pgbench would read `:name` as a variable.
page_sql() {
    local where="$1" order="$2" offset="$3"
    cat <<SQL
SELECT json_build_object(
  'type', 'FeatureCollection',
  'numberMatched', (SELECT count(*) FROM stations WHERE $where),
  'features', (SELECT coalesce(json_agg(json_build_object(
      'type', 'Feature', 'id', p.id, 'geometry', CAST(ST_AsGeoJSON(p.geom) AS json),
      'properties', json_strip_nulls(json_build_object(
        'id', p.id, 'kind', p.kind, 'name', p.name, 'address', p.address, 'district', p.district,
        'street', p.street, 'amenities', p.amenities, 'opening_hours', p.opening_hours,
        'capacity', p.capacity, 'operator', p.operator, 'phone', p.phone, 'offer', p.offer,
        'status', p.status, 'source', p.source, 'external_id', p.external_id,
        'verified_on', p.verified_on, 'created_at', p.created_at, 'updated_at', p.updated_at)))),
      CAST('[]' AS json))
    FROM (SELECT * FROM stations WHERE $where ORDER BY $order LIMIT 50 OFFSET $offset) p))
SQL
}

urlquery() {
    python3 -c 'import sys, urllib.parse as u; print(u.urlencode(u.parse_qsl(sys.argv[1], keep_blank_values=True), quote_via=u.quote))' "$1"
}

# --- steps --------------------------------------------------------------------------------------

tools() {
    apt_need wrk wrk
    apt_need curl curl
    apt_need "$PGBIN/initdb" postgresql-15
    if [[ ! -f /usr/share/postgresql/15/extension/postgis.control ]]; then
        [[ "$(id -u)" == 0 ]] || die "PostGIS is missing: apt-get install -y postgresql-15-postgis-3"
        log "installing postgresql-15-postgis-3"
        DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq postgresql-15-postgis-3 >/dev/null
    fi
    [[ -x "$PGBIN/pgbench" && -x "$PGBIN/psql" ]] || die "pgbench or psql is missing in $PGBIN (postgresql-client-15)"
}

BIN=""
build() {
    BIN="${YIZHAN_BIN:-$REPO/target/release/yizhan}"
    if [[ -n "${YIZHAN_BIN:-}" ]]; then
        [[ -x "$BIN" ]] || die "YIZHAN_BIN=$BIN is not an executable"
    elif [[ ! -x "$BIN" || "${YIZHAN_CONSOLE_REBUILD:-}" == 1 ]]; then
        log "cargo build --release -p yizhan-server --locked"
        (cd "$REPO" && timeout 3600 cargo build --release -p yizhan-server --locked >&2)
    else
        log "using the built $BIN ($(date -r "$BIN" '+%F %T'); YIZHAN_CONSOLE_REBUILD=1 rebuilds)"
    fi
    [[ -x "$BIN" ]] || die "no yizhan binary at $BIN"
}

# What was measured: the binary's build time against the checkout's last commit.
binary_note() {
    local head htime btime dirty=""
    head="$(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    htime="$(cd "$REPO" && git log -1 --format=%ct 2>/dev/null || echo 0)"
    btime="$(date -r "$BIN" +%s)"
    if [[ -n "$(cd "$REPO" && git status --porcelain --untracked-files=no 2>/dev/null | head -1)" ]]; then
        dirty=" (working tree with uncommitted changes)"
    fi
    if ((btime < htime)); then
        echo "binary built $(date -u -d "@$btime" '+%F %H:%M UTC'), before HEAD $head ($(date -u -d "@$htime" '+%F %H:%M UTC')): it may not be HEAD's code$dirty"
    else
        echo "binary built $(date -u -d "@$btime" '+%F %H:%M UTC') from a checkout at $head$dirty"
    fi
}

main() {
    tools
    build
    mkdir -p "$DATA" "$RAW"
    rm -f "$RAW"/*
    local dir csv
    dir="$(mktemp -d "${TMPDIR:-/tmp}/yizhan-console.XXXXXX")"
    TMP_DIRS+=("$dir")
    chmod 755 "$dir"
    csv="$DATA/console_stations_$N.csv"

    log "generating $N stations (console_stations.py, seed $SEED)"
    timeout 300 python3 "$HERE/console_stations.py" "$csv" --n "$N" --seed "$SEED" | tee "$RAW/generate.json" >&2
    local today
    today="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["today"])' "$RAW/generate.json")"

    log "yizhan import $csv (embedded store)"
    local t0=$SECONDS
    YIZHAN_LOG="${YIZHAN_LOG:-info,sqlx=warn}" timeout 900 "$BIN" import "$csv" --data-dir "$dir/yizhan" \
        >"$RAW/yizhan_import.txt" 2>&1 || {
        tail -20 "$RAW/yizhan_import.txt" >&2
        die "yizhan import failed"
    }
    log "import took $((SECONDS - t0)) s"
    timeout 300 "$BIN" export --format csv --lang en --out "$dir/export.csv" --data-dir "$dir/yizhan" \
        >"$RAW/yizhan_export.txt" 2>&1 || {
        cat "$RAW/yizhan_export.txt" >&2
        die "yizhan export failed"
    }
    local pgdir="$dir/pg"
    mkdir -p "$pgdir"
    timeout 120 python3 "$HERE/console_report.py" ids "$csv" "$dir/export.csv" "$pgdir/ids.csv"
    cp "$csv" "$pgdir/stations.csv"

    # The peer: a throw-away cluster (as run.sh's postgis step), UTF-8 with a C.UTF-8 ctype so
    # pg_trgm sees Chinese characters as word characters.
    if [[ "$(id -u)" == 0 ]]; then chown -R postgres: "$pgdir"; fi
    PG_DATA="$pgdir/data"
    local pgport conn
    pgport="$(free_port)"
    log "throw-away PostgreSQL cluster in $pgdir on 127.0.0.1:$pgport"
    pg_run timeout 120 "$PGBIN/initdb" -D "$PG_DATA" -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
    pg_run timeout 120 "$PGBIN/pg_ctl" -D "$PG_DATA" -l "$pgdir/pg.log" -w -t 60 \
        -o "-p $pgport -k $pgdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c shared_buffers=1GB -c timezone=UTC" \
        start >/dev/null
    conn=(-h 127.0.0.1 -p "$pgport" -U postgres)
    export PGCLIENTENCODING=UTF8
    pg_run timeout 60 "$PGBIN/createdb" "${conn[@]}" console
    log "loading the same stations into PostgreSQL (COPY, indexes: console_postgis.sql)"
    t0=$SECONDS
    pg_run timeout 900 "$PGBIN/psql" "${conn[@]}" -d console -q -v ON_ERROR_STOP=1 -v csv="$pgdir/stations.csv" \
        -v ids="$pgdir/ids.csv" -f "$HERE/console_postgis.sql" >"$RAW/postgis_load.txt" 2>&1 || {
        cat "$RAW/postgis_load.txt" >&2
        die "the PostgreSQL load failed"
    }
    log "load took $((SECONDS - t0)) s"
    local trgm
    trgm="$(pg_run timeout 30 "$PGBIN/psql" "${conn[@]}" -d console -At -c "SELECT array_length(show_trgm('$Q_FRAGMENT'), 1)")"
    [[ "${trgm:-0}" -ge 1 ]] 2>/dev/null || die "pg_trgm extracts no trigram from $Q_FRAGMENT: the cluster's ctype does not classify Chinese"

    local port base
    port="$(free_port)"
    base="http://127.0.0.1:$port"
    log "starting yizhan serve --no-demo on 127.0.0.1:$port"
    YIZHAN_LOG="${YIZHAN_LOG:-warn}" "$BIN" serve --no-demo --data-dir "$dir/yizhan" --listen "127.0.0.1:$port" \
        --timezone "$TZ_NAME" --verify-after-days "$VERIFY_DAYS" >"$RAW/yizhan_server.log" 2>&1 &
    SERVER_PID=$!
    local waited=0
    until curl -fsS -o "$dir/probe.json" "$base/api/v1/stations?limit=0" 2>/dev/null; do
        kill -0 "$SERVER_PID" 2>/dev/null || {
            tail -20 "$RAW/yizhan_server.log" >&2
            die "the server exited"
        }
        ((waited++ < 600)) || die "the server did not answer within 300 s"
        sleep 0.5
    done
    local held
    held="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["numberMatched"])' "$dir/probe.json")"
    [[ "$held" == "$N" ]] || die "the server holds $held stations, expected $N"
    log "server ready with $held stations"

    # Same answer on both sides, once per shape, before any timing.
    local shape id label query where order offset url
    : >"$RAW/checks.jsonl"
    for shape in "${SHAPES[@]}"; do
        IFS='|' read -r id label query where order offset <<<"$shape"
        url="$base/api/v1/stations?$(urlquery "$query&limit=50")"
        page_sql "$where" "$order" "$offset" >"$pgdir/shape_$id.sql"
        printf ';\n' >>"$pgdir/shape_$id.sql"
        if [[ "$(id -u)" == 0 ]]; then chown postgres: "$pgdir/shape_$id.sql"; fi
        cp "$pgdir/shape_$id.sql" "$RAW/shape_$id.sql"
        echo "$url" >"$RAW/shape_$id.url"
        timeout 60 curl -fsS -o "$RAW/check_${id}_yizhan.json" "$url" || die "shape $id: $url failed"
        pg_run timeout 60 "$PGBIN/psql" "${conn[@]}" -d console -At -v ON_ERROR_STOP=1 -f "$pgdir/shape_$id.sql" \
            >"$RAW/check_${id}_postgis.json" || die "shape $id: the SQL failed"
        timeout 30 python3 "$HERE/console_report.py" check "$id" "$RAW/check_${id}_yizhan.json" \
            "$RAW/check_${id}_postgis.json" >>"$RAW/checks.jsonl" || die "shape $id: the two sides answer different pages"
        { printf 'EXPLAIN (ANALYZE, BUFFERS)\n'; page_sql "$where" "$order" "$offset"; printf ';\n'; } \
            | pg_run timeout 120 "$PGBIN/psql" "${conn[@]}" -d console -q -v ON_ERROR_STOP=1 >"$RAW/explain_$id.txt"
        log "shape $id: same $(python3 -c 'import json, sys; r = json.loads(open(sys.argv[1]).readlines()[-1]); print(r["api_ids"], "ids of", r["api_matched"], "matches, first", r["first_ids"])' "$RAW/checks.jsonl")"
    done

    wait_quiet

    local pm_pid results="$RAW/results.jsonl" load busy c0 c1
    pm_pid="$(head -1 "$PG_DATA/postmaster.pid")"
    : >"$results"
    for shape in "${SHAPES[@]}"; do
        IFS='|' read -r id label query where order offset <<<"$shape"
        url="$(cat "$RAW/shape_$id.url")"

        settle
        load="$LOAD"
        busy="$BUSY"
        log "shape $id yizhan: load $load, machine busy $busy; wrk -t$WRK_THREADS -c$WRK_CONNS (${WARMUP_SECONDS} s warm-up, ${RUN_SECONDS} s)"
        timeout $((WARMUP_SECONDS + 30)) wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"${WARMUP_SECONDS}s" --timeout 10s \
            "$url" >"$RAW/wrk_${id}_warmup.txt"
        c0="$(cpu_ticks "$SERVER_PID")"
        timeout $((RUN_SECONDS + 60)) wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"${RUN_SECONDS}s" --timeout 10s --latency \
            "$url" >"$RAW/wrk_$id.txt"
        c1="$(cpu_ticks "$SERVER_PID")"
        python3 "$HERE/console_report.py" wrk "$id" "$RAW/wrk_$id.txt" "$load" "$busy" \
            | python3 -c 'import json, os, sys; r = json.loads(sys.stdin.read()); r["cpu_ms_per_req"] = (int(sys.argv[2]) - int(sys.argv[1])) / os.sysconf("SC_CLK_TCK") * 1e3 / max(r["requests"], 1); print(json.dumps(r))' "$c0" "$c1" \
            | tee -a "$results" >&2

        settle
        load="$LOAD"
        busy="$BUSY"
        log "shape $id PostGIS: load $load, machine busy $busy; pgbench -c 2 -j 2 -M prepared (${WARMUP_SECONDS} s warm-up, ${RUN_SECONDS} s)"
        pg_run timeout $((WARMUP_SECONDS + 60)) "$PGBIN/pgbench" "${conn[@]}" -n -c 2 -j 2 -M prepared -T "$WARMUP_SECONDS" \
            -f "$pgdir/shape_$id.sql" console >"$RAW/pgbench_${id}_warmup.txt" 2>&1
        sleep 0.5
        c0="$(cpu_ticks "$pm_pid")"
        pg_run timeout $((RUN_SECONDS + 60)) "$PGBIN/pgbench" "${conn[@]}" -n -c 2 -j 2 -M prepared -T "$RUN_SECONDS" \
            -l --log-prefix="$pgdir/pgb_$id" -f "$pgdir/shape_$id.sql" console >"$RAW/pgbench_$id.txt" 2>&1
        sleep 0.5
        c1="$(cpu_ticks "$pm_pid")"
        python3 "$HERE/console_report.py" pgbench "$id" "$RAW/pgbench_$id.txt" "$pgdir/pgb_$id" "$load" "$busy" \
            | python3 -c 'import json, os, sys; r = json.loads(sys.stdin.read()); r["cpu_ms_per_req"] = (int(sys.argv[2]) - int(sys.argv[1])) / os.sysconf("SC_CLK_TCK") * 1e3 / max(r["transactions"], 1); print(json.dumps(r))' "$c0" "$c1" \
            | tee -a "$results" >&2
    done
    local rss
    rss="$(awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status")"

    python3 - "$RAW/meta.json" "$N" "$SEED" "$today" "$RUN_SECONDS" "$WARMUP_SECONDS" "$WRK_THREADS" "$WRK_CONNS" \
        "$QUIET" "$(binary_note)" "$rss" \
        "$STEP_BUSY" "$STEP_WAIT" "$UNSETTLED" "${SHAPES[@]}" <<'PY'
import datetime, json, os, sys
out, n, seed, today, secs, warm, thr, conns, quiet, commit, rss, step_busy, step_wait, unsettled, *shapes = sys.argv[1:]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown CPU")
rows = []
for s in shapes:
    i, label, query, where, order, offset = s.split("|")
    rows.append({"id": i, "label": label, "query": query + "&limit=50", "where": where, "order": order, "offset": offset})
json.dump({"stations": int(n), "seed": int(seed), "today": today, "seconds": int(secs), "warmup": int(warm),
           "wrk_threads": int(thr), "wrk_connections": int(conns), "quiet": quiet, "commit": commit,
           "server_rss_kib": int(rss), "step_busy": float(step_busy), "step_wait": int(step_wait),
           "unsettled": int(unsettled), "cpu": cpu, "cores": os.cpu_count(),
           "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"), "shapes": rows},
          open(out, "w", encoding="utf-8"), ensure_ascii=False, indent=1)
PY
    python3 "$HERE/console_report.py" render "$results" "$RAW/checks.jsonl" "$RAW/meta.json" "$RESULTS/console.md"
    log "table: $RESULTS/console.md; raw outputs: $RAW/"
}

case "${1:-}" in
-h | --help | help)
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
"") main ;;
*)
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
