#!/usr/bin/env bash
# Issue 15, item 3: `clapaudit embed --backbones-only` of CLIPS five-second 44.1 kHz clips with full-size CNN14 and
# BERT-base (random weights, tools/make_big_checkpoints.py) against the same pipeline in PyTorch
# (tools/bench_embed.py, on tuned OpenBLAS via tools/openblas_env.sh, which prints the kernel), one whole process
# each, alternating, the same threads. Prints wall seconds, clips per second and peak RSS of each, and the ratio.
# Usage: tools/bench_embed.sh [CLIPS=100] [REPEATS=2] [THREADS=2] [BATCH=32] [DIR=/tmp/clapaudit-bench]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
clips="${1:-100}"; repeats="${2:-2}"; threads="${3:-2}"; batch="${4:-32}"; dir="${5:-/tmp/clapaudit-bench}"
cd "$root"
[ -f "$dir/bert-base-legacy.bin" ] || /usr/bin/python3 "$root/tools/make_big_checkpoints.py" "$dir"
./clapaudit --help >/dev/null  # set-up and the CLI's build (ReadyToRun on x64 Linux) into .cache/cli
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 tools/bench_embed.py write "$work/esc50" "$work/bert" "$clips" "$dir/bert-base-legacy.bin"
echo "clips=$clips threads=$threads batch=$batch; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
nets=(); pys=()
for i in $(seq "$repeats"); do
  rm -rf "$work/bundle"
  /usr/bin/time -f "%e %M" -o "$work/time" dotnet .cache/cli/ClapAudit.Cli.dll embed --backbones-only \
    --cnn14 "$dir/cnn14-full-legacy.pth" --bert "$work/bert" --esc50 "$work/esc50" --out "$work/bundle" \
    --threads "$threads" --batch-size "$batch" >/dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
  read -r wall rss < "$work/time"
  printf 'dotnet clips=%d total_s=%.2f clips_per_s=%.2f peak_rss_mb=%d\n' "$clips" "$wall" "$(echo "$clips / $wall" | bc -l)" "$((rss / 1024))"
  nets+=("$wall")
  py=$(tools/openblas_env.sh /usr/bin/python3 tools/bench_embed.py run "$work/esc50" "$dir/cnn14-full-legacy.pth" \
    "$dir/bert-base-legacy.bin" "$threads" "$batch")
  echo "$py"
  pys+=("$(sed -E 's/.*total_s=([0-9.]+).*/\1/' <<<"$py")")
done
best() { printf '%s\n' "$@" | sort -g | head -1; }
bn=$(best "${nets[@]}"); bp=$(best "${pys[@]}")
printf 'best whole process: clapaudit embed %.2f s, PyTorch %.2f s: clips per second %.2f vs %.2f, ratio %.2fx\n' \
  "$bn" "$bp" "$(echo "$clips / $bn" | bc -l)" "$(echo "$clips / $bp" | bc -l)" "$(echo "$bp / $bn" | bc -l)"
