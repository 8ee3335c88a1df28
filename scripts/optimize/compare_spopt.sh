#!/usr/bin/env bash
# Side by side, same machine, same run: the Yizhan maximal covering solver and spopt (PuLP + CBC or
# HiGHS) on the shared instance inst_5000x500 (5 000 demand points, 500 candidates, 2 500 m, p = 20).
#
# Usage: scripts/optimize/compare_spopt.sh [TIME_LIMIT_S=60] [SOLVER=cbc|highs]
# Env:   MCLP_INSTANCE=dir (default: data/bench/mclp/inst_5000x500 in the repository when it holds
#        demand.csv, else $SHARED/bench/mclp/inst_5000x500),
#        SHARED=path/to/shared (default: ../shared beside the repository; holds the peer script
#        bench/peers/mclp_spopt.py unless YIZHAN_PEERS names its folder), VENV=path (default:
#        target/spopt-venv; created with `pip install spopt pulp highspy` when missing).
set -euo pipefail
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
shared=${SHARED:-$root/../shared}
inst=${MCLP_INSTANCE:-}
if [ -z "$inst" ]; then
  inst=$root/data/bench/mclp/inst_5000x500
  [ -f "$inst/demand.csv" ] || inst=$shared/bench/mclp/inst_5000x500
fi
peer=${YIZHAN_PEERS:-$shared/bench/peers}/mclp_spopt.py
venv=${VENV:-$root/target/spopt-venv}
limit=${1:-60}
solver=${2:-cbc}
[ -f "$inst/demand.csv" ] && [ -f "$peer" ] || { echo "missing $inst/demand.csv or $peer (set MCLP_INSTANCE, SHARED or YIZHAN_PEERS)" >&2; exit 1; }
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q spopt pulp highspy
fi
# The peer script writes its solution next to the instance; the shared copy is read-only.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$inst"/demand.csv "$inst"/candidates.csv "$inst"/params.json "$work"/

echo "== Yizhan: read CSV + build coverage + solve (cargo bench, city skipped)"
(cd "$root" && OPTIMIZE_BENCH_CITY=0 MCLP_INSTANCE="$inst" cargo bench -q -p yizhan-planner --bench optimize -- __none__ 2>/dev/null) |
  grep -E '^(mclp|  chosen)'

echo "== spopt + $solver, ${limit} s time limit"
SOLVER=$solver TIME_LIMIT=$limit "$venv/bin/python" "$peer" "$work" | grep '^run'
"$venv/bin/python" -c '
import json, sys
d = json.load(open(sys.argv[1]))
t = {k: v[0] for k, v in d["times_s"].items()}
print("spopt: covered {:.0f} (solver bound {}), model build {:.1f} s, solve {:.1f} s, total {:.1f} s;{}".format(
    d["objective_covered_weight"], d["upper_bound"], t["build"], t["solve"], t["total"], d["note"] or ""))
print("  chosen", d["chosen_candidate_indices"])' "$work/solution_spopt_${solver}_tl${limit}.json"
