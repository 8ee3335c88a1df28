#!/usr/bin/env bash
# Site optimisation benchmarks (planner/benches/optimize.rs) under /usr/bin/time -v, which adds
# the process's maximum resident set to the bench's own VmHWM figure.
#
# Usage: scripts/optimize/bench.sh [shared|city|all]
#   shared  the 5 000 x 500, p = 20 shared instance: one end-to-end run + criterion (10 samples)
#   city    1 000 000 demand points x 100 000 candidates, p = 50 (maximal covering), plus minimum
#           set and p-median on the same city
#   all     both (default)
# Env: OPTIMIZE_BENCH_CITY=n,m,p to change the city's size.
set -euo pipefail
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
mode=${1:-all}
cd "$root"
cargo bench -q -p yizhan-planner --bench optimize --no-run
case "$mode" in
  shared) export OPTIMIZE_BENCH_CITY=0; filter=() ;;
  city) export OPTIMIZE_BENCH_CITY_ALL=1; filter=(__none__) ;;
  all) export OPTIMIZE_BENCH_CITY_ALL=1; filter=() ;;
  *) echo "usage: $0 [shared|city|all]" >&2; exit 2 ;;
esac
/usr/bin/time -v cargo bench -q -p yizhan-planner --bench optimize -- "${filter[@]}" 2> >(grep -E 'Maximum resident|Elapsed|User time|System time' >&2)
