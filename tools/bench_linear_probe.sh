#!/usr/bin/env bash
# The linear probe (issue 13: "within 0.005 of scikit-learn's LogisticRegression(C=1, max_iter=1000) on the same folds,
# and no slower than it on the same data"): ClapAudit's LinearProbe.Score (benchmarks/ClapAudit.Benchmarks `probe`) vs
# StandardScaler + LogisticRegression per fold (tools/bench_linear_probe.py, on tuned OpenBLAS via
# tools/openblas_env.sh, which prints the kernel), each timed in its own process, on the bundle of
# tools/bench_analyze.sh (E_a 1024-d, x_a 2048-d) with a stratified folds.npy of 5 folds that both sides read.
# Usage: tools/bench_linear_probe.sh [REPETITIONS=3] [N=2000] [C=50] [NOISE=1.6]   (from the repository root)
# NOISE is the item noise around the class centres (1.6 as bench_analyze.sh, where both probes score 1.0; 8 gives
# top-1 near 0.6, where agreement means something).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
reps="${1:-3}"; n_items="${2:-2000}"; n_classes="${3:-50}"; noise="${4:-1.6}"
cd "$root"
./clapaudit --help >/dev/null  # set-up (TorchSharp's native layer) before the harness is built
dotnet build benchmarks/ClapAudit.Benchmarks -c Release -v q -nologo >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 "$root/tools/bench_bundle.py" "$work/bundle" "$n_items" "$n_classes" "$noise" --folds
echo "n = $n_items, C = $n_classes, noise $noise, 5 folds; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet benchmarks/ClapAudit.Benchmarks/bin/Release/net10.0/ClapAudit.Benchmarks.dll probe "$work/bundle" "$reps"
"$root/tools/openblas_env.sh" /usr/bin/python3 "$root/tools/bench_linear_probe.py" "$work/bundle" "$reps"
