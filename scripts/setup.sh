#!/usr/bin/env bash
# Shared set-up for ./clapaudit and ./test. Sourced, not executed.
#
# 1. Checks for the .NET 10 SDK.
# 2. Makes TorchSharp's native layer load on this system without touching the system's packages.
#    TorchSharp-cpu 0.107's libLibTorchSharp.so asks libstdc++ for one GCC 13 symbol,
#    std::ios_base_library_init() at GLIBCXX_3.4.32; Debian 12's libstdc++ stops at 3.4.30. When the
#    library does not load here, a project-local copy is made in .cache/native/ with that one requirement
#    retargeted and a tiny shim library that defines the symbol; Directory.Build.targets puts the copy
#    into every build output. Nothing outside the project changes except, with the user's consent, the
#    ordinary build tools (a C/C++ compiler and patchelf) from the system's own release.
#    docs/architecture.md ("Set-up scripts") says what is done and why.
#
# The checks load the library (dlopen) under the environment the program will run with, LD_LIBRARY_PATH
# included. Idempotent and quick when there is nothing to do (a stamp file keyed on what they depend on).
# Non-interactive (CI=true, CLAPAUDIT_YES=1, or --yes anywhere): installs missing build tools without asking.
# CLAPAUDIT_NATIVE_PATCH=always makes the patched copy even where the original loads (./test does, so the
# path is proven on every machine); =never never makes it.

# Splits a command line into the set-up's --yes (wherever it stands before a lone "--", after which everything
# is the command's) and the command's own arguments: sets CLAPAUDIT_SETUP_ARGS and CLAPAUDIT_ARGS.
clapaudit_split_yes() {
  CLAPAUDIT_ARGS=()
  CLAPAUDIT_SETUP_ARGS=()
  local a passthrough=0
  for a in "$@"; do
    if [ $passthrough -eq 0 ] && [ "$a" = "--yes" ]; then CLAPAUDIT_SETUP_ARGS=("--yes"); continue; fi
    [ "$a" = "--" ] && passthrough=1
    CLAPAUDIT_ARGS+=("$a")
  done
}

clapaudit_setup() {
  local root="$1"; shift
  local assume_yes=0
  [ "${CI:-}" = "true" ] && assume_yes=1
  [ "${CLAPAUDIT_YES:-}" = "1" ] && assume_yes=1
  for a in "$@"; do [ "$a" = "--yes" ] && assume_yes=1; done

  if ! command -v dotnet >/dev/null 2>&1 || ! dotnet --list-sdks 2>/dev/null | grep -q '^10\.'; then
    echo "clapaudit: the .NET 10 SDK is required: install it (https://dot.net/download, or your distribution's dotnet-sdk-10.0 package) and run again." >&2
    return 1
  fi

  local stamp="$root/.cache/setup-ok"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(clapaudit_setup_fingerprint "$root")" ]; then
    return 0
  fi

  if [ "$(uname -s)" = "Linux" ] && [ "$(uname -m)" = "x86_64" ]; then
    clapaudit_native_setup "$root" "$assume_yes" || return 1
  fi

  mkdir -p "$root/.cache"
  clapaudit_setup_fingerprint "$root" > "$stamp"
}

# What the checks depend on: the SDK, the TorchSharp version, the loader's environment, the system libstdc++.
clapaudit_setup_fingerprint() {
  local root="$1"
  echo "sdk=$(dotnet --version 2>/dev/null) torchsharp=$(clapaudit_torchsharp_version "$root")" \
       "ld=${LD_LIBRARY_PATH:-} patch=${CLAPAUDIT_NATIVE_PATCH:-auto}" \
       "libstdc++=$(stat -Lc %s:%Y /usr/lib/x86_64-linux-gnu/libstdc++.so.6 /lib64/libstdc++.so.6 2>/dev/null | tr '\n' ' ')"
}

clapaudit_torchsharp_version() {
  sed -n 's/.*<TorchSharpVersion>\([^<]*\)<.*/\1/p' "$1/Directory.Packages.props" | head -1
}

clapaudit_nuget_root() {
  if [ -n "${NUGET_PACKAGES:-}" ]; then echo "${NUGET_PACKAGES%/}"; return; fi
  dotnet nuget locals global-packages --list 2>/dev/null | sed -n 's/^global-packages: *//p' | sed 's:/*$::'
}

# Builds a small C/C++ helper from scripts/native/ into .cache/native/tools/ when it is missing or older.
clapaudit_native_tool() {
  local root="$1" name="$2" src="$3" out="$root/.cache/native/tools/$2"; shift 3
  mkdir -p "$root/.cache/native/tools"
  if [ ! -x "$out" ] || [ "$src" -nt "$out" ]; then
    case "$src" in
      *.cpp) g++ -O2 -Wall "$@" -o "$out.tmp" "$src" ;;
      *) cc -O2 -Wall -o "$out.tmp" "$src" "$@" ;;
    esac || { echo "clapaudit: could not compile $src." >&2; return 1; }
    mv "$out.tmp" "$out"
  fi
  echo "$out"
}

