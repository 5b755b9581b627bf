#!/usr/bin/env bash
# The full demo as a benchmark (issue 8): runs `./clapaudit demo` for several seeds and presets, one after
# the other on an otherwise idle machine, and prints the figures docs/benchmarks.md records (top-1 and
# silhouette of E_a per setup, the correlations, the paper's orderings, wall time).
#   tools/bench_demo.sh [OUT_ROOT] [SEEDS] [PRESETS]     e.g. tools/bench_demo.sh bench-demo "0 1 2" "default quick"
# Each run goes to OUT_ROOT/<preset>-s<seed>; a finished run is reused (its wall time is then the old one).
set -euo pipefail
cd "$(dirname "$0")/.."
root=${1:-bench-demo}; seeds=${2:-0 1 2}; presets=${3:-default quick}
mkdir -p "$root"
for preset in $presets; do
  for seed in $seeds; do
    out="$root/$preset-s$seed"
    flag=""; [ "$preset" = quick ] && flag=--quick
    if [ ! -f "$out/report.json" ]; then
      start=$(date +%s)
      ./clapaudit demo $flag --seed "$seed" --out "$out" > "$out.log" 2>&1 || echo "demo $preset seed $seed exited $? (see $out.log)"
      echo $(( $(date +%s) - start )) > "$out.wall"
    fi
  done
done
/usr/bin/python3 tools/demo_table.py "$root" $presets
