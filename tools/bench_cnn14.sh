#!/usr/bin/env bash
# CNN14 forward, .NET (TorchSharp) vs PyTorch, same machine, same thread count, same run.
# Usage: tools/bench_cnn14.sh [THREADS=2] [BATCHES="8 32"] [REPEATS=3]
# Prints each side's median seconds and the ratio .NET / PyTorch (goal: <= 1.3).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads="${1:-2}"; batches="${2:-8 32}"; repeats="${3:-3}"
dotnet build "$root/tools/bench_cnn14/BenchCnn14.csproj" -c Release -o "$root/.cache/bench_cnn14" -v q -nologo >/dev/null
for b in $batches; do
  py=$(/usr/bin/python3 "$root/tools/bench_cnn14.py" "$b" "$repeats" "$threads")
  net=$(dotnet "$root/.cache/bench_cnn14/BenchCnn14.dll" "$b" "$repeats" "$threads")
  echo "$py"; echo "$net"
  p=$(sed -E 's/.*median_s=([0-9.]+).*/\1/' <<<"$py"); n=$(sed -E 's/.*median_s=([0-9.]+).*/\1/' <<<"$net")
  echo "batch=$b threads=$threads ratio_dotnet_over_pytorch=$(awk -v n="$n" -v p="$p" 'BEGIN{printf "%.2f", n/p}')"
done
