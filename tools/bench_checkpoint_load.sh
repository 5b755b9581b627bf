#!/usr/bin/env bash
# Full-size checkpoint loads, .NET (CheckpointFile.Read) vs PyTorch (torch.load), one fresh process per load.
# Usage: tools/bench_checkpoint_load.sh [DIR=/tmp/clapaudit-bench] [REPEATS=3]
# Makes the files with tools/make_big_checkpoints.py when DIR lacks them (about 1.5 GB; never commit them).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${1:-/tmp/clapaudit-bench}"; repeats="${2:-3}"
[ -f "$dir/bert-base-zip.bin" ] || /usr/bin/python3 "$root/tools/make_big_checkpoints.py" "$dir"
dotnet build "$root/tools/bench_checkpoint_load/BenchCheckpointLoad.csproj" -c Release -o "$root/.cache/bench_checkpoint_load" -v q -nologo >/dev/null
for f in cnn14-full-legacy.pth cnn14-full-zip.pth bert-base-legacy.bin bert-base-zip.bin; do
  for _ in $(seq "$repeats"); do
    dotnet "$root/.cache/bench_checkpoint_load/BenchCheckpointLoad.dll" "$dir/$f"
    /usr/bin/python3 "$root/tools/bench_checkpoint_load.py" "$dir/$f"
  done
done
