#!/usr/bin/env bash
# Log-mel of CLIPS five-second 44.1 kHz clips: ClapAudit (TorchSharp) vs the PyTorch script, same
# inputs, same thread count, same run. Prints both times (best of REPEATS after a warm-up) and the ratio.
#   tools/bench_logmel.sh [CLIPS=1000] [BATCH=50] [THREADS=2] [REPEATS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
CLIPS=${1:-1000} BATCH=${2:-50} THREADS=${3:-2} REPEATS=${4:-3}
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
dotnet build tools/bench_logmel/BenchLogMel.csproj -c Release -o "$TMP/bin" -v q -nologo >/dev/null
/usr/bin/python3 tools/bench_logmel.py write "$TMP/clips.npy" "$BATCH"
PY=$(/usr/bin/python3 tools/bench_logmel.py time "$TMP/clips.npy" "$CLIPS" "$BATCH" "$THREADS" "$REPEATS")
NET=$(dotnet "$TMP/bin/BenchLogMel.dll" "$TMP/clips.npy" "$CLIPS" "$BATCH" "$THREADS" "$REPEATS")
echo "$PY"; echo "$NET"
py=$(echo "$PY" | awk '{print $2}'); net=$(echo "$NET" | awk '{print $2}')
echo "clips=$CLIPS batch=$BATCH threads=$THREADS  dotnet/python time ratio: $(awk -v a="$net" -v b="$py" 'BEGIN{printf "%.3f", a/b}')"
