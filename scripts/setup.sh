#!/usr/bin/env bash
# Shared set-up for ./clapaudit and ./test. Sourced, not executed.
# Checks: the .NET 10 SDK; the libstdc++ symbol version TorchSharp-cpu 0.107's native layer needs.
# Idempotent and quick when there is nothing to do (a stamp file skips the checks on later runs).
# Non-interactive (CI=true or CLAPAUDIT_YES=1 or --yes): installs what is missing without asking.

clapaudit_setup() {
  local root="$1"; shift
  local assume_yes=0
  [ "${CI:-}" = "true" ] && assume_yes=1
  [ "${CLAPAUDIT_YES:-}" = "1" ] && assume_yes=1
  for a in "$@"; do [ "$a" = "--yes" ] && assume_yes=1; done

  local stamp="$root/.cache/setup-ok"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(clapaudit_setup_fingerprint)" ]; then
    return 0
  fi

  if ! command -v dotnet >/dev/null 2>&1 || ! dotnet --list-sdks 2>/dev/null | grep -q '^10\.'; then
    echo "clapaudit: the .NET 10 SDK is required: install it (https://dot.net/download, or your distribution's dotnet-sdk-10.0 package) and run again." >&2
    return 1
  fi

  if [ "$(uname -s)" = "Linux" ]; then
    clapaudit_ensure_glibcxx "$assume_yes" || return 1
  fi

  mkdir -p "$root/.cache"
  clapaudit_setup_fingerprint > "$stamp"
}

# What the checks depend on: a change of SDK or of libstdc++ makes them run again.
clapaudit_setup_fingerprint() {
  local lib; lib=$(clapaudit_libstdcxx_path)
  echo "$(dotnet --version 2>/dev/null) ${lib} $( [ -n "$lib" ] && stat -Lc %s:%Y "$lib" 2>/dev/null)"
}

clapaudit_libstdcxx_path() {
  [ "$(uname -s)" = "Linux" ] || return 0
  ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64|libstdc\+\+\.so\.6 .*AArch64/ {print $NF; exit}'
}

clapaudit_has_glibcxx() {
  local lib; lib=$(clapaudit_libstdcxx_path)
  [ -n "$lib" ] && grep -qa 'GLIBCXX_3\.4\.32' "$lib"
}

clapaudit_ensure_glibcxx() {
  local assume_yes="$1"
  clapaudit_has_glibcxx && return 0

  local codename=""
  [ -r /etc/os-release ] && codename=$(. /etc/os-release; echo "${VERSION_CODENAME:-}")
  if [ "$codename" != "bookworm" ]; then
    echo "clapaudit: TorchSharp needs libstdc++ with GLIBCXX_3.4.32 (GCC 13 or newer); this system's lacks it. Install a newer libstdc++6 (Ubuntu 24.04+, Debian 13+ and Fedora 39+ have one) and run again." >&2
    return 1
  fi

  cat >&2 <<'MSG'
clapaudit: TorchSharp-cpu 0.107 needs libstdc++ with GLIBCXX_3.4.32 (GCC 13+); Debian 12 ships GCC 12's.
  The fix: add Debian 13 (trixie) to apt at a low pin priority (100: nothing else is upgraded from it)
  and install libstdc++6 from it (this also brings Debian 13's libc6).
MSG
  if [ "$assume_yes" != "1" ]; then
    if [ ! -t 0 ]; then
      echo "clapaudit: not a terminal, so not asking: run again with --yes (or CI=true) to let the set-up do this." >&2
      return 1
    fi
    local reply; read -r -p "Do this now (needs root or sudo)? [y/N] " reply
    case "$reply" in y|Y|yes|YES) ;; *) echo "clapaudit: nothing changed." >&2; return 1;; esac
  fi

  local sudo=""
  if [ "$(id -u)" != "0" ]; then
    command -v sudo >/dev/null 2>&1 || { echo "clapaudit: root or sudo is needed to install libstdc++6." >&2; return 1; }
    sudo="sudo"
  fi

  # Reuse the mirror and keyring this machine already uses for bookworm, so no host is hard-coded here.
  local uri keyring
  uri=$(clapaudit_debian_mirror)
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  if [ -z "$uri" ]; then
    echo "clapaudit: could not find the Debian mirror in /etc/apt/sources.list*; add the trixie suite by hand." >&2
    return 1
  fi
  $sudo tee /etc/apt/sources.list.d/clapaudit-trixie.sources >/dev/null <<SRC
Types: deb
URIs: $uri
Suites: trixie
Components: main
Signed-By: $keyring
SRC
  $sudo tee /etc/apt/preferences.d/clapaudit-trixie >/dev/null <<PIN
Package: *
Pin: release n=trixie
Pin-Priority: 100
PIN
  echo "clapaudit: apt-get update and install -t trixie libstdc++6 ..." >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq >/dev/null 2>&1 || true
  if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq -t trixie libstdc++6 >/dev/null; then
    echo "clapaudit: apt-get install -t trixie libstdc++6 failed." >&2
    return 1
  fi
  $sudo ldconfig 2>/dev/null || true
  if ! clapaudit_has_glibcxx; then
    echo "clapaudit: libstdc++6 was installed but still lacks GLIBCXX_3.4.32." >&2
    return 1
  fi
  echo "clapaudit: libstdc++ now has GLIBCXX_3.4.32." >&2
}

# The first non-security Debian mirror URI in deb822 or one-line apt sources.
clapaudit_debian_mirror() {
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    uri=$(awk '/^URIs:/ {u=$2} /^Suites:/ && /bookworm( |$)/ && u !~ /security/ {print u; exit}' "$f")
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -r "$f" ] || continue
    uri=$(awk '$1=="deb" && $0 ~ / bookworm / && $0 !~ /security/ {for (i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' "$f")
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
}

# Builds the CLI in Release into .cache/cli when it is missing or any source is newer than the last build.
clapaudit_build_cli() {
  local root="$1" out="$1/.cache/cli" stamp="$1/.cache/cli.stamp"
  mkdir -p "$root/.cache"
  if [ -f "$out/ClapAudit.Cli.dll" ] && [ -f "$stamp" ] && \
     [ -z "$(find "$root/src" "$root/Directory.Build.props" "$root/Directory.Packages.props" \
              -newer "$stamp" \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.json' -o -name '*.txt' -o -name '*.tsv' \) \
              -not -path '*/bin/*' -not -path '*/obj/*' -print -quit 2>/dev/null)" ]; then
    return 0
  fi
  (
    # One build at a time when several ./clapaudit start together.
    exec 9>"$root/.cache/build.lock"
    flock 9 2>/dev/null || true
    touch "$stamp.new"
    echo "clapaudit: building the CLI (Release)..." >&2
    if ! dotnet build "$root/src/ClapAudit.Cli/ClapAudit.Cli.csproj" -c Release -o "$out" --nologo -v q -clp:ErrorsOnly\;NoSummary >&2; then
      echo "clapaudit: the build failed (see above)." >&2
      rm -f "$stamp.new"
      exit 1
    fi
    mv "$stamp.new" "$stamp"
  )
}
