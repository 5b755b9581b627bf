#!/usr/bin/env bash
# Builds the benchmark harness in Release, then runs tools/bench_tsne.py (.NET vs scikit-learn t-SNE).
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build benchmarks/ClapAudit.Benchmarks -c Release -v quiet -nologo >/dev/null
# The scikit-learn side runs on tuned OpenBLAS (tools/openblas_env.sh prints the kernel).
exec tools/openblas_env.sh /usr/bin/python3 tools/bench_tsne.py "$@"