# Asks (or, when non-interactive, just goes ahead) to install missing build tools from the system's own release.
clapaudit_ensure_build_tools() {
  local assume_yes="$1" missing=()
  command -v cc >/dev/null 2>&1 || missing+=(gcc)
  command -v g++ >/dev/null 2>&1 || missing+=(g++)
  command -v patchelf >/dev/null 2>&1 || missing+=(patchelf)
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "clapaudit: TorchSharp's native layer needs a one-time fix-up here, which needs: ${missing[*]}. Install them with your package manager and run again." >&2
    return 1
  fi
  echo "clapaudit: TorchSharp's native layer needs a one-time, project-local fix-up (see docs/architecture.md)," >&2
  echo "  which needs these build tools from your system's own release: ${missing[*]}" >&2
  if [ "$assume_yes" != "1" ]; then
    if [ ! -t 0 ]; then
      echo "clapaudit: not a terminal, so not asking: run again with --yes (or CI=true), or install them yourself." >&2
      return 1
    fi
    local reply; read -r -p "Install them with apt-get now (needs root or sudo)? [y/N] " reply
    case "$reply" in y|Y|yes|YES) ;; *) echo "clapaudit: nothing changed." >&2; return 1;; esac
  fi
  local sudo=""
  if [ "$(id -u)" != "0" ]; then
    command -v sudo >/dev/null 2>&1 || { echo "clapaudit: root or sudo is needed to install ${missing[*]}." >&2; return 1; }
    sudo="sudo"
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || {
    DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq >/dev/null 2>&1
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  } || { echo "clapaudit: apt-get install ${missing[*]} failed." >&2; return 1; }
}

