#!/usr/bin/env bash
# Full-size checkpoint loads, .NET (CheckpointFile.Read) vs PyTorch (torch.load), one fresh process per load.
# Usage: tools/bench_checkpoint_load.sh [DIR=/tmp/clapaudit-bench] [REPEATS=3]
# Makes the files with tools/make_big_checkpoints.py when DIR lacks them (about 1.5 GB; never commit them).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${1:-/tmp/clapaudit-bench}"; repeats="${2:-3}"
[ -f "$dir/bert-base-zip.bin" ] || /usr/bin/python3 "$root/tools/make_big_checkpoints.py" "$dir"
# The safetensors file `clapaudit convert` writes from the legacy CNN14 (torch.load cannot read it; it is timed by
# safetensors' own loader where that is installed, else skipped on the Python side).
[ -f "$dir/cnn14-full.safetensors" ] || "$root/clapaudit" convert "$dir/cnn14-full-legacy.pth" "$dir/cnn14-full.safetensors" >/dev/null
"$root/clapaudit" --help >/dev/null  # set-up (the patched TorchSharp native layer where it is needed)
# Built as the CLI is (scripts/setup.sh): published ReadyToRun on x64 Linux, so the read is measured without the JIT's
# heap, as a user's `clapaudit convert`/`train` runs it.
build=(build)
[ "$(uname -s)" = Linux ] && [ "$(uname -m)" = x86_64 ] && build=(publish -r linux-x64 --self-contained false -p:PublishReadyToRun=true)
rm -rf "$root/.cache/bench_checkpoint_load"
dotnet "${build[@]}" "$root/tools/bench_checkpoint_load/BenchCheckpointLoad.csproj" -c Release -o "$root/.cache/bench_checkpoint_load" -v q -nologo >/dev/null
for f in cnn14-full-legacy.pth cnn14-full-zip.pth bert-base-legacy.bin bert-base-zip.bin cnn14-full.safetensors; do
  for _ in $(seq "$repeats"); do
    dotnet "$root/.cache/bench_checkpoint_load/BenchCheckpointLoad.dll" "$dir/$f"
    /usr/bin/python3 "$root/tools/bench_checkpoint_load.py" "$dir/$f"
  done
done
