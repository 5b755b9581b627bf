#!/usr/bin/env bash
# One CLAP training step (batch 8, FULL-size CNN14 + BERT-base), .NET vs PyTorch, same threads, and the
# data pipeline with real WAV decoding. Usage: tools/bench_train_full.sh [THREADS=2] [STEPS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS="${1:-2}"; STEPS="${2:-3}"
dotnet build tools/bench_train_full/BenchTrainFull.csproj -c Release -v q -nologo >/dev/null
# Each line is printed as it comes (a full-size run takes many minutes on a busy machine).
OUT=$(dotnet tools/bench_train_full/bin/Release/net10.0/BenchTrainFull.dll "$THREADS" "$STEPS" | tee -a /dev/stderr)$'\n'
OUT+=$(/usr/bin/python3 -u tools/bench_train_full.py "$THREADS" "$STEPS" | tee -a /dev/stderr)
for mode in frozen unfrozen; do
  n=$(echo "$OUT" | awk -v m=$mode '$1=="dotnet" && $3==m {print $5}')
  p=$(echo "$OUT" | awk -v m=$mode '$1=="pytorch" && $3==m {print $5}')
  awk -v n="$n" -v p="$p" -v m="$mode" -v t="$THREADS" 'BEGIN { printf "full %s, %s thread(s), best of the timed steps: .NET %.0f ms, PyTorch %.0f ms, ratio %.2fx\n", m, t, n, p, n / p }'
done
