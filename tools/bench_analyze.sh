#!/usr/bin/env bash
# Times `clapaudit analyze` (whole process, Release build) against the scikit-learn/NumPy equivalent
# (tools/bench_analyze_reference.py, whole process, on tuned OpenBLAS via tools/openblas_env.sh, which prints the
# kernel) on a generated bundle: N items, C classes, E_a/E_t 1024-d, x_a 2048-d, x_t 768-d, float32.
# Prints each run (wall, CPU, peak RSS), the medians, the ratios and the agreement of the results.
# Usage: tools/bench_analyze.sh [REPETITIONS=5] [N=2000] [C=50]   (from the repository root)
# ANALYZE_FLAGS (default "--no-probe --bootstrap 0") are passed to analyze: the reference computes the paper's
# measures only (zero-shot, silhouettes, topology), so the reviewer's probes and intervals are left out of both.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
reps="${1:-5}"; n_items="${2:-2000}"; n_classes="${3:-50}"
cd "$root"
./clapaudit --help >/dev/null  # set-up and Release build of the CLI into .cache/cli
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

/usr/bin/python3 "$root/tools/bench_bundle.py" "$work/bundle" "$n_items" "$n_classes"

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# /usr/bin/time gives wall and CPU (user + sys) seconds; CPU time is the steadier figure on a busy machine.
timed() { local out="$1"; shift; /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >"$out"; awk '{printf "%s %s %d\n", $1, $2 + $3, $4 / 1024}' "$work/time"; }
dw=(); dc=(); pw=(); pc=(); dm=(); pm=()
for i in $(seq "$reps"); do
  read -r w c mem < <(timed /dev/null dotnet "$root/.cache/cli/ClapAudit.Cli.dll" analyze "$work/bundle" ${ANALYZE_FLAGS---no-probe --bootstrap 0} --json "$work/dotnet.json"); dw+=("$w"); dc+=("$c"); dm+=("$mem")
  read -r w2 c2 mem2 < <(timed "$work/python.json" "$root/tools/openblas_env.sh" /usr/bin/python3 "$root/tools/bench_analyze_reference.py" "$work/bundle"); pw+=("$w2"); pc+=("$c2"); pm+=("$mem2")
  printf 'run %d: clapaudit analyze %.2f s wall (%.2f s CPU, %d MiB), scikit-learn/NumPy %.2f s wall (%.2f s CPU, %d MiB)\n' "$i" "$w" "$c" "$mem" "$w2" "$c2" "$mem2"
done
m() { printf '%s\n' "$@" | median; }
dwm=$(m "${dw[@]}"); dcm=$(m "${dc[@]}"); pwm=$(m "${pw[@]}"); pcm=$(m "${pc[@]}")
printf 'median wall: clapaudit analyze %.2f s, scikit-learn/NumPy %.2f s, speed-up %.2fx\n' "$dwm" "$pwm" "$(echo "$pwm / $dwm" | bc -l)"
printf 'median CPU:  clapaudit analyze %.2f s, scikit-learn/NumPy %.2f s, speed-up %.2fx\n' "$dcm" "$pcm" "$(echo "$pcm / $dcm" | bc -l)"
printf 'median peak RSS: clapaudit analyze %d MiB, scikit-learn/NumPy %d MiB; n = %d, C = %d; load average: %s\n' \
  "$(m "${dm[@]}")" "$(m "${pm[@]}")" "$n_items" "$n_classes" "$(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - "$work/dotnet.json" "$work/python.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["bundles"][0]; p = json.load(open(sys.argv[2]))
print("agreement: top1 %.4f vs %.4f, silhouette audio %.6f vs %.6f, audio_backbone %.6f vs %.6f, S(audio_vs_text) %.4f vs %.4f" % (
    d["zero_shot"]["top1"], p["top1"], d["silhouette"]["audio"], p["silhouette"]["audio"],
    d["silhouette"]["audio_backbone"], p["silhouette"]["audio_backbone"], d["topology"]["audio_vs_text"]["s"], p["topology"]["audio_vs_text"]))
PY