# Restores TorchSharp, tries its native layer as it will run, and makes the patched copy when it is needed.
clapaudit_native_setup() {
  local root="$1" assume_yes="$2"
  local version; version=$(clapaudit_torchsharp_version "$root")
  [ -n "$version" ] || { echo "clapaudit: Directory.Packages.props names no TorchSharpVersion." >&2; return 1; }
  local out="$root/.cache/native/torchsharp-$version"
  local mode="${CLAPAUDIT_NATIVE_PATCH:-auto}"

  dotnet restore "$root/src/ClapAudit/ClapAudit.csproj" --nologo -v q >/dev/null 2>&1 ||
    { echo "clapaudit: dotnet restore failed (run 'dotnet restore src/ClapAudit' to see why)." >&2; return 1; }
  local nuget; nuget=$(clapaudit_nuget_root)
  local original="$nuget/torchsharp/$version/runtimes/linux-x64/native/libLibTorchSharp.so"
  local libtorch; libtorch=$(ls -d "$nuget"/libtorch-cpu-linux-x64/*/runtimes/linux-x64/native 2>/dev/null | sort -V | tail -1)
  [ -f "$original" ] && [ -n "$libtorch" ] ||
    { echo "clapaudit: TorchSharp $version's native files are not in the NuGet cache ($nuget) after restore." >&2; return 1; }

  # A patched copy from an earlier run is reused while it was made from this very file.
  local want; want=$(sha256sum "$original" | cut -d' ' -f1)
  if [ -f "$out/libLibTorchSharp.so" ] && [ "$(cat "$out/source.sha256" 2>/dev/null)" = "$want" ] && [ "$mode" != "never" ]; then
    clapaudit_native_verify "$root" "$out" "$libtorch" && return 0
  fi
  rm -rf "$out"

  local why=""
  if [ "$mode" != "always" ]; then
    if ! command -v cc >/dev/null 2>&1; then
      # Without a compiler the loader cannot be asked directly; the library's own demand tells.
      why="unknown"
    else
      local dlcheck; dlcheck=$(clapaudit_native_tool "$root" dlcheck "$root/scripts/native/dlcheck.c" -ldl) || return 1
      why=$(LD_LIBRARY_PATH="$libtorch${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$dlcheck" "$original" 2>&1) && return 0
    fi
    [ "$mode" = "never" ] && { echo "clapaudit: TorchSharp's native layer does not load here: $why" >&2; return 1; }
    if [ "$why" != "unknown" ] && ! grep -q 'GLIBCXX_3\.4\.32' <<<"$why"; then
      echo "clapaudit: TorchSharp's native layer does not load here, for a reason the set-up cannot fix: $why" >&2
      return 1
    fi
  fi

  clapaudit_ensure_build_tools "$assume_yes" || return 1
  echo "clapaudit: making a project-local copy of libLibTorchSharp.so that loads with this system's libstdc++ ..." >&2
  local tmp="$out.tmp"; rm -rf "$tmp"; mkdir -p "$tmp"
  local retarget; retarget=$(clapaudit_native_tool "$root" retarget_verneed "$root/scripts/native/retarget_verneed.c") || return 1
  g++ -O2 -Wall -shared -fPIC -o "$tmp/libclapaudit_glibcxx_shim.so" "$root/scripts/native/glibcxx_shim.cpp" ||
    { echo "clapaudit: could not compile scripts/native/glibcxx_shim.cpp." >&2; return 1; }
  cp "$original" "$tmp/libLibTorchSharp.so"
  patchelf --clear-symbol-version _ZSt21ios_base_library_initv "$tmp/libLibTorchSharp.so" &&
    { "$retarget" "$tmp/libLibTorchSharp.so" GLIBCXX_3.4.32 GLIBCXX_3.4.30; rc=$?; [ $rc -eq 0 ] || [ $rc -eq 3 ]; } &&
    patchelf --add-needed libclapaudit_glibcxx_shim.so "$tmp/libLibTorchSharp.so" ||
    { echo "clapaudit: patching libLibTorchSharp.so failed." >&2; return 1; }
  echo "$want" > "$tmp/source.sha256"
  mv "$tmp" "$out"
  clapaudit_native_verify "$root" "$out" "$libtorch"
}

# The patched copy must load, with its shim beside it, as it will from a build output.
clapaudit_native_verify() {
  local root="$1" out="$2" libtorch="$3"
  local dlcheck; dlcheck=$(clapaudit_native_tool "$root" dlcheck "$root/scripts/native/dlcheck.c" -ldl) || return 1
  local why
  why=$(LD_LIBRARY_PATH="$libtorch${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$dlcheck" "$out/libLibTorchSharp.so" 2>&1) && return 0
  echo "clapaudit: the patched libLibTorchSharp.so in $out does not load either: $why" >&2
  rm -rf "$out"
  return 1
}

# Builds the CLI in Release into .cache/cli when it is missing or any source is newer than the last build.
clapaudit_build_cli() {
  local root="$1" out="$1/.cache/cli" stamp="$1/.cache/cli.stamp"
  mkdir -p "$root/.cache"
  if [ -f "$out/ClapAudit.Cli.dll" ] && [ -f "$stamp" ] && \
     [ -z "$(find "$root/src" "$root/Directory.Build.props" "$root/Directory.Build.targets" "$root/Directory.Packages.props" "$root/.cache/native" \
              -newer "$stamp" \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.targets' -o -name '*.json' -o -name '*.txt' -o -name '*.tsv' -o -name '*.so' \) \
              -not -path '*/bin/*' -not -path '*/obj/*' -print -quit 2>/dev/null)" ]; then
    return 0
  fi
  (
    # One build at a time when several ./clapaudit start together.
    exec 9>"$root/.cache/build.lock"
    flock 9 2>/dev/null || true
    touch "$stamp.new"
    echo "clapaudit: building the CLI (Release)..." >&2
    # On x64 Linux the CLI is published ReadyToRun (precompiled; framework-dependent, so the installed .NET runs it):
    # no JIT at start-up or on first use of a code path. Measured: `analyze` starts faster, and a full-size CNN14
    # checkpoint read peaks 9 MiB lower (the JIT's own heap), which puts it under issue 12's 1.5x of the file.
    # Elsewhere a plain Release build.
    local build=(build)
    if [ "$(uname -s)" = Linux ] && [ "$(uname -m)" = x86_64 ]; then
      build=(publish -r linux-x64 --self-contained false -p:PublishReadyToRun=true)
    fi
    rm -rf "$out"
    if ! dotnet "${build[@]}" "$root/src/ClapAudit.Cli/ClapAudit.Cli.csproj" -c Release -o "$out" --nologo -v q -clp:ErrorsOnly\;NoSummary >&2; then
      echo "clapaudit: the build failed (see above)." >&2
      rm -f "$stamp.new"
      exit 1
    fi
    mv "$stamp.new" "$stamp"
  )
}

# For the test that runs TorchSharp under Debian 12's libstdc++ on any machine: unpacks bookworm's libstdc++6
# .deb into .cache/bookworm-libstdcxx/ (nothing is installed). Only where apt knows a 12.x libstdc++6.
clapaudit_prepare_bookworm_libstdcxx() {
  local root="$1" dir="$1/.cache/bookworm-libstdcxx"
  [ -f "$dir/usr/lib/x86_64-linux-gnu/libstdc++.so.6" ] && return 0
  command -v apt-get >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1 || return 1
  local version
  version=$(apt-cache madison libstdc++6 2>/dev/null | awk -F'|' '{gsub(/ /,"",$2); print $2}' | grep '^12\.' | head -1)
  [ -n "$version" ] || return 1
  local tmp; tmp=$(mktemp -d)
  if (cd "$tmp" && apt-get download -qq "libstdc++6=$version" >/dev/null 2>&1); then
    mkdir -p "$dir.tmp" && dpkg-deb -x "$tmp"/libstdc++6_*.deb "$dir.tmp" && echo "$version" > "$dir.tmp/version" &&
      rm -rf "$dir" && mv "$dir.tmp" "$dir"
  fi
  rm -rf "$tmp" "$dir.tmp"
  [ -f "$dir/usr/lib/x86_64-linux-gnu/libstdc++.so.6" ]
}
