#!/usr/bin/env bash
# One CLAP training step (batch 8, tiny backbones), .NET (TorchSharp) vs PyTorch, same threads, in one run.
# Usage: tools/bench_train_step.sh [THREADS] [STEPS]   (PyTorch: /usr/bin/python3 with torch)
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS="${1:-1}"; STEPS="${2:-300}"
dotnet build tools/bench_train_step/BenchTrainStep.csproj -c Release -v q -nologo >/dev/null
# Three alternating rounds; the best 10th-percentile step time of each side is compared.
OUT=""
for round in 1 2 3; do
  OUT+=$(dotnet tools/bench_train_step/bin/Release/net10.0/BenchTrainStep.dll "$THREADS" "$STEPS")$'\n'
  OUT+=$(/usr/bin/python3 tools/bench_train_step.py "$THREADS" "$STEPS")$'\n'
done
echo "$OUT" | grep pipeline | sort -k4 -n | tail -1
for mode in frozen unfrozen; do
  n=$(echo "$OUT" | awk -v m=$mode '$1=="dotnet" && $3==m {print $5}' | sort -g | head -1)
  p=$(echo "$OUT" | awk -v m=$mode '$1=="pytorch" && $3==m {print $5}' | sort -g | head -1)
  awk -v n="$n" -v p="$p" -v m="$mode" -v t="$THREADS" 'BEGIN { printf "tiny %s, %s thread(s): .NET %.3f ms, PyTorch %.3f ms, ratio %.2fx\n", m, t, n, p, n / p }'
done
