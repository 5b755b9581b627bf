#!/usr/bin/env bash
# Runs one Python reference command on Debian's tuned OpenBLAS, for that command alone:
#   tools/openblas_env.sh /usr/bin/python3 tools/bench_analyze_reference.py BUNDLE
# - installs libopenblas0-pthread if it is missing (asks first unless CI=true or CLAPAUDIT_YES=1; Debian's own
#   release, nothing else; the libblas/liblapack alternatives are set back to what they were), and
#   python3-threadpoolctl to report the kernel;
# - puts OpenBLAS's pthread build first on LD_LIBRARY_PATH for this command only (the system's libblas.so.3
#   alternative, and so every other program, is left as it is);
# - sets OPENBLAS_CORETYPE for the CPU: SkylakeX where it reports avx512f, Haswell where it has avx2
#   (OpenBLAS 0.3.21 does not recognise newer CPUs and would fall back to a slow generic kernel);
# - prints the BLAS threadpoolctl sees (library, version, kernel, threads) on stderr before running the command.
# Never used by the tests or CI.
set -euo pipefail
dir=/usr/lib/x86_64-linux-gnu/openblas-pthread
need=()
[ -e "$dir/libblas.so.3" ] || need+=(libopenblas0-pthread)
/usr/bin/python3 -c 'import threadpoolctl' 2>/dev/null || need+=(python3-threadpoolctl)
if [ ${#need[@]} -gt 0 ]; then
  if [ "${CI:-}" != "true" ] && [ "${CLAPAUDIT_YES:-}" != "1" ]; then
    read -r -p "install ${need[*]} from this system's release (for the Python reference only)? [y/N] " answer
    [[ "$answer" == [yY]* ]] || { echo "not installed; the reference would run on the reference BLAS" >&2; exit 3; }
  fi
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  # Installing OpenBLAS switches the system's libblas.so.3/liblapack.so.3 alternatives to it (auto mode): note
  # them first and put them back, so that only this script's command sees OpenBLAS.
  arch=x86_64-linux-gnu
  before_blas=$(readlink -f "/etc/alternatives/libblas.so.3-$arch" 2>/dev/null || true)
  before_lapack=$(readlink -f "/etc/alternatives/liblapack.so.3-$arch" 2>/dev/null || true)
  $sudo apt-get install -y -o DPkg::Lock::Timeout=600 "${need[@]}" >&2
  [ -n "$before_blas" ] && $sudo update-alternatives --set "libblas.so.3-$arch" "$before_blas" >&2 || true
  [ -n "$before_lapack" ] && $sudo update-alternatives --set "liblapack.so.3-$arch" "$before_lapack" >&2 || true
fi
if grep -qw avx512f /proc/cpuinfo; then coretype=SkylakeX
elif grep -qw avx2 /proc/cpuinfo; then coretype=Haswell
else coretype=""; fi
export LD_LIBRARY_PATH="$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
[ -n "$coretype" ] && export OPENBLAS_CORETYPE="$coretype"
/usr/bin/python3 - <<'PY' >&2
import numpy, threadpoolctl
for info in threadpoolctl.threadpool_info():
    if info.get("user_api") == "blas":
        print("reference BLAS: %s %s, kernel %s, %s threads (%s)" % (info.get("internal_api"), info.get("version"),
              info.get("architecture"), info.get("num_threads"), info.get("filepath")))
PY
exec "$@"
